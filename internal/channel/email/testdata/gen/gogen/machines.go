package main

func machines() []sample {
	var out []sample

	// Postfix bounce: multipart/report with delivery-status and the message.
	out = append(out, sample{name: "go-bounce-postfix", raw: msg([]string{
		"Return-Path: <>",
		"From: MAILER-DAEMON@mail.hidamari.example.org (Mail Delivery System)",
		"To: info@hidamari.example.org",
		"Subject: Undelivered Mail Returned to Sender",
		"Date: Tue, 13 Feb 2024 03:00:00 +0000 (UTC)",
		"Message-Id: <20240213030000.ABC1234@mail.hidamari.example.org>",
		"Auto-Submitted: auto-replied",
		"MIME-Version: 1.0",
		"Content-Type: multipart/report; report-type=delivery-status;\n\tboundary=\"ABC1234.1707793200/mail.hidamari.example.org\"",
	}, "This is a MIME-encapsulated message.\n\n--ABC1234.1707793200/mail.hidamari.example.org\nContent-Description: Notification\nContent-Type: text/plain; charset=us-ascii\n\nThis is the mail system at host mail.hidamari.example.org.\n\nI'm sorry to have to inform you that your message could not\nbe delivered to one or more recipients.\n\n<nobody@gone.example.com>: host mx.gone.example.com said: 550 5.1.1 User unknown\n\n--ABC1234.1707793200/mail.hidamari.example.org\nContent-Description: Delivery report\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mail.hidamari.example.org\nArrival-Date: Tue, 13 Feb 2024 02:59:58 +0000 (UTC)\n\nFinal-Recipient: rfc822; nobody@gone.example.com\nOriginal-Recipient: rfc822;nobody@gone.example.com\nAction: failed\nStatus: 5.1.1\nRemote-MTA: dns; mx.gone.example.com\nDiagnostic-Code: smtp; 550 5.1.1 User unknown\n\n--ABC1234.1707793200/mail.hidamari.example.org\nContent-Description: Undelivered Message\nContent-Type: message/rfc822\n\nFrom: info@hidamari.example.org\nTo: nobody@gone.example.com\nSubject: Your donation receipt\nMessage-ID: <desk-4001.receipt@hidamari.example.org>\nDate: Tue, 13 Feb 2024 02:59:57 +0000\n\nThank you for your donation.\n\n--ABC1234.1707793200/mail.hidamari.example.org--\n"),
		exp: expect{
			Note:    "Postfix DSN: multipart/report, message/delivery-status, message/rfc822 original",
			Subject: "Undelivered Mail Returned to Sender", FromAddress: "MAILER-DAEMON@mail.hidamari.example.org", FromName: "Mail Delivery System",
			TextContains: []string{"could not\nbe delivered"}, Attachments: []string{"delivery-status.txt", "Your donation receipt.eml"},
			Kind: "bounce", BouncedMessageID: "desk-4001.receipt@hidamari.example.org", BouncedRecipients: []string{"nobody@gone.example.com"},
			Language: "en",
		}})

	// Exchange NDR: HTML human part, base64 original.
	out = append(out, sample{name: "go-bounce-exchange-ndr", raw: msg([]string{
		"From: postmaster@corp.example.com",
		"To: info@hidamari.example.org",
		"Subject: Undeliverable: Volunteer schedule for March",
		"Date: Wed, 14 Feb 2024 05:00:00 +0000",
		"Message-ID: <ndr-5678@corp.example.com>",
		"Content-Language: en-US",
		"X-MS-Exchange-Message-Is-Ndr:",
		"Content-Type: multipart/report; report-type=delivery-status;\n\tboundary=\"_000_ndr_\"",
		"MIME-Version: 1.0",
	}, "--_000_ndr_\nContent-Type: multipart/alternative; boundary=\"_001_alt_\"\n\n--_001_alt_\nContent-Type: text/plain; charset=\"us-ascii\"\n\nYour message to kim@corp.example.com couldn't be delivered.\nkim wasn't found at corp.example.com.\n\n--_001_alt_\nContent-Type: text/html; charset=\"us-ascii\"\n\n<html><body><p><b>Your message to kim@corp.example.com couldn't be delivered.</b></p></body></html>\n--_001_alt_--\n\n--_000_ndr_\nContent-Type: message/delivery-status\n\nReporting-MTA: dns;EX01.corp.example.com\n\nFinal-recipient: RFC822; kim@corp.example.com\nAction: failed\nStatus: 5.1.10\nDiagnostic-Code: smtp;550 5.1.10 RESOLVER.ADR.RecipientNotFound\n\n--_000_ndr_\nContent-Type: message/rfc822\nContent-Transfer-Encoding: base64\n\n"+
		b64lines([]byte("From: info@hidamari.example.org\r\nTo: kim@corp.example.com\r\nSubject: Volunteer schedule for March\r\nMessage-ID: <desk-4002@hidamari.example.org>\r\n\r\nSee the schedule.\r\n"))+"\n--_000_ndr_--\n"),
		exp: expect{
			Note:    "Exchange NDR: alternative human part, Status 5.1.10, base64-encoded message/rfc822",
			Subject: "Undeliverable: Volunteer schedule for March", FromAddress: "postmaster@corp.example.com",
			TextContains: []string{"couldn't be delivered"}, Attachments: []string{"delivery-status.txt", "Volunteer schedule for March.eml"},
			Kind: "bounce", BouncedMessageID: "desk-4002@hidamari.example.org", BouncedRecipients: []string{"kim@corp.example.com"}, Language: "en",
		}})

	// Gmail DSN with text/rfc822-headers.
	out = append(out, sample{name: "go-bounce-gmail-headers-only", raw: msg([]string{
		"From: Mail Delivery Subsystem <mailer-daemon@googlemail.example.com>",
		"To: info@hidamari.example.org",
		"Subject: Delivery Status Notification (Failure)",
		"Date: Thu, 15 Feb 2024 06:00:00 -0800",
		"Message-ID: <65cd1234.abc@mx.google.example.com>",
		"Auto-Submitted: auto-replied",
		"Content-Type: multipart/report; boundary=\"000000000000dsn\"; report-type=delivery-status",
	}, "--000000000000dsn\nContent-Type: multipart/related; boundary=\"000000000000rel\"\n\n--000000000000rel\nContent-Type: text/html; charset=\"UTF-8\"\n\n<html><body><h2>Address not found</h2><p>Your message wasn't delivered to <b>lost@example.net</b> because the address couldn't be found.</p><img src=\"https://www.gstatic.example.com/error.png\"></body></html>\n--000000000000rel--\n--000000000000dsn\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; googlemail.com\n\nFinal-Recipient: rfc822; lost@example.net\nAction: failed\nStatus: 5.1.1\n\n--000000000000dsn\nContent-Type: text/rfc822-headers\n\nFrom: info@hidamari.example.org\nTo: lost@example.net\nSubject: Event reminder\nMessage-ID: <desk-4003@hidamari.example.org>\n\n--000000000000dsn--\n"),
		exp: expect{
			Note:    "Gmail DSN: HTML-only human part inside related, text/rfc822-headers instead of the full message",
			Subject: "Delivery Status Notification (Failure)", FromAddress: "mailer-daemon@googlemail.example.com", FromName: "Mail Delivery Subsystem",
			TextContains: []string{"Address not found", "wasn't delivered"}, Attachments: []string{"delivery-status.txt", "original-headers.txt"},
			Kind: "bounce", BouncedMessageID: "desk-4003@hidamari.example.org", BouncedRecipients: []string{"lost@example.net"}, Language: "en",
		}})

	// qmail: plain text, original quoted in the body.
	out = append(out, sample{name: "go-bounce-qmail-plain", raw: msg([]string{
		"Return-Path: <>",
		"From: MAILER-DAEMON@mx.oldisp.example.net",
		"To: info@hidamari.example.org",
		"Subject: failure notice",
		"Date: 16 Feb 2024 07:00:00 -0000",
		"Message-ID: <20240216070000.qmail@mx.oldisp.example.net>",
	}, "Hi. This is the qmail-send program at mx.oldisp.example.net.\nI'm afraid I wasn't able to deliver your message to the following addresses.\nThis is a permanent error; I've given up. Sorry it didn't work out.\n\n<olduser@oldisp.example.net>:\nSorry, no mailbox here by that name. (#5.1.1)\n\n--- Below this line is a copy of the message.\n\nReturn-Path: <info@hidamari.example.org>\nFrom: info@hidamari.example.org\nTo: olduser@oldisp.example.net\nSubject: Newsletter\nMessage-ID: <desk-4004@hidamari.example.org>\n\nSpring newsletter\n"),
		exp: expect{
			Note:    "qmail bounce: no DSN; recipient and original Message-ID found in the body text",
			Subject: "failure notice", FromAddress: "MAILER-DAEMON@mx.oldisp.example.net",
			TextContains: []string{"wasn't able to deliver"}, Kind: "bounce", BouncedMessageID: "desk-4004@hidamari.example.org",
			BouncedRecipients: []string{"olduser@oldisp.example.net"}, Language: "en",
		}})

	// Mailman list mail.
	out = append(out, sample{name: "go-list-mailman", raw: msg([]string{
		"From: Volunteer Coordinators <coordinators@lists.example.org>",
		"To: coordinators@lists.example.org",
		"Subject: [coordinators] Shared calendar for spring events",
		"Date: Sat, 17 Feb 2024 12:00:00 +0000",
		"Message-ID: <list-5001@lists.example.org>",
		"List-Id: Regional volunteer coordinators <coordinators.lists.example.org>",
		"List-Unsubscribe: <https://lists.example.org/mailman/options/coordinators>,\n <mailto:coordinators-request@lists.example.org?subject=unsubscribe>",
		"Precedence: list",
		"Content-Type: text/plain; charset=\"utf-8\"",
		"Content-Transfer-Encoding: 7bit",
	}, "Hi all, the shared calendar for spring events is now online.\n_______________________________________________\ncoordinators mailing list\n"),
		exp: expect{
			Note:    "Mailman list post: List-Id, List-Unsubscribe, Precedence: list",
			Subject: "[coordinators] Shared calendar for spring events", FromAddress: "coordinators@lists.example.org", FromName: "Volunteer Coordinators",
			TextContains: []string{"shared calendar"}, Kind: "list", Language: "en",
		}})

	// Outlook TNEF (winmail.dat) with two files: an 8.3 title in CP932 and
	// a long Unicode name in the MAPI attachment properties.
	{
		pdf := []byte("%PDF-1.4\n% annual report\n")
		xls := []byte("PK\x03\x04fake-xlsx")
		w := newTNEF()
		w.attr(1, 0x00089006, []byte{0, 0, 1, 0})    // attTnefVersion
		w.attr(1, 0x00069007, []byte{0xa4, 3, 0, 0}) // attOemCodepage 932
		w.attr(1, 0x00078008, []byte("IPM.Microsoft Mail.Note\x00"))
		w.attr(2, 0x00069002, make([]byte, 14)) // attAttachRendData
		w.attr(2, 0x00018010, []byte("REPORT~1.PDF\x00"))
		w.attr(2, 0x0006800f, pdf)
		w.attr(2, 0x00069005, mapiProps([]mapiProp{
			{0x0003, 0x0E20, uint32(len(pdf))},              // PR_ATTACH_SIZE
			{0x001f, 0x3707, "Annual Report 2023.pdf"},      // PR_ATTACH_LONG_FILENAME (unicode)
			{0x001e, 0x370E, []byte("application/pdf\x00")}, // PR_ATTACH_MIME_TAG
		}))
		w.attr(2, 0x00069002, make([]byte, 14))
		w.attr(2, 0x00018010, append(enc(sjis, "寄付者一覧.xlsx"), 0))
		w.attr(2, 0x0006800f, xls)
		w.attr(2, 0x00069005, mapiProps([]mapiProp{
			{0x0102, 0x3702, []byte{1, 2, 3}}, // PR_ATTACH_ENCODING (binary)
		}))
		out = append(out, sample{name: "go-outlook-tnef-winmail", raw: msg([]string{
			"From: Akiko Mori <amori@partner.example.co.jp>",
			"To: info@hidamari.example.org",
			"Subject: Annual report and donor list",
			"Date: Mon, 19 Feb 2024 09:00:00 +0900",
			"Message-ID: <tnef-1@partner.example.co.jp>",
			"Content-Type: multipart/mixed; boundary=\"_tnef_\"",
		}, "--_tnef_\nContent-Type: text/plain; charset=\"us-ascii\"\n\nPlease see the attached files.\n\n--_tnef_\nContent-Type: application/ms-tnef; name=\"winmail.dat\"\nContent-Transfer-Encoding: base64\nContent-Disposition: attachment; filename=\"winmail.dat\"\n\n"+
			b64lines(w.b.Bytes())+"\n--_tnef_--\n"),
			exp: expect{
				Note:    "Outlook rich text: winmail.dat (TNEF) with a Unicode long filename and a CP932 title",
				Subject: "Annual report and donor list", FromAddress: "amori@partner.example.co.jp", FromName: "Akiko Mori",
				TextContains: []string{"attached files"}, Attachments: []string{"Annual Report 2023.pdf", "寄付者一覧.xlsx"}, Kind: "normal", Language: "en",
			}})
	}

	// Read receipt (MDN).
	out = append(out, sample{name: "go-mdn-read-receipt", raw: msg([]string{
		"From: board@partner.example.com",
		"To: info@hidamari.example.org",
		"Subject: Read: Grant application",
		"Date: Tue, 20 Feb 2024 10:00:00 +0000",
		"Message-ID: <mdn-1@partner.example.com>",
		"Content-Type: multipart/report; report-type=disposition-notification; boundary=\"mdn\"",
	}, "--mdn\nContent-Type: text/plain\n\nYour message was read on Tuesday, February 20, 2024.\n--mdn\nContent-Type: message/disposition-notification\n\nFinal-Recipient: rfc822;board@partner.example.com\nOriginal-Message-ID: <desk-4005@hidamari.example.org>\nDisposition: manual-action/MDN-sent-manually; displayed\n--mdn--\n"),
		exp: expect{
			Note:    "MDN read receipt: automatic, must not be acknowledged",
			Subject: "Read: Grant application", FromAddress: "board@partner.example.com",
			TextContains: []string{"Your message was read"}, Attachments: []string{"attachment-1.bin"}, Kind: "autoReply", Language: "en",
		}})

	// English out-of-office with no auto headers (subject only).
	out = append(out, sample{name: "go-en-ooo-subject-only", raw: msg([]string{
		"From: Dana White <dana@school.example.edu>",
		"To: info@hidamari.example.org",
		"Subject: Automatic reply: Tutoring volunteers",
		"Date: Wed, 21 Feb 2024 08:00:00 -0600",
		"Message-ID: <ooo-1@school.example.edu>",
		"Content-Type: text/html; charset=\"iso-8859-1\"",
		"Content-Transfer-Encoding: quoted-printable",
	}, "<html><body><p>I am out of the office until March 1st with limited access to email.</p><p>For urgent matters contact the front desk. Gr=FC=DFe!</p></body></html>\n"),
		exp: expect{
			Note:    "Outlook out-of-office detected by subject only, HTML-only latin-1 body",
			Subject: "Automatic reply: Tutoring volunteers", FromAddress: "dana@school.example.edu", FromName: "Dana White",
			TextContains: []string{"out of the office until March 1st", "Grüße"}, Kind: "autoReply", Language: "en",
		}})
	return out
}
