// Package stripehook receives Stripe webhooks at POST /webhooks/stripe. An
// event is verified with stripe-go's webhook package against the endpoint's
// signing secret (a forged or stale signature is a 400 and nothing is
// stored); a successful charge or completed checkout session becomes a
// donation on the matching supporter, who is created when new. Event ids are
// claimed in inbound_keys like intake's source keys, so a redelivered event
// is a no-op; donations are keyed by the payment (payment intent, invoice,
// then charge or session id), so the charge.succeeded and
// checkout.session.completed events of one payment make one donation.
package stripehook

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/stripe/stripe-go/v82/webhook"

	"github.com/steward-desk/steward/internal/audit"
	"github.com/steward-desk/steward/internal/db"
	"github.com/steward-desk/steward/internal/errs"
	"github.com/steward-desk/steward/internal/giving"
	"github.com/steward-desk/steward/internal/supporter"
)

// SecretName is where the signing secret set by an admin is kept (table secrets).
const SecretName = "stripe_webhook_secret"

// Tolerance is how old a signature's timestamp may be (Stripe's default).
const Tolerance = webhook.DefaultTolerance

// ErrSignature means the payload was not signed with the secret, or too long ago.
var ErrSignature = errors.New("stripehook: invalid or stale signature")

// ErrNoSecret means no signing secret is configured.
var ErrNoSecret = errors.New("stripehook: no signing secret configured")

// SetSecret stores the signing secret (whsec_…) set by an admin; empty removes it.
func SetSecret(ctx context.Context, q db.Querier, secret string) error {
	secret = strings.TrimSpace(secret)
	if secret == "" {
		_, err := q.ExecContext(ctx, "DELETE FROM secrets WHERE name = $1", SecretName)
		return err
	}
	if !strings.HasPrefix(secret, "whsec_") || len(secret) > 200 {
		return errs.Field("stripe_webhook_secret", "invalid", "a Stripe signing secret starts with whsec_")
	}
	_, err := q.ExecContext(ctx, `INSERT INTO secrets (name, value, created_at) VALUES ($1, $2, $3)
		ON CONFLICT (name) DO UPDATE SET value = excluded.value, created_at = excluded.created_at`, SecretName, secret, db.Now())
	return err
}

// StoredSecret returns the secret set by an admin ("" when none).
func StoredSecret(ctx context.Context, q db.Querier) (string, error) {
	var v string
	err := q.QueryRowContext(ctx, "SELECT value FROM secrets WHERE name = $1", SecretName).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return v, err
}

// Result says what an event did.
type Result struct {
	EventID    string
	Type       string
	Duplicate  bool // the event was seen before
	Ignored    bool // not an event that makes a donation
	DonationID int64
	Created    bool // a new donation (false: the payment was already stored)
}

// Process verifies and applies one webhook delivery in one transaction.
func Process(ctx context.Context, d *db.DB, payload []byte, header, secret string) (Result, error) {
	if secret == "" {
		return Result{}, ErrNoSecret
	}
	ev, err := webhook.ConstructEventWithOptions(payload, header, secret, webhook.ConstructEventOptions{
		Tolerance: Tolerance, IgnoreAPIVersionMismatch: true})
	if err != nil {
		return Result{}, fmt.Errorf("%w: %v", ErrSignature, err)
	}
	res := Result{EventID: ev.ID, Type: string(ev.Type)}
	if ev.ID == "" || ev.Data == nil {
		return res, errs.Field("event", "invalid", "an event needs an id and data")
	}
	var p payment
	switch ev.Type {
	case "charge.succeeded":
		p, err = fromCharge(ev.Data.Raw)
	case "checkout.session.completed", "checkout.session.async_payment_succeeded":
		p, err = fromSession(ev.Data.Raw)
	default:
		res.Ignored = true
		return res, nil
	}
	if err != nil {
		return res, err
	}
	if p.skip {
		res.Ignored = true
		return res, nil
	}
	err = d.Tx(ctx, func(tx *sql.Tx) error {
		r, err := tx.ExecContext(ctx, `INSERT INTO inbound_keys (channel, source_key, received_at) VALUES ('stripe', $1, $2)
			ON CONFLICT (channel, source_key) DO NOTHING`, ev.ID, db.Now())
		if err != nil {
			return err
		}
		if n, _ := r.RowsAffected(); n == 0 {
			res.Duplicate = true
			return nil
		}
		sid, err := p.supporter(ctx, tx)
		if err != nil {
			return err
		}
		don, created, err := giving.Add(ctx, tx, giving.NewDonation{SupporterID: sid, AmountMinor: p.amount, Currency: p.currency,
			DonatedAt: p.at, Campaign: p.campaign, Recurring: p.recurring, PaymentMethod: p.method,
			Source: giving.SourceStripe, SourceKey: p.key})
		if err != nil {
			return err
		}
		res.DonationID, res.Created = don.ID, created
		if !created {
			return nil
		}
		return audit.Record(ctx, tx, audit.Actor{Name: "stripe"}, "donation.create", "supporter", sid,
			map[string]any{"donation_id": don.ID, "event": ev.ID, "source_key": p.key})
	})
	return res, err
}

// payment is what Steward takes from a charge or a checkout session.
type payment struct {
	key                string
	amount             int64
	currency           string
	at                 time.Time
	email, name, phone string
	customer           string
	campaign, method   string
	recurring, skip    bool
}

type details struct {
	Email string `json:"email"`
	Name  string `json:"name"`
	Phone string `json:"phone"`
}

func firstOf(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}

// idOf reads an expandable field: a plain id or an object with an id.
func idOf(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var o struct {
		ID string `json:"id"`
	}
	json.Unmarshal(raw, &o)
	return o.ID
}

func fromCharge(raw json.RawMessage) (payment, error) {
	var c struct {
		ID             string            `json:"id"`
		Amount         int64             `json:"amount"`
		Currency       string            `json:"currency"`
		Created        int64             `json:"created"`
		Paid           bool              `json:"paid"`
		Status         string            `json:"status"`
		PaymentIntent  json.RawMessage   `json:"payment_intent"`
		Invoice        json.RawMessage   `json:"invoice"`
		Customer       json.RawMessage   `json:"customer"`
		ReceiptEmail   string            `json:"receipt_email"`
		BillingDetails details           `json:"billing_details"`
		Metadata       map[string]string `json:"metadata"`
		PMDetails      struct {
			Type string `json:"type"`
		} `json:"payment_method_details"`
	}
	if err := json.Unmarshal(raw, &c); err != nil || c.ID == "" {
		return payment{}, errs.Field("data.object", "invalid", "not a charge")
	}
	invoice := idOf(c.Invoice)
	p := payment{key: firstOf(idOf(c.PaymentIntent), invoice, c.ID), amount: c.Amount, currency: strings.ToUpper(c.Currency),
		at: time.Unix(c.Created, 0).UTC(), email: firstOf(c.BillingDetails.Email, c.ReceiptEmail), name: c.BillingDetails.Name,
		phone: c.BillingDetails.Phone, customer: idOf(c.Customer), campaign: c.Metadata["campaign"], method: c.PMDetails.Type,
		recurring: invoice != "" || c.Metadata["recurring"] == "true"}
	p.skip = !c.Paid || c.Status != "" && c.Status != "succeeded"
	return p, nil
}

func fromSession(raw json.RawMessage) (payment, error) {
	var s struct {
		ID              string            `json:"id"`
		AmountTotal     int64             `json:"amount_total"`
		Currency        string            `json:"currency"`
		Created         int64             `json:"created"`
		Mode            string            `json:"mode"`
		PaymentStatus   string            `json:"payment_status"`
		PaymentIntent   json.RawMessage   `json:"payment_intent"`
		Invoice         json.RawMessage   `json:"invoice"`
		Subscription    json.RawMessage   `json:"subscription"`
		Customer        json.RawMessage   `json:"customer"`
		CustomerEmail   string            `json:"customer_email"`
		CustomerDetails details           `json:"customer_details"`
		Metadata        map[string]string `json:"metadata"`
		PaymentMethods  []string          `json:"payment_method_types"`
	}
	if err := json.Unmarshal(raw, &s); err != nil || s.ID == "" {
		return payment{}, errs.Field("data.object", "invalid", "not a checkout session")
	}
	p := payment{key: firstOf(idOf(s.PaymentIntent), idOf(s.Invoice), s.ID), amount: s.AmountTotal, currency: strings.ToUpper(s.Currency),
		at: time.Unix(s.Created, 0).UTC(), email: firstOf(s.CustomerDetails.Email, s.CustomerEmail), name: s.CustomerDetails.Name,
		phone: s.CustomerDetails.Phone, customer: idOf(s.Customer), campaign: s.Metadata["campaign"],
		recurring: s.Mode == "subscription" || idOf(s.Subscription) != ""}
	if len(s.PaymentMethods) == 1 {
		p.method = s.PaymentMethods[0]
	}
	p.skip = s.PaymentStatus != "paid" || s.AmountTotal == 0
	return p, nil
}

// supporter finds the donor — by Stripe customer id, then email or phone —
// or creates them, and remembers the customer id.
func (p payment) supporter(ctx context.Context, tx *sql.Tx) (int64, error) {
	var id int64
	if p.customer != "" {
		err := tx.QueryRowContext(ctx, "SELECT supporter_id FROM supporter_external_ids WHERE source = 'stripe' AND external_id = $1", p.customer).Scan(&id)
		if err == nil {
			return id, nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return 0, err
		}
	}
	n := supporter.NewSupporter{Name: p.name, Email: p.email, Phone: p.phone}
	if supporter.NormalisePhone(n.Phone) == "" || len(supporter.NormalisePhone(n.Phone)) < 6 {
		n.Phone = ""
	}
	if n.Email != "" && !supporter.ValidEmail(supporter.NormaliseEmail(n.Email)) {
		n.Email = ""
	}
	if n.Name == "" && n.Email == "" && n.Phone == "" {
		n.Name = "Stripe " + firstOf(p.customer, p.key)
	}
	s, err := supporter.Resolve(ctx, tx, n)
	if err != nil {
		return 0, err
	}
	if p.customer != "" {
		if _, err := tx.ExecContext(ctx, `INSERT INTO supporter_external_ids (source, external_id, supporter_id) VALUES ('stripe', $1, $2)
			ON CONFLICT DO NOTHING`, p.customer, s.ID); err != nil {
			return 0, err
		}
	}
	return s.ID, nil
}

// Handler serves POST /webhooks/stripe. secret returns the signing secret
// (environment first, then the admin setting).
func Handler(d *db.DB, envSecret string, log *slog.Logger) http.Handler {
	if log == nil {
		log = slog.Default()
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", "POST")
			http.Error(w, "POST only", http.StatusMethodNotAllowed)
			return
		}
		payload, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
		if err != nil {
			http.Error(w, "payload too large", http.StatusRequestEntityTooLarge)
			return
		}
		secret := envSecret
		if secret == "" {
			if secret, err = StoredSecret(r.Context(), d.R); err != nil {
				log.Error("stripe webhook: secret", "err", err)
				http.Error(w, "temporarily unavailable", http.StatusServiceUnavailable)
				return
			}
		}
		res, err := Process(r.Context(), d, payload, r.Header.Get("Stripe-Signature"), secret)
		switch {
		case errors.Is(err, ErrNoSecret):
			log.Warn("stripe webhook: no signing secret configured; set STEWARD_STRIPE_WEBHOOK_SECRET or the admin setting")
			http.Error(w, "webhook not configured", http.StatusServiceUnavailable)
			return
		case errors.Is(err, ErrSignature):
			log.Warn("stripe webhook: rejected signature", "err", err)
			http.Error(w, "invalid signature", http.StatusBadRequest)
			return
		case err != nil:
			if _, ok := errs.AsInvalid(err); ok {
				log.Warn("stripe webhook: unusable event", "event", res.EventID, "err", err)
				http.Error(w, "unusable event", http.StatusBadRequest)
				return
			}
			// Stripe retries on 5xx: nothing was committed.
			log.Error("stripe webhook", "event", res.EventID, "err", err)
			http.Error(w, "temporarily unavailable", http.StatusInternalServerError)
			return
		}
		log.Info("stripe webhook", "event", res.EventID, "type", res.Type, "duplicate", res.Duplicate, "ignored", res.Ignored,
			"donation", res.DonationID, "created", res.Created)
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"received":true}` + "\n"))
	})
}
