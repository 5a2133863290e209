package search

import (
	"errors"
	"reflect"
	"testing"
	"time"
)

func g(text string, terms ...string) Group { return Group{Text: text, Terms: terms} }

func TestParse(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want Query
	}{
		{"empty", "   　 ", Query{}},
		{"words", "寄付金 領収書", Query{Must: []Group{g("寄付金", "寄付", "付金"), g("領収書", "领収", "収书")}}},
		{"traditional chinese", "收據", Query{Must: []Group{g("收據", "收据")}}},
		{"single cjk character is a prefix", "收", Query{Must: []Group{{Text: "收", Terms: []string{"收"}, Prefix: true}}}},
		{"quoted phrase", `"annual report"`, Query{Must: []Group{{Text: "annual report", Terms: []string{"annual", "report"}, Quoted: true}}}},
		{"ime quotes", "“捐款 收据” 「寄付 領収書」", Query{Must: []Group{
			{Text: "捐款 收据", Terms: []string{"捐款", "款", "收据"}, Quoted: true},
			{Text: "寄付 領収書", Terms: []string{"寄付", "付", "领収", "収书"}, Quoted: true},
		}}},
		{"unterminated quote runs to the end", `"thank you`, Query{Must: []Group{{Text: "thank you", Terms: []string{"thank", "you"}, Quoted: true}}}},
		{"exclude word and phrase", `receipt -spam -"out of office"`, Query{
			Must:    []Group{g("receipt", "receipt")},
			Exclude: []Group{g("spam", "spam"), {Text: "out of office", Terms: []string{"out", "of", "office"}, Quoted: true}},
		}},
		{"hyphen inside a word is not an exclusion", "e-mail", Query{Must: []Group{g("e-mail", "e", "mail")}}},
		{"lone hyphen is ignored", "a - b", Query{Must: []Group{g("a", "a"), g("b", "b")}}},
		{"punctuation-only words are dropped", "!!! 、", Query{}},
		{"filters", "status:open type:complaint channel:email department:Fundraising assignee:sato tag:vip from:hanako@example.jp", Query{Filters: []Filter{
			{Name: "status", Value: "open"}, {Name: "type", Value: "complaint"}, {Name: "channel", Value: "email"},
			{Name: "department", Value: "fundraising"}, {Name: "assignee", Value: "sato"}, {Name: "tag", Value: "vip"},
			{Name: "from", Value: "hanako@example.jp"},
		}}},
		{"filter name is case-insensitive", "Status:Open", Query{Filters: []Filter{{Name: "status", Value: "open"}}}},
		{"quoted filter value", `tag:"major donor" tag:「月例 寄付」`, Query{Filters: []Filter{{Name: "tag", Value: "major donor"}, {Name: "tag", Value: "月例 寄付"}}}},
		{"full-width colon and space", "status：open　寄付", Query{Must: []Group{g("寄付", "寄付")}, Filters: []Filter{{Name: "status", Value: "open"}}}},
		{"negated filter", "-tag:spam", Query{Filters: []Filter{{Name: "tag", Value: "spam", Negate: true}}}},
		{"is filters", "is:unassigned is:open is:mine", Query{Filters: []Filter{{Name: "is", Value: "unassigned"}, {Name: "is", Value: "open"}, {Name: "is", Value: "mine"}}}},
		{"lang is canonicalised", "lang:ZH-hant lang:ja", Query{Filters: []Filter{{Name: "lang", Value: "zh-Hant"}, {Name: "lang", Value: "ja"}}}},
		{"unknown filter is text", "foo:bar", Query{Must: []Group{g("foo:bar", "foo", "bar")}}},
		{"url is text", "https://example.org/donate", Query{Must: []Group{g("https://example.org/donate", "https", "example", "org", "donate")}}},
		{"ticket number", "#1042", Query{Must: []Group{g("#1042", "1042")}}},
		{"email", "Hanako@Example.jp", Query{Must: []Group{g("Hanako@Example.jp", "hanako@example.jp")}}},
		{"phone with spaces stays one number", "+81 3 1234 5678 領収書", Query{Must: []Group{g("+81 3 1234 5678", "312345678"), g("領収書", "领収", "収书")}}},
		{"national phone with spaces", "03 1234 5678", Query{Must: []Group{g("03 1234 5678", "312345678")}}},
		{"ticket numbers stay separate", "1042 1043 1044", Query{Must: []Group{g("1042", "1042"), g("1043", "1043"), g("1044", "1044")}}},
		{"full-width phone", "０３－１２３４－５６７８", Query{Must: []Group{g("03-1234-5678", "312345678")}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.in)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.in, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Parse(%q)\n got %+v\nwant %+v", tt.in, got, tt.want)
			}
		})
	}
}

func d(y int, m time.Month, day int) Date { return Date{y, m, day} }

func TestParseCreated(t *testing.T) {
	tests := []struct {
		in   string
		op   Op
		want DateRange
	}{
		{"created:2026-01-01", OpEq, DateRange{d(2026, 1, 1), d(2026, 1, 2)}},
		{"created:>2026-01-01", OpGt, DateRange{From: d(2026, 1, 2)}},
		{"created:>=2026-01-01", OpGe, DateRange{From: d(2026, 1, 1)}},
		{"created:<2026-01-01", OpLt, DateRange{To: d(2026, 1, 1)}},
		{"created:<=2026-01-01", OpLe, DateRange{To: d(2026, 1, 2)}},
		{"created:2026-01-01..2026-02-01", OpRange, DateRange{d(2026, 1, 1), d(2026, 2, 2)}},
		{"created:2026-01-01..*", OpRange, DateRange{From: d(2026, 1, 1)}},
		{"created:*..2026-02-01", OpRange, DateRange{To: d(2026, 2, 2)}},
		{"created:2026-02", OpEq, DateRange{d(2026, 2, 1), d(2026, 3, 1)}},
		{"created:2026", OpEq, DateRange{d(2026, 1, 1), d(2027, 1, 1)}},
		{"created:>2026-12", OpGt, DateRange{From: d(2027, 1, 1)}},
		{"created:2026/1/5", OpEq, DateRange{d(2026, 1, 5), d(2026, 1, 6)}},
		{"created:2026.01.05", OpEq, DateRange{d(2026, 1, 5), d(2026, 1, 6)}},
		{"created:2026年1月5日", OpEq, DateRange{d(2026, 1, 5), d(2026, 1, 6)}},
		{"created：＞＝２０２６年３月", OpGe, DateRange{From: d(2026, 3, 1)}},
		{"created:2024-02-29", OpEq, DateRange{d(2024, 2, 29), d(2024, 3, 1)}},
	}
	for _, tt := range tests {
		q, err := Parse(tt.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.in, err)
			continue
		}
		if len(q.Filters) != 1 {
			t.Errorf("Parse(%q): filters %+v", tt.in, q.Filters)
			continue
		}
		f := q.Filters[0]
		if f.Name != FilterCreated || f.Op != tt.op || f.Days != tt.want {
			t.Errorf("Parse(%q) = %+v, want op %v days %+v", tt.in, f, tt.op, tt.want)
		}
	}
}

func TestParseBadFilters(t *testing.T) {
	tests := []struct{ in, name, value string }{
		{"status:", "status", ""},
		{`tag:""`, "tag", ""},
		{"is:closed", "is", "closed"},
		{"lang:not_a_language!", "lang", "not_a_language!"},
		{"created:yesterday", "created", "yesterday"},
		{"created:2026-02-30", "created", "2026-02-30"},
		{"created:2026-13", "created", "2026-13"},
		{"created:>=", "created", ">="},
		{"created:2026-02-01..2026-01-01", "created", "2026-02-01..2026-01-01"},
		{"created:..", "created", ".."},
		{"created:26-01-01", "created", "26-01-01"},
	}
	for _, tt := range tests {
		q, err := Parse("寄付 " + tt.in + " status:open")
		var bad ErrBadFilter
		if !errors.As(err, &bad) {
			t.Errorf("Parse(%q): error %v, want ErrBadFilter", tt.in, err)
			continue
		}
		if bad.Name != tt.name || bad.Value != tt.value {
			t.Errorf("Parse(%q): ErrBadFilter{%q, %q}, want {%q, %q}", tt.in, bad.Name, bad.Value, tt.name, tt.value)
		}
		if bad.Error() == "" {
			t.Error("empty error message")
		}
		// The rest of the query is still parsed.
		if len(q.Must) != 1 || len(q.Filters) != 1 || q.Filters[0].Name != FilterStatus {
			t.Errorf("Parse(%q): rest of query lost: %+v", tt.in, q)
		}
	}
}

func TestDateRangeBounds(t *testing.T) {
	tokyo := time.FixedZone("JST", 9*3600)
	q, err := Parse("created:2026-04-01..2026-04-30")
	if err != nil {
		t.Fatal(err)
	}
	from, to := q.Filters[0].Days.Bounds(tokyo)
	if want := time.Date(2026, 4, 1, 0, 0, 0, 0, tokyo); !from.Equal(want) {
		t.Errorf("from = %v, want %v", from, want)
	}
	if want := time.Date(2026, 5, 1, 0, 0, 0, 0, tokyo); !to.Equal(want) {
		t.Errorf("to = %v, want %v", to, want)
	}
	q, _ = Parse("created:>=2026-04-01")
	if _, to := q.Filters[0].Days.Bounds(time.UTC); !to.IsZero() {
		t.Errorf("unbounded end = %v, want zero", to)
	}
}

func TestQueryIsEmpty(t *testing.T) {
	for in, want := range map[string]bool{"": true, "  、 ": true, "a": false, "is:open": false, "-x": false} {
		q, _ := Parse(in)
		if q.IsEmpty() != want {
			t.Errorf("Parse(%q).IsEmpty() = %v", in, !want)
		}
	}
}
