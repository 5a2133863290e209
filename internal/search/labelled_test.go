package search_test

import (
	"context"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/steward-desk/steward/internal/db"
	"github.com/steward-desk/steward/internal/db/dbtest"
	"github.com/steward-desk/steward/internal/search"
)

// labelled is one query of the labelled set: every ticket in want must be
// found (recall), none in not may be (precision where it matters).
type labelled struct {
	q     string
	want  []string
	not   []string
	notes bool // search with IncludeNotes
}

// handQueries are labelled by hand over fxTickets.
var handQueries = []labelled{
	// Two-character words, the bulk of Chinese and Japanese queries.
	{q: "領収", want: []string{"ja-receipt", "mixed-en-ja", "ja-fullwidth"}},
	{q: "領収書", want: []string{"ja-receipt", "mixed-en-ja", "ja-fullwidth"}},
	{q: "寄付", want: []string{"ja-receipt", "ja-card", "ja-transfer"}, not: []string{"ja-kifu-old"}},
	{q: "寄附", want: []string{"ja-kifu-old"}, not: []string{"ja-receipt"}},
	{q: "寄付金", want: []string{"ja-receipt"}, not: []string{"ja-card"}},
	{q: "捐款", want: []string{"zh-receipt-simp", "zh-receipt-trad", "zh-monthly", "zh-refund"}},
	{q: "收据", want: []string{"zh-receipt-simp", "zh-receipt-trad"}},
	{q: "收據", want: []string{"zh-receipt-simp", "zh-receipt-trad"}},
	{q: "报名", want: []string{"zh-volunteer", "zh-trad-volunteer"}},
	{q: "報名", want: []string{"zh-volunteer", "zh-trad-volunteer"}},
	{q: "义卖", want: []string{"zh-school-trad"}},
	{q: "學校", want: []string{"zh-school-trad"}},
	{q: "学校", want: []string{"zh-school-trad"}},
	{q: "退款", want: []string{"zh-refund"}},
	{q: "志愿者", want: []string{"zh-volunteer"}},
	{q: "確認", want: []string{"ja-transfer"}},
	{q: "确认", want: []string{"zh-volunteer", "ja-transfer"}}, // 確 folds to 确
	{q: "邮件", want: []string{"zh-volunteer"}},
	{q: "住所", want: []string{"ja-address"}},
	{q: "変更", want: []string{"ja-volunteer-fw", "ja-address"}},
	{q: "電話", want: []string{"ja-complaint"}},
	{q: "电话", want: []string{"zh-phone", "ja-complaint"}},
	{q: "失礼", want: []string{"ja-complaint"}},
	{q: "申告", want: []string{"ja-receipt"}},
	{q: "確定申告", want: []string{"ja-receipt"}},
	{q: "控除", want: []string{"ja-kifu-old"}},
	{q: "寄贈", want: []string{"ja-books"}},
	{q: "영수증", want: []string{"ko-receipt"}},
	{q: "기부", want: []string{"ko-receipt"}},
	// Mixed kana and kanji.
	{q: "お礼状", want: []string{"ja-thankyou-letter"}},
	{q: "お礼状の送り先", want: []string{"ja-thankyou-letter"}},
	{q: "送り先", want: []string{"ja-thankyou-letter"}},
	{q: "届いていません", want: []string{"ja-receipt"}},
	{q: "引っ越し", want: []string{"ja-address"}},
	{q: "振込", want: []string{"ja-transfer"}},
	{q: "受領の確認", want: []string{"ja-transfer"}},
	{q: "手続き方法", want: []string{"ja-card"}},
	{q: "佐々木", want: []string{"ja-iteration"}},
	// Half-width and full-width katakana find each other.
	{q: "ボランティア", want: []string{"ja-volunteer-hw", "ja-volunteer-fw"}},
	{q: "ﾎﾞﾗﾝﾃｨｱ", want: []string{"ja-volunteer-hw", "ja-volunteer-fw"}},
	{q: "ﾎﾞﾗ", want: []string{"ja-volunteer-hw", "ja-volunteer-fw"}},
	{q: "シフト", want: []string{"ja-volunteer-fw"}},
	{q: "チャリティーコンサート", want: []string{"ja-katakana-long"}},
	{q: "ｺﾝｻｰﾄ", want: []string{"ja-katakana-long"}},
	{q: "クレジットカード", want: []string{"ja-card"}},
	// Single characters match as a prefix.
	{q: "本", want: []string{"ja-books"}},
	{q: "税", want: []string{"zh-receipt-trad"}}, // 報稅 → 报税
	{q: "稅", want: []string{"zh-receipt-trad"}},
	// Full-width Latin and digits.
	{q: "PDF", want: []string{"ja-fullwidth"}},
	{q: "ｐｄｆ", want: []string{"ja-fullwidth"}},
	{q: "２枚", want: []string{"ja-katakana-long"}},
	// English words, case, diacritics, punctuation.
	{q: "receipt", want: []string{"en-receipt", "mixed-en-ja", "en-receipt-body"}},
	{q: "RECEIPT", want: []string{"en-receipt", "mixed-en-ja", "en-receipt-body"}},
	{q: "donation receipt", want: []string{"en-receipt"}},
	{q: `"donation receipt"`, want: []string{"en-receipt"}, not: []string{"en-tax"}},
	{q: "volunteer", want: []string{"en-volunteer"}},
	{q: "cafe", want: []string{"en-cafe"}},
	{q: "café", want: []string{"en-cafe"}},
	{q: "Honore", want: []string{"en-cafe"}},
	{q: "tax-deductible", want: []string{"en-tax"}},
	{q: "newsletters", want: []string{"en-unsubscribe"}},
	{q: "mailing address", want: []string{"en-address"}},
	{q: `"mailing list"`, want: []string{"en-unsubscribe"}, not: []string{"en-address"}},
	{q: "Springfield", want: []string{"en-address"}},
	{q: "acme", want: []string{"mixed-en-ja"}},
	// Ticket numbers and reference numbers.
	{q: "#1042", want: []string{"en-ticketref"}},
	{q: "1042", want: []string{"en-ticketref"}},
	{q: "HB-2024-45918", want: []string{"en-invoice"}},
	{q: "45918", want: []string{"en-invoice"}},
	{q: "20240315-8891", want: []string{"zh-refund"}},
	// E-mail addresses: whole, by part, full-width.
	{q: "ichiro@example.jp", want: []string{"en-wrong-email", "ja-volunteer-fw", "ja-iteration"}},
	{q: "ichiro.suzuki@example.com", want: []string{"en-wrong-email"}},
	{q: "taro@example.jp", want: []string{"ja-fullwidth"}},
	{q: "sarah.miller@example.com", want: []string{"en-receipt", "en-address", "en-callback", "en-ooo"}},
	{q: "wang.wei", want: []string{"zh-receipt-simp", "zh-monthly", "zh-phone"}},
	// Phone numbers in any spelling.
	{q: "03-1234-5678", want: []string{"en-callback", "ja-receipt", "ja-address"}},
	{q: "+81 3 1234 5678", want: []string{"en-callback", "ja-receipt", "ja-address"}},
	{q: "0312345678", want: []string{"en-callback", "ja-receipt", "ja-address"}},
	{q: "090-1111-2222", want: []string{"en-callback", "ja-volunteer-fw"}},
	{q: "+86 138 0013 8000", want: []string{"zh-phone", "zh-receipt-simp"}},
	{q: "13800138000", want: []string{"zh-phone", "zh-receipt-simp"}},
	{q: "+44 20 7946 0958", want: []string{"en-receipt"}},
	// Supporter names in any script.
	{q: "佐藤 花子", want: []string{"ja-receipt", "ja-address"}},
	{q: "花子", want: []string{"ja-receipt", "ja-address"}},
	{q: "陳美玲", want: []string{"zh-receipt-trad", "zh-school-trad", "zh-trad-volunteer"}},
	{q: "陈美玲", want: []string{"zh-receipt-trad", "zh-school-trad", "zh-trad-volunteer"}},
	{q: "Zoe Dupre", want: []string{"en-unsubscribe", "en-cafe", "en-spam"}},
	{q: "O'Brien", want: []string{"en-volunteer", "en-tax", "en-ticketref", "en-gala-note"}},
	// Several words: all required, anywhere.
	{q: "寄付 確定申告", want: []string{"ja-receipt"}},
	{q: "receipt 領収書", want: []string{"mixed-en-ja"}},
	{q: "捐款 收据", want: []string{"zh-receipt-simp", "zh-receipt-trad"}, not: []string{"zh-monthly"}},
	// Exclusion.
	{q: "receipt -領収書", want: []string{"en-receipt", "en-receipt-body"}, not: []string{"mixed-en-ja"}},
	{q: "捐款 -收据", want: []string{"zh-monthly", "zh-refund"}, not: []string{"zh-receipt-simp", "zh-receipt-trad"}},
	{q: `receipt -"re-sent"`, want: []string{"mixed-en-ja", "en-receipt-body"}, not: []string{"en-receipt"}},
	// Notes: only with IncludeNotes.
	{q: "flamingo", want: nil, not: []string{"en-gala-note"}},
	{q: "flamingo", want: []string{"en-gala-note"}, notes: true},
	{q: "再発行予定", want: []string{"ja-receipt"}, notes: true},
	{q: "再発行予定", not: []string{"ja-receipt"}},
	{q: "财务部门", want: []string{"zh-refund"}, notes: true},
	{q: "stage -flamingo", want: []string{"en-gala-note"}},                                          // without notes the note cannot exclude
	{q: "stage -flamingo", want: nil, not: []string{"en-gala-note"}, notes: true},                   // with notes it does
	{q: "emoji🙏", want: nil},                                                                        // nothing, and no error
	{q: "応援", want: []string{"ja-emoji"}},                                                           // text around emoji
	{q: "status:closed", want: []string{"ja-transfer", "en-spam"}, not: []string{"en-unsubscribe"}}, // filters alone
}

func keysOf(desk *fxDesk, hits []search.Hit) []string {
	var out []string
	for _, h := range hits {
		if h.Type != search.TypeTicket {
			continue
		}
		if k, ok := desk.keys[h.ID]; ok {
			out = append(out, k)
		} else {
			out = append(out, "?")
		}
	}
	sort.Strings(out)
	return out
}

// searchAll runs a ticket search and follows the cursor to the end.
func searchAll(t *testing.T, idx *search.Index, q string, o search.Options) []search.Hit {
	t.Helper()
	o.Type = search.TypeTicket
	if o.Limit == 0 {
		o.Limit = search.MaxLimit
	}
	var all []search.Hit
	for i := 0; ; i++ {
		res, err := idx.Search(context.Background(), q, o)
		if err != nil {
			t.Fatalf("%q: %v", q, err)
		}
		all = append(all, res.Items...)
		if res.NextCursor == "" {
			return all
		}
		if i > 100 {
			t.Fatalf("%q: cursor does not end", q)
		}
		o.Cursor = res.NextCursor
	}
}

// checkLabelled runs the labelled queries and reports recall and precision
// failures; it returns each query's result keys for comparisons.
func checkLabelled(t *testing.T, desk *fxDesk, qs []labelled) map[string][]string {
	t.Helper()
	got := map[string][]string{}
	for _, lq := range qs {
		keys := keysOf(desk, searchAll(t, desk.idx, lq.q, search.Options{IncludeNotes: lq.notes}))
		id := lq.q
		if lq.notes {
			id += " [notes]"
		}
		got[id] = keys
		for _, w := range lq.want {
			if !slices.Contains(keys, w) {
				t.Errorf("%s: missing %s; got %v", id, w, keys)
			}
		}
		for _, n := range lq.not {
			if slices.Contains(keys, n) {
				t.Errorf("%s: should not find %s; got %v", id, n, keys)
			}
		}
	}
	return got
}

// generatedQueries are searched over the generated corpus; their expected
// tickets come from genMatches.
var generatedQueries = []string{
	"領収書", "領収", "寄付", "寄付金", "再発行", "ボランティア", "ﾎﾞﾗﾝﾃｨｱ", "説明会", "送付先", "口座振替", "手続き",
	"日程", "事務局", "メールマガジン", "ﾒｰﾙﾏｶﾞｼﾞﾝ", "配信", "確定申告", "書類", "チャリティーバザー", "出品",
	"收据", "收據", "捐款", "查询", "地址", "志愿者", "活动", "定期", "金额", "辛勤", "赞助", "晚会", "電子郵件",
	"电子邮件", "义卖", "義賣", "收入",
	"receipt", "donation", "volunteer", "sponsor", "gala", "billing", "newsletter", "monthly", "wonderful", "bazaar",
}

func TestLabelledQueries(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		desk := setUpDesk(t, d)
		gen := genCorpus(240)
		desk.createGenerated(t, gen)

		total := len(handQueries)
		incremental := checkLabelled(t, desk, handQueries)
		genQs := generatedLabelled(gen)
		total += len(genQs)
		genIncremental := checkGenerated(t, desk, genQs)
		if total < 100 {
			t.Fatalf("only %d labelled queries", total)
		}

		// Rebuilding the index gives the same answers as indexing change by change.
		st, err := search.Reindex(context.Background(), d, nil)
		if err != nil {
			t.Fatal(err)
		}
		if st.Tickets != len(fxTickets)+len(gen) {
			t.Fatalf("reindexed %d tickets, want %d", st.Tickets, len(fxTickets)+len(gen))
		}
		rebuilt := checkLabelled(t, desk, handQueries)
		genRebuilt := checkGenerated(t, desk, genQs)
		for q, keys := range incremental {
			if !slices.Equal(keys, rebuilt[q]) {
				t.Errorf("%s: incremental %v, reindexed %v", q, keys, rebuilt[q])
			}
		}
		for q, keys := range genIncremental {
			if !slices.Equal(keys, genRebuilt[q]) {
				t.Errorf("%s: incremental %v, reindexed %v", q, keys, genRebuilt[q])
			}
		}
		t.Logf("%d labelled queries (%d hand-labelled, %d generated), 100%% recall", total, len(handQueries), len(genQs))
	})
}

// generatedLabelled labels the generated queries, plus one for each planted
// e-mail address and phone number.
func generatedLabelled(gen []genTicket) []labelled {
	var qs []labelled
	for _, q := range generatedQueries {
		qs = append(qs, labelled{q: q, want: genMatches(gen, q)})
	}
	for i, g := range gen {
		if i%40 == 0 {
			qs = append(qs, labelled{q: g.email, want: []string{g.key}})
		}
		if g.phone != "" && i%20 == 0 {
			qs = append(qs, labelled{q: g.phone, want: []string{g.key}})
			digits := strings.ReplaceAll(g.phone, "-", "")
			qs = append(qs, labelled{q: digits, want: []string{g.key}})
		}
	}
	return qs
}

// checkGenerated demands exactly the expected tickets among the generated
// ones: 100% recall and no false match.
func checkGenerated(t *testing.T, desk *fxDesk, qs []labelled) map[string][]string {
	t.Helper()
	got := map[string][]string{}
	for _, lq := range qs {
		keys := keysOf(desk, searchAll(t, desk.idx, lq.q, search.Options{}))
		var gen []string
		for _, k := range keys {
			if strings.HasPrefix(k, "gen-") {
				gen = append(gen, k)
			}
		}
		got[lq.q] = gen
		want := slices.Clone(lq.want)
		sort.Strings(want)
		if !slices.Equal(gen, want) {
			t.Errorf("%q: got %d %v, want %d %v", lq.q, len(gen), gen, len(want), want)
		}
	}
	return got
}
