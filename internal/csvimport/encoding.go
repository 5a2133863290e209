package csvimport

import (
	"bytes"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/simplifiedchinese"
	xunicode "golang.org/x/text/encoding/unicode"
)

// Encodings Steward detects in CSV files, as Excel and CRMs write them.
const (
	UTF8     = "utf-8"
	UTF16    = "utf-16"
	ShiftJIS = "shift_jis" // Windows-31J / CP932, Excel in Japan
	GB18030  = "gb18030"   // superset of GBK / GB2312, Excel in mainland China
)

// Decode detects the encoding of a file and returns its text in UTF-8.
// A byte-order mark decides (UTF-8, UTF-16); valid UTF-8 is UTF-8;
// otherwise the file is decoded as Shift_JIS and as GB18030 and the more
// plausible text wins (see score). force, when not empty, skips detection.
func Decode(b []byte, force string) (string, string, error) {
	switch force {
	case UTF8:
		return string(bytes.TrimPrefix(b, []byte("\xEF\xBB\xBF"))), UTF8, nil
	case ShiftJIS, GB18030, UTF16:
		s, err := decodeWith(codec(force), b)
		return s, force, err
	}
	switch {
	case bytes.HasPrefix(b, []byte("\xEF\xBB\xBF")):
		return string(b[3:]), UTF8, nil
	case bytes.HasPrefix(b, []byte("\xFF\xFE")), bytes.HasPrefix(b, []byte("\xFE\xFF")):
		s, err := decodeWith(codec(UTF16), b)
		return s, UTF16, err
	case utf8.Valid(b):
		return string(b), UTF8, nil
	}
	sj, errSJ := decodeWith(codec(ShiftJIS), b)
	gb, errGB := decodeWith(codec(GB18030), b)
	if errSJ != nil {
		return gb, GB18030, errGB
	}
	if errGB != nil || score(sj) >= score(gb) {
		return sj, ShiftJIS, nil
	}
	return gb, GB18030, nil
}

func codec(name string) encoding.Encoding {
	switch name {
	case ShiftJIS:
		return japanese.ShiftJIS
	case GB18030:
		return simplifiedchinese.GB18030
	case UTF16:
		return xunicode.UTF16(xunicode.LittleEndian, xunicode.UseBOM)
	}
	return encoding.Nop
}

func decodeWith(e encoding.Encoding, b []byte) (string, error) {
	out, err := e.NewDecoder().Bytes(b)
	return string(out), err
}

// score rates how much a decoding looks like real Japanese or Chinese
// text. Kana are common in Japanese and cannot come out of valid GBK
// Chinese text except as rare punctuation-range pairs; half-width katakana
// and replacement characters are what a wrong guess produces; the 3,500
// most common Hanzi sit in GB2312 level 1 (B0A1–D7FE), which Shift_JIS
// bytes decoded as GBK mostly miss.
func score(s string) int {
	if len(s) > 64<<10 {
		s = s[:64<<10]
	}
	n := 0
	for _, r := range s {
		switch {
		case r == utf8.RuneError:
			n -= 20
		case r >= 0xFF61 && r <= 0xFF9F: // half-width katakana
			n -= 3
		case r >= 0x3041 && r <= 0x30FF: // hiragana, katakana
			n += 2
		case unicode.Is(unicode.Han, r):
			if commonHan(r) {
				n++
			}
		case r >= 0xE000 && r <= 0xF8FF: // private use
			n -= 10
		}
	}
	return n
}

// commonHan reports whether r is in GB2312 level 1 (the common Hanzi): the
// encoder tells us by producing a two-byte code in B0A1–D7FE.
func commonHan(r rune) bool {
	b, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(string(r)))
	return err == nil && len(b) == 2 && b[0] >= 0xB0 && b[0] <= 0xD7 || isCommonKanji(r)
}

// isCommonKanji approximates the Jōyō kanji: JIS level 1 (Shift_JIS lead
// bytes 0x88–0x98).
func isCommonKanji(r rune) bool {
	b, err := japanese.ShiftJIS.NewEncoder().Bytes([]byte(string(r)))
	return err == nil && len(b) == 2 && b[0] >= 0x88 && b[0] <= 0x98
}
