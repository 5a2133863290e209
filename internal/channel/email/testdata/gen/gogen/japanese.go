package main

import (
	"strings"

	"golang.org/x/text/encoding/japanese"
)

var (
	jis  = japanese.ISO2022JP
	sjis = japanese.ShiftJIS
	euc  = japanese.EUCJP
)

func japaneseSamples() []sample {
	var out []sample

	// Thunderbird (ja) default: ISO-2022-JP, 7bit, B-encoded subject.
	{
		subject := "寄付の領収書について"
		body := "NPO法人ひだまり 御中\n\nいつもお世話になっております。\n先月、三万円を寄付いたしました山田です。\n確定申告に使いたいので、領収書を郵送していただけますでしょうか。\n\nよろしくお願いいたします。\n山田 花子\n"
		out = append(out, sample{name: "go-ja-thunderbird-iso2022jp", raw: msgBytes([][]byte{
			[]byte("From: " + bword("ISO-2022-JP", enc(jis, "山田 花子")) + " <hanako@example.jp>"),
			[]byte("To: info@hidamari.example.org"),
			[]byte("Subject: " + bword("ISO-2022-JP", enc(jis, subject))),
			[]byte("Date: Mon, 15 Jan 2024 10:03:11 +0900"),
			[]byte("Message-ID: <4f1e2a3b.5060708@example.jp>"),
			[]byte("User-Agent: Mozilla/5.0 (Windows NT 10.0; rv:115.0) Thunderbird/115.6.0"),
			[]byte("MIME-Version: 1.0"),
			[]byte("Content-Type: text/plain; charset=ISO-2022-JP"),
			[]byte("Content-Transfer-Encoding: 7bit"),
		}, enc(jis, body)), exp: expect{
			Note:    "Thunderbird ja: ISO-2022-JP body and subject (Zammad/FreeScout garbled-ISO-2022-JP reports)",
			Subject: subject, FromAddress: "hanako@example.jp", FromName: "山田 花子",
			TextContains: []string{"領収書を郵送していただけますでしょうか", "三万円を寄付"},
			Kind:         "normal", Language: "ja", MessageID: "4f1e2a3b.5060708@example.jp",
			Date: "2024-01-15T10:03:11+09:00", To: []string{"info@hidamari.example.org"},
		}})
	}

	// Windows mailers encoding CP50220: NEC special characters (①, ㈱) and
	// half-width katakana shifted with SO/SI.
	{
		subject := "①ボランティア説明会の件（㈱ひかり）"
		// ｻﾄ as SO/SI-shifted JIS X 0201 katakana (0x3B, 0x44).
		body := append(enc(jis, "ボランティア説明会について、㈱ひかりの佐藤です。\n日時：①２月３日 ②２月１０日\n担当："), []byte("\x0e;D\x0f")...)
		body = append(body, enc(jis, "（サトウ）\n")...)
		out = append(out, sample{name: "go-ja-cp50220-nec-halfwidth", raw: msgBytes([][]byte{
			[]byte("From: " + bword("ISO-2022-JP", enc(jis, "佐藤 一郎")) + " <sato@hikari.example.co.jp>"),
			[]byte("To: volunteer@hidamari.example.org"),
			[]byte("Subject: " + bword("ISO-2022-JP", enc(jis, subject))),
			[]byte("Date: Tue, 16 Jan 2024 09:00:00 +0900"),
			[]byte("Message-ID: <20240116090000.1234@hikari.example.co.jp>"),
			[]byte("X-Mailer: Microsoft Outlook 16.0"),
			[]byte("Content-Type: text/plain; charset=\"iso-2022-jp\""),
			[]byte("Content-Transfer-Encoding: 7bit"),
		}, body), exp: expect{
			Note:    "CP50220: NEC row 13 (①㈱) and SO/SI half-width katakana, which strict ISO-2022-JP decoders drop",
			Subject: subject, FromAddress: "sato@hikari.example.co.jp", FromName: "佐藤 一郎",
			TextContains: []string{"㈱ひかり", "①２月３日", "ｻﾄ（サトウ）"}, Kind: "normal", Language: "ja",
		}})
	}

	// docomo mobile mail: Shift_JIS 8bit body, subject as Shift_JIS B word.
	{
		subject := "イベント参加します"
		body := "こんにちは。\n今度の清掃イベントに家族３人で参加します。\n軍手は持っていった方がいいですか？\n\n鈴木\n"
		out = append(out, sample{name: "go-ja-docomo-shiftjis", raw: msgBytes([][]byte{
			[]byte("From: suzuki-t@docomo.ne.jp"),
			[]byte("To: event@hidamari.example.org"),
			[]byte("Subject: " + bword("Shift_JIS", enc(sjis, subject))),
			[]byte("Date: Sat, 20 Jan 2024 21:15:42 +0900 (JST)"),
			[]byte("Message-ID: <abcdEFGH1234.docomo@docomo.ne.jp>"),
			[]byte("MIME-Version: 1.0"),
			[]byte("Content-Type: text/plain; charset=Shift_JIS"),
			[]byte("Content-Transfer-Encoding: 8bit"),
		}, enc(sjis, body)), exp: expect{
			Note:    "docomo: Shift_JIS 8bit body, date with (JST) comment",
			Subject: subject, FromAddress: "suzuki-t@docomo.ne.jp",
			TextContains: []string{"清掃イベントに家族３人で参加します"}, Kind: "normal", Language: "ja",
			Date: "2024-01-20T21:15:42+09:00",
		}})
	}

	// au (ezweb): subject split into Q words in the middle of a character.
	{
		subject := "領収書の再発行をお願いします"
		raw := enc(jis, subject)
		cut := 9 // inside a two-byte JIS character after ESC $ B (3 bytes) + 3 chars
		w1 := "=?ISO-2022-JP?Q?" + qbytes(raw[:cut]) + "?="
		w2 := "=?iso-2022-jp?q?" + qbytes(raw[cut:]) + "?="
		body := "お世話になります。\n以前送っていただいた領収書を紛失してしまいました。\n再発行は可能でしょうか。\n"
		out = append(out, sample{name: "go-ja-au-split-encoded-word", raw: msgBytes([][]byte{
			[]byte("From: " + bword("ISO-2022-JP", enc(jis, "高橋")) + " <takahashi.m@ezweb.ne.jp>"),
			[]byte("To: info@hidamari.example.org"),
			[]byte("Subject: " + w1),
			[]byte("\t" + w2),
			[]byte("Date: 21 Jan 2024 08:30:00 +0900"),
			[]byte("Message-ID: <ezweb.0121083000.xyz@ezweb.ne.jp>"),
			[]byte("Content-Type: text/plain; charset=iso-2022-jp"),
		}, enc(jis, body)), exp: expect{
			Note:    "au: encoded words split mid-character, lower-case ?q?, folded with a tab",
			Subject: subject, FromAddress: "takahashi.m@ezweb.ne.jp", FromName: "高橋",
			TextContains: []string{"領収書を紛失してしまいました"}, Kind: "normal", Language: "ja",
		}})
	}

	// Legacy Unix mailer: EUC-JP.
	{
		subject := "会費の支払い方法について"
		body := "年会費の支払いは銀行振込だけでしょうか。\nクレジットカードで支払えると助かります。\n"
		out = append(out, sample{name: "go-ja-eucjp-legacy", raw: msgBytes([][]byte{
			[]byte("From: Kenji Ito <ito@univ.example.ac.jp>"),
			[]byte("To: member@hidamari.example.org"),
			[]byte("Subject: " + bword("EUC-JP", enc(euc, subject))),
			[]byte("Date: Wed, 24 Jan 2024 13:45:00 +0900"),
			[]byte("Message-Id: <200401241345.AAA01234@univ.example.ac.jp>"),
			[]byte("Content-Type: text/plain; charset=EUC-JP"),
			[]byte("Content-Transfer-Encoding: 8bit"),
		}, enc(euc, body)), exp: expect{
			Note:    "EUC-JP body and subject from an old Unix mailer",
			Subject: subject, FromAddress: "ito@univ.example.ac.jp", FromName: "Kenji Ito",
			TextContains: []string{"クレジットカードで支払える"}, Kind: "normal", Language: "ja",
		}})
	}

	// Raw Shift_JIS bytes in the Subject and From name, no encoded words.
	{
		subject := "寄付金控除の証明書について"
		body := "寄付金控除の証明書はいつ頃届きますか。\n"
		out = append(out, sample{name: "go-ja-raw-sjis-header", raw: msgBytes([][]byte{
			append(append([]byte("From: "), enc(sjis, "中村 真理")...), []byte(" <nakamura@example.ne.jp>")...),
			[]byte("To: info@hidamari.example.org"),
			append([]byte("Subject: "), enc(sjis, subject)...),
			[]byte("Date: Thu, 25 Jan 2024 19:00:00 +0900"),
			[]byte("Message-ID: <raw-sjis-1@example.ne.jp>"),
			[]byte("Content-Type: text/plain; charset=Shift_JIS"),
			[]byte("Content-Transfer-Encoding: 8bit"),
		}, enc(sjis, body)), exp: expect{
			Note:    "raw 8-bit Shift_JIS in Subject and From (no RFC 2047), as some web forms and old mobile gateways send",
			Subject: subject, FromAddress: "nakamura@example.ne.jp", FromName: "中村 真理",
			TextContains: []string{"証明書はいつ頃届きますか"}, Kind: "normal", Language: "ja",
		}})
	}

	// Raw ISO-2022-JP escapes in the Subject.
	{
		subject := "説明会の日程変更"
		out = append(out, sample{name: "go-ja-raw-jis-subject", raw: msgBytes([][]byte{
			[]byte("From: kato@example.jp"),
			[]byte("To: info@hidamari.example.org"),
			append([]byte("Subject: "), enc(jis, subject)...),
			[]byte("Date: Fri, 26 Jan 2024 11:11:11 +0900"),
			[]byte("Message-ID: <raw-jis-1@example.jp>"),
			[]byte("Content-Type: text/plain"),
		}, enc(jis, "説明会の日程を２月１７日に変更させてください。\n")), exp: expect{
			Note:    "raw ISO-2022-JP in Subject and a body with no charset parameter",
			Subject: subject, FromAddress: "kato@example.jp",
			TextContains: []string{"２月１７日に変更"}, Kind: "normal", Language: "ja",
		}})
	}

	// Declared iso-8859-1, bytes are Shift_JIS.
	{
		body := "苦情です。送ったはずの領収書がまだ届いていません。\n二度目の問い合わせです。至急対応してください。\n"
		out = append(out, sample{name: "go-ja-lying-latin1-sjis", raw: msgBytes([][]byte{
			[]byte("From: complaint@example.jp"),
			[]byte("To: info@hidamari.example.org"),
			[]byte("Subject: =?iso-8859-1?B?" + b64(enc(sjis, "至急：領収書が届きません")) + "?="),
			[]byte("Date: Mon, 29 Jan 2024 08:00:00 +0900"),
			[]byte("Message-ID: <lying-latin1@example.jp>"),
			[]byte("Content-Type: text/plain; charset=iso-8859-1"),
			[]byte("Content-Transfer-Encoding: 8bit"),
		}, enc(sjis, body)), exp: expect{
			Note:    "charset lies: declared iso-8859-1 (web form default) but the bytes are Shift_JIS",
			Subject: "至急：領収書が届きません", FromAddress: "complaint@example.jp",
			TextContains: []string{"領収書がまだ届いていません", "至急対応してください"}, Kind: "normal", Language: "ja",
		}})
	}

	// Outlook (ja) reply with a 差出人/送信日時 header block.
	{
		body := "ご連絡ありがとうございます。\n来週の月曜日に伺います。\n\n" +
			"-----Original Message-----\n差出人: ひだまり事務局 <info@hidamari.example.org>\n送信日時: 2024年1月29日 10:00\n宛先: 森 <mori@example.co.jp>\n件名: 物品寄付の受け取りについて\n\n森様\n寄付いただける物品の受け取り日を教えてください。\n"
		out = append(out, sample{name: "go-ja-outlook-reply", raw: msgBytes([][]byte{
			[]byte("From: " + bword("iso-2022-jp", enc(jis, "森 健太")) + " <mori@example.co.jp>"),
			[]byte("To: info@hidamari.example.org"),
			[]byte("Subject: RE: " + bword("iso-2022-jp", enc(jis, "物品寄付の受け取りについて"))),
			[]byte("Date: Tue, 30 Jan 2024 09:12:00 +0900"),
			[]byte("Message-ID: <TYCPR01MB1234@TYCPR01MB.jpnprd01.prod.outlook.com>"),
			[]byte("In-Reply-To: <desk-1001@hidamari.example.org>"),
			[]byte("References: <desk-1001@hidamari.example.org>"),
			[]byte("Content-Type: text/plain; charset=\"iso-2022-jp\""),
			[]byte("Content-Transfer-Encoding: 7bit"),
		}, enc(jis, body)), exp: expect{
			Note:    "Outlook ja reply: -----Original Message----- with 差出人/送信日時/宛先/件名",
			Subject: "RE: 物品寄付の受け取りについて", FromAddress: "mori@example.co.jp", FromName: "森 健太",
			TextContains: []string{"来週の月曜日に伺います"}, VisibleContains: []string{"来週の月曜日に伺います"},
			QuotedContains: []string{"差出人: ひだまり事務局"}, Kind: "normal", Language: "ja",
			InReplyTo: "desk-1001@hidamari.example.org",
		}})
	}

	// Gmail (ja) reply: UTF-8 base64, alternative, 「…:」 attribution.
	{
		text := "承知しました。当日は受付を担当します。\n\n2024年1月30日(火) 18:20 ひだまり事務局 <info@hidamari.example.org>:\n\n> ボランティアの皆さま\n> 当日の集合時間は９時です。\n"
		html := `<div dir="ltr">承知しました。当日は受付を担当します。</div><br><div class="gmail_quote"><div class="gmail_attr">2024年1月30日(火) 18:20 ひだまり事務局 &lt;<a href="mailto:info@hidamari.example.org">info@hidamari.example.org</a>&gt;:<br></div><blockquote class="gmail_quote">ボランティアの皆さま<br>当日の集合時間は９時です。</blockquote></div>`
		out = append(out, sample{name: "go-ja-gmail-reply", raw: msg([]string{
			"From: =?UTF-8?B?" + b64([]byte("小林 美咲")) + "?= <misaki.k@gmail.example.com>",
			"To: info@hidamari.example.org",
			"Subject: Re: =?UTF-8?B?" + b64([]byte("当日の集合時間")) + "?=",
			"Date: Tue, 30 Jan 2024 20:05:33 +0900",
			"Message-ID: <CAxyz123+abc@mail.gmail.example.com>",
			"In-Reply-To: <desk-1002@hidamari.example.org>",
			"MIME-Version: 1.0",
			`Content-Type: multipart/alternative; boundary="000000000000a1b2c3"`,
		}, "--000000000000a1b2c3\nContent-Type: text/plain; charset=\"UTF-8\"\nContent-Transfer-Encoding: base64\n\n"+
			b64lines([]byte(text))+"\n--000000000000a1b2c3\nContent-Type: text/html; charset=\"UTF-8\"\nContent-Transfer-Encoding: base64\n\n"+
			b64lines([]byte(html))+"\n--000000000000a1b2c3--\n"), exp: expect{
			Note:    "Gmail ja reply: base64 UTF-8 alternative, Japanese attribution line",
			Subject: "Re: 当日の集合時間", FromAddress: "misaki.k@gmail.example.com", FromName: "小林 美咲",
			VisibleContains: []string{"受付を担当します"}, QuotedContains: []string{"集合時間は９時"},
			HTMLContains: []string{"gmail_quote"}, Kind: "normal", Language: "ja",
		}})
	}

	// Yahoo! JAPAN HTML mail with tracking pixel and script, ISO-2022-JP.
	{
		text := "ひだまり事務局さま\n\nチャリティーコンサートのチケットを２枚予約したいです。\n"
		html := `<html><head><script>alert(1)</script><style>body{background:url(http://tracker.example/bg.png)}</style></head><body>` +
			`<p>ひだまり事務局さま</p><p onclick="steal()">チャリティーコンサートのチケットを２枚予約したいです。</p>` +
			`<img src="http://beacon.example.net/open.gif?id=42" width="1" height="1"><a href="javascript:alert(1)">link</a></body></html>`
		out = append(out, sample{name: "go-ja-yahoo-html-tracking", raw: msgBytes([][]byte{
			[]byte("From: " + bword("ISO-2022-JP", enc(jis, "渡辺")) + " <watanabe_123@yahoo.example.co.jp>"),
			[]byte("To: concert@hidamari.example.org"),
			[]byte("Subject: " + bword("ISO-2022-JP", enc(jis, "チケット予約"))),
			[]byte("Date: Wed, 31 Jan 2024 12:00:00 +0900"),
			[]byte("Message-ID: <1706670000.12345.yahoo@yahoo.example.co.jp>"),
			[]byte("Content-Type: multipart/alternative; boundary=\"0-1234567890-1706670000=:12345\""),
		}, append(append(append(append([]byte("--0-1234567890-1706670000=:12345\nContent-Type: text/plain; charset=iso-2022-jp\nContent-Transfer-Encoding: 7bit\n\n"),
			enc(jis, text)...), []byte("\n--0-1234567890-1706670000=:12345\nContent-Type: text/html; charset=iso-2022-jp\nContent-Transfer-Encoding: 7bit\n\n")...),
			enc(jis, html)...), []byte("\n--0-1234567890-1706670000=:12345--\n")...)), exp: expect{
			Note:    "Yahoo! JAPAN style ISO-2022-JP HTML with script, onclick, remote CSS and a tracking pixel",
			Subject: "チケット予約", FromAddress: "watanabe_123@yahoo.example.co.jp", FromName: "渡辺",
			TextContains: []string{"チケットを２枚予約"}, HTMLContains: []string{"data-blocked-src=\"http://beacon.example.net/open.gif?id=42\"", "チケットを２枚予約"},
			HTMLNotContains: []string{"<script", "onclick", "alert(1)", "javascript:", " src=\"http", "tracker.example"},
			Kind:            "normal", Language: "ja",
		}})
	}

	// RFC 2231 ISO-2022-JP filename split in continuations.
	{
		fname := "寄付金受領証明書_2023年度.pdf"
		raw := enc(jis, fname)
		p1, p2 := pctBytes(raw[:12]), pctBytes(raw[12:])
		body := "--bnd\nContent-Type: text/plain; charset=ISO-2022-JP\n\n" + string(enc(jis, "証明書を添付します。ご確認ください。\n")) +
			"\n--bnd\nContent-Type: application/pdf; name=\"" + bword("ISO-2022-JP", raw) + "\"\nContent-Transfer-Encoding: base64\n" +
			"Content-Disposition: attachment;\n filename*0*=iso-2022-jp'ja'" + p1 + ";\n filename*1*=" + p2 + "\n\n" +
			b64lines([]byte("%PDF-1.4\n% fake receipt\n")) + "\n--bnd--\n"
		out = append(out, sample{name: "go-ja-rfc2231-jis-filename", raw: msg([]string{
			"From: office@hidamari.example.org",
			"To: hanako@example.jp",
			"Subject: =?ISO-2022-JP?B?" + b64(enc(jis, "証明書の送付")) + "?=",
			"Date: Thu, 1 Feb 2024 10:00:00 +0900",
			"Message-ID: <rfc2231-jis@hidamari.example.org>",
			"Content-Type: multipart/mixed; boundary=bnd",
		}, body), exp: expect{
			Note:    "RFC 2231 filename*0*/filename*1* in ISO-2022-JP with a language tag, plus an encoded-word name=",
			Subject: "証明書の送付", FromAddress: "office@hidamari.example.org",
			TextContains: []string{"証明書を添付します"}, Attachments: []string{fname}, Kind: "normal", Language: "ja",
		}})
	}

	// Japanese vacation auto-reply.
	{
		body := "このメールは自動返信です。\n誠に勝手ながら、2月5日から2月9日まで休暇をいただいております。\n2月13日以降に順次返信いたします。\n"
		out = append(out, sample{name: "go-ja-vacation-autoreply", raw: msgBytes([][]byte{
			[]byte("From: " + bword("ISO-2022-JP", enc(jis, "田中")) + " <tanaka@partner.example.jp>"),
			[]byte("To: info@hidamari.example.org"),
			[]byte("Subject: " + bword("ISO-2022-JP", enc(jis, "自動返信：不在のお知らせ"))),
			[]byte("Date: Mon, 5 Feb 2024 09:00:01 +0900"),
			[]byte("Message-ID: <auto-ja-1@partner.example.jp>"),
			[]byte("Auto-Submitted: auto-replied"),
			[]byte("X-Auto-Response-Suppress: All"),
			[]byte("Content-Type: text/plain; charset=ISO-2022-JP"),
		}, enc(jis, body)), exp: expect{
			Note:    "Japanese vacation notice with Auto-Submitted: auto-replied",
			Subject: "自動返信：不在のお知らせ", FromAddress: "tanaka@partner.example.jp", FromName: "田中",
			TextContains: []string{"休暇をいただいております"}, Kind: "autoReply", Language: "ja",
		}})
	}

	// iPhone (ja): format=flowed delsp=yes UTF-8 quoted-printable, sign-off.
	{
		text := "明日の炊き出しボランティア、少し遅れて１０時頃に到着します。すみません。 \n よろしくお願いします。\n\niPhoneから送信\n"
		out = append(out, sample{name: "go-ja-iphone-flowed", raw: msg([]string{
			"From: =?utf-8?B?" + b64([]byte("松本")) + "?= <matsumoto@icloud.example.com>",
			"Content-Type: text/plain; charset=utf-8; format=flowed; delsp=yes",
			"Content-Transfer-Encoding: quoted-printable",
			"Subject: =?utf-8?B?" + b64([]byte("到着が遅れます")) + "?=",
			"Date: Fri, 9 Feb 2024 22:10:05 +0900",
			"Message-Id: <A1B2C3D4-E5F6@icloud.example.com>",
			"To: info@hidamari.example.org",
			"X-Mailer: iPhone Mail (21C66)",
		}, qpEncode([]byte(text))), exp: expect{
			Note:    "iPhone Mail ja: format=flowed; delsp=yes quoted-printable and 「iPhoneから送信」 sign-off",
			Subject: "到着が遅れます", FromAddress: "matsumoto@icloud.example.com", FromName: "松本",
			TextContains: []string{"１０時頃に到着します。すみません。よろしくお願いします。"}, TextNotContains: []string{"すみません。 "},
			VisibleContains: []string{"１０時頃に到着"}, QuotedContains: []string{"iPhoneから送信"}, Kind: "normal", Language: "ja",
		}})
	}
	return out
}

func qbytes(b []byte) string {
	var s strings.Builder
	for _, c := range b {
		if c > ' ' && c < 0x7f && c != '=' && c != '?' && c != '_' {
			s.WriteByte(c)
		} else {
			s.WriteString("=" + strings.ToUpper(hex2(c)))
		}
	}
	return s.String()
}

func hex2(c byte) string {
	const h = "0123456789abcdef"
	return string([]byte{h[c>>4], h[c&15]})
}

func pctBytes(b []byte) string {
	var s strings.Builder
	for _, c := range b {
		if (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' {
			s.WriteByte(c)
		} else {
			s.WriteString("%" + strings.ToUpper(hex2(c)))
		}
	}
	return s.String()
}

func b64(b []byte) string {
	return strings.ReplaceAll(b64lines(b), "\r\n", "")
}

// qpEncode is a minimal quoted-printable encoder (soft breaks at 76).
func qpEncode(b []byte) string {
	var out strings.Builder
	line := 0
	for i, c := range b {
		var tok string
		switch {
		case c == '\n':
			out.WriteString("\n")
			line = 0
			continue
		case c == ' ' && i+1 < len(b) && b[i+1] == '\n':
			tok = "=20"
		case c >= 0x80 || c == '=' || c < ' ':
			tok = "=" + strings.ToUpper(hex2(c))
		default:
			tok = string(c)
		}
		if line+len(tok) > 75 {
			out.WriteString("=\n")
			line = 0
		}
		out.WriteString(tok)
		line += len(tok)
	}
	return out.String()
}
