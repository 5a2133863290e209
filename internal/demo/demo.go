// Package demo fills an empty Steward database with a believable nonprofit,
// "Hope Bridge / 希望の橋 / 希望之桥": settings, departments, staff,
// supporters and tickets in English, Japanese and Chinese with whole
// conversations, spread over the last months.
//
// The default size (about 1,000 tickets) is written through the capability
// functions (supporter.Create, ticket.Create, ticket.AddMessage,
// ticket.Update), so the rows are exactly what the application writes; only
// the timestamps are moved into the past afterwards. Large runs (benchmarks:
// a million tickets) take a bulk path of batched multi-row INSERTs that
// writes the same rows directly. Given the same Options.Seed and Options.Now,
// both produce the same data.
package demo

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/steward-desk/steward/internal/auth"
	"github.com/steward-desk/steward/internal/db"
	"github.com/steward-desk/steward/internal/org"
	"github.com/steward-desk/steward/internal/staff"
	"github.com/steward-desk/steward/internal/ticket"
)

// Defaults for Options.
const (
	DefaultTickets    = 1000
	DefaultSupporters = 200
	DefaultDays       = 90
	// BulkThreshold: above this many tickets the bulk path is used.
	BulkThreshold = 20000
)

// ErrNotEmpty is returned when the database already holds tickets.
var ErrNotEmpty = errors.New("demo: the database already has tickets; demo data is only added to an empty database")

// Options say how much to generate.
type Options struct {
	// Tickets to create; 0 means DefaultTickets.
	Tickets int
	// Supporters to create; 0 means DefaultSupporters, or one per five
	// tickets on the bulk path.
	Supporters int
	// Seed makes the data reproducible: the same Seed, Now and sizes give the
	// same supporters, tickets and conversations.
	Seed int64
	// Days over which tickets were created, ending at Now; 0 means
	// DefaultDays, or (bulk path) about a thousand tickets a day.
	Days int
	// Now is the end of the generated history; zero means time.Now().
	Now time.Time
	// Bulk forces the bulk path even for small runs (it is chosen
	// automatically above BulkThreshold tickets).
	Bulk bool
	// LongThreads makes conversations longer: a few more exchanges after
	// the first reply, about five messages a ticket instead of three
	// (benchmarks at 1,000,000 tickets / 5,000,000 messages).
	LongThreads bool
	// Progress, when set, receives a line of progress now and then.
	Progress io.Writer
	// Hooks run for every ticket on the capability path, inside its
	// transaction once its times are final, as ticket.Service runs them
	// (pass the app's: SLA evaluation, search indexing). The bulk path does
	// not run them: index and evaluate afterwards (e.g. `steward reindex`).
	Hooks []ticket.Hook
}

// Result says what was created and how to log in.
type Result struct {
	// AdminEmail and Password log in as the administrator. Every demo staff
	// account (StaffEmails) has the same generated password.
	AdminEmail  string
	Password    string
	StaffEmails []string

	Departments int
	Staff       int
	Supporters  int
	Tickets     int
	Messages    int
	Tags        int
	Bulk        bool
	Elapsed     time.Duration
}

// Seed fills an empty database. It refuses (ErrNotEmpty) when tickets exist.
func Seed(ctx context.Context, d *db.DB, o Options) (Result, error) {
	start := time.Now()
	if o.Tickets <= 0 {
		o.Tickets = DefaultTickets
	}
	bulk := o.Bulk || o.Tickets > BulkThreshold
	if o.Supporters <= 0 {
		o.Supporters = DefaultSupporters
		if bulk {
			o.Supporters = max(DefaultSupporters, o.Tickets/5)
		}
	}
	if o.Days <= 0 {
		o.Days = DefaultDays
		if bulk {
			o.Days = max(DefaultDays, o.Tickets/1000)
		}
	}
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	var n int
	if err := d.R.QueryRowContext(ctx, "SELECT COUNT(*) FROM (SELECT 1 FROM tickets LIMIT 1) t").Scan(&n); err != nil {
		return Result{}, fmt.Errorf("demo: %w", err)
	}
	if n > 0 {
		return Result{}, ErrNotEmpty
	}

	res := Result{Bulk: bulk}
	w := &world{}
	if err := setUp(ctx, d, w, &res); err != nil {
		return res, err
	}
	g := newGenerator(o.Seed, o.Now, o.Days)
	g.longThreads = o.LongThreads
	g.supporters(o.Supporters)
	progress := func(format string, args ...any) {
		if o.Progress != nil {
			fmt.Fprintf(o.Progress, "demo: "+format+"\n", args...)
		}
	}
	var err error
	if bulk {
		err = writeBulk(ctx, d, g, w, o.Tickets, &res, progress)
	} else {
		err = writeCapabilities(ctx, d, g, w, o.Tickets, o.Hooks, &res, progress)
	}
	res.Elapsed = time.Since(start)
	return res, err
}

// world maps the plan's indexes to database ids.
type world struct {
	deptIDs  []int64
	staffIDs []int64
}

// setUp writes the organisation's settings, departments and staff.
func setUp(ctx context.Context, d *db.DB, w *world, res *Result) error {
	res.Password = randomPassword()
	hashes := make([]string, len(staffPeople))
	for i := range staffPeople {
		h, err := auth.HashPassword(res.Password)
		if err != nil {
			return fmt.Errorf("demo: %w", err)
		}
		hashes[i] = h
	}
	return d.Tx(ctx, func(tx *sql.Tx) error {
		err := org.Update(ctx, tx, org.Settings{
			Name:              orgName,
			TimeZone:          orgZone,
			Languages:         []string{"en", "ja", "zh"},
			DefaultLanguage:   "ja",
			FirstReplyMinutes: 24 * 60,
			ServiceScope:      orgScope,
		})
		if err != nil {
			return fmt.Errorf("demo: organisation settings: %w", err)
		}
		for _, dp := range departments {
			dep, err := staff.CreateDepartment(ctx, tx, dp.name, dp.description)
			if err != nil {
				return fmt.Errorf("demo: department %s: %w", dp.name, err)
			}
			w.deptIDs = append(w.deptIDs, dep.ID)
		}
		for i, p := range staffPeople {
			role := staff.Agent
			switch i {
			case 0:
				role = staff.Admin
			case 1:
				role = staff.Supervisor
			}
			var depts []int64
			for _, k := range p.depts {
				depts = append(depts, w.deptIDs[k])
			}
			u, err := staff.CreateUser(ctx, tx, staff.NewUser{
				Email: p.email + "@" + staffDomain, Name: p.name, Role: role,
				PasswordHash: hashes[i], Language: p.lang, DepartmentIDs: depts,
			})
			if err != nil {
				return fmt.Errorf("demo: staff %s (is this database really empty?): %w", p.email, err)
			}
			w.staffIDs = append(w.staffIDs, u.ID)
			res.StaffEmails = append(res.StaffEmails, u.Email)
		}
		res.AdminEmail = res.StaffEmails[0]
		res.Departments = len(w.deptIDs)
		res.Staff = len(w.staffIDs)
		return nil
	})
}

// randomPassword returns 20 characters from an unambiguous alphabet.
func randomPassword() string {
	const alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	b := make([]byte, 20)
	rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

// tickets walks the days from the oldest and calls fn with each ticket plan
// in creation order.
func (g *generator) tickets(n int, fn func(p *ticketPlan) error) error {
	counts := g.dayCounts(n)
	for i, k := range counts {
		if k == 0 {
			continue
		}
		for _, c := range g.dayTimes(i, k) {
			p := g.ticket(c)
			if err := fn(&p); err != nil {
				return err
			}
		}
	}
	return nil
}
