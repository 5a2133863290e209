package live_test

import (
	"context"
	"testing"
	"time"

	"github.com/steward-desk/steward/internal/db/dbtest"
	"github.com/steward-desk/steward/internal/live"
)

func TestLocalFanOutAndClose(t *testing.T) {
	b := live.NewLocal()
	a, stopA := b.Subscribe()
	c, _ := b.Subscribe()
	b.Publish(context.Background(), live.Event{Type: "ticket.created", TicketID: 7})
	if e := <-a; e.TicketID != 7 {
		t.Fatalf("a got %+v", e)
	}
	if e := <-c; e.TicketID != 7 {
		t.Fatalf("c got %+v", e)
	}
	stopA()
	b.Close()
	if _, ok := <-c; ok {
		t.Fatal("channel open after Close")
	}
	if _, ok := <-func() <-chan live.Event { ch, _ := b.Subscribe(); return ch }(); ok {
		t.Fatal("subscription after Close is open")
	}
}

// Two brokers on one PostgreSQL stand for two Steward nodes: an event
// published on one reaches subscribers on both.
func TestPostgresAcrossNodes(t *testing.T) {
	d1 := dbtest.OpenPostgres(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	n1 := live.NewPostgres(ctx, d1.Pool, nil)
	n2 := live.NewPostgres(ctx, d1.Pool, nil)
	s1, _ := n1.Subscribe()
	s2, _ := n2.Subscribe()
	time.Sleep(300 * time.Millisecond) // let both LISTENs start
	n1.Publish(ctx, live.Event{Type: "message.created", TicketID: 42, MessageID: 9})
	for i, s := range []<-chan live.Event{s1, s2} {
		select {
		case e := <-s:
			if e.TicketID != 42 || e.MessageID != 9 {
				t.Fatalf("node %d got %+v", i+1, e)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("node %d got nothing", i+1)
		}
	}
}
