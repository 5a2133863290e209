package i18n

import (
	"strings"
	"testing"
	"time"
)

// Every message must exist in every language: a key missing in one file fails.
func TestCatalogueComplete(t *testing.T) {
	want := IDs("en")
	if len(want) < 100 {
		t.Fatalf("only %d English messages", len(want))
	}
	for _, lang := range Languages {
		got := map[string]bool{}
		for _, id := range IDs(lang) {
			got[id] = true
		}
		for _, id := range want {
			if !got[id] {
				t.Errorf("%s lacks %q", lang, id)
			}
		}
		if len(got) != len(want) {
			t.Errorf("%s has %d messages, en has %d (extra keys?)", lang, len(got), len(want))
		}
		lc := For(lang)
		for _, id := range want {
			if s := lc.T(id, "Count", 2); s == "" || s == id {
				t.Errorf("%s %q renders as %q", lang, id, s)
			}
		}
	}
}

func TestPluralsAndMissing(t *testing.T) {
	en, ja, zh := For("en"), For("ja"), For("zh")
	cases := []struct {
		lc   *Localizer
		id   string
		n    int
		want string
	}{
		{en, "time.hours_ago", 1, "1 hour ago"},
		{en, "time.hours_ago", 3, "3 hours ago"},
		{en, "supporter.tenure_years", 1, "Supporter for 1 year"},
		{en, "supporter.tenure_years", 6, "Supporter for 6 years"},
		{ja, "supporter.tenure_years", 6, "ご支援 6 年"},
		{zh, "supporter.tenure_years", 6, "支持 6 年"},
		{ja, "time.minutes_ago", 5, "5分前"},
		{zh, "time.minutes_ago", 5, "5分钟前"},
	}
	for _, c := range cases {
		if got := c.lc.N(c.id, c.n); got != c.want {
			t.Errorf("%s %s(%d) = %q, want %q", c.lc.Lang, c.id, c.n, got, c.want)
		}
	}
	var missing []string
	en.Missing = func(id string) { missing = append(missing, id) }
	if got := en.T("no.such.key"); got != "no.such.key" || len(missing) != 1 {
		t.Errorf("missing key: %q %v", got, missing)
	}
}

func TestFormats(t *testing.T) {
	tokyo, _ := time.LoadLocation("Asia/Tokyo")
	at := time.Date(2026, 11, 25, 5, 5, 0, 0, time.UTC) // 14:05 in Tokyo
	want := map[string]string{"en": "25 Nov 2026, 14:05", "ja": "2026年11月25日 14:05", "zh": "2026年11月25日 14:05"}
	for lang, w := range want {
		if got := For(lang).DateTime(at, tokyo); got != w {
			t.Errorf("%s: %q, want %q", lang, got, w)
		}
	}
	if got := Exact(at, tokyo); got != "2026-11-25 14:05 JST (Asia/Tokyo)" {
		t.Errorf("exact: %q", got)
	}
	ago := map[string][]string{
		"en": {"just now", "5 min ago", "1 hour ago", "2 days ago", "25 Nov 2026"},
		"ja": {"たった今", "5分前", "1時間前", "2日前", "2026年11月25日"},
		"zh": {"刚刚", "5分钟前", "1小时前", "2天前", "2026年11月25日"},
	}
	steps := []time.Duration{10 * time.Second, 5 * time.Minute, 61 * time.Minute, 50 * time.Hour, 30 * 24 * time.Hour}
	for lang, ws := range ago {
		for i, d := range steps {
			if got := For(lang).Ago(at, at.Add(d), tokyo); got != ws[i] {
				t.Errorf("%s ago(%v) = %q, want %q", lang, d, got, ws[i])
			}
		}
	}
	if got := For("en").Tenure(0, 8); got != "Supporter for 8 months" {
		t.Errorf("tenure months: %q", got)
	}
	if got := For("ja").Tenure(0, 0); got != "新しい支援者" {
		t.Errorf("tenure new: %q", got)
	}
}

func TestNegotiate(t *testing.T) {
	cases := []struct{ user, accept, org, want string }{
		{"ja", "zh-CN", "en", "ja"},
		{"", "zh-CN,zh;q=0.9,en;q=0.8", "en", "zh"},
		{"", "zh-TW", "en", "zh"},
		{"", "ja-JP", "en", "ja"},
		{"", "en-GB,en;q=0.9", "ja", "en"},
		{"", "fr-FR", "ja", "ja"},
		{"", "", "zh", "zh"},
		{"", "garbage;;;", "", "en"},
		{"xx", "", "", "en"},
	}
	for _, c := range cases {
		if got := Negotiate(c.user, c.accept, c.org); got != c.want {
			t.Errorf("Negotiate(%q, %q, %q) = %q, want %q", c.user, c.accept, c.org, got, c.want)
		}
	}
	for lang, tag := range map[string]string{"en": "en", "ja": "ja", "zh": "zh-Hans", "": "", "xx": ""} {
		if got := Tag(lang); got != tag {
			t.Errorf("Tag(%q) = %q", lang, got)
		}
	}
	if !strings.Contains(Name("ja"), "日本語") {
		t.Error("language name")
	}
}
