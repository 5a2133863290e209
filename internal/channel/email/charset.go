package email

import (
	"bytes"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/ianaindex"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/korean"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
	"golang.org/x/text/encoding/unicode"
)

// Canonical charset names used in Message.Charset and internally.
const (
	csUTF8      = "utf-8"
	csASCII     = "us-ascii"
	csISO2022JP = "iso-2022-jp"
	csShiftJIS  = "shift_jis" // decoded as windows-31j (CP932), the superset
	csEUCJP     = "euc-jp"
	csGB18030   = "gb18030" // also for gb2312 and gbk labels
	csBig5      = "big5"    // WHATWG big5 includes HKSCS
	csWin1252   = "windows-1252"
)

// charsetAliases maps labels seen in real mail to canonical names. Labels
// not listed are looked up in the IANA and WHATWG indexes.
var charsetAliases = map[string]string{
	"utf-8": csUTF8, "utf8": csUTF8, "unicode-1-1-utf-8": csUTF8, "x-unicode20utf8": csUTF8, "x-utf_8j": csUTF8,

	"us-ascii": csASCII, "ascii": csASCII, "ansi_x3.4-1968": csASCII, "iso646-us": csASCII, "us": csASCII, "cp367": csASCII, "646": csASCII,

	"iso-2022-jp": csISO2022JP, "csiso2022jp": csISO2022JP, "iso-2022-jp-ms": csISO2022JP, "cp50220": csISO2022JP,
	"cp50221": csISO2022JP, "cp50222": csISO2022JP, "iso-2022-jp-1": csISO2022JP, "iso-2022-jp-2": csISO2022JP,
	"iso-2022-jp-3": csISO2022JP, "iso-2022-jp-2004": csISO2022JP, "jis": csISO2022JP, "x-windows-iso2022jp": csISO2022JP,

	"shift_jis": csShiftJIS, "shift-jis": csShiftJIS, "sjis": csShiftJIS, "x-sjis": csShiftJIS, "ms_kanji": csShiftJIS,
	"csshiftjis": csShiftJIS, "windows-31j": csShiftJIS, "cswindows31j": csShiftJIS, "cp932": csShiftJIS, "ms932": csShiftJIS,
	"x-ms-cp932": csShiftJIS, "ibm-943": csShiftJIS, "shift_jisx0213": csShiftJIS, "shift_jis-2004": csShiftJIS, "sjis-win": csShiftJIS,
	"x-mac-japanese": csShiftJIS,

	"euc-jp": csEUCJP, "x-euc-jp": csEUCJP, "eucjp": csEUCJP, "cseucpkdfmtjapanese": csEUCJP, "eucjp-ms": csEUCJP,
	"cp51932": csEUCJP, "eucjp-win": csEUCJP, "euc-jisx0213": csEUCJP, "euc-jis-2004": csEUCJP,

	"gb2312": csGB18030, "gbk": csGB18030, "cp936": csGB18030, "x-gbk": csGB18030, "ms936": csGB18030, "windows-936": csGB18030,
	"euc-cn": csGB18030, "x-euc-cn": csGB18030, "gb_2312-80": csGB18030, "gb_2312": csGB18030, "csgb2312": csGB18030,
	"chinese": csGB18030, "iso-ir-58": csGB18030, "csiso58gb231280": csGB18030, "gb18030": csGB18030, "gb-18030": csGB18030,
	"x-mac-chinesesimp": csGB18030, "gb2312-80": csGB18030,

	"big5": csBig5, "big5-hkscs": csBig5, "x-big5": csBig5, "cn-big5": csBig5, "csbig5": csBig5, "cp950": csBig5,
	"x-x-big5": csBig5, "big-5": csBig5, "big5hkscs": csBig5, "ms950": csBig5, "x-mac-chinesetrad": csBig5,

	"iso-8859-1": csWin1252, "iso8859-1": csWin1252, "latin1": csWin1252, "latin-1": csWin1252, "l1": csWin1252,
	"cp1252": csWin1252, "windows-1252": csWin1252, "x-cp1252": csWin1252, "cp819": csWin1252, "iso_8859-1": csWin1252,
	"ibm819": csWin1252, "csisolatin1": csWin1252, "iso-ir-100": csWin1252, "ansi": csWin1252,

	"ks_c_5601-1987": "euc-kr", "ks_c_5601": "euc-kr", "cp949": "euc-kr", "euc-kr": "euc-kr", "korean": "euc-kr",
	"x-windows-949": "euc-kr", "uhc": "euc-kr",

	"koi8-r": "koi8-r", "koi8r": "koi8-r", "koi8-u": "koi8-u", "koi8u": "koi8-u",
	"hz-gb-2312": "hz-gb-2312", "hz": "hz-gb-2312",
}

var fixedEncodings = map[string]encoding.Encoding{
	csISO2022JP:  japanese.ISO2022JP,
	csShiftJIS:   japanese.ShiftJIS,
	csEUCJP:      japanese.EUCJP,
	csGB18030:    simplifiedchinese.GB18030,
	csBig5:       traditionalchinese.Big5,
	csWin1252:    charmap.Windows1252,
	csASCII:      charmap.Windows1252, // 8-bit bytes in "us-ascii" are usually Latin-1
	"euc-kr":     korean.EUCKR,
	"koi8-r":     charmap.KOI8R,
	"koi8-u":     charmap.KOI8U,
	"hz-gb-2312": simplifiedchinese.HZGB2312,
}

// unknownLabels mean "the sender did not know": detect instead.
var unknownLabels = map[string]bool{
	"": true, "unknown": true, "unknown-8bit": true, "x-unknown": true, "default": true, "8bit": true,
	"x-user-defined": true, "binary": true, "none": true, "charset": true,
}

// normalizeLabel lower-cases and trims a charset label and strips the
// quoting, comments and RFC 2231 language suffixes that senders add.
func normalizeLabel(label string) string {
	label = strings.TrimSpace(label)
	if i := strings.IndexAny(label, "*( ;"); i >= 0 {
		label = label[:i]
	}
	label = strings.Trim(label, "\"'")
	return strings.ToLower(strings.TrimSpace(label))
}

// lookupCharset resolves a label to an encoding and canonical name. For
// UTF-8 the encoding is nil. ok is false for unknown or empty labels.
func lookupCharset(label string) (enc encoding.Encoding, name string, ok bool) {
	l := normalizeLabel(label)
	if unknownLabels[l] {
		return nil, "", false
	}
	if c, found := charsetAliases[l]; found {
		if c == csUTF8 {
			return nil, csUTF8, true
		}
		return fixedEncodings[c], c, true
	}
	e, err := ianaindex.MIME.Encoding(l)
	if err != nil || e == nil {
		e, err = htmlindex.Get(l)
	}
	if err != nil || e == nil {
		return nil, "", false
	}
	if e == unicode.UTF8 {
		return nil, csUTF8, true
	}
	if n, err := ianaindex.MIME.Name(e); err == nil && n != "" {
		l = strings.ToLower(n)
	}
	return e, l, true
}

// singleByte reports whether a canonical charset maps every byte to a
// character, so that decoding it never fails and proves nothing.
func singleByte(name string) bool {
	switch name {
	case csUTF8, csISO2022JP, csShiftJIS, csEUCJP, csGB18030, csBig5, "euc-kr", "hz-gb-2312":
		return false
	}
	return !strings.HasPrefix(name, "utf-")
}

// decodeText converts b, declared to be in charset declared, to UTF-8. It
// second-guesses the declaration when the bytes contradict it (see doc.go)
// and returns the charset actually used.
func decodeText(b []byte, declared string) (string, string) {
	enc, name, known := lookupCharset(declared)
	if isASCII(b) {
		if hasJISEscape(b) && (!known || singleByte(name) || name == csISO2022JP) {
			return decodeWith(japanese.ISO2022JP, normalizeISO2022JP(b)), csISO2022JP
		}
		if known && enc != nil && !singleByte(name) && name != csISO2022JP {
			return decodeWith(enc, b), name // 7-bit encodings such as HZ or UTF-7
		}
		if known {
			return string(b), name
		}
		return string(b), csASCII
	}
	// ISO-2022-JP that sneaks half-width katakana in as 8-bit bytes.
	if known && name == csISO2022JP {
		s := decodeWith(enc, normalizeISO2022JP(b))
		if !strings.ContainsRune(s, utf8.RuneError) {
			return s, name
		}
		return detectOr(b, s, name)
	}
	if !known || singleByte(name) {
		if utf8.Valid(b) {
			return string(b), csUTF8
		}
		// Only the Western defaults lie about CJK text; a sender who chose
		// KOI8-R or ISO-8859-7 meant it.
		if !known || name == csWin1252 || name == csASCII {
			if cand, s, ok := detectCJK(b, 1.0); ok {
				return s, cand
			}
		}
		if !known {
			return decodeWith(charmap.Windows1252, b), csWin1252
		}
		return decodeWith(enc, b), name
	}
	if name == csUTF8 {
		if utf8.Valid(b) {
			return string(b), csUTF8
		}
		if cand, s, ok := detectCJK(b, 0.8); ok {
			return s, cand
		}
		if latin1ish(b) {
			return decodeWith(charmap.Windows1252, b), csWin1252
		}
		return strings.ToValidUTF8(string(b), "\uFFFD"), csUTF8
	}
	s := decodeWith(enc, b)
	if utf8.Valid(b) && !strings.ContainsRune(string(b), utf8.RuneError) {
		// Valid multi-byte UTF-8 under a legacy label: the label usually
		// lies (a template copied from an old page), unless the legacy
		// reading clearly makes more sense.
		if scoreText(string(b), true, true).avg() >= scoreText(s, isJapanese(name), isChinese(name)).avg() {
			return string(b), csUTF8
		}
		return s, name
	}
	if strings.ContainsRune(s, utf8.RuneError) {
		return detectOr(b, s, name)
	}
	return s, name
}

// detectOr tries the CJK decoders on b and keeps fallback (decoded as
// name) unless one of them does better.
func detectOr(b []byte, fallback, name string) (string, string) {
	fb := scoreText(fallback, isJapanese(name), isChinese(name))
	if cand, s, ok := detectCJK(b, 0.5); ok && scoreText(s, isJapanese(cand), isChinese(cand)).total > fb.total {
		return s, cand
	}
	return fallback, name
}

func isJapanese(name string) bool {
	return name == csISO2022JP || name == csShiftJIS || name == csEUCJP
}

func isChinese(name string) bool { return name == csGB18030 || name == csBig5 || name == "hz-gb-2312" }

// decodeUnknown8bit decodes header bytes that carry no charset label. hint
// is the charset of the message body, which raw headers usually share.
func decodeUnknown8bit(b []byte, hint string) string {
	if utf8.Valid(b) && !hasJISEscape(b) {
		return string(b)
	}
	s, _ := decodeText(b, hint)
	return s
}

func decodeWith(enc encoding.Encoding, b []byte) string {
	if enc == nil {
		return strings.ToValidUTF8(string(b), "\uFFFD")
	}
	// One pass into a buffer that is always large enough (no input byte
	// becomes more than three bytes of UTF-8), instead of transform.Bytes
	// growing its buffer step by step.
	dec := enc.NewDecoder()
	dst := make([]byte, 3*len(b)+8)
	n, _, err := dec.Transform(dst, b, true)
	if err != nil {
		// Decoders in x/text replace bad input rather than fail; fall
		// back to the general path if one ever does.
		out, _ := enc.NewDecoder().Bytes(b)
		return strings.ToValidUTF8(string(out), "\uFFFD")
	}
	return string(dst[:n])
}

func isASCII(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return false
		}
	}
	return true
}

// hasJISEscape reports whether b contains an ISO-2022-JP designation
// escape: JIS X 0208 (ESC $ B, ESC $ @) or half-width katakana (ESC ( I).
func hasJISEscape(b []byte) bool {
	for i := 0; ; {
		j := bytes.IndexByte(b[i:], 0x1b)
		if j < 0 || i+j+2 >= len(b) {
			return false
		}
		i += j
		if (b[i+1] == '$' && (b[i+2] == 'B' || b[i+2] == '@')) || (b[i+1] == '(' && b[i+2] == 'I') {
			return true
		}
		i++
	}
}

// latin1ish reports whether invalid UTF-8 looks like Western single-byte
// text: high bytes are isolated between ASCII letters.
func latin1ish(b []byte) bool {
	high, isolated := 0, 0
	for i, c := range b {
		if c < 0x80 {
			continue
		}
		high++
		prevASCII := i == 0 || b[i-1] < 0x80
		nextASCII := i+1 >= len(b) || b[i+1] < 0x80
		if prevASCII && nextASCII {
			isolated++
		}
	}
	return high > 0 && isolated*2 >= high
}

// normalizeISO2022JP rewrites the half-width katakana extensions used by
// CP50220/CP50222 and some mobile mailers — SO/SI shifts and raw 8-bit
// bytes 0xA1–0xDF — into the standard ESC ( I designation, which the
// x/text decoder understands.
func normalizeISO2022JP(b []byte) []byte {
	needs := false
	for _, c := range b {
		if c == 0x0e || (c >= 0xa1 && c <= 0xdf) {
			needs = true
			break
		}
	}
	if !needs {
		return b
	}
	out := make([]byte, 0, len(b)+16)
	state := []byte{0x1b, '(', 'B'}
	shifted := false
	for i := 0; i < len(b); i++ {
		c := b[i]
		switch {
		case c == 0x1b && i+2 < len(b):
			n := 3
			if b[i+1] == '$' && b[i+2] == '(' && i+3 < len(b) {
				n = 4
			}
			state = append(state[:0], b[i:i+n]...)
			out = append(out, b[i:i+n]...)
			i += n - 1
			shifted = false
		case c == 0x0e:
			out = append(out, 0x1b, '(', 'I')
			shifted = true
		case c == 0x0f:
			if shifted {
				out = append(out, state...)
				shifted = false
			}
		case c >= 0xa1 && c <= 0xdf && !shifted:
			out = append(out, 0x1b, '(', 'I')
			for ; i < len(b) && b[i] >= 0xa1 && b[i] <= 0xdf; i++ {
				out = append(out, b[i]-0x80)
			}
			i--
			out = append(out, state...)
		case c == '\n' && shifted:
			out = append(out, state...)
			shifted = false
			out = append(out, c)
		default:
			out = append(out, c)
		}
	}
	return out
}
