package email

import (
	"strings"
	"testing"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
)

func mustEncode(t testing.TB, enc encoding.Encoding, s string) []byte {
	t.Helper()
	b, err := enc.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatalf("encode %q: %v", s, err)
	}
	return b
}

const (
	jaSentence = "寄付の領収書を送っていただけますか。先月、三万円を振り込みました。"
	zhSentence = "您好，我上个月捐赠了五百元，请问可以开具收据吗？谢谢！"
	twSentence = "您好，我想報名參加週末的志工活動，請問需要準備什麼？"
)

func TestDecodeTextDeclared(t *testing.T) {
	cases := []struct {
		name, label string
		raw         []byte
		want        string
	}{
		{"iso-2022-jp", "ISO-2022-JP", mustEncode(t, japanese.ISO2022JP, jaSentence), jaSentence},
		{"shift_jis", "Shift_JIS", mustEncode(t, japanese.ShiftJIS, jaSentence), jaSentence},
		{"x-sjis", "x-sjis", mustEncode(t, japanese.ShiftJIS, jaSentence), jaSentence},
		{"cp932 NEC", "windows-31j", mustEncode(t, japanese.ShiftJIS, "①②③㈱№髙"), "①②③㈱№髙"},
		{"euc-jp", "euc-jp", mustEncode(t, japanese.EUCJP, jaSentence), jaSentence},
		{"gb2312", "gb2312", mustEncode(t, simplifiedchinese.GBK, zhSentence), zhSentence},
		{"gb2312 label, gbk bytes", "GB2312", mustEncode(t, simplifiedchinese.GBK, "镕基朱"), "镕基朱"},
		{"gbk", "GBK", mustEncode(t, simplifiedchinese.GBK, zhSentence), zhSentence},
		{"gb18030", "gb18030", mustEncode(t, simplifiedchinese.GB18030, zhSentence+"𠀀"), zhSentence + "𠀀"},
		{"big5", "big5", mustEncode(t, traditionalchinese.Big5, twSentence), twSentence},
		{"big5-hkscs", "big5-hkscs", mustEncode(t, traditionalchinese.Big5, twSentence), twSentence},
		{"latin1", "iso-8859-1", []byte("caf\xe9 cr\xe8me"), "café crème"},
		{"ascii 8bit", "us-ascii", []byte("na\xefve"), "naïve"},
		{"koi8-r", "koi8-r", []byte{0xf0, 0xd2, 0xc9, 0xd7, 0xc5, 0xd4}, "Привет"},
		{"windows-1251", "windows-1251", []byte{0xcf, 0xf0, 0xe8, 0xe2, 0xe5, 0xf2}, "Привет"},
		{"iso-8859-2", "ISO-8859-2", []byte("Dzi\xeakuj\xea"), "Dziękuję"},
		{"lying latin1 utf8", "iso-8859-1", []byte("Grüße 寄付"), "Grüße 寄付"},
		{"lying latin1 sjis", "iso-8859-1", mustEncode(t, japanese.ShiftJIS, jaSentence), jaSentence},
		{"no label sjis", "", mustEncode(t, japanese.ShiftJIS, jaSentence), jaSentence},
		{"no label gbk", "", mustEncode(t, simplifiedchinese.GBK, zhSentence), zhSentence},
		{"no label euc-jp", "", mustEncode(t, japanese.EUCJP, jaSentence), jaSentence},
		{"no label big5", "", mustEncode(t, traditionalchinese.Big5, twSentence), twSentence},
		{"no label jis", "", mustEncode(t, japanese.ISO2022JP, jaSentence), jaSentence},
		{"us-ascii label jis", "us-ascii", mustEncode(t, japanese.ISO2022JP, jaSentence), jaSentence},
		{"utf-8 label sjis", "utf-8", mustEncode(t, japanese.ShiftJIS, jaSentence), jaSentence},
		{"sjis label utf-8", "shift_jis", []byte(jaSentence), jaSentence},
		{"jis label sjis", "iso-2022-jp", mustEncode(t, japanese.ShiftJIS, jaSentence), jaSentence},
		{"unknown-8bit", "unknown-8bit", mustEncode(t, simplifiedchinese.GBK, zhSentence), zhSentence},
		{"quoted label", `"UTF-8"`, []byte("ok ✓"), "ok ✓"},
		{"windows-1252 quotes", "windows-1252", []byte("\x93smart\x94 \x96 dash \x80"), "\u201csmart\u201d \u2013 dash €"},
		{"windows-1250", "windows-1250", []byte("\x9ala\x9ak"), "šlašk"},
		{"iso-8859-15", "ISO-8859-15", []byte("\xa4uro"), "€uro"},
		{"iso-8859-5", "iso-8859-5", []byte{0xbf, 0xe0, 0xd8, 0xd2, 0xd5, 0xe2}, "Привет"},
		{"hz-gb-2312", "hz-gb-2312", mustEncode(t, simplifiedchinese.HZGB2312, "欢迎 hello"), "欢迎 hello"},
		{"cp936 label", "cp936", mustEncode(t, simplifiedchinese.GBK, zhSentence), zhSentence},
		{"ks_c_5601", "ks_c_5601-1987", []byte{0xbe, 0xc8, 0xb3, 0xe7}, "안녕"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, cs := decodeText(c.raw, c.label)
			if got != c.want {
				t.Errorf("decodeText(%s) = %q (as %s), want %q", c.label, got, cs, c.want)
			}
		})
	}
}

func TestISO2022JPHalfWidthKatakana(t *testing.T) {
	// CP50222 style: SO ... SI around half-width katakana (ｶﾀｶﾅ).
	so := []byte("\x1b$B$3$s$K$A$O\x1b(B \x0e6@6E\x0f end")
	got, _ := decodeText(so, "iso-2022-jp")
	if got != "こんにちは ｶﾀｶﾅ end" {
		t.Errorf("SO/SI: got %q", got)
	}
	// ESC ( I designation (CP50221).
	esc := []byte("\x1b(I6@6E\x1b(B ok")
	got, _ = decodeText(esc, "ISO-2022-JP")
	if got != "ｶﾀｶﾅ ok" {
		t.Errorf("ESC ( I: got %q", got)
	}
	// Raw 8-bit half-width katakana inside ISO-2022-JP.
	raw := []byte("\x1b$B$3$s\x1b(B \xb6\xc0\xb6\xc5!")
	got, _ = decodeText(raw, "iso-2022-jp")
	if got != "こん ｶﾀｶﾅ!" {
		t.Errorf("8-bit kana: got %q", got)
	}
	// NEC row 13 (circled digits) in ISO-2022-JP.
	nec := mustEncode(t, japanese.ShiftJIS, "①") // 0x8740 = JIS 0x2D21
	if string(nec) != "\x87\x40" {
		t.Fatalf("unexpected CP932 encoding %x", nec)
	}
	got, _ = decodeText([]byte("\x1b$B-!\x1b(B"), "iso-2022-jp")
	if got != "①" {
		t.Errorf("NEC row 13: got %q", got)
	}
}

func TestDetectDoesNotMistakeLatin(t *testing.T) {
	for _, s := range []string{"r\xe9sum\xe9 caf\xe9 na\xefve", "Stra\xdfe \xfcber gr\xf6\xdfer", "\xa9 2024 \xae"} {
		got, cs := decodeText([]byte(s), "")
		if cs != csWin1252 {
			t.Errorf("decodeText(%q) chose %s: %q", s, cs, got)
		}
	}
}

func TestRFC2047(t *testing.T) {
	jis := mustEncode(t, japanese.ISO2022JP, "領収書の件")
	sjis := mustEncode(t, japanese.ShiftJIS, "寄付金")
	gb := mustEncode(t, simplifiedchinese.GBK, "关于收据")
	utf := []byte("志愿者活动")
	cases := []struct{ in, want string }{
		{"=?ISO-2022-JP?B?" + b64(jis) + "?=", "領収書の件"},
		{"=?iso-2022-jp?b?" + b64(jis) + "?=", "領収書の件"},
		{"=?Shift_JIS?B?" + b64(sjis) + "?=", "寄付金"},
		{"=?GB2312?B?" + b64(gb) + "?=", "关于收据"},
		{"=?gb2312?Q?" + qenc(gb) + "?=", "关于收据"},
		// Adjacent words: whitespace between them dropped.
		{"=?UTF-8?B?" + b64(utf[:6]) + "?= =?UTF-8?B?" + b64(utf[6:]) + "?=", "志愿者活动"},
		// Split in the middle of a multi-byte character.
		{"=?UTF-8?B?" + b64(utf[:4]) + "?=\r\n =?UTF-8?B?" + b64(utf[4:]) + "?=", "志愿者活动"},
		{"=?gb2312?B?" + b64(gb[:3]) + "?= =?gb2312?B?" + b64(gb[3:]) + "?=", "关于收据"},
		// Missing padding.
		{"=?UTF-8?B?" + strings.TrimRight(b64([]byte("ok!!")), "=") + "?=", "ok!!"},
		// Base64 split mid-quantum.
		{"=?UTF-8?B?5b+X5oS/?= =?UTF-8?B?6ICF?=", "志愿者"},
		{"=?UTF-8?B?5b+X5o?= =?UTF-8?B?S/6ICF?=", "志愿者"},
		// Lower-case q, underscores, text around.
		{"Re: =?utf-8?q?caf=C3=A9_cr=c3=a8me?= today", "Re: café crème today"},
		{"Re:=?utf-8?q?caf=C3=A9?=", "Re:café"},
		{"=?utf-8*ja?B?" + b64(utf) + "?=", "志愿者活动"},
		// Different charsets adjacent.
		{"=?ISO-2022-JP?B?" + b64(jis) + "?= =?UTF-8?Q?_OK?=", "領収書の件 OK"},
		// Not encoded words.
		{"price =? 5", "price =? 5"},
		{"=?utf-8?x?abc?=", "=?utf-8?x?abc?="},
		{"=?utf-8?q?unterminated", "=?utf-8?q?unterminated"},
		// Unknown charset: detection.
		{"=?x-unknown?B?" + b64(gb) + "?=", "关于收据"},
		// Lying charset.
		{"=?iso-8859-1?B?" + b64(utf) + "?=", "志愿者活动"},
	}
	for _, c := range cases {
		if got := decodeHeaderText([]byte(c.in), ""); got != c.want {
			t.Errorf("decode(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestRawHeaderBytes(t *testing.T) {
	cases := []struct {
		raw  []byte
		hint string
		want string
	}{
		{[]byte("寄付について"), "", "寄付について"},
		{mustEncode(t, japanese.ShiftJIS, "寄付の領収書について"), "", "寄付の領収書について"},
		{mustEncode(t, japanese.ShiftJIS, "寄付の領収書について"), "shift_jis", "寄付の領収書について"},
		{mustEncode(t, simplifiedchinese.GBK, "关于捐款收据的问题"), "", "关于捐款收据的问题"},
		{mustEncode(t, japanese.EUCJP, "ボランティア募集について"), "", "ボランティア募集について"},
		{mustEncode(t, japanese.ISO2022JP, "イベントのお知らせ"), "", "イベントのお知らせ"},
	}
	for _, c := range cases {
		if got := decodeHeaderText(c.raw, c.hint); got != c.want {
			t.Errorf("decodeHeaderText(%x, %q) = %q, want %q", c.raw, c.hint, got, c.want)
		}
	}
}

func TestMediaParams(t *testing.T) {
	jis := mustEncode(t, japanese.ISO2022JP, "領収書.pdf")
	cases := []struct {
		in       string
		typ, key string
		want     string
	}{
		{`attachment; filename*=UTF-8''%E9%A0%98%E5%8F%8E%E6%9B%B8.pdf`, "attachment", "filename", "領収書.pdf"},
		{"attachment; filename*0*=UTF-8''%E9%A0%98%E5%8F%8E; filename*1*=%E6%9B%B8; filename*2=.pdf", "attachment", "filename", "領収書.pdf"},
		{"attachment; filename*1*=%E6%9B%B8.pdf; filename*0*=utf-8'ja'%E9%A0%98%E5%8F%8E", "attachment", "filename", "領収書.pdf"},
		{"attachment; filename*0*=ISO-2022-JP''" + pct(jis[:5]) + "; filename*1*=" + pct(jis[5:]), "attachment", "filename", "領収書.pdf"},
		{`attachment; filename="=?UTF-8?B?6aCY5Y+O5pu4LnBkZg==?="`, "attachment", "filename", "領収書.pdf"},
		{`attachment; filename=my receipt.pdf`, "attachment", "filename", "my receipt.pdf"},
		{`attachment; filename="unterminated.pdf`, "attachment", "filename", "unterminated.pdf"},
		{`Text/HTML; Charset="ISO-2022-JP"; format=flowed`, "text/html", "charset", "ISO-2022-JP"},
		{"multipart/mixed;\tboundary=\"----=_Part_1;2\"", "multipart/mixed", "boundary", "----=_Part_1;2"},
		{`text/plain; charset=us-ascii (Plain text)`, "text/plain", "charset", "us-ascii"},
		{`attachment; filename="a\"b.txt"`, "attachment", "filename", `a"b.txt`},
	}
	for _, c := range cases {
		typ, params := parseMediaHeader([]byte(c.in), "")
		if typ != c.typ || params[c.key] != c.want {
			t.Errorf("parseMediaHeader(%q) = %q %q, want %q %q", c.in, typ, params[c.key], c.typ, c.want)
		}
	}
	// Raw Shift_JIS filename.
	raw := append([]byte(`attachment; filename="`), mustEncode(t, japanese.ShiftJIS, "領収書.pdf")...)
	raw = append(raw, '"')
	if _, p := parseMediaHeader(raw, "shift_jis"); p["filename"] != "領収書.pdf" {
		t.Errorf("raw sjis filename = %q", p["filename"])
	}
}
