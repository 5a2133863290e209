package web

import (
	"net/url"
	"time"
	"unicode"

	"github.com/steward-desk/steward/internal/i18n"
)

var zeroTime time.Time

func parseQuery(s string) (url.Values, error) { return url.ParseQuery(s) }

func langTagOf(lang string) string { return i18n.Tag(lang) }

// messageLang is the lang attribute of a message body: its detected
// language, else a guess from its script — kana means Japanese; Han without
// kana is taken as Chinese — so Japanese text is never drawn with Chinese
// glyphs (or the reverse). Latin-only text inherits the page's language.
func messageLang(lang, text string) string {
	if t := i18n.Tag(lang); t != "" {
		return t
	}
	han := false
	for _, r := range text {
		switch {
		case unicode.In(r, unicode.Hiragana, unicode.Katakana):
			return "ja"
		case unicode.Is(unicode.Han, r):
			han = true
		}
	}
	if han {
		return "zh-Hans"
	}
	return ""
}
