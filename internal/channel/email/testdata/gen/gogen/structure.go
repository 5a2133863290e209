package main

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

func structure() []sample {
	var out []sample

	// Multipart without a boundary parameter.
	out = append(out, sample{name: "go-mime-missing-boundary-param", raw: msg([]string{
		"From: Old Webform <forms@example.org>",
		"To: info@hidamari.example.org",
		"Subject: Volunteer application",
		"Date: Mon, 5 Feb 2024 10:00:00 +0000",
		"Message-ID: <nobnd@example.org>",
		"Content-Type: multipart/mixed",
	}, "--XyZzY\nContent-Type: text/plain\n\nName: Priya Patel\nI would like to volunteer at the food bank on Saturdays.\n--XyZzY\nContent-Type: text/csv; name=application.csv\nContent-Disposition: attachment; filename=application.csv\n\nname,day\nPriya,Saturday\n--XyZzY--\n"),
		exp: expect{
			Note:    "multipart/mixed without boundary= (broken web form): boundary recovered from the body",
			Subject: "Volunteer application", FromAddress: "forms@example.org", FromName: "Old Webform",
			TextContains: []string{"volunteer at the food bank"}, Attachments: []string{"application.csv"}, Kind: "normal", Language: "en",
		}})

	// Missing close delimiter: the last part runs to the end.
	out = append(out, sample{name: "go-mime-missing-final-boundary", raw: msg([]string{
		"From: donor@example.com",
		"To: info@hidamari.example.org",
		"Subject: Receipt attached",
		"Date: Mon, 5 Feb 2024 11:00:00 +0000",
		"Message-ID: <noclose@example.com>",
		"Content-Type: multipart/mixed; boundary=\"b1\"",
	}, "--b1\nContent-Type: text/plain; charset=us-ascii\n\nPlease find my bank receipt attached.\n--b1\nContent-Type: image/png; name=\"transfer.png\"\nContent-Transfer-Encoding: base64\nContent-Disposition: attachment; filename=\"transfer.png\"\n\niVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==\n"),
		exp: expect{
			Note:    "truncated upload: no closing --boundary--",
			Subject: "Receipt attached", FromAddress: "donor@example.com",
			TextContains: []string{"bank receipt attached"}, Attachments: []string{"transfer.png"}, Kind: "normal", Language: "en",
		}})

	// Base64 with garbage, odd line lengths and missing padding.
	{
		body := []byte("Hello, I'd like to set up a monthly donation of $25. Can you send me the form? Thanks, Maria")
		enc := b64(body)
		var messy strings.Builder
		for i := 0; i < len(enc); i += 13 {
			end := min(i+13, len(enc))
			messy.WriteString(enc[i:end])
			messy.WriteString(" \t*\n")
		}
		out = append(out, sample{name: "go-mime-base64-garbage", raw: msg([]string{
			"From: Maria Garcia <maria@example.net>",
			"To: donate@hidamari.example.org",
			"Subject: Monthly donation",
			"Date: Tue, 6 Feb 2024 09:00:00 -0500",
			"Message-ID: <b64garbage@example.net>",
			"Content-Type: text/plain; charset=utf-8",
			"Content-Transfer-Encoding: Base64",
		}, strings.TrimRight(messy.String(), "=\n")+"\n"), exp: expect{
			Note:    "base64 with junk characters, 13-character lines and stripped padding",
			Subject: "Monthly donation", FromAddress: "maria@example.net", FromName: "Maria Garcia",
			TextContains: []string{"monthly donation of $25", "Thanks, Maria"}, Kind: "normal", Language: "en",
		}})
	}

	// Deep nesting beyond the limit.
	{
		var b strings.Builder
		depth := 70
		b.WriteString("--n0\nContent-Type: text/plain\n\nTop-level text survives deep nesting.\n")
		for i := 1; i <= depth; i++ {
			b.WriteString("--n" + itoa(i-1) + "\nContent-Type: multipart/mixed; boundary=\"n" + itoa(i) + "\"\n\n")
		}
		b.WriteString("--n" + itoa(depth) + "\nContent-Type: text/plain\n\ndeepest\n")
		for i := depth; i >= 0; i-- {
			b.WriteString("--n" + itoa(i) + "--\n")
		}
		out = append(out, sample{name: "go-mime-deep-nesting", raw: msg([]string{
			"From: fuzzer@example.com",
			"To: info@hidamari.example.org",
			"Subject: nesting",
			"Date: Tue, 6 Feb 2024 10:00:00 +0000",
			"Message-ID: <deep@example.com>",
			"Content-Type: multipart/mixed; boundary=\"n0\"",
		}, b.String()), exp: expect{
			Note:    "70 levels of multipart nesting: parts beyond depth 50 become an opaque attachment",
			Subject: "nesting", FromAddress: "fuzzer@example.com",
			TextContains: []string{"Top-level text survives"}, TextNotContains: []string{"deepest"},
			Attachments: []string{"attachment-1.bin"}, Kind: "normal", Language: "en",
		}})
	}

	// Forwarded message/rfc822 with a Japanese subject.
	{
		inner := "From: =?UTF-8?B?" + b64([]byte("ひだまり事務局")) + "?= <info@hidamari.example.org>\nTo: hanako@example.jp\nSubject: =?UTF-8?B?" +
			b64([]byte("寄付のお礼")) + "?=\nDate: Wed, 7 Feb 2024 09:00:00 +0900\nMessage-ID: <thanks-1@hidamari.example.org>\nContent-Type: text/plain; charset=UTF-8\nContent-Transfer-Encoding: 8bit\n\n山田様\nこの度はご寄付をいただき、誠にありがとうございました。\n"
		out = append(out, sample{name: "go-mime-forwarded-rfc822", raw: msg([]string{
			"From: hanako@example.jp",
			"To: info@hidamari.example.org",
			"Subject: Fwd: =?UTF-8?B?" + b64([]byte("寄付のお礼")) + "?=",
			"Date: Wed, 7 Feb 2024 10:00:00 +0900",
			"Message-ID: <fwd-1@example.jp>",
			"Content-Type: multipart/mixed; boundary=\"fwd\"",
		}, "--fwd\nContent-Type: text/plain; charset=UTF-8\n\nこのメールの金額が間違っているようです。確認してください。\n--fwd\nContent-Type: message/rfc822\nContent-Disposition: inline\n\n"+inner+"\n--fwd--\n"),
			exp: expect{
				Note:    "forward as attachment (message/rfc822): kept as <subject>.eml and its text shown under a header line",
				Subject: "Fwd: 寄付のお礼", FromAddress: "hanako@example.jp",
				TextContains: []string{"金額が間違っている", "---------- Forwarded message ----------", "Subject: 寄付のお礼", "誠にありがとうございました"},
				Attachments:  []string{"寄付のお礼.eml"}, Kind: "normal", Language: "ja",
			}})
	}

	// HTML-only with XSS vectors and an inline cid image.
	{
		html := `<html><body><form action="https://evil.example/x"><input name=pw></form>` +
			`<p>Dear team,</p><p>Here is a photo from the <b>beach clean-up</b>:</p><img src="cid:photo1@example.com" alt="photo" onerror="alert(1)">` +
			`<img src="https://cdn.example.com/banner.jpg" srcset="https://cdn.example.com/banner2x.jpg 2x"><div style="background-image:url('https://t.example/p.gif')">Thanks!</div>` +
			`<iframe src="https://evil.example"></iframe><a href="https://volunteer.example.org/signup" onclick="x()">Sign up</a></body></html>`
		out = append(out, sample{name: "go-html-only-xss-cid", raw: msg([]string{
			"From: Sam Lee <sam@example.com>",
			"To: info@hidamari.example.org",
			"Subject: Photos from the clean-up",
			"Date: Thu, 8 Feb 2024 18:00:00 +0000",
			"Message-ID: <htmlonly@example.com>",
			"Content-Type: multipart/related; boundary=\"rel\"; type=\"text/html\"",
		}, "--rel\nContent-Type: text/html; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n"+qpEncode([]byte(html))+
			"\n--rel\nContent-Type: image/png\nContent-ID: <photo1@example.com>\nContent-Transfer-Encoding: base64\n\niVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==\n--rel--\n"),
			exp: expect{
				Note:    "HTML-only: form, onerror, iframe, remote img + srcset, url() style; inline cid image",
				Subject: "Photos from the clean-up", FromAddress: "sam@example.com", FromName: "Sam Lee",
				TextContains:    []string{"Dear team,", "beach clean-up", "Thanks!"},
				HTMLContains:    []string{`src="cid:photo1@example.com"`, `data-blocked-src="https://cdn.example.com/banner.jpg"`, `rel="nofollow noreferrer noopener"`},
				HTMLNotContains: []string{"<form", "<input", "onerror", "onclick", "<iframe", "srcset", "url(", `<img src="https://`},
				Attachments:     []string{"attachment-1.png"}, Inline: []string{"attachment-1.png"}, Kind: "normal", Language: "en",
			}})
	}

	// Apple Mail: text / inline image / text in multipart/mixed.
	out = append(out, sample{name: "go-apple-mail-inline-image", raw: msg([]string{
		"From: Emma Brown <emma@icloud.example.com>",
		"Content-Type: multipart/mixed; boundary=\"Apple-Mail=_1A2B3C4D-5E6F\"",
		"Mime-Version: 1.0 (Mac OS X Mail 16.0 \\(3774.300.61.1.2\\))",
		"Subject: Flyer for the charity run",
		"Date: Fri, 9 Feb 2024 08:00:00 +0000",
		"Message-Id: <5E6F7A8B-apple@icloud.example.com>",
		"To: events@hidamari.example.org",
	}, "--Apple-Mail=_1A2B3C4D-5E6F\nContent-Transfer-Encoding: 7bit\nContent-Type: text/plain;\n\tcharset=us-ascii\n\nHi! Here is the draft flyer:\n\n--Apple-Mail=_1A2B3C4D-5E6F\nContent-Disposition: inline;\n\tfilename=flyer.jpg\nContent-Type: image/jpeg;\n\tx-unix-mode=0644;\n\tname=\"flyer.jpg\"\nContent-Transfer-Encoding: base64\n\n/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAA==\n--Apple-Mail=_1A2B3C4D-5E6F\nContent-Transfer-Encoding: 7bit\nContent-Type: text/plain;\n\tcharset=us-ascii\n\nLet me know what you think.\nEmma\n--Apple-Mail=_1A2B3C4D-5E6F--\n"),
		exp: expect{
			Note:    "Apple Mail: text, inline image, text again in multipart/mixed",
			Subject: "Flyer for the charity run", FromAddress: "emma@icloud.example.com", FromName: "Emma Brown",
			TextContains: []string{"draft flyer", "Let me know what you think"}, Attachments: []string{"flyer.jpg"}, Kind: "normal", Language: "en",
		}})

	// No Message-ID, no Date, LF line ends, mbox From_ line.
	{
		raw := []byte("From MAILER-DAEMON Fri Feb  9 10:00:00 2024\nFrom: walkin@example.org\nTo: info@hidamari.example.org\nSubject: question about tax receipts\n\nDo you issue tax receipts for in-kind donations (clothes, books)?\n")
		sum := sha256.Sum256(raw)
		out = append(out, sample{name: "go-mbox-no-message-id", raw: raw, exp: expect{
			Note:    "mbox From_ line, LF line ends, no Message-ID or Date: a stable ID from SHA-256 of the bytes",
			Subject: "question about tax receipts", FromAddress: "walkin@example.org",
			TextContains: []string{"in-kind donations"}, Kind: "normal", Language: "en",
			MessageID: hex.EncodeToString(sum[:16]) + "@steward.invalid",
		}})
	}

	// Outlook (en) reply with From/Sent block after underscores, signature.
	out = append(out, sample{name: "go-en-outlook-reply-signature", raw: msg([]string{
		"From: \"Johnson, Robert\" <rjohnson@corp.example.com>",
		"To: \"Hidamari Info\" <info@hidamari.example.org>, cc-list: a@example.com, b@example.com;",
		"Cc: =?utf-8?Q?Zo=C3=AB_Clark?= <zoe@corp.example.com>",
		"Subject: RE: Corporate matching gift",
		"Date: Mon, 12 Feb 2024 16:40:00 +0000",
		"Message-ID: <BN8PR11MB3601@BN8PR11MB.namprd11.prod.outlook.com>",
		"In-Reply-To: <desk-3001@hidamari.example.org> (Hidamari's message of Mon, 12 Feb 2024)",
		"References: <desk-3000@hidamari.example.org>\n <desk-3001@hidamari.example.org>",
		"Content-Type: text/plain; charset=\"us-ascii\"",
		"Content-Transfer-Encoding: quoted-printable",
	}, "Our matching program will double the $500 gift. I've submitted the form.\n\n-- \nRobert Johnson | Community Relations\n\n________________________________\nFrom: Hidamari Info <info@hidamari.example.org>\nSent: Monday, February 12, 2024 9:00 AM\nTo: Johnson, Robert <rjohnson@corp.example.com>\nSubject: Corporate matching gift\n\nCould your company match the gift?\n"),
		exp: expect{
			Note:    "Outlook en: quoted display name with comma, group syntax in To, Q-encoded Cc, In-Reply-To with trailing comment, signature and From/Sent block",
			Subject: "RE: Corporate matching gift", FromAddress: "rjohnson@corp.example.com", FromName: "Johnson, Robert",
			VisibleContains: []string{"double the $500 gift"}, QuotedContains: []string{"Robert Johnson | Community Relations", "Could your company match"},
			To:   []string{"info@hidamari.example.org", "a@example.com", "b@example.com"},
			Kind: "normal", Language: "en", InReplyTo: "desk-3001@hidamari.example.org",
		}})
	// Not mail at all: binary junk must give a *ParseError.
	out = append(out, sample{name: "go-not-mail-binary", raw: []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01 not a message"),
		exp: expect{Note: "binary junk (an image uploaded as mail): ParseError, caller quarantines", ParseError: true}})

	// HTML part without a MIME charset; the charset is only in <meta>.
	{
		html := "<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=Shift_JIS\"></head><body><p>" +
			"古着の寄付は受け付けていますか？段ボール２箱分あります。</p></body></html>"
		out = append(out, sample{name: "go-html-meta-charset-sjis", raw: msgBytes([][]byte{
			[]byte("From: form@shop.example.jp"),
			[]byte("To: info@hidamari.example.org"),
			[]byte("Subject: =?Shift_JIS?B?" + b64(enc(sjis, "古着の寄付")) + "?="),
			[]byte("Date: Thu, 22 Feb 2024 10:00:00 +0900"),
			[]byte("Message-ID: <meta-sjis@shop.example.jp>"),
			[]byte("Content-Type: text/html"),
			[]byte("Content-Transfer-Encoding: 8bit"),
		}, enc(sjis, html)), exp: expect{
			Note:    "HTML whose only charset declaration is a <meta> tag (EC-site web form)",
			Subject: "古着の寄付", FromAddress: "form@shop.example.jp",
			TextContains: []string{"段ボール２箱分あります"}, HTMLContains: []string{"古着の寄付は受け付けていますか"}, Kind: "normal", Language: "ja",
		}})
	}

	// A gateway that base64-encoded the whole multipart body.
	{
		inner := "--inner\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nI can volunteer on Tuesdays.\r\n--inner\r\nContent-Type: text/plain; name=hours.txt\r\nContent-Disposition: attachment; filename=hours.txt\r\n\r\nTue 9-12\r\n--inner--\r\n"
		out = append(out, sample{name: "go-mime-base64-multipart-body", raw: msg([]string{
			"From: relay-user@example.net",
			"To: volunteer@hidamari.example.org",
			"Subject: availability",
			"Date: Fri, 23 Feb 2024 10:00:00 +0000",
			"Message-ID: <b64multi@example.net>",
			"Content-Type: multipart/mixed; boundary=inner",
			"Content-Transfer-Encoding: base64",
		}, b64lines([]byte(inner))), exp: expect{
			Note:    "broken gateway: Content-Transfer-Encoding base64 on a multipart",
			Subject: "availability", FromAddress: "relay-user@example.net",
			TextContains: []string{"volunteer on Tuesdays"}, Attachments: []string{"hours.txt"}, Kind: "normal", Language: "en",
		}})
	}

	// SMTPUTF8 / RFC 6532: raw UTF-8 headers; header injection in an encoded word.
	out = append(out, sample{name: "go-utf8-raw-headers-injection", raw: msg([]string{
		"From: 王芳 <wangfang@例子.example>",
		"To: info@sunshine.example.org",
		"Subject: 捐款咨询 =?utf-8?q?=0D=0ABcc:_victim@example.com?=",
		"Date: Sat, 24 Feb 2024 10:00:00 +0800",
		"Message-ID: <smtputf8@example>",
		"Content-Type: text/plain; charset=utf-8",
		"Content-Transfer-Encoding: 8bit",
	}, "请问每月定期捐款可以随时取消吗？\n"), exp: expect{
		Note:    "raw UTF-8 headers (SMTPUTF8, internationalised domain) and CR/LF smuggled in an encoded word",
		Subject: "捐款咨询   Bcc: victim@example.com", FromAddress: "wangfang@例子.example", FromName: "王芳",
		TextContains: []string{"每月定期捐款可以随时取消吗"}, Kind: "normal", Language: "zh",
	}})
	return out
}

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	s := ""
	for i > 0 {
		s = string(rune('0'+i%10)) + s
		i /= 10
	}
	return s
}
