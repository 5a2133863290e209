package search_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/steward-desk/steward/internal/audit"
	"github.com/steward-desk/steward/internal/db"
	"github.com/steward-desk/steward/internal/db/dbtest"
	"github.com/steward-desk/steward/internal/errs"
	"github.com/steward-desk/steward/internal/live"
	"github.com/steward-desk/steward/internal/search"
	"github.com/steward-desk/steward/internal/supporter"
	"github.com/steward-desk/steward/internal/ticket"
)

func find(t *testing.T, desk *fxDesk, q string, o search.Options) []string {
	t.Helper()
	if o.Type == "" {
		o.Type = search.TypeTicket
	}
	res, err := desk.idx.Search(context.Background(), q, o)
	if err != nil {
		t.Fatalf("%q: %v", q, err)
	}
	var keys []string
	for _, h := range res.Items {
		keys = append(keys, desk.keys[h.ID])
	}
	return keys
}

func TestFilters(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		desk := setUpDesk(t, d)
		aiko := desk.users["aiko@hope.example"].ID
		for _, c := range []struct {
			q    string
			want []string // exactly these, in any order
		}{
			// receipt is also a tag: tags are searchable text.
			{"receipt status:open", []string{"en-receipt", "ja-receipt"}}, // replies opened them; the others are new
			{"receipt is:open", []string{"en-receipt", "mixed-en-ja", "en-receipt-body", "ja-receipt", "zh-receipt-simp"}},
			{"領収書 status:open", []string{"ja-receipt"}},
			{"領収書 status:new", []string{"mixed-en-ja", "ja-fullwidth"}},
			{"status:pending", []string{"ja-volunteer-fw"}},
			{"寄付 status:resolved", []string{"ja-card"}},
			{"寄付 status:resolved status:closed", []string{"ja-card", "ja-transfer"}}, // alternatives
			{"寄付 -status:resolved", []string{"ja-receipt", "ja-transfer"}},
			{"type:complaint", []string{"ja-complaint", "zh-refund"}},
			{"channel:social", []string{"zh-school-trad", "en-cafe", "ja-emoji"}},
			{"捐款 channel:phone", []string{"zh-monthly", "zh-refund"}},
			{"department:財務", []string{"zh-receipt-simp", "zh-receipt-trad"}}, // 財務 folds to 财务
			{`department:"donor care"`, []string{"ja-receipt", "ja-complaint", "en-receipt"}},
			{"department:donor", []string{"ja-receipt", "ja-complaint", "en-receipt"}}, // part of a name
			{"department:ボランティア", []string{"ja-volunteer-hw", "ja-volunteer-fw", "zh-volunteer", "en-volunteer"}},
			{"assignee:ken@hope.example", []string{"ja-volunteer-fw", "en-receipt"}},
			{"assignee:tanaka", []string{"ja-volunteer-fw", "en-receipt"}},
			{"assignee:me", []string{"ja-receipt", "ja-card", "en-gala-note"}},
			{"is:mine", []string{"ja-receipt", "ja-card", "en-gala-note"}},
			{"is:mine is:open", []string{"ja-receipt", "en-gala-note"}},
			{"tag:receipt", []string{"ja-receipt", "zh-receipt-simp", "en-receipt"}},
			{"tag:monthly 捐款", []string{"zh-monthly"}},
			{"tag:newsletter tag:unsubscribe", []string{"en-unsubscribe"}}, // all must hold
			{"tag:newsletter tag:spam", nil},
			{"-tag:receipt 收据", []string{"zh-receipt-trad"}},
			{"tag:ＲＥＣＥＩＰＴ", []string{"ja-receipt", "zh-receipt-simp", "en-receipt"}}, // full width
			{"from:hanako.sato@example.jp", []string{"ja-receipt", "ja-address"}},
			{"from:佐藤", []string{"ja-receipt", "ja-address"}},
			{"from:陈美玲 學校", []string{"zh-school-trad"}},
			{`from:"sarah miller" receipt`, []string{"en-receipt"}},
			{"from:+44-20-7946-0958", []string{"en-receipt", "en-address", "en-callback", "en-ooo"}},
			{"receipt -from:sarah.miller@example.com", []string{"mixed-en-ja", "en-receipt-body", "ja-receipt", "zh-receipt-simp"}},
			{"lang:zh 收据", []string{"zh-receipt-simp", "zh-receipt-trad"}}, // zh finds zh-Hant too
			{"lang:zh-Hant", []string{"zh-receipt-trad", "zh-school-trad", "zh-trad-volunteer"}},
			{"lang:ko", []string{"ko-receipt"}},
			{"is:unassigned 寄付", []string{"ja-transfer"}},
			{"is:open lang:ja 電話", []string{"ja-complaint"}},
			{"created:>2000-01-01 영수증", []string{"ko-receipt"}},
			{"created:<2000-01-01 영수증", nil},
			{"-created:2000 영수증", []string{"ko-receipt"}},
		} {
			got := find(t, desk, c.q, search.Options{UserID: aiko, IncludeNotes: true, Limit: 100})
			slices.Sort(got)
			want := slices.Clone(c.want)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("%s: got %v, want %v", c.q, got, want)
			}
		}
	})
}

func TestRankingSubjectAboveBody(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		desk := setUpDesk(t, d)
		// receipt: in the subjects or tags of four tickets, three times
		// in the body only of en-receipt-body.
		got := find(t, desk, "receipt", search.Options{})
		if len(got) != 5 || got[4] != "en-receipt-body" {
			t.Errorf("receipt: %v; want the subject hits first", got)
		}
		// 領収書: subject of ja-receipt, mixed-en-ja and ja-fullwidth;
		// body of all three. An older ticket with it only in a message
		// ranks below them even though it is newest.
		desk.create(t, fxTicket{key: "ja-body-only", from: taro, subject: "お問い合わせ", body: "領収書の件です。", lang: "ja"})
		got = find(t, desk, "領収書", search.Options{})
		if len(got) != 4 || got[3] != "ja-body-only" {
			t.Errorf("領収書: %v; want the body-only ticket last", got)
		}
		// Sorted by recency, the newest comes first.
		got = find(t, desk, "領収書", search.Options{Sort: search.SortRecent})
		if len(got) != 4 || got[0] != "ja-body-only" {
			t.Errorf("領収書 by recency: %v", got)
		}
	})
}

// A ticket is searchable as soon as the transaction that created it
// commits, and a change that rolls back leaves no trace in the index.
func TestSearchableOnCommit(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		desk := setUpDesk(t, d)
		ctx := context.Background()
		tk, err := desk.svc.Create(ctx, audit.Actor{Name: "test"}, ticket.CreateInput{
			NewTicket: ticket.NewTicket{Subject: "新しい問い合わせ", Body: "クラウドファンディングの返礼品が届きません。", Language: "ja"},
			Supporter: supporter.NewSupporter{Email: "new.person@example.jp", Name: "新井 陽子"},
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range []string{"返礼品", "クラウドファンディング", "新井", "new.person@example.jp"} {
			res, err := desk.idx.Search(ctx, q, search.Options{})
			if err != nil {
				t.Fatal(err)
			}
			var ids []int64
			for _, h := range res.Items {
				if h.Type == search.TypeTicket {
					ids = append(ids, h.ID)
				}
			}
			if !slices.Contains(ids, tk.ID) {
				t.Errorf("%s: new ticket not found right after commit: %+v", q, res.Items)
			}
		}
		// The supporter was indexed in the same transaction.
		res, err := desk.idx.Search(ctx, "新井 陽子", search.Options{Type: search.TypeSupporter})
		if err != nil || len(res.Items) != 1 || res.Items[0].Title != "新井 陽子" {
			t.Errorf("supporter not indexed: %+v %v", res.Items, err)
		}
		// A reply and a status change are searchable at once too.
		agent := audit.Actor{UserID: desk.users["aiko@hope.example"].ID}
		if _, err := desk.svc.Reply(ctx, agent, ticket.ReplyInput{TicketID: tk.ID, Body: "配送業者に確認します。追跡番号 JP123456789"}); err != nil {
			t.Fatal(err)
		}
		if got := find(t, desk, "追跡番号 JP123456789", search.Options{}); len(got) != 1 {
			t.Errorf("reply not searchable: %v", got)
		}
		st := ticket.StatusPending
		if _, _, err := desk.svc.Update(ctx, agent, tk.ID, ticket.Patch{Status: &st}); err != nil {
			t.Fatal(err)
		}
		if got := find(t, desk, "返礼品 status:pending", search.Options{}); len(got) != 1 {
			t.Errorf("status change not searchable: %v", got)
		}

		// A hook failing after the index was written rolls everything back.
		failing := &ticket.Service{DB: d, Hooks: []ticket.Hook{desk.idx.Hook, func(context.Context, *sql.Tx, live.Event) error {
			return errors.New("boom")
		}}}
		_, err = failing.Create(ctx, audit.Actor{Name: "test"}, ticket.CreateInput{
			NewTicket: ticket.NewTicket{Subject: "rolled back", Body: "zeppelin"},
			Supporter: supporter.NewSupporter{Email: "gone@example.org"},
		})
		if err == nil {
			t.Fatal("expected the failing hook's error")
		}
		if got := find(t, desk, "zeppelin", search.Options{}); len(got) != 0 {
			t.Errorf("rolled-back ticket is in the index: %v", got)
		}
	})
}

// Texts analysed by Warm before the transaction index exactly as texts
// analysed inside it, and the transaction takes what was warmed.
func TestWarmedTextsIndexAlike(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		desk := setUpDesk(t, d)
		ctx := context.Background()
		warm := &ticket.Service{DB: d, Hooks: []ticket.Hook{desk.idx.Hook}, Warm: []ticket.Warmer{desk.idx.Warm}}
		in := ticket.CreateInput{
			NewTicket: ticket.NewTicket{Subject: "ﾏﾝｽﾘｰ寄付の領収書", Body: "月額寄付の領收據を再発行してください。電話 090-1234-5678", Language: "ja"},
			Supporter: supporter.NewSupporter{Email: "warm.one@example.jp", Name: "温井 春"},
		}
		cold, err := desk.svc.Create(ctx, audit.Actor{Name: "test"}, in)
		if err != nil {
			t.Fatal(err)
		}
		in.Supporter.Email = "warm.two@example.jp"
		taken := search.WarmedTaken()
		warmed, err := warm.Create(ctx, audit.Actor{Name: "test"}, in)
		if err != nil {
			t.Fatal(err)
		}
		if n := search.Warmed(); n != 0 {
			t.Errorf("%d warmed analyses were never taken", n)
		}
		if n := search.WarmedTaken() - taken; n != 2 {
			t.Errorf("the index used %d warmed analyses, want 2 (subject and message)", n)
		}
		for _, q := range []string{"マンスリー", "領収", "收据", "再発行", "09012345678", `"月額寄付"`} {
			res, err := desk.idx.Search(ctx, q, search.Options{})
			if err != nil {
				t.Fatal(err)
			}
			var ids []int64
			for _, h := range res.Items {
				ids = append(ids, h.ID)
			}
			if !slices.Contains(ids, cold.ID) || !slices.Contains(ids, warmed.ID) {
				t.Errorf("%s: found %v, want both %d (analysed in the transaction) and %d (warmed)", q, ids, cold.ID, warmed.ID)
			}
		}
	})
}

func TestNotesOnlyForStaff(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		desk := setUpDesk(t, d)
		ctx := context.Background()
		// Without notes: the note's words neither match nor exclude, and
		// snippets never show a note.
		res, err := desk.idx.Search(ctx, "flamingo", search.Options{Type: search.TypeTicket})
		if err != nil || len(res.Items) != 0 {
			t.Fatalf("note matched without IncludeNotes: %+v %v", res.Items, err)
		}
		res, err = desk.idx.Search(ctx, "stage", search.Options{Type: search.TypeTicket})
		if err != nil || len(res.Items) != 1 || strings.Contains(res.Items[0].Snippet, "flamingo") {
			t.Fatalf("stage without notes: %+v %v", res.Items, err)
		}
		res, err = desk.idx.Search(ctx, "flamingo", search.Options{Type: search.TypeTicket, IncludeNotes: true})
		if err != nil || len(res.Items) != 1 || !strings.Contains(res.Items[0].Snippet, "<mark>flamingo</mark>") {
			t.Fatalf("note with IncludeNotes: %+v %v", res.Items, err)
		}
		// Supporter notes likewise.
		sup, err := supporter.FindByIdentity(ctx, d.R, "email", "zoe@example.fr")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := d.W.ExecContext(ctx, "UPDATE supporters SET notes = 'prefers calls before noon; major gift prospect' WHERE id = $1", sup.ID); err != nil {
			t.Fatal(err)
		}
		if err := desk.idx.IndexSupporter(ctx, d.W, sup.ID); err != nil {
			t.Fatal(err)
		}
		res, _ = desk.idx.Search(ctx, "prospect", search.Options{Type: search.TypeSupporter})
		if len(res.Items) != 0 {
			t.Errorf("supporter note matched without IncludeNotes: %+v", res.Items)
		}
		res, _ = desk.idx.Search(ctx, "prospect", search.Options{Type: search.TypeSupporter, IncludeNotes: true})
		if len(res.Items) != 1 || res.Items[0].ID != sup.ID {
			t.Errorf("supporter note with IncludeNotes: %+v", res.Items)
		}
	})
}

func TestSupporters(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		desk := setUpDesk(t, d)
		ctx := context.Background()
		for _, c := range []struct{ q, want string }{
			{"佐藤 花子", "佐藤 花子"},
			{"花子", "佐藤 花子"},
			{"陈美玲", "陳美玲"},
			{"zoe", "Zoë Dupré"},
			{"Dupre", "Zoë Dupré"},
			{"hanako.sato@example.jp", "佐藤 花子"},
			{"HANAKO.SATO@EXAMPLE.JP", "佐藤 花子"},
			{"03-1234-5678", "佐藤 花子"},
			{"+81 3 1234 5678", "佐藤 花子"},
			{"09011112222", "鈴木 一郎"},
			{"13800138000", "王伟"},
			{"민준", "김민준"},
			{"o'brien", "James O'Brien"},
		} {
			res, err := desk.idx.Search(ctx, c.q, search.Options{Type: search.TypeSupporter})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Items) == 0 || res.Items[0].Title != c.want {
				t.Errorf("%s: %+v, want %s first", c.q, res.Items, c.want)
				continue
			}
			if !strings.Contains(res.Items[0].Snippet, "<mark>") {
				t.Errorf("%s: snippet without a mark: %q", c.q, res.Items[0].Snippet)
			}
		}
		// Both types: supporters first (at most SupportersFirst), then tickets.
		res, err := desk.idx.Search(ctx, "陳美玲", search.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Items) != 4 || res.Items[0].Type != search.TypeSupporter || res.Items[1].Type != search.TypeTicket {
			t.Errorf("mixed search: %+v", res.Items)
		}
		// Filters make it a ticket search.
		res, err = desk.idx.Search(ctx, "陳美玲 status:new", search.Options{})
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range res.Items {
			if h.Type != search.TypeTicket {
				t.Errorf("filtered search returned %+v", h)
			}
		}
	})
}

func TestHitsAndSnippets(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		desk := setUpDesk(t, d)
		res, err := desk.idx.Search(context.Background(), "收据", search.Options{Type: search.TypeTicket})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Items) != 2 {
			t.Fatalf("收据: %+v", res.Items)
		}
		for _, h := range res.Items {
			if h.Number == 0 || h.Status == "" || h.UpdatedAt.IsZero() || h.Title == "" || h.Score <= 0 {
				t.Errorf("incomplete hit %+v", h)
			}
			// Traditional 收據 is marked for the simplified query.
			if !strings.Contains(h.Snippet, "<mark>收据</mark>") && !strings.Contains(h.Snippet, "<mark>收據</mark>") {
				t.Errorf("snippet %q", h.Snippet)
			}
		}
		// Snippets are HTML-escaped.
		desk.create(t, fxTicket{key: "html", from: james, subject: "<b>bold</b> request", body: "<script>alert('x')</script> gala & auction"})
		res, err = desk.idx.Search(context.Background(), "auction", search.Options{Type: search.TypeTicket})
		if err != nil || len(res.Items) != 1 {
			t.Fatalf("auction: %+v %v", res.Items, err)
		}
		if s := res.Items[0].Snippet; strings.Contains(s, "<script>") || !strings.Contains(s, "&lt;script&gt;") || !strings.Contains(s, "<mark>auction</mark>") {
			t.Errorf("snippet not escaped: %q", s)
		}
	})
}

func TestPaging(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		desk := setUpDesk(t, d)
		gen := genCorpus(120)
		desk.createGenerated(t, gen)
		want := genMatches(gen, "捐款")
		for _, sortBy := range []string{search.SortRelevance, search.SortRecent} {
			var all []string
			seen := map[string]bool{}
			o := search.Options{Type: search.TypeTicket, Limit: 7, Sort: sortBy}
			for i := 0; ; i++ {
				res, err := desk.idx.Search(context.Background(), "捐款", o)
				if err != nil {
					t.Fatal(err)
				}
				if len(res.Items) > 7 {
					t.Fatalf("page of %d", len(res.Items))
				}
				for _, h := range res.Items {
					k := desk.keys[h.ID]
					if seen[k] {
						t.Fatalf("%s: %s twice", sortBy, k)
					}
					seen[k] = true
					if strings.HasPrefix(k, "gen-") {
						all = append(all, k)
					}
				}
				if res.NextCursor == "" {
					break
				}
				o.Cursor = res.NextCursor
			}
			slices.Sort(all)
			if !slices.Equal(all, want) {
				t.Errorf("%s: paged %d, want %d", sortBy, len(all), len(want))
			}
		}
	})
}

func TestBadQueries(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		desk := setUpDesk(t, d)
		ctx := context.Background()
		for _, c := range []struct {
			q     string
			o     search.Options
			field string
			code  string
		}{
			{"", search.Options{}, "q", "required"},
			{"   ", search.Options{}, "q", "required"},
			{"status:sleeping", search.Options{}, "q", "invalid"},
			{"created:2026-13-01", search.Options{}, "q", "invalid"},
			{"created:yesterday", search.Options{}, "q", "invalid"},
			{"is:everything", search.Options{}, "q", "invalid"},
			{"lang:xx-!!", search.Options{}, "q", "invalid"},
			{"type:question", search.Options{}, "q", "invalid"},
			{"channel:fax", search.Options{}, "q", "invalid"},
			{"department:nowhere", search.Options{}, "q", "unknown"},
			{"assignee:nobody@example.org", search.Options{}, "q", "unknown"},
			{"assignee:me", search.Options{}, "q", "invalid"}, // no user
			{"is:mine", search.Options{}, "q", "invalid"},
			{"status:open", search.Options{Type: search.TypeSupporter}, "q", "invalid"},
			{"receipt", search.Options{Type: "article"}, "type", "invalid"},
			{"receipt", search.Options{Sort: "oldest"}, "sort", "invalid"},
			{"receipt", search.Options{Limit: 1000}, "limit", "invalid"},
			{"receipt", search.Options{Cursor: "!!!"}, "cursor", "invalid"},
			{"receipt", search.Options{Cursor: "dDEyMw"}, "cursor", "invalid"}, // a recency cursor for a relevance search
			{strings.Repeat("寄付", 300), search.Options{}, "q", "too_long"},
			{strings.Repeat("word ", 30), search.Options{}, "q", "too_long"},
		} {
			_, err := desk.idx.Search(ctx, c.q, c.o)
			inv, ok := errs.AsInvalid(err)
			if !ok || inv.Field != c.field || inv.Code != c.code {
				t.Errorf("%q %+v: got %v, want %s/%s", c.q, c.o, err, c.field, c.code)
				continue
			}
			if inv.Message == "" {
				t.Errorf("%q: no message", c.q)
			}
		}
		// Query syntax that is not a filter is text, never an error.
		for _, q := range []string{`"unclosed`, "foo:bar", "https://example.org/a?b=c", "-", "--x", `""`, "(a OR b)", "*", "NEAR(x y)", "'; DROP TABLE tickets; --"} {
			if _, err := desk.idx.Search(ctx, q, search.Options{}); err != nil {
				var inv *errs.Invalid
				if !errors.As(err, &inv) || inv.Code != "required" {
					t.Errorf("%q: %v", q, err)
				}
			}
		}
	})
}

// Reindex keeps documents that hooks wrote while it ran, and rebuilds the
// same answers as incremental indexing (see also TestLabelledQueries).
func TestReindexKeepsNewerDocuments(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		desk := setUpDesk(t, d)
		ctx := context.Background()
		before := find(t, desk, "寄付", search.Options{})
		st, err := search.Reindex(ctx, d, func(string, ...any) {})
		if err != nil {
			t.Fatal(err)
		}
		if st.Tickets != len(fxTickets) || st.Supporters == 0 || st.Messages < len(fxTickets) || st.TextBytes == 0 {
			t.Errorf("stats %+v", st)
		}
		after := find(t, desk, "寄付", search.Options{})
		if !slices.Equal(before, after) {
			t.Errorf("reindex changed the ranking: %v → %v", before, after)
		}
		// Tickets written after a reindex are newer in recency order.
		id := desk.create(t, fxTicket{key: "after", from: taro, subject: "寄付の方法", body: "寄付の方法を教えてください。"})
		got := find(t, desk, "寄付", search.Options{Sort: search.SortRecent})
		if len(got) == 0 || got[0] != "after" {
			t.Errorf("recency after reindex: %v (id %d)", got, id)
		}
	})
}

// Both engines give the same answers to every labelled query.
func TestEnginesAgree(t *testing.T) {
	results := map[string]map[string][]string{}
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		desk := setUpDesk(t, d)
		got := map[string][]string{}
		for _, lq := range handQueries {
			got[fmt.Sprintf("%s|%v", lq.q, lq.notes)] = keysOf(desk, searchAll(t, desk.idx, lq.q, search.Options{IncludeNotes: lq.notes}))
		}
		results[string(d.Engine)] = got
	})
	a, b := results["sqlite"], results["postgres"]
	if a == nil || b == nil {
		t.Skip("needs both engines")
	}
	for q, keys := range a {
		if !slices.Equal(keys, b[q]) {
			t.Errorf("%s: sqlite %v, postgres %v", q, keys, b[q])
		}
	}
}

// A supporter's own document is written with their first ticket, and again
// when a later ticket gives a nameless supporter a name (supporter.Resolve).
func TestSupporterDocumentFollowsResolve(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		idx := search.New(d)
		svc := &ticket.Service{DB: d, Hooks: []ticket.Hook{idx.Hook}}
		create := func(name string) {
			t.Helper()
			_, err := svc.Create(ctx, audit.Actor{Name: "test"}, ticket.CreateInput{
				NewTicket: ticket.NewTicket{Subject: "寄付の領収書", Body: "领取收据"},
				Supporter: supporter.NewSupporter{Email: "anon@example.cn", Name: name}})
			if err != nil {
				t.Fatal(err)
			}
		}
		count := func(q string) int {
			t.Helper()
			res, err := idx.Search(ctx, q, search.Options{Type: search.TypeSupporter})
			if err != nil {
				t.Fatal(err)
			}
			return len(res.Items)
		}
		create("")
		if n := count("anon@example.cn"); n != 1 {
			t.Fatalf("new supporter found %d times by address", n)
		}
		create("张伟明")
		if n := count("张伟明"); n != 1 {
			t.Fatalf("the name given by the second ticket found %d supporters", n)
		}
		create("") // unchanged supporter: still found once
		if n := count("張偉明"); n != 1 {
			t.Fatalf("traditional form of the name found %d supporters", n)
		}
	})
}
