// Command inbox measures the inbox page: the first page of a view plus the
// counts of every view, as the agent UI asks for them, on a large database.
//
//	go run ./bench/inbox --data /tmp/steward-1m --generate 1000000
//	go run ./bench/inbox --db postgres://… --generate 1000000 --explain
//
// It opens (and migrates) the database, generates demo data through
// internal/demo's bulk path when the database has no tickets, then loads the
// inbox for a mix of staff and views --n times and prints p50/p95/p99 of the
// page (ticket.List + ticket.CountViews) overall and per view. --explain
// prints the plan of every query a page runs (EXPLAIN QUERY PLAN on SQLite,
// EXPLAIN ANALYZE on PostgreSQL) with its own timing.
package main

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"regexp"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/steward-desk/steward/internal/db"
	"github.com/steward-desk/steward/internal/demo"
	"github.com/steward-desk/steward/internal/jobs"
	"github.com/steward-desk/steward/internal/staff"
	"github.com/steward-desk/steward/internal/ticket"
)

func main() {
	var (
		dsn         = flag.String("db", "", "database DSN (postgres://… or a SQLite file); empty: SQLite in --data")
		dataDir     = flag.String("data", "", "data directory (SQLite steward.db lives here)")
		generate    = flag.Int("generate", 0, "generate this many demo tickets first when the database has none")
		seed        = flag.Int64("seed", 1, "demo data seed")
		n           = flag.Int("n", 3000, "inbox pages to load")
		warmup      = flag.Int("warmup", 200, "pages to load before measuring")
		concurrency = flag.Int("c", 1, "concurrent page loads")
		limit       = flag.Int("limit", 50, "tickets per page")
		explain     = flag.Bool("explain", false, "print each query's plan and timing")
		analyze     = flag.Bool("analyze", false, "run ANALYZE (SQLite: PRAGMA optimize) before measuring")
		union       = flag.Bool("mine-union", false, "load the mine view with the suggested per-status-group SQL instead of ticket.List")
		oneCount    = flag.Bool("one-count-query", false, "count all views in one statement (the suggested change) instead of ticket.CountViews")
	)
	flag.Parse()
	ctx := context.Background()
	mineByUnion = *union
	countsInOne = *oneCount
	if err := run(ctx, *dsn, *dataDir, *generate, *seed, *n, *warmup, *concurrency, *limit, *explain, *analyze); err != nil {
		fmt.Fprintln(os.Stderr, "inbox:", err)
		os.Exit(1)
	}
}

// mineByUnion makes page loads of the mine view use mineUnion; countsInOne
// counts the views with one statement (see countsQuery).
var mineByUnion, countsInOne bool

func run(ctx context.Context, dsn, dataDir string, generate int, seed int64, n, warmup, conc, limit int, explain, analyze bool) error {
	d, err := db.Open(ctx, db.Options{DSN: dsn, DataDir: dataDir})
	if err != nil {
		return err
	}
	defer d.Close()
	if _, err := d.Migrate(ctx); err != nil {
		return err
	}
	if err := jobs.Migrate(ctx, d); err != nil {
		return err
	}
	var tickets int
	if err := d.R.QueryRowContext(ctx, "SELECT COUNT(*) FROM tickets").Scan(&tickets); err != nil {
		return err
	}
	if tickets == 0 && generate > 0 {
		fmt.Printf("generating %d tickets (seed %d)…\n", generate, seed)
		res, err := demo.Seed(ctx, d, demo.Options{Tickets: generate, Seed: seed, Bulk: true, Progress: os.Stdout})
		if err != nil {
			return err
		}
		fmt.Printf("generated %d tickets, %d messages, %d supporters, %d tags in %s (%.0f tickets/s)\n",
			res.Tickets, res.Messages, res.Supporters, res.Tags, res.Elapsed.Round(time.Second), float64(res.Tickets)/res.Elapsed.Seconds())
		tickets = res.Tickets
	}
	if tickets == 0 {
		return fmt.Errorf("the database has no tickets; pass --generate N")
	}
	if analyze {
		q := "ANALYZE"
		if d.Engine == db.SQLite {
			q = "PRAGMA optimize=0x10002"
		}
		t := time.Now()
		if _, err := d.W.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("%s: %w", q, err)
		}
		fmt.Printf("%s took %s\n", q, time.Since(t).Round(time.Millisecond))
	}

	all, err := staff.ListUsers(ctx, d.R)
	if err != nil {
		return err
	}
	var users []staff.User
	for _, u := range all {
		if u.Active {
			users = append(users, u)
		}
	}
	if len(users) == 0 {
		return fmt.Errorf("no staff users")
	}
	fmt.Printf("engine %s, %d tickets, %d staff, GOMAXPROCS %d, %d CPUs, %s\n",
		d.Engine, tickets, len(users), runtime.GOMAXPROCS(0), runtime.NumCPU(), runtime.Version())

	counts := map[int64]recorded{}
	if countsInOne {
		for _, u := range users {
			q, err := countsQuery(ctx, d, u)
			if err != nil {
				return err
			}
			counts[u.ID] = q
		}
	}

	if explain {
		if err := explainAll(ctx, d, users, limit); err != nil {
			return err
		}
		if err := compareMine(ctx, d, users, limit); err != nil {
			return err
		}
		if countsInOne {
			q := counts[users[len(users)-1].ID]
			fmt.Println("\n== All view counts in one statement:\n" + q.sql)
			plan, err := planOf(ctx, d, q)
			if err != nil {
				return err
			}
			for _, l := range plan {
				fmt.Println("   " + l)
			}
		}
	}

	// The mix: agents open the inbox on "mine" most often.
	mix := []struct {
		v ticket.View
		w int
	}{{ticket.ViewMine, 35}, {ticket.ViewUnassigned, 15}, {ticket.ViewDepartments, 20}, {ticket.ViewOpen, 15}, {ticket.ViewPending, 10}, {ticket.ViewResolved, 5}}
	r := rand.New(rand.NewPCG(uint64(seed), 7))
	type job struct {
		u staff.User
		v ticket.View
	}
	jobsList := make([]job, warmup+n)
	for i := range jobsList {
		x := r.IntN(100)
		v := mix[0].v
		for _, m := range mix {
			if x < m.w {
				v = m.v
				break
			}
			x -= m.w
		}
		jobsList[i] = job{users[r.IntN(len(users))], v}
	}

	type sample struct {
		v          ticket.View
		page, list time.Duration
		rows       int
	}
	samples := make([]sample, len(jobsList))
	var next int
	var mu sync.Mutex
	var wg sync.WaitGroup
	var firstErr error
	var measureStart time.Time
	for range conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				mu.Lock()
				i := next
				next++
				if i == warmup {
					measureStart = time.Now()
				}
				mu.Unlock()
				if i >= len(jobsList) {
					return
				}
				j := jobsList[i]
				t0 := time.Now()
				var page []ticket.Ticket
				var err error
				if mineByUnion && j.v == ticket.ViewMine {
					var ids []int64
					ids, err = listMineUnion(ctx, d, j.u.ID, limit)
					page = make([]ticket.Ticket, len(ids))
				} else {
					page, _, err = ticket.List(ctx, d.R, ticket.Filter{View: j.v, UserID: j.u.ID, DepartmentIDs: j.u.DepartmentIDs, Limit: limit})
				}
				t1 := time.Now()
				if err == nil && countsInOne {
					q := counts[j.u.ID]
					ns := make([]int, len(ticket.Views))
					ptrs := make([]any, len(ns))
					for i := range ns {
						ptrs[i] = &ns[i]
					}
					err = d.R.QueryRowContext(ctx, q.sql, q.args...).Scan(ptrs...)
				} else if err == nil {
					_, err = ticket.CountViews(ctx, d.R, j.u.ID, j.u.DepartmentIDs)
				}
				t2 := time.Now()
				if err != nil {
					mu.Lock()
					firstErr = err
					mu.Unlock()
					return
				}
				samples[i] = sample{v: j.v, page: t2.Sub(t0), list: t1.Sub(t0), rows: len(page)}
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	elapsed := time.Since(measureStart)
	measured := samples[warmup:]
	fmt.Printf("\n%d inbox pages (+%d warm-up), concurrency %d, %.0f pages/s\n", len(measured), warmup, conc, float64(len(measured))/elapsed.Seconds())
	fmt.Printf("%-12s %6s %9s %9s %9s %9s   %s\n", "view", "pages", "p50", "p95", "p99", "max", "list p99 (rest is CountViews)")
	byView := map[ticket.View][]sample{}
	var pages []time.Duration
	for _, s := range measured {
		byView[s.v] = append(byView[s.v], s)
		pages = append(pages, s.page)
	}
	line := func(name string, ss []sample) {
		var p, l []time.Duration
		for _, s := range ss {
			p = append(p, s.page)
			l = append(l, s.list)
		}
		fmt.Printf("%-12s %6d %9s %9s %9s %9s   %s\n", name, len(p), pct(p, 50), pct(p, 95), pct(p, 99), pct(p, 100), pct(l, 99))
	}
	for _, m := range mix {
		line(string(m.v), byView[m.v])
	}
	line("ALL", measured)
	return nil
}

func pct(d []time.Duration, p float64) string {
	if len(d) == 0 {
		return "-"
	}
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	i := int(float64(len(s))*p/100+0.999999) - 1
	i = max(0, min(i, len(s)-1))
	return fmt.Sprintf("%.2fms", float64(s[i].Microseconds())/1000)
}

// recorder is a db.Querier that notes each query it is asked to run.
type recorder struct {
	q       db.Querier
	queries []recorded
}

type recorded struct {
	sql  string
	args []any
}

func (r *recorder) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	r.queries = append(r.queries, recorded{q, args})
	return r.q.ExecContext(ctx, q, args...)
}

func (r *recorder) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	r.queries = append(r.queries, recorded{q, args})
	return r.q.QueryContext(ctx, q, args...)
}

func (r *recorder) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	r.queries = append(r.queries, recorded{q, args})
	return r.q.QueryRowContext(ctx, q, args...)
}

// explainAll prints the plan and a timing of every query an inbox page runs,
// for the staff member with the most departments (the widest views).
func explainAll(ctx context.Context, d *db.DB, users []staff.User, limit int) error {
	u := users[0]
	for _, x := range users {
		if x.Role == staff.Agent && len(x.DepartmentIDs) >= len(u.DepartmentIDs) {
			u = x
		}
	}
	fmt.Printf("\nQuery plans for %s (user %d, departments %v)\n", u.Email, u.ID, u.DepartmentIDs)
	rec := &recorder{q: d.R}
	for _, v := range ticket.Views {
		if _, _, err := ticket.List(ctx, rec, ticket.Filter{View: v, UserID: u.ID, DepartmentIDs: u.DepartmentIDs, Limit: limit}); err != nil {
			return err
		}
	}
	if _, err := ticket.CountViews(ctx, rec, u.ID, u.DepartmentIDs); err != nil {
		return err
	}
	for _, q := range rec.queries {
		// Time the query alone: best of 20 runs, rows read to the end.
		best := time.Duration(1 << 62)
		for range 20 {
			t := time.Now()
			rows, err := d.R.QueryContext(ctx, q.sql, q.args...)
			if err != nil {
				return err
			}
			for rows.Next() {
			}
			rows.Close()
			best = min(best, time.Since(t))
		}
		fmt.Printf("\n-- %.2fms  %s\n   args %v\n", float64(best.Microseconds())/1000, oneLine(q.sql), q.args)
		plan, err := planOf(ctx, d, q)
		if err != nil {
			return err
		}
		for _, l := range plan {
			fmt.Println("   " + l)
		}
	}
	return nil
}

func planOf(ctx context.Context, d *db.DB, q recorded) ([]string, error) {
	var out []string
	if d.Engine == db.SQLite {
		rows, err := d.R.QueryContext(ctx, "EXPLAIN QUERY PLAN "+q.sql, q.args...)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		depth := map[int]int{}
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				return nil, err
			}
			depth[id] = depth[parent] + 1
			out = append(out, strings.Repeat("  ", depth[id]-1)+detail)
		}
		return out, rows.Err()
	}
	rows, err := d.R.QueryContext(ctx, "EXPLAIN (ANALYZE, BUFFERS) "+q.sql, q.args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var l string
		if err := rows.Scan(&l); err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// mineUnion is the "mine" view written as one ordered index range scan per
// status group, merged: each branch reads at most a page from
// tickets_assignee (assignee_id, status_group, updated_at DESC, id DESC), so
// no sort of all of an agent's open and pending tickets is needed. It is the
// SQL suggested for ticket.List when a view spans several status groups.
const mineUnion = `SELECT t.id, t.number, t.subject, t.status, t.priority, t.type, t.category, t.channel, t.department_id, t.assignee_id,
	t.supporter_id, t.language, t.preview, t.message_count, t.created_at, t.updated_at, t.first_response_at, t.resolved_at,
	s.name, s.email, COALESCE(u.name, ''), COALESCE(d.name, '')
FROM (
	SELECT * FROM (SELECT id FROM tickets WHERE assignee_id = $1 AND status_group = $2 ORDER BY updated_at DESC, id DESC LIMIT $4) a
	UNION ALL
	SELECT * FROM (SELECT id FROM tickets WHERE assignee_id = $1 AND status_group = $3 ORDER BY updated_at DESC, id DESC LIMIT $4) b
) page
JOIN tickets t ON t.id = page.id JOIN supporters s ON s.id = t.supporter_id
LEFT JOIN users u ON u.id = t.assignee_id LEFT JOIN departments d ON d.id = t.department_id
ORDER BY t.updated_at DESC, t.id DESC LIMIT $4`

// compareMine times the "mine" list as ticket.List runs it and as
// mineUnion, for the agent with the most open and pending tickets, and
// checks both return the same page.
func compareMine(ctx context.Context, d *db.DB, users []staff.User, limit int) error {
	var u staff.User
	most := -1
	for _, x := range users {
		var n int
		if err := d.R.QueryRowContext(ctx, "SELECT COUNT(*) FROM tickets WHERE assignee_id = $1 AND status_group IN ('open', 'pending')", x.ID).Scan(&n); err != nil {
			return err
		}
		if n > most {
			u, most = x, n
		}
	}
	fmt.Printf("\n== The mine view for %s (%d open and pending tickets): ticket.List vs one index scan per status group\n", u.Email, most)
	timeIt := func(f func() ([]int64, error)) ([]int64, time.Duration, time.Duration, error) {
		var ds []time.Duration
		var ids []int64
		for range 200 {
			t := time.Now()
			got, err := f()
			if err != nil {
				return nil, 0, 0, err
			}
			ds = append(ds, time.Since(t))
			ids = got
		}
		sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
		return ids, ds[len(ds)/2], ds[len(ds)*99/100], nil
	}
	a, a50, a99, err := timeIt(func() ([]int64, error) {
		page, _, err := ticket.List(ctx, d.R, ticket.Filter{View: ticket.ViewMine, UserID: u.ID, Limit: limit})
		ids := make([]int64, len(page))
		for i, t := range page {
			ids[i] = t.ID
		}
		return ids, err
	})
	if err != nil {
		return err
	}
	args := []any{u.ID, "open", "pending", limit + 1}
	b, b50, b99, err := timeIt(func() ([]int64, error) { return listMineUnion(ctx, d, u.ID, limit) })
	if err != nil {
		return err
	}
	same := fmt.Sprint(a) == fmt.Sprint(b)
	fmt.Printf("ticket.List (IN on status_group): p50 %.2fms p99 %.2fms\n", ms(a50), ms(a99))
	fmt.Printf("UNION ALL per status group:       p50 %.2fms p99 %.2fms (same page: %v)\n", ms(b50), ms(b99), same)
	plan, err := planOf(ctx, d, recorded{mineUnion, args})
	if err != nil {
		return err
	}
	fmt.Println("-- " + oneLine(mineUnion))
	for _, l := range plan {
		fmt.Println("   " + l)
	}
	if !same {
		return fmt.Errorf("the alternative SQL returned another page: %v vs %v", a, b)
	}
	return nil
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// listMineUnion runs mineUnion and reads every column, as ticket.List would.
func listMineUnion(ctx context.Context, d *db.DB, userID int64, limit int) ([]int64, error) {
	rows, err := d.R.QueryContext(ctx, mineUnion, userID, "open", "pending", limit+1)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []int64
	vals := make([]any, 22)
	ptrs := make([]any, 22)
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		ids = append(ids, vals[0].(int64))
	}
	if len(ids) > limit {
		ids = ids[:limit]
	}
	return ids, rows.Err()
}

// countsQuery is ticket.CountViews as one statement: the six capped counts
// as scalar subqueries of one SELECT, so a page costs one round trip for its
// counts instead of six. It is built from the SQL CountViews itself runs
// (recorded once per user), with the placeholders renumbered.
func countsQuery(ctx context.Context, d *db.DB, u staff.User) (recorded, error) {
	rec := &recorder{q: d.R}
	if _, err := ticket.CountViews(ctx, rec, u.ID, u.DepartmentIDs); err != nil {
		return recorded{}, err
	}
	var parts []string
	var args []any
	for _, q := range rec.queries {
		off := len(args)
		sqlText := placeholder.ReplaceAllStringFunc(q.sql, func(m string) string {
			n, _ := strconv.Atoi(m[1:])
			return "$" + strconv.Itoa(n+off)
		})
		parts = append(parts, "("+sqlText+")")
		args = append(args, q.args...)
	}
	return recorded{"SELECT " + strings.Join(parts, ",\n  "), args}, nil
}

var placeholder = regexp.MustCompile(`\$[0-9]+`)
