package demo_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/steward-desk/steward/internal/db"
	"github.com/steward-desk/steward/internal/db/dbtest"
	"github.com/steward-desk/steward/internal/demo"
	"github.com/steward-desk/steward/internal/live"
	"github.com/steward-desk/steward/internal/org"
	"github.com/steward-desk/steward/internal/staff"
	"github.com/steward-desk/steward/internal/ticket"
)

func count(t *testing.T, d *db.DB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := d.R.QueryRowContext(context.Background(), query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

func TestSeedDefault(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		now := time.Now()
		hooked := map[int64]int{}
		hook := func(ctx context.Context, tx *sql.Tx, e live.Event) error {
			var created int64
			if err := tx.QueryRowContext(ctx, "SELECT created_at FROM tickets WHERE id = $1", e.TicketID).Scan(&created); err != nil {
				return err
			}
			if created > now.UnixMilli() || e.Type != "ticket.created" {
				return fmt.Errorf("hook ran before the ticket was backdated: %+v", e)
			}
			hooked[e.TicketID]++
			return nil
		}
		res, err := demo.Seed(ctx, d, demo.Options{Seed: 1, Hooks: []ticket.Hook{hook}})
		if err != nil {
			t.Fatal(err)
		}
		if res.Bulk {
			t.Fatal("the default size took the bulk path")
		}
		if res.Tickets != demo.DefaultTickets || res.Supporters != demo.DefaultSupporters {
			t.Fatalf("result %+v", res)
		}
		for table, want := range map[string]int{
			"tickets": res.Tickets, "messages": res.Messages, "ticket_tags": res.Tags,
			"supporters": res.Supporters, "users": res.Staff, "departments": res.Departments,
		} {
			if got := count(t, d, "SELECT COUNT(*) FROM "+table); got != want {
				t.Errorf("%s: %d rows, result says %d", table, got, want)
			}
		}
		if len(hooked) != res.Tickets {
			t.Errorf("hooks ran for %d tickets of %d", len(hooked), res.Tickets)
		}
		if res.Messages < res.Tickets || res.Messages > 6*res.Tickets {
			t.Errorf("%d messages for %d tickets", res.Messages, res.Tickets)
		}
		if res.Staff < 6 || res.Departments < 2 {
			t.Errorf("staff %d, departments %d", res.Staff, res.Departments)
		}

		s, err := org.Get(ctx, d.R)
		if err != nil {
			t.Fatal(err)
		}
		if s.TimeZone != "Asia/Tokyo" || s.FirstReplyMinutes != 1440 || !strings.Contains(s.Name, "希望") || s.ServiceScope == "" {
			t.Errorf("settings %+v", s)
		}
		admin, err := staff.GetUserByEmail(ctx, d.R, res.AdminEmail)
		if err != nil || admin.Role != staff.Admin {
			t.Fatalf("admin %+v: %v", admin, err)
		}
		if len(res.Password) < 16 {
			t.Errorf("password %q", res.Password)
		}

		// Every inbox view has something in it for an agent.
		agent, err := staff.GetUserByEmail(ctx, d.R, res.StaffEmails[2])
		if err != nil {
			t.Fatal(err)
		}
		counts, err := ticket.CountViews(ctx, d.R, agent.ID, agent.DepartmentIDs)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range ticket.Views {
			if counts[v] == 0 {
				t.Errorf("view %s is empty for %s: %v", v, agent.Email, counts)
			}
			page, _, err := ticket.List(ctx, d.R, ticket.Filter{View: v, UserID: agent.ID, DepartmentIDs: agent.DepartmentIDs})
			if err != nil || len(page) == 0 {
				t.Errorf("list %s: %d tickets, %v", v, len(page), err)
			}
		}

		// Japanese and Chinese conversations.
		if n := count(t, d, "SELECT COUNT(*) FROM tickets WHERE language = 'ja' AND (subject LIKE '%領収書%' OR subject LIKE '%申し込み%' OR subject LIKE '%について%')"); n == 0 {
			t.Error("no Japanese ticket")
		}
		if n := count(t, d, "SELECT COUNT(*) FROM tickets WHERE language = 'zh' AND (subject LIKE '%收据%' OR subject LIKE '%报名%' OR subject LIKE '%捐款%')"); n == 0 {
			t.Error("no Chinese ticket")
		}
		for _, st := range ticket.Statuses {
			if n := count(t, d, "SELECT COUNT(*) FROM tickets WHERE status = $1", st); n == 0 {
				t.Errorf("no ticket is %s", st)
			}
		}
		for _, dir := range []string{"in", "out", "note"} {
			if n := count(t, d, "SELECT COUNT(*) FROM messages WHERE direction = $1", dir); n == 0 {
				t.Errorf("no %s message", dir)
			}
		}

		checkConsistent(t, d, now)

		// A second run refuses.
		if _, err := demo.Seed(ctx, d, demo.Options{}); !errors.Is(err, demo.ErrNotEmpty) {
			t.Fatalf("second seed: %v", err)
		}
	})
}

// checkConsistent checks what every ticket row must agree with.
func checkConsistent(t *testing.T, d *db.DB, now time.Time) {
	t.Helper()
	upper := now.Add(time.Minute).UnixMilli()
	lower := now.Add(-92 * 24 * time.Hour).UnixMilli()
	checks := map[string]string{
		"status_group": `SELECT COUNT(*) FROM tickets WHERE status_group <> CASE
			WHEN status IN ('new', 'open') THEN 'open' WHEN status IN ('pending', 'pending-investigation') THEN 'pending' ELSE 'done' END`,
		"message_count": `SELECT COUNT(*) FROM tickets t WHERE message_count <> (SELECT COUNT(*) FROM messages m WHERE m.ticket_id = t.id)`,
		"first_response": `SELECT COUNT(*) FROM tickets t WHERE first_response_at IS DISTINCT FROM
			(SELECT MIN(created_at) FROM messages m WHERE m.ticket_id = t.id AND m.direction = 'out')`,
		"resolved": `SELECT COUNT(*) FROM tickets WHERE (resolved_at IS NULL) = (status_group = 'done')`,
		"created":  `SELECT COUNT(*) FROM tickets t WHERE created_at <> (SELECT MIN(created_at) FROM messages m WHERE m.ticket_id = t.id)`,
		"updated":  `SELECT COUNT(*) FROM tickets t WHERE updated_at < (SELECT MAX(created_at) FROM messages m WHERE m.ticket_id = t.id)`,
		"order":    `SELECT COUNT(*) FROM tickets WHERE first_response_at < created_at OR resolved_at < created_at OR updated_at < created_at`,
		"window":   fmt.Sprintf(`SELECT COUNT(*) FROM tickets WHERE created_at < %d OR updated_at > %d`, lower, upper),
		"new":      `SELECT COUNT(*) FROM tickets WHERE status = 'new' AND first_response_at IS NOT NULL`,
		"preview":  `SELECT COUNT(*) FROM tickets WHERE preview = '' AND EXISTS (SELECT 1 FROM messages m WHERE m.ticket_id = tickets.id AND m.direction <> 'note')`,
		"authors": `SELECT COUNT(*) FROM messages WHERE (direction = 'in' AND (author_supporter_id IS NULL OR author_user_id IS NOT NULL))
			OR (direction <> 'in' AND (author_user_id IS NULL OR author_supporter_id IS NOT NULL))`,
	}
	for name, q := range checks {
		if n := count(t, d, q); n != 0 {
			t.Errorf("%s: %d tickets disagree (%s)", name, n, q)
		}
	}
}

// TestBulkMatchesCapabilityPath proves the bulk path writes what the
// application would: the same plans through both paths give identical rows.
func TestBulkMatchesCapabilityPath(t *testing.T) {
	open := func(t *testing.T, e db.Engine) *db.DB {
		if e == db.Postgres {
			return dbtest.OpenPostgres(t)
		}
		return dbtest.OpenSQLite(t)
	}
	for _, e := range []db.Engine{db.SQLite, db.Postgres} {
		t.Run(string(e), func(t *testing.T) {
			ctx := context.Background()
			now := time.Date(2026, 3, 14, 15, 9, 26, 0, time.UTC)
			o := demo.Options{Tickets: 400, Supporters: 80, Seed: 42, Now: now}
			slow, fast := open(t, e), open(t, e)
			rs, err := demo.Seed(ctx, slow, o)
			if err != nil {
				t.Fatal(err)
			}
			o.Bulk = true
			rf, err := demo.Seed(ctx, fast, o)
			if err != nil {
				t.Fatal(err)
			}
			if !rf.Bulk || rs.Bulk {
				t.Fatal("paths not taken as asked")
			}
			if rs.Tickets != rf.Tickets || rs.Messages != rf.Messages || rs.Tags != rf.Tags || rs.Supporters != rf.Supporters {
				t.Fatalf("counts differ: capability %+v, bulk %+v", rs, rf)
			}
			for _, q := range []string{
				"SELECT * FROM supporters ORDER BY id",
				"SELECT * FROM supporter_identities ORDER BY id",
				"SELECT * FROM tickets ORDER BY id",
				"SELECT * FROM messages ORDER BY id",
				"SELECT * FROM ticket_tags ORDER BY ticket_id, tag",
			} {
				a, b := dump(t, slow, q), dump(t, fast, q)
				if len(a) != len(b) {
					t.Fatalf("%s: %d rows by the capability path, %d by bulk", q, len(a), len(b))
				}
				for i := range a {
					if !reflect.DeepEqual(a[i], b[i]) {
						t.Fatalf("%s: row %d differs\ncapability: %v\nbulk:       %v", q, i, a[i], b[i])
					}
				}
			}
			checkConsistent(t, fast, now)

			// The application carries on after a bulk load: new tickets get
			// fresh ids and numbers (PostgreSQL sequences were moved on).
			err = fast.Tx(ctx, func(tx *sql.Tx) error {
				tk, _, err := ticket.Create(ctx, fast, tx, ticket.NewTicket{Subject: "領収書について", Body: "領収書をお願いします。", SupporterID: 1})
				if err == nil && tk.Number != int64(rf.Tickets+1) {
					return fmt.Errorf("new ticket number %d, want %d", tk.Number, rf.Tickets+1)
				}
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
		})
	}
}

func dump(t *testing.T, d *db.DB, q string) [][]any {
	t.Helper()
	rows, err := d.R.QueryContext(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out [][]any
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		out = append(out, vals)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
