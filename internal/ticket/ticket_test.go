package ticket_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"testing"

	"github.com/steward-desk/steward/internal/audit"
	"github.com/steward-desk/steward/internal/db"
	"github.com/steward-desk/steward/internal/db/dbtest"
	"github.com/steward-desk/steward/internal/errs"
	"github.com/steward-desk/steward/internal/live"
	"github.com/steward-desk/steward/internal/staff"
	"github.com/steward-desk/steward/internal/supporter"
	"github.com/steward-desk/steward/internal/ticket"
)

func newService(t *testing.T, d *db.DB) (*ticket.Service, *live.Local, staff.User) {
	t.Helper()
	b := live.NewLocal()
	u, err := staff.CreateUser(context.Background(), d.W, staff.NewUser{Email: "aiko@example.org", Name: "佐藤 愛子", Role: staff.Agent})
	if err != nil {
		t.Fatal(err)
	}
	return &ticket.Service{DB: d, Live: b}, b, u
}

func TestTicketLifecycle(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		svc, broker, agent := newService(t, d)
		events, stop := broker.Subscribe()
		defer stop()
		actor := audit.Actor{UserID: agent.ID, Name: agent.Name}

		tk, err := svc.Create(ctx, audit.Actor{Name: "api"}, ticket.CreateInput{
			NewTicket: ticket.NewTicket{Subject: "寄付金の領収書について", Body: "昨年の寄付金の領収書がまだ届いていません。", Channel: "email", Language: "ja", Tags: []string{"Receipt", "receipt", " 領収書 "}},
			Supporter: supporter.NewSupporter{Email: "Hanako.Sato@Example.JP", Name: "佐藤 花子"},
		})
		if err != nil {
			t.Fatal(err)
		}
		if tk.Status != ticket.StatusNew || tk.Number == 0 || tk.MessageCount != 1 {
			t.Fatalf("new ticket: %+v", tk)
		}
		if fmt.Sprint(tk.Tags) != "[receipt 領収書]" {
			t.Fatalf("tags not normalised: %v", tk.Tags)
		}
		if e := <-events; e.Type != "ticket.created" || e.TicketID != tk.ID {
			t.Fatalf("event %+v", e)
		}
		// The same supporter writing again (any case) is the same person.
		tk2, err := svc.Create(ctx, audit.Actor{Name: "api"}, ticket.CreateInput{
			NewTicket: ticket.NewTicket{Subject: "住所変更", Body: "引っ越しました。"},
			Supporter: supporter.NewSupporter{Email: "hanako.sato@example.jp"},
		})
		if err != nil {
			t.Fatal(err)
		}
		if tk2.SupporterID != tk.SupporterID || tk2.Number <= tk.Number {
			t.Fatalf("second ticket: supporter %d vs %d, number %d vs %d", tk2.SupporterID, tk.SupporterID, tk2.Number, tk.Number)
		}

		// A note does not count as a first response; a reply does and opens the ticket.
		if _, err := svc.Reply(ctx, actor, ticket.ReplyInput{TicketID: tk.ID, Body: "経理に確認中", Internal: true}); err != nil {
			t.Fatal(err)
		}
		got, _ := ticket.Get(ctx, d.R, tk.ID)
		if got.FirstResponseAt != nil || got.Status != ticket.StatusNew {
			t.Fatalf("after note: %+v", got)
		}
		if _, err := svc.Reply(ctx, actor, ticket.ReplyInput{TicketID: tk.ID, Body: "佐藤様、領収書を再送いたしました。"}); err != nil {
			t.Fatal(err)
		}
		got, _ = ticket.Get(ctx, d.R, tk.ID)
		if got.FirstResponseAt == nil || got.Status != ticket.StatusOpen || got.MessageCount != 3 || got.Preview != "佐藤様、領収書を再送いたしました。" {
			t.Fatalf("after reply: %+v", got)
		}
		withNotes, _ := ticket.Messages(ctx, d.R, tk.ID, true)
		public, _ := ticket.Messages(ctx, d.R, tk.ID, false)
		if len(withNotes) != 3 || len(public) != 2 || withNotes[2].AuthorName != "佐藤 愛子" || withNotes[0].AuthorName != "佐藤 花子" {
			t.Fatalf("messages: %d with notes, %d public; %+v", len(withNotes), len(public), withNotes)
		}

		// Resolve, then the supporter writes again: reopened, resolved_at cleared.
		resolved := ticket.StatusResolved
		got, changes, err := svc.Update(ctx, actor, tk.ID, ticket.Patch{Status: &resolved, AssigneeID: &agent.ID})
		if err != nil || len(changes) != 2 || got.ResolvedAt == nil || *got.AssigneeID != agent.ID {
			t.Fatalf("resolve: %v %+v %+v", err, changes, got)
		}
		sid := tk.SupporterID
		if _, err := ticket.AddMessage(ctx, d.W, ticket.NewMessage{TicketID: tk.ID, Direction: ticket.In, AuthorSupporterID: &sid, BodyText: "届きました、ありがとう"}); err != nil {
			t.Fatal(err)
		}
		got, _ = ticket.Get(ctx, d.R, tk.ID)
		if got.Status != ticket.StatusOpen || got.ResolvedAt != nil {
			t.Fatalf("reopen: %+v", got)
		}
		// Clearing the assignee.
		got, _, err = svc.Update(ctx, actor, tk.ID, ticket.Patch{ClearAssignee: true})
		if err != nil || got.AssigneeID != nil {
			t.Fatalf("clear assignee: %v %+v", err, got)
		}
		entries, _ := audit.ListFor(ctx, d.R, "ticket", tk.ID)
		if len(entries) != 5 { // create, note, reply, update, update
			t.Fatalf("audit entries: %d %+v", len(entries), entries)
		}
	})
}

func TestBadInputChangesNothing(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		svc, _, agent := newService(t, d)
		actor := audit.Actor{UserID: agent.ID}
		for _, tc := range []struct {
			in    ticket.CreateInput
			field string
		}{
			{ticket.CreateInput{NewTicket: ticket.NewTicket{Subject: " ", Body: "x"}, Supporter: supporter.NewSupporter{Email: "a@b.org"}}, "subject"},
			{ticket.CreateInput{NewTicket: ticket.NewTicket{Subject: "x", Body: ""}, Supporter: supporter.NewSupporter{Email: "a@b.org"}}, "body"},
			{ticket.CreateInput{NewTicket: ticket.NewTicket{Subject: "x", Body: "y", Channel: "pigeon"}, Supporter: supporter.NewSupporter{Email: "a@b.org"}}, "channel"},
			{ticket.CreateInput{NewTicket: ticket.NewTicket{Subject: "x", Body: "y"}, Supporter: supporter.NewSupporter{Email: "not an email"}}, "supporter.email"},
			{ticket.CreateInput{NewTicket: ticket.NewTicket{Subject: "x", Body: "y", Tags: []string{"two words"}}, Supporter: supporter.NewSupporter{Email: "a@b.org"}}, "tags"},
			{ticket.CreateInput{NewTicket: ticket.NewTicket{Subject: "x\x00y", Body: "y"}, Supporter: supporter.NewSupporter{Email: "a@b.org"}}, "subject"},
			{ticket.CreateInput{NewTicket: ticket.NewTicket{Subject: "x", Body: "a\x00b"}, Supporter: supporter.NewSupporter{Email: "a@b.org"}}, "body"},
			{ticket.CreateInput{NewTicket: ticket.NewTicket{Subject: "x", Body: "y", DepartmentID: ptr(999)}, Supporter: supporter.NewSupporter{Email: "a@b.org"}}, "department_id"},
			{ticket.CreateInput{NewTicket: ticket.NewTicket{Subject: "x", Body: "y", AssigneeID: ptr(999)}, Supporter: supporter.NewSupporter{Email: "a@b.org"}}, "assignee_id"},
		} {
			_, err := svc.Create(ctx, actor, tc.in)
			inv, ok := errs.AsInvalid(err)
			if !ok || inv.Field != tc.field {
				t.Errorf("%+v: got %v, want invalid %s", tc.in, err, tc.field)
			}
		}
		var n int
		d.R.QueryRowContext(ctx, "SELECT (SELECT COUNT(*) FROM tickets) + (SELECT COUNT(*) FROM supporters) + (SELECT COUNT(*) FROM messages)").Scan(&n)
		if n != 0 {
			t.Fatalf("rejected input stored %d rows", n)
		}
		if _, err := svc.Reply(ctx, actor, ticket.ReplyInput{TicketID: 999, Body: "hi"}); !errors.Is(err, errs.ErrNotFound) {
			t.Fatalf("reply to missing ticket: %v", err)
		}
		bad := ticket.Status("done-ish")
		tk, err := svc.Create(ctx, actor, ticket.CreateInput{NewTicket: ticket.NewTicket{Subject: "ok", Body: "ok"}, Supporter: supporter.NewSupporter{Email: "a@b.org"}})
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := svc.Update(ctx, actor, tk.ID, ticket.Patch{Status: &bad}); err == nil {
			t.Fatal("unknown status accepted")
		}
		missing := int64(424242)
		if _, _, err := svc.Update(ctx, actor, tk.ID, ticket.Patch{AssigneeID: &missing}); err == nil {
			t.Fatal("unknown assignee accepted")
		}
	})
}

func TestHTMLIsSanitisedOnStore(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		svc, _, _ := newService(t, d)
		tk, err := svc.Create(ctx, audit.System, ticket.CreateInput{
			NewTicket: ticket.NewTicket{Subject: `"><script>alert(1)</script>`, Body: "收据", BodyHTML: `<p onclick="x()">收据</p><script>alert(1)</script>`},
			Supporter: supporter.NewSupporter{Email: "wang@example.cn", Name: "王伟"},
		})
		if err != nil {
			t.Fatal(err)
		}
		ms, _ := ticket.Messages(ctx, d.R, tk.ID, true)
		if ms[0].BodyHTML != "<p>收据</p>" {
			t.Fatalf("stored html %q", ms[0].BodyHTML)
		}
		// Subjects are text: stored verbatim, escaped where shown.
		if tk.Subject != `"><script>alert(1)</script>` {
			t.Fatalf("subject changed: %q", tk.Subject)
		}
	})
}

func TestViewsAndKeysetPagination(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		svc, _, agent := newService(t, d)
		dept, err := staff.CreateDepartment(ctx, d.W, "捐赠者服务", "")
		if err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for i := 0; i < 25; i++ {
			tk, err := svc.Create(ctx, audit.System, ticket.CreateInput{
				NewTicket: ticket.NewTicket{Subject: fmt.Sprintf("关于捐款收据 %d", i), Body: "请问收据什么时候寄出？"},
				Supporter: supporter.NewSupporter{Email: fmt.Sprintf("donor%d@example.cn", i%7)},
			})
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, tk.ID)
		}
		pending, open := ticket.StatusPending, ticket.StatusOpen
		for i, id := range ids {
			p := ticket.Patch{}
			switch i % 5 {
			case 0:
				p.AssigneeID = &agent.ID
			case 1:
				p.Status = &pending
				p.AssigneeID = &agent.ID
			case 2:
				p.DepartmentID = &dept.ID
				p.Status = &open
			case 3:
				s := ticket.StatusResolved
				p.Status = &s
			}
			if _, _, err := svc.Update(ctx, audit.System, id, p); err != nil {
				t.Fatal(err)
			}
		}
		counts, err := ticket.CountViews(ctx, d.R, agent.ID, []int64{dept.ID})
		if err != nil {
			t.Fatal(err)
		}
		want := map[ticket.View]int{ticket.ViewMine: 10, ticket.ViewUnassigned: 10, ticket.ViewDepartments: 5, ticket.ViewOpen: 15, ticket.ViewPending: 5, ticket.ViewResolved: 5}
		for v, n := range want {
			if counts[v] != n {
				t.Errorf("view %s: %d, want %d", v, counts[v], n)
			}
		}
		// Page through everything 7 at a time: every ticket once, newest first.
		seen := map[int64]bool{}
		cur := ""
		pages := 0
		var prev *ticket.Ticket
		for {
			items, next, err := ticket.List(ctx, d.R, ticket.Filter{View: ticket.ViewAll, Cursor: cur, Limit: 7})
			if err != nil {
				t.Fatal(err)
			}
			for i := range items {
				if seen[items[i].ID] {
					t.Fatalf("ticket %d twice", items[i].ID)
				}
				seen[items[i].ID] = true
				if prev != nil && (items[i].UpdatedAt.After(prev.UpdatedAt) || (items[i].UpdatedAt.Equal(prev.UpdatedAt) && items[i].ID > prev.ID)) {
					t.Fatalf("order broken at %d", items[i].ID)
				}
				prev = &items[i]
			}
			pages++
			if next == "" {
				break
			}
			cur = next
		}
		if len(seen) != 25 || pages != 4 {
			t.Fatalf("saw %d tickets in %d pages", len(seen), pages)
		}
		if _, _, err := ticket.List(ctx, d.R, ticket.Filter{Cursor: "!!"}); err == nil {
			t.Fatal("malformed cursor accepted")
		}
		mine, _, _ := ticket.List(ctx, d.R, ticket.Filter{View: ticket.ViewMine, UserID: agent.ID})
		if len(mine) != 10 || mine[0].AssigneeName != "佐藤 愛子" {
			t.Fatalf("mine: %d", len(mine))
		}
	})
}

func ptr(v int64) *int64 { return &v }

// Views that span several index ranges (mine: open + pending; several
// departments) are read range by range and merged; paging through them
// must give exactly the tickets, in order, that a plain filter would.
func TestMultiRangeViewsPageLikeOneQuery(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		svc, _, agent := newService(t, d)
		d1, _ := staff.CreateDepartment(ctx, d.W, "寄付者ケア", "")
		d2, _ := staff.CreateDepartment(ctx, d.W, "志愿者", "")
		statuses := []ticket.Status{ticket.StatusOpen, ticket.StatusPending, ticket.StatusPendingInvestigation, ticket.StatusResolved, ticket.StatusNew}
		for i := 0; i < 40; i++ {
			tk, err := svc.Create(ctx, audit.System, ticket.CreateInput{
				NewTicket: ticket.NewTicket{Subject: fmt.Sprintf("件名 %d", i), Body: "本文"},
				Supporter: supporter.NewSupporter{Email: fmt.Sprintf("s%d@example.org", i%9)},
			})
			if err != nil {
				t.Fatal(err)
			}
			st := statuses[i%len(statuses)]
			p := ticket.Patch{Status: &st}
			if i%3 != 0 {
				p.AssigneeID = &agent.ID
			}
			dep := []int64{d1.ID, d2.ID}[i%2]
			p.DepartmentID = &dep
			if _, _, err := svc.Update(ctx, audit.System, tk.ID, p); err != nil {
				t.Fatal(err)
			}
		}
		all, _, _ := ticket.List(ctx, d.R, ticket.Filter{View: ticket.ViewAll, Limit: 200})
		for _, c := range []struct {
			f    ticket.Filter
			want func(ticket.Ticket) bool
		}{
			{ticket.Filter{View: ticket.ViewMine, UserID: agent.ID}, func(x ticket.Ticket) bool {
				return x.AssigneeID != nil && *x.AssigneeID == agent.ID && x.Status.Group() != "done"
			}},
			{ticket.Filter{View: ticket.ViewDepartments, DepartmentIDs: []int64{d1.ID, d2.ID}}, func(x ticket.Ticket) bool {
				return x.DepartmentID != nil && x.Status.Group() == "open"
			}},
		} {
			var want []int64
			for _, x := range all {
				if c.want(x) {
					want = append(want, x.ID)
				}
			}
			var got []int64
			f := c.f
			f.Limit = 4
			for {
				items, next, err := ticket.List(ctx, d.R, f)
				if err != nil {
					t.Fatal(err)
				}
				for _, x := range items {
					got = append(got, x.ID)
				}
				if next == "" {
					break
				}
				f.Cursor = next
			}
			if fmt.Sprint(got) != fmt.Sprint(want) || len(want) == 0 {
				t.Errorf("view %s paged %v, want %v", c.f.View, got, want)
			}
		}
	})
}

func TestUnknownSupporterIsAFieldError(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		err := d.Tx(ctx, func(tx *sql.Tx) error {
			_, _, err := ticket.Create(ctx, d, tx, ticket.NewTicket{Subject: "x", Body: "y", SupporterID: 424242})
			return err
		})
		if inv, ok := errs.AsInvalid(err); !ok || inv.Field != "supporter_id" {
			t.Fatalf("unknown supporter: %v", err)
		}
	})
}

// Messages carries each message's attachments, and notes only when asked.
func TestMessagesWithAttachments(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		svc, _, agent := newService(t, d)
		tk, err := svc.Create(ctx, audit.Actor{Name: "api"}, ticket.CreateInput{
			NewTicket: ticket.NewTicket{Subject: "收据", Body: "请重新开具去年的捐款收据。", Language: "zh"},
			Supporter: supporter.NewSupporter{Email: "li.na@example.cn"},
		})
		if err != nil {
			t.Fatal(err)
		}
		plain, err := ticket.Messages(ctx, d.R, tk.ID, true)
		if err != nil || len(plain) != 1 || len(plain[0].Attachments) != 0 {
			t.Fatalf("a ticket without attachments: %+v, %v", plain, err)
		}
		reply, err := svc.Reply(ctx, audit.Actor{UserID: agent.ID}, ticket.ReplyInput{TicketID: tk.ID, Body: "已附上收据。"})
		if err != nil {
			t.Fatal(err)
		}
		note, err := svc.Reply(ctx, audit.Actor{UserID: agent.ID}, ticket.ReplyInput{TicketID: tk.ID, Body: "内部メモ", Internal: true})
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range []ticket.Attachment{
			{MessageID: reply.ID, Filename: "收据 2026.pdf", ContentType: "application/pdf", Size: 8, SHA256: "aa"},
			{MessageID: reply.ID, Filename: "明细.csv", ContentType: "text/csv", Size: 3, SHA256: "bb"},
			{MessageID: note.ID, Filename: "memo.txt", ContentType: "text/plain", Size: 1, SHA256: "cc"},
		} {
			if err := d.Tx(ctx, func(tx *sql.Tx) error { _, err := ticket.AddAttachment(ctx, tx, a); return err }); err != nil {
				t.Fatal(err)
			}
		}
		all, err := ticket.Messages(ctx, d.R, tk.ID, true)
		if err != nil || len(all) != 3 {
			t.Fatalf("messages: %+v, %v", all, err)
		}
		names := func(m ticket.Message) string {
			var s []string
			for _, a := range m.Attachments {
				s = append(s, a.Filename)
			}
			return fmt.Sprint(s)
		}
		if got := []string{names(all[0]), names(all[1]), names(all[2])}; fmt.Sprint(got) != "[[] [收据 2026.pdf 明细.csv] [memo.txt]]" {
			t.Errorf("attachments by message: %v", got)
		}
		public, err := ticket.Messages(ctx, d.R, tk.ID, false)
		if err != nil || len(public) != 2 || names(public[1]) != "[收据 2026.pdf 明细.csv]" {
			t.Errorf("without notes: %+v, %v", public, err)
		}
	})
}
