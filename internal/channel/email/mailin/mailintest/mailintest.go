// Package mailintest builds a complete email desk (database, blobs, intake
// with acknowledgements, outbox, receiver, mailboxes) for the email
// channel's tests.
package mailintest

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/riverqueue/river"

	"github.com/steward-desk/steward/internal/blob"
	"github.com/steward-desk/steward/internal/channel/email/mailin"
	"github.com/steward-desk/steward/internal/db"
	"github.com/steward-desk/steward/internal/intake"
	"github.com/steward-desk/steward/internal/jobs"
	"github.com/steward-desk/steward/internal/live"
	"github.com/steward-desk/steward/internal/mailbox"
	"github.com/steward-desk/steward/internal/outbox"
	"github.com/steward-desk/steward/internal/ticket"
)

// Desk is everything mail touches.
type Desk struct {
	DB        *db.DB
	Blobs     *blob.Store
	Jobs      *jobs.Queue
	Outbox    *outbox.Outbox
	Intake    *intake.Intake
	Receiver  *mailin.Receiver
	Mailboxes *mailbox.Store
	Tickets   *ticket.Service
}

// Options tune New.
type Options struct {
	// Transport, when set, makes the queue work outbox jobs through it
	// (call Jobs.Start); otherwise the queue only enqueues.
	Transport          outbox.Transport
	MaxMessageBytes    int64
	MaxAttachmentBytes int64
}

// New wires a desk on d, the way internal/app does.
func New(t testing.TB, d *db.DB, o Options) *Desk {
	t.Helper()
	ctx := context.Background()
	secret, err := d.Secret(ctx, "reply_token")
	if err != nil {
		t.Fatal(err)
	}
	blobs, err := blob.New(filepath.Join(t.TempDir(), "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	broker := live.NewLocal()
	ob := &outbox.Outbox{DB: d, Blobs: blobs, Live: broker, TokenSecret: secret, Domain: "desk.example.org"}
	cfg := jobs.Config{}
	if o.Transport != nil {
		workers := river.NewWorkers()
		outbox.Register(workers, ob, o.Transport)
		cfg = jobs.Config{Workers: workers, Work: true}
	}
	q, err := jobs.New(d, cfg)
	if err != nil {
		t.Fatal(err)
	}
	ob.Jobs = q
	in := &intake.Intake{DB: d, Blobs: blobs, Live: broker, TokenSecret: secret,
		Followups: []intake.Followup{mailin.Followup, ob.AckFollowup, ob.RejectedFilesFollowup}}
	k := &Desk{
		DB: d, Blobs: blobs, Jobs: q, Outbox: ob, Intake: in,
		Receiver:  &mailin.Receiver{DB: d, Blobs: blobs, Intake: in, MaxMessageBytes: o.MaxMessageBytes, MaxAttachmentBytes: o.MaxAttachmentBytes},
		Mailboxes: &mailbox.Store{DB: d, Keys: &mailbox.Keyring{File: filepath.Join(t.TempDir(), "secret.key")}},
		Tickets:   &ticket.Service{DB: d, Live: broker, Hooks: []ticket.Hook{ob.ReplyHook}},
	}
	return k
}

// AddMailbox creates a mailbox or fails the test.
func (k *Desk) AddMailbox(t testing.TB, in mailbox.Input) mailbox.Mailbox {
	t.Helper()
	m, err := k.Mailboxes.Create(context.Background(), k.DB.W, in)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// Count runs a COUNT(*) query.
func (k *Desk) Count(t testing.TB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := k.DB.R.QueryRowContext(context.Background(), query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// Need returns an environment variable set by the test environment, or
// skips the test (fails it when STEWARD_TEST_REQUIRE_ALL=1).
func Need(t testing.TB, name string) string {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		if os.Getenv("STEWARD_TEST_REQUIRE_ALL") == "1" {
			t.Fatalf("%s is not set but STEWARD_TEST_REQUIRE_ALL=1", name)
		}
		t.Skipf("%s not set; run the tests with `make test`", name)
	}
	return v
}

// WorkerQueue builds another River client that works outbox jobs through
// tr, as a restarted (or second) node would. Start and Stop it yourself.
func (k *Desk) WorkerQueue(t testing.TB, tr outbox.Transport) *jobs.Queue {
	t.Helper()
	workers := river.NewWorkers()
	outbox.Register(workers, k.Outbox, tr)
	q, err := jobs.New(k.DB, jobs.Config{Workers: workers, Work: true})
	if err != nil {
		t.Fatal(err)
	}
	return q
}
