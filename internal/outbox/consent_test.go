package outbox

import (
	"context"
	"database/sql"
	"testing"

	"github.com/steward-desk/steward/internal/audit"
	"github.com/steward-desk/steward/internal/db"
	"github.com/steward-desk/steward/internal/db/dbtest"
	"github.com/steward-desk/steward/internal/supporter"
	"github.com/steward-desk/steward/internal/ticket"
)

// Mail to a supporter who asked not to be contacted, or withdrew consent to
// email, is kept as "suppressed" and never queued for sending.
func TestDoNotContactSuppressesMail(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		svc := &ticket.Service{DB: d}
		o := &Outbox{TokenSecret: []byte("0123456789abcdef0123456789abcdef")}
		for i, block := range []func(id int64) error{
			func(id int64) error { return supporter.SetDoNotContact(ctx, d.W, id, true) },
			func(id int64) error { return supporter.SetConsent(ctx, d.W, id, "email", false, "phone call") },
		} {
			tk, err := svc.Create(ctx, audit.System, ticket.CreateInput{NewTicket: ticket.NewTicket{Subject: "s", Body: "b", Channel: "email"},
				Supporter: supporter.NewSupporter{Email: "dnc" + string(rune('a'+i)) + "@example.org"}})
			if err != nil {
				t.Fatal(err)
			}
			if err := block(tk.SupporterID); err != nil {
				t.Fatal(err)
			}
			var id int64
			err = d.Tx(ctx, func(tx *sql.Tx) error {
				id, err = o.insert(ctx, tx, row{TicketID: tk.ID, Kind: "reply", To: Address{Address: "dnc@example.org"}, Subject: "Re: s", Text: "hello"})
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			var status string
			d.R.QueryRow("SELECT status FROM outbox WHERE id = $1", id).Scan(&status)
			if status != "suppressed" {
				t.Fatalf("case %d: status %q, want suppressed", i, status)
			}
		}
	})
}
