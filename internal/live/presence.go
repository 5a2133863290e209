package live

import (
	"context"
	"slices"
	"strings"
	"sync"
	"time"
)

// EventPresence is the type of the events that say who is on a ticket.
const EventPresence = "presence"

// What an agent is doing on a ticket.
const (
	Viewing  = "viewing"
	Replying = "replying" // typing a reply to the supporter
	Noting   = "noting"   // typing an internal note
	Left     = "left"     // closed the page
)

// PresenceTTL is how long a heartbeat counts; browsers send one every 15
// seconds, so a closed laptop drops out after at most this long.
const PresenceTTL = 45 * time.Second

// Viewer is someone on a ticket.
type Viewer struct {
	UserID int64  `json:"user_id"`
	Name   string `json:"name"`
	State  string `json:"state"`
}

// Presence remembers who is viewing or writing on which ticket, from the
// presence events every node publishes through the broker, so each node
// knows about agents on every node. Nothing is stored: a node that starts
// learns within one heartbeat interval.
type Presence struct {
	// TTL is how long a heartbeat counts (PresenceTTL when zero).
	TTL time.Duration
	// Now is the clock (tests move it); nil means time.Now.
	Now func() time.Time

	mu        sync.Mutex
	tickets   map[int64]map[presenceKey]presenceEntry
	lastSweep time.Time
}

type presenceKey struct {
	user int64
	tab  string
}

type presenceEntry struct {
	name, state string
	seen        time.Time
}

// NewPresence returns an empty presence table.
func NewPresence() *Presence { return &Presence{} }

func (p *Presence) now() time.Time {
	if p.Now != nil {
		return p.Now()
	}
	return time.Now()
}

func (p *Presence) ttl() time.Duration {
	if p.TTL > 0 {
		return p.TTL
	}
	return PresenceTTL
}

// ValidState reports whether s is a state a browser may send.
func ValidState(s string) bool { return s == Viewing || s == Replying || s == Noting || s == Left }

// Apply records a presence event (others are ignored). It is idempotent,
// so a node may apply an event both when it publishes and when it hears it.
func (p *Presence) Apply(e Event) {
	if e.Type != EventPresence || e.TicketID == 0 || e.ActorID == 0 || !ValidState(e.State) {
		return
	}
	now := p.now()
	k := presenceKey{e.ActorID, e.Tab}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.tickets == nil {
		p.tickets = map[int64]map[presenceKey]presenceEntry{}
	}
	if now.Sub(p.lastSweep) > p.ttl() {
		p.sweep(now)
	}
	if e.State == Left {
		if m := p.tickets[e.TicketID]; m != nil {
			delete(m, k)
			if len(m) == 0 {
				delete(p.tickets, e.TicketID)
			}
		}
		return
	}
	m := p.tickets[e.TicketID]
	if m == nil {
		m = map[presenceKey]presenceEntry{}
		p.tickets[e.TicketID] = m
	}
	m[k] = presenceEntry{name: e.Name, state: e.State, seen: now}
}

// sweep drops expired heartbeats; p.mu is held.
func (p *Presence) sweep(now time.Time) {
	p.lastSweep = now
	for id, m := range p.tickets {
		for k, v := range m {
			if now.Sub(v.seen) >= p.ttl() {
				delete(m, k)
			}
		}
		if len(m) == 0 {
			delete(p.tickets, id)
		}
	}
}

// rank orders states: writing outranks viewing when an agent has two tabs.
func rank(state string) int {
	switch state {
	case Replying:
		return 2
	case Noting:
		return 1
	}
	return 0
}

// Of lists who is on a ticket now, one entry per agent (what they do in
// their busiest tab), writers first, then by name.
func (p *Presence) Of(ticketID int64) []Viewer {
	now := p.now()
	p.mu.Lock()
	by := map[int64]Viewer{}
	for k, v := range p.tickets[ticketID] {
		if now.Sub(v.seen) >= p.ttl() {
			continue
		}
		if cur, ok := by[k.user]; !ok || rank(v.state) > rank(cur.State) {
			by[k.user] = Viewer{UserID: k.user, Name: v.name, State: v.state}
		}
	}
	p.mu.Unlock()
	out := make([]Viewer, 0, len(by))
	for _, v := range by {
		out = append(out, v)
	}
	slices.SortFunc(out, func(a, b Viewer) int {
		if r := rank(b.State) - rank(a.State); r != 0 {
			return r
		}
		if c := strings.Compare(a.Name, b.Name); c != 0 {
			return c
		}
		return int(a.UserID - b.UserID)
	})
	return out
}

// Follow applies the presence events b delivers until ctx ends or b
// closes. It returns once subscribed, so an event published after Follow
// returns is seen.
func (p *Presence) Follow(ctx context.Context, b Broker) {
	ch, unsubscribe := b.Subscribe()
	go func() {
		defer unsubscribe()
		for {
			select {
			case <-ctx.Done():
				return
			case e, ok := <-ch:
				if !ok {
					return
				}
				p.Apply(e)
			}
		}
	}()
}
