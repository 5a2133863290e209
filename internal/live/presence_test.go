package live_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/steward-desk/steward/internal/db/dbtest"
	"github.com/steward-desk/steward/internal/live"
)

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

func beat(ticket, user int64, name, state, tab string) live.Event {
	return live.Event{Type: live.EventPresence, TicketID: ticket, ActorID: user, Name: name, State: state, Tab: tab}
}

// Heartbeats count for the TTL; a newer one renews; "left" removes at once;
// an agent with two tabs appears once, as their busiest tab.
func TestPresenceExpiry(t *testing.T) {
	c := &fakeClock{t: time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)}
	p := &live.Presence{Now: c.Now}
	p.Apply(beat(7, 1, "山田 太郎", live.Viewing, "a"))
	p.Apply(beat(7, 2, "王 芳", live.Replying, "b"))
	p.Apply(beat(7, 2, "王 芳", live.Viewing, "c")) // a second tab
	p.Apply(beat(8, 1, "山田 太郎", live.Viewing, "a2"))
	p.Apply(live.Event{Type: "ticket.updated", TicketID: 7, ActorID: 3}) // not presence
	p.Apply(beat(7, 3, "x", "dancing", "z"))                             // not a state
	got := p.Of(7)
	if len(got) != 2 || got[0].Name != "王 芳" || got[0].State != live.Replying || got[1].Name != "山田 太郎" || got[1].State != live.Viewing {
		t.Fatalf("ticket 7: %+v", got)
	}
	c.Add(30 * time.Second)
	p.Apply(beat(7, 1, "山田 太郎", live.Replying, "a")) // renews user 1 only
	c.Add(20 * time.Second)                          // user 2's beats are 50 s old
	if got := p.Of(7); len(got) != 1 || got[0].UserID != 1 || got[0].State != live.Replying {
		t.Fatalf("after 50 s: %+v", got)
	}
	if got := p.Of(8); len(got) != 0 {
		t.Fatalf("ticket 8 expired: %+v", got)
	}
	p.Apply(beat(7, 1, "山田 太郎", live.Left, "a"))
	if got := p.Of(7); len(got) != 0 {
		t.Fatalf("after leaving: %+v", got)
	}
}

// Two brokers on one PostgreSQL stand for two Steward nodes: a heartbeat
// sent to node 1 shows on node 2, and so does leaving.
func TestPresenceAcrossNodes(t *testing.T) {
	d := dbtest.OpenPostgres(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	n1, n2 := live.NewPostgres(ctx, d.Pool, nil), live.NewPostgres(ctx, d.Pool, nil)
	p1, p2 := live.NewPresence(), live.NewPresence()
	p1.Follow(ctx, n1)
	p2.Follow(ctx, n2)
	time.Sleep(300 * time.Millisecond) // let both LISTENs start
	wait := func(what string, p *live.Presence, ok func([]live.Viewer) bool) {
		t.Helper()
		deadline := time.Now().Add(5 * time.Second)
		for !ok(p.Of(42)) {
			if time.Now().After(deadline) {
				t.Fatalf("%s: %+v", what, p.Of(42))
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	n1.Publish(ctx, beat(42, 5, "鈴木 愛子", live.Replying, "t1"))
	for i, p := range []*live.Presence{p1, p2} {
		wait("node "+string(rune('1'+i))+" sees the heartbeat", p, func(v []live.Viewer) bool {
			return len(v) == 1 && v[0].Name == "鈴木 愛子" && v[0].State == live.Replying
		})
	}
	n2.Publish(ctx, beat(42, 5, "鈴木 愛子", live.Left, "t1"))
	wait("node 1 sees the agent leave", p1, func(v []live.Viewer) bool { return len(v) == 0 })
}
