package supporter_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/steward-desk/steward/internal/audit"
	"github.com/steward-desk/steward/internal/db"
	"github.com/steward-desk/steward/internal/db/dbtest"
	"github.com/steward-desk/steward/internal/errs"
	"github.com/steward-desk/steward/internal/supporter"
	"github.com/steward-desk/steward/internal/ticket"
)

func TestResolveMatchesIdentities(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		since := time.Date(2019, 4, 1, 0, 0, 0, 0, time.UTC)
		a, err := supporter.Create(ctx, d.W, supporter.NewSupporter{Name: "佐藤 花子", Email: "Hanako@Example.jp", Phone: "+81 3-1234-5678", Language: "ja", SupporterSince: since})
		if err != nil {
			t.Fatal(err)
		}
		if a.Email != "hanako@example.jp" || len(a.Identities) != 2 || !a.SupporterSince.Equal(since) {
			t.Fatalf("created %+v", a)
		}
		b, err := supporter.Resolve(ctx, d.W, supporter.NewSupporter{Phone: "+81312345678"})
		if err != nil || b.ID != a.ID {
			t.Fatalf("phone match: %v %d", err, b.ID)
		}
		c, err := supporter.Resolve(ctx, d.W, supporter.NewSupporter{Email: "HANAKO@example.JP"})
		if err != nil || c.ID != a.ID {
			t.Fatalf("email match: %v", err)
		}
		if _, err := supporter.Create(ctx, d.W, supporter.NewSupporter{Email: "hanako@example.jp"}); !errors.Is(err, errs.ErrConflict) {
			t.Fatalf("duplicate email: %v", err)
		}
		w, _ := supporter.Create(ctx, d.W, supporter.NewSupporter{Name: "王伟", Email: "wangwei@example.cn"})
		for q, want := range map[string]int64{"花子": a.ID, "王": w.ID, "WANGWEI@": w.ID, "1234-5678": a.ID, "50%_": 0} {
			got, _, err := supporter.List(ctx, d, supporter.ListOptions{Query: q})
			if err != nil {
				t.Fatal(err)
			}
			if want == 0 && len(got) != 0 || want != 0 && (len(got) != 1 || got[0].ID != want) {
				t.Errorf("search %q: %+v", q, got)
			}
		}
	})
}

func TestTenure(t *testing.T) {
	since := time.Date(2019, 11, 26, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		now          time.Time
		years, month int
	}{
		{time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC), 6, 11},
		{time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC), 7, 0},
		{time.Date(2019, 12, 1, 0, 0, 0, 0, time.UTC), 0, 0},
		{time.Date(2018, 1, 1, 0, 0, 0, 0, time.UTC), 0, 0},
	} {
		y, m := supporter.Tenure(since, tc.now)
		if y != tc.years || m != tc.month {
			t.Errorf("Tenure(%v) = %d y %d m, want %d y %d m", tc.now, y, m, tc.years, tc.month)
		}
	}
}

// A supporter who first wrote by email, then called, then messaged from a
// social account is one supporter once each identity is known.
func TestIdentityMatchingAcrossChannels(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		byMail, err := supporter.Resolve(ctx, d.W, supporter.NewSupporter{Name: "王伟", Email: "WangWei@Example.CN"})
		if err != nil {
			t.Fatal(err)
		}
		if err := supporter.AddIdentity(ctx, d.W, byMail.ID, supporter.Identity{Kind: "phone", Value: supporter.NormalisePhone("+86 138-0013-8000")}); err != nil {
			t.Fatal(err)
		}
		if err := supporter.AddIdentity(ctx, d.W, byMail.ID, supporter.Identity{Kind: "handle", Value: "@wangwei@mastodon.social"}); err != nil {
			t.Fatal(err)
		}
		for name, n := range map[string]supporter.NewSupporter{
			"email, other case":        {Email: "wangwei@example.cn"},
			"phone, other notation":    {Phone: "+86 (138) 0013 8000"},
			"phone, full-width digits": {Phone: "+８６ １３８００１３８０００"},
			"handle":                   {Handle: " @wangwei@mastodon.social "},
		} {
			got, err := supporter.Resolve(ctx, d.W, n)
			if err != nil || got.ID != byMail.ID {
				t.Errorf("%s: supporter %d (%v), want %d", name, got.ID, err, byMail.ID)
			}
		}
		other, _ := supporter.Resolve(ctx, d.W, supporter.NewSupporter{Handle: "@someone@else.example"})
		if other.ID == byMail.ID || other.ID == 0 {
			t.Fatal("an unknown handle must be a new supporter")
		}
	})
}

// The first tickets of a new sender, created at the same moment (two
// first emails, an email and a web form): every one succeeds and they
// share one supporter. On PostgreSQL the transactions really overlap.
func TestResolveConcurrentFirstTickets(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		svc := &ticket.Service{DB: d}
		const n = 20
		var wg sync.WaitGroup
		ids := make([]int64, n)
		errc := make(chan error, n)
		start := make(chan struct{})
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				tk, err := svc.Create(ctx, audit.Actor{Name: "test"}, ticket.CreateInput{
					NewTicket: ticket.NewTicket{Subject: fmt.Sprint("寄付について ", i), Body: "はじめまして"},
					Supporter: supporter.NewSupporter{Email: "New.Sender@example.jp", Name: "新井 さくら", Phone: "+81 90-1234-5678"}})
				if err != nil {
					errc <- err
					return
				}
				ids[i] = tk.SupporterID
			}()
		}
		close(start)
		wg.Wait()
		close(errc)
		for err := range errc {
			t.Error(err)
		}
		var supporters, identities int
		d.R.QueryRow("SELECT COUNT(*) FROM supporters").Scan(&supporters)
		d.R.QueryRow("SELECT COUNT(*) FROM supporter_identities").Scan(&identities)
		if supporters != 1 || identities != 2 {
			t.Fatalf("%d supporters, %d identities; want 1 and 2", supporters, identities)
		}
		for _, id := range ids {
			if id != ids[0] {
				t.Fatalf("tickets of different supporters: %v", ids)
			}
		}
	})
}

// ResolveID finds the same person Resolve does, by any identity and in any
// spelling of it, names a nameless one, and creates the rest.
func TestResolveIDAgreesWithResolve(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		id, err := supporter.ResolveID(ctx, d.W, supporter.NewSupporter{Email: "Mei.Lin@Example.CN ", Phone: "+86 138-0013-8000"})
		if err != nil {
			t.Fatal(err)
		}
		s, err := supporter.Resolve(ctx, d.W, supporter.NewSupporter{Email: "mei.lin@example.cn"})
		if err != nil || s.ID != id {
			t.Fatalf("Resolve found %d (%v), ResolveID created %d", s.ID, err, id)
		}
		if len(s.Identities) != 2 {
			t.Fatalf("identities %+v, want email and phone", s.Identities)
		}
		again, err := supporter.ResolveID(ctx, d.W, supporter.NewSupporter{Phone: "＋８６ １３８００１３８０００", Name: "林美"})
		if err != nil || again != id {
			t.Fatalf("by full-width phone: %d (%v), want %d", again, err, id)
		}
		if s, _ = supporter.Get(ctx, d.R, id); s.Name != "林美" {
			t.Fatalf("name %q, want the one the second message gave", s.Name)
		}
		if _, err := supporter.ResolveID(ctx, d.W, supporter.NewSupporter{}); err == nil {
			t.Fatal("a supporter without any identity was accepted")
		}
	})
}
