// Package i18n is the agent UI's message catalogue in English, Japanese and
// Simplified Chinese, with CLDR plural rules (go-i18n), language negotiation
// and the date, time and duration formats each language expects.
//
// Only surfaces (the web UI, e-mail templates) import this package; capability
// packages return typed errors and codes that surfaces translate.
package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
	"sync"

	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

// Languages are the UI languages, as stored in users.language and org settings.
var Languages = []string{"en", "ja", "zh"}

// Default is the language used when nothing else decides.
const Default = "en"

//go:embed messages/*.json
var files embed.FS

// fileFor maps a language to its message file; zh is Simplified Chinese.
var fileFor = map[string]string{
	"en": "messages/active.en.json",
	"ja": "messages/active.ja.json",
	"zh": "messages/active.zh-Hans.json",
}

var (
	loadOnce sync.Once
	bundle   *goi18n.Bundle
	ids      map[string][]string // language → message ids
	loadErr  error
)

func load() {
	bundle = goi18n.NewBundle(language.English)
	bundle.RegisterUnmarshalFunc("json", json.Unmarshal)
	ids = map[string][]string{}
	for _, lang := range Languages {
		name := fileFor[lang]
		buf, err := fs.ReadFile(files, name)
		if err != nil {
			loadErr = err
			return
		}
		mf, err := bundle.ParseMessageFileBytes(buf, path.Base(name))
		if err != nil {
			loadErr = fmt.Errorf("i18n: %s: %w", name, err)
			return
		}
		for _, m := range mf.Messages {
			ids[lang] = append(ids[lang], m.ID)
		}
		sort.Strings(ids[lang])
	}
}

func mustLoad() {
	loadOnce.Do(load)
	if loadErr != nil {
		panic(loadErr)
	}
}

// IDs returns the message ids of a language, sorted (for completeness tests).
func IDs(lang string) []string {
	mustLoad()
	return append([]string(nil), ids[lang]...)
}

// Supported reports whether lang is a UI language.
func Supported(lang string) bool {
	for _, l := range Languages {
		if l == lang {
			return true
		}
	}
	return false
}

// Tag is the BCP 47 tag for <html lang> and lang attributes: en, ja, zh-Hans.
// Unknown or empty languages give "".
func Tag(lang string) string {
	switch lang {
	case "en", "ja":
		return lang
	case "zh", "zh-Hans", "zh-CN", "zh-SG":
		return "zh-Hans"
	case "zh-Hant", "zh-TW", "zh-HK":
		return "zh-Hant"
	}
	return ""
}

var matcher = language.NewMatcher([]language.Tag{language.English, language.Japanese, language.SimplifiedChinese})

// Negotiate picks the UI language: the user's own preference, else the
// browser's Accept-Language, else the organisation's default.
func Negotiate(userPref, acceptLanguage, orgDefault string) string {
	if Supported(userPref) {
		return userPref
	}
	if acceptLanguage != "" {
		tags, _, err := language.ParseAcceptLanguage(acceptLanguage)
		if err == nil && len(tags) > 0 {
			_, i, conf := matcher.Match(tags...)
			if conf != language.No {
				return Languages[i]
			}
		}
	}
	if Supported(orgDefault) {
		return orgDefault
	}
	return Default
}

// Localizer translates for one language.
type Localizer struct {
	// Lang is en, ja or zh.
	Lang string
	l    *goi18n.Localizer
	// Missing, when set, is called with ids that have no message (tests set it).
	Missing func(id string)
}

// For returns the localizer of a language (unknown languages get English).
func For(lang string) *Localizer {
	mustLoad()
	if !Supported(lang) {
		lang = Default
	}
	tag := Tag(lang)
	return &Localizer{Lang: lang, l: goi18n.NewLocalizer(bundle, tag)}
}

// T translates a message. args are key/value pairs for the message's template
// ({{.Name}}); a missing message shows its id so it is noticed.
func (lc *Localizer) T(id string, args ...any) string {
	return lc.localize(id, nil, args)
}

// N translates a message with a plural count, available to the template as
// {{.Count}}, choosing the CLDR plural form of the language.
func (lc *Localizer) N(id string, count int, args ...any) string {
	return lc.localize(id, count, append(args, "Count", count))
}

func (lc *Localizer) localize(id string, count any, args []any) string {
	var data map[string]any
	if len(args) > 0 {
		data = make(map[string]any, len(args)/2)
		for i := 0; i+1 < len(args); i += 2 {
			data[fmt.Sprint(args[i])] = args[i+1]
		}
	}
	s, err := lc.l.Localize(&goi18n.LocalizeConfig{MessageID: id, TemplateData: data, PluralCount: count})
	if err != nil {
		if lc.Missing != nil {
			lc.Missing(id)
		}
		if s == "" {
			return id
		}
	}
	return s
}

// Has reports whether the language has a message with this id.
func (lc *Localizer) Has(id string) bool {
	i := sort.SearchStrings(ids[lc.Lang], id)
	return i < len(ids[lc.Lang]) && ids[lc.Lang][i] == id
}

// Name is a language's own name, for language menus.
func Name(lang string) string {
	switch lang {
	case "en":
		return "English"
	case "ja":
		return "日本語"
	case "zh":
		return "简体中文"
	}
	return strings.ToUpper(lang)
}
