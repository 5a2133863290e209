package stripehook_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v82/webhook"

	"github.com/steward-desk/steward/internal/db"
	"github.com/steward-desk/steward/internal/db/dbtest"
	"github.com/steward-desk/steward/internal/giving"
	"github.com/steward-desk/steward/internal/stripehook"
	"github.com/steward-desk/steward/internal/supporter"
)

const secret = "whsec_test_5f3c1a"

func chargeEvent(id, pi, email string, amount int64, currency string) []byte {
	return []byte(fmt.Sprintf(`{"id":%q,"object":"event","api_version":"2020-08-27","created":1764000000,"type":"charge.succeeded",
"data":{"object":{"id":"ch_%s","object":"charge","amount":%d,"currency":%q,"created":1764000000,"paid":true,"status":"succeeded",
"payment_intent":%q,"customer":"cus_77","receipt_email":null,
"billing_details":{"email":%q,"name":"佐藤 花子","phone":"+81 90-1111-2222"},
"metadata":{"campaign":"年末募金"},"payment_method_details":{"type":"card"}}}}`, id, id, amount, currency, pi, email))
}

func sessionEvent(id, pi string) []byte {
	return []byte(fmt.Sprintf(`{"id":%q,"object":"event","api_version":"2025-06-30.basil","created":1764000000,"type":"checkout.session.completed",
"data":{"object":{"id":"cs_%s","object":"checkout.session","amount_total":500000,"currency":"twd","created":1764000000,"mode":"payment",
"payment_status":"paid","payment_intent":%q,"customer":null,"customer_details":{"email":"lin@example.tw","name":"林美玲","phone":null},
"metadata":{},"payment_method_types":["card"]}}}`, id, id, pi))
}

// sign follows Stripe's documented scheme: v1 = HMAC-SHA256(secret, "t.payload").
func sign(payload []byte, key string, t time.Time) string {
	m := hmac.New(sha256.New, []byte(key))
	fmt.Fprintf(m, "%d.%s", t.Unix(), payload)
	return fmt.Sprintf("t=%d,v1=%s", t.Unix(), hex.EncodeToString(m.Sum(nil)))
}

func TestWebhook(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		srv := httptest.NewServer(stripehook.Handler(d, "", slog.New(slog.NewTextHandler(io.Discard, nil))))
		defer srv.Close()
		post := func(payload []byte, header string) int {
			req, _ := http.NewRequest(http.MethodPost, srv.URL, strings.NewReader(string(payload)))
			req.Header.Set("Stripe-Signature", header)
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			return res.StatusCode
		}
		donations := func() int {
			var n int
			d.R.QueryRow("SELECT COUNT(*) FROM donations").Scan(&n)
			return n
		}
		ev := chargeEvent("evt_1", "pi_1", "hanako@example.jp", 10000, "jpy")
		if code := post(ev, sign(ev, secret, time.Now())); code != http.StatusServiceUnavailable {
			t.Fatalf("without a secret: %d", code)
		}
		if err := stripehook.SetSecret(ctx, d.W, secret); err != nil {
			t.Fatal(err)
		}
		for name, header := range map[string]string{
			"forged":       sign(ev, "whsec_not_the_secret", time.Now()),
			"stale":        sign(ev, secret, time.Now().Add(-10*time.Minute)),
			"missing":      "",
			"garbage":      "t=abc,v1=zz",
			"other body":   sign(chargeEvent("evt_1", "pi_1", "hanako@example.jp", 99999999, "jpy"), secret, time.Now()),
			"future stale": webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: ev, Secret: secret, Timestamp: time.Now().Add(-time.Hour)}).Header,
		} {
			if code := post(ev, header); code != http.StatusBadRequest {
				t.Errorf("%s signature: %d, want 400", name, code)
			}
		}
		if n := donations(); n != 0 {
			t.Fatalf("%d donations stored from rejected events", n)
		}
		// Valid, signed by stripe-go's helper and by hand.
		signed := webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: ev, Secret: secret})
		if code := post(ev, signed.Header); code != http.StatusOK {
			t.Fatalf("valid event: %d", code)
		}
		// Replayed (redelivered) event id: no duplicate.
		if code := post(ev, sign(ev, secret, time.Now())); code != http.StatusOK || donations() != 1 {
			t.Fatalf("redelivery: %d, %d donations", code, donations())
		}
		s, err := supporter.FindByIdentity(ctx, d.R, "email", "hanako@example.jp")
		if err != nil || s.Name != "佐藤 花子" {
			t.Fatalf("supporter %+v %v", s, err)
		}
		g, _ := giving.Summarize(ctx, d.R, s.ID, time.Now())
		if g.Main().AmountMinor != 10000 || g.Main().Currency != "JPY" || g.LastGift.Campaign != "年末募金" {
			t.Fatalf("giving %+v", g)
		}
		// A second charge by the same customer (another email) lands on the same supporter.
		ev2 := chargeEvent("evt_2", "pi_2", "other@example.jp", 3000, "jpy")
		if code := post(ev2, sign(ev2, secret, time.Now())); code != http.StatusOK {
			t.Fatal(code)
		}
		if g, _ := giving.Summarize(ctx, d.R, s.ID, time.Now()); g.GiftCount != 2 {
			t.Fatalf("customer match: %+v", g)
		}
		// A checkout session and the charge of the same payment intent are one donation.
		cs := sessionEvent("evt_3", "pi_3")
		ch := chargeEvent("evt_4", "pi_3", "lin@example.tw", 500000, "twd")
		for _, e := range [][]byte{cs, ch} {
			if code := post(e, sign(e, secret, time.Now())); code != http.StatusOK {
				t.Fatal(code)
			}
		}
		if n := donations(); n != 3 {
			t.Fatalf("%d donations, want 3", n)
		}
		lin, _ := supporter.FindByIdentity(ctx, d.R, "email", "lin@example.tw")
		if g, _ := giving.Summarize(ctx, d.R, lin.ID, time.Now()); giving.Format(g.Main().AmountMinor, "TWD") != "NT$5,000" {
			t.Fatalf("lin %+v", g)
		}
		// Environment secret wins over the stored one.
		env := httptest.NewServer(stripehook.Handler(d, "whsec_env", nil))
		defer env.Close()
		ev5 := chargeEvent("evt_5", "pi_5", "x@example.org", 100, "usd")
		req, _ := http.NewRequest(http.MethodPost, env.URL, strings.NewReader(string(ev5)))
		req.Header.Set("Stripe-Signature", sign(ev5, "whsec_env", time.Now()))
		if res, err := http.DefaultClient.Do(req); err != nil || res.StatusCode != http.StatusOK {
			t.Fatalf("env secret: %v %v", res.StatusCode, err)
		}
	})
}
