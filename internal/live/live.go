// Package live carries "something changed" events from the node that made
// the change to every agent's browser, on every node. On SQLite (one node)
// events fan out in process; on PostgreSQL they travel by LISTEN/NOTIFY so
// several Steward nodes behind a load balancer all see them.
package live

import (
	"context"
	"encoding/json"
	"log/slog"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// Event is a small notice; receivers re-read what they need.
type Event struct {
	Type      string `json:"type"` // ticket.created, ticket.updated, message.created, presence
	TicketID  int64  `json:"ticket_id,omitempty"`
	MessageID int64  `json:"message_id,omitempty"`
	ActorID   int64  `json:"actor_id,omitempty"`
	// Presence events (see Presence) also carry the agent's name, what they
	// are doing and which browser tab says so.
	Name  string `json:"name,omitempty"`
	State string `json:"state,omitempty"`
	Tab   string `json:"tab,omitempty"`
}

// Broker publishes and delivers events.
type Broker interface {
	// Publish sends an event to every subscriber on every node. Call it after commit.
	Publish(ctx context.Context, e Event)
	// Subscribe returns a channel of events and a function to unsubscribe.
	// The channel is closed when the broker closes (shutdown): SSE streams end then.
	Subscribe() (<-chan Event, func())
	// Close ends every subscription.
	Close()
}

// Local delivers events within this process.
type Local struct {
	mu     sync.Mutex
	subs   map[chan Event]struct{}
	closed bool
}

// NewLocal returns an in-process broker.
func NewLocal() *Local { return &Local{subs: map[chan Event]struct{}{}} }

// Publish delivers e to all subscribers; a subscriber too slow to keep 64
// events buffered misses some (its page reloads the list anyway).
func (l *Local) Publish(_ context.Context, e Event) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for ch := range l.subs {
		select {
		case ch <- e:
		default:
		}
	}
}

// Subscribe registers a subscriber.
func (l *Local) Subscribe() (<-chan Event, func()) {
	ch := make(chan Event, 64)
	l.mu.Lock()
	if l.closed {
		close(ch)
	} else {
		l.subs[ch] = struct{}{}
	}
	l.mu.Unlock()
	return ch, func() {
		l.mu.Lock()
		if _, ok := l.subs[ch]; ok {
			delete(l.subs, ch)
			close(ch)
		}
		l.mu.Unlock()
	}
}

// Close closes every subscriber's channel; later subscriptions get a closed channel.
func (l *Local) Close() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.closed = true
	for ch := range l.subs {
		delete(l.subs, ch)
		close(ch)
	}
}

// Channel is the PostgreSQL NOTIFY channel.
const Channel = "steward_events"

// Postgres publishes with NOTIFY and delivers what LISTEN receives.
type Postgres struct {
	pool  *pgxpool.Pool
	local *Local
	log   *slog.Logger
}

// NewPostgres starts listening (until ctx ends) and returns the broker.
func NewPostgres(ctx context.Context, pool *pgxpool.Pool, log *slog.Logger) *Postgres {
	if log == nil {
		log = slog.Default()
	}
	p := &Postgres{pool: pool, local: NewLocal(), log: log}
	go p.listen(ctx)
	return p
}

// Publish sends e through NOTIFY; it comes back to this node via LISTEN.
func (p *Postgres) Publish(ctx context.Context, e Event) {
	b, _ := json.Marshal(e)
	if _, err := p.pool.Exec(ctx, "SELECT pg_notify($1, $2)", Channel, string(b)); err != nil {
		p.log.Warn("live: notify failed", "err", err)
	}
}

// Subscribe registers a subscriber.
func (p *Postgres) Subscribe() (<-chan Event, func()) { return p.local.Subscribe() }

// Close ends every subscription on this node.
func (p *Postgres) Close() { p.local.Close() }

func (p *Postgres) listen(ctx context.Context) {
	for ctx.Err() == nil {
		if err := p.listenOnce(ctx); err != nil && ctx.Err() == nil {
			p.log.Warn("live: listen connection lost; retrying", "err", err)
			select {
			case <-ctx.Done():
			case <-time.After(time.Second):
			}
		}
	}
}

func (p *Postgres) listenOnce(ctx context.Context) error {
	conn, err := p.pool.Acquire(ctx)
	if err != nil {
		return err
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, "LISTEN "+Channel); err != nil {
		return err
	}
	defer conn.Exec(context.WithoutCancel(ctx), "UNLISTEN "+Channel)
	for {
		n, err := conn.Conn().WaitForNotification(ctx)
		if err != nil {
			return err
		}
		var e Event
		if json.Unmarshal([]byte(n.Payload), &e) == nil {
			p.local.Publish(ctx, e)
		}
	}
}
