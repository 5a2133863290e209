package search

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestSnippet(t *testing.T) {
	long := strings.Repeat("Thank you for your support. ", 10) + "Your 领收书 was sent. " + strings.Repeat("Best regards from the team. ", 10)
	tests := []struct {
		name, text, query string
		max               int
		want              string
	}{
		{"japanese word", "先月の寄付金の領収書が届きません。", "領収書", 0, "先月の寄付金の<mark>領収書</mark>が届きません。"},
		{"traditional text, simplified query", "您好，我想查詢去年捐款的收據。", "收据 捐款", 0, "您好，我想查詢去年<mark>捐款</mark>的<mark>收據</mark>。"},
		{"simplified text, traditional query", "我去年捐款的收据还没有收到", "收據", 0, "我去年捐款的<mark>收据</mark>还没有收到"},
		{"half-width katakana highlighted in the original", "ﾎﾞﾗﾝﾃｨｱ説明会", "ボランティア", 0, "<mark>ﾎﾞﾗﾝﾃｨｱ</mark>説明会"},
		{"single character marks every occurrence", "收到收据，领收", "收", 0, "<mark>收</mark>到<mark>收</mark>据，领<mark>收</mark>"},
		{"full-width latin", "ＮＰＯ法人のお知らせ", "npo", 0, "<mark>ＮＰＯ</mark>法人のお知らせ"},
		{"diacritics", "Merci pour le café", "cafe", 0, "Merci pour le <mark>café</mark>"},
		{"phrase", "the annual report is out, the report is annual", `"annual report"`, 0, "the <mark>annual report</mark> is out, the report is annual"},
		{"excluded words are not marked", "spam and ham", "ham -spam", 0, "spam and <mark>ham</mark>"},
		{"email", "Write to Sato.Hanako@example.jp today", "sato.hanako@example.jp", 0, "Write to <mark>Sato.Hanako@example.jp</mark> today"},
		{"phone in another format", "電話：+81 3-1234-5678（平日）", "03-1234-5678", 0, "電話：<mark>+81 3-1234-5678</mark>（平日）"},
		{"html is escaped", `<script>alert("x")</script> & 寄付`, "寄付 script", 0, `&lt;<mark>script</mark>&gt;alert(&#34;x&#34;)&lt;/<mark>script</mark>&gt; &amp; <mark>寄付</mark>`},
		{"white space collapsed", "line one\n\n   line\ttwo", "two", 0, "line one line <mark>two</mark>"},
		{"no match gives the start", "寄付金の領収書について", "ボランティア", 5, "寄付金の領…"},
		{"window around the first match", long, "领收书", 40, "…Your <mark>领收书</mark> was sent. Best regards from the…"},
		{"no query", "abc def", "", 0, "abc def"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, err := Parse(tt.query)
			if err != nil {
				t.Fatal(err)
			}
			got := Snippet(tt.text, q, tt.max)
			if got != tt.want {
				t.Errorf("Snippet(%q, %q, %d)\n got %q\nwant %q", tt.text, tt.query, tt.max, got, tt.want)
			}
		})
	}
}

func TestSnippetLength(t *testing.T) {
	text := strings.Repeat("寄付金の領収書を送ってください。", 50)
	q, _ := Parse("送って")
	for _, max := range []int{1, 10, 50, 100} {
		s := Snippet(text, q, max)
		plain := strings.NewReplacer("<mark>", "", "</mark>", "", "…", "").Replace(s)
		if n := utf8.RuneCountInString(plain); n > max {
			t.Errorf("maxRunes %d: snippet has %d runes: %q", max, n, s)
		}
		if max >= 10 && !strings.Contains(s, "<mark>送って</mark>") {
			t.Errorf("maxRunes %d: match missing: %q", max, s)
		}
	}
}

func BenchmarkSnippet(b *testing.B) {
	q, _ := Parse("領収書 收据 ボランティア")
	b.SetBytes(int64(len(benchMessage)))
	b.ReportAllocs()
	for b.Loop() {
		Snippet(benchMessage, q, 160)
	}
}

func BenchmarkParse(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		Parse(`領収書 "annual report" -spam status:open created:>=2026-01-01 +81 3 1234 5678`)
	}
}
