package automation

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"github.com/steward-desk/steward/internal/db"
	"github.com/steward-desk/steward/internal/errs"
)

// SignatureHeader carries the signature of a webhook call:
// "t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" with the rule's secret>".
const SignatureHeader = "X-Steward-Signature"

// Sign returns the signature header value for body sent at t.
func Sign(secret string, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(ts + "."))
	mac.Write(body)
	return "t=" + ts + ",v1=" + hex.EncodeToString(mac.Sum(nil))
}

// WebhookTimeout bounds one call, from connecting to reading the answer.
const WebhookTimeout = 10 * time.Second

// WebhookArgs is the River job that delivers one recorded webhook call.
type WebhookArgs struct {
	DeliveryID int64 `json:"delivery_id"`
}

// Kind is the River job kind.
func (WebhookArgs) Kind() string { return "automation_webhook" }

type webhookWorker struct {
	river.WorkerDefaults[WebhookArgs]
	en *Engine
}

func (w *webhookWorker) Timeout(*river.Job[WebhookArgs]) time.Duration {
	return WebhookTimeout + 5*time.Second
}

func (w *webhookWorker) Work(ctx context.Context, job *river.Job[WebhookArgs]) error {
	return w.en.DeliverWebhook(ctx, job.Args.DeliveryID, job.Attempt >= job.MaxAttempts)
}

// Register adds the automation workers (webhook calls, time rules); call
// before the River client is built.
func Register(w *river.Workers, en *Engine) {
	river.AddWorker(w, &webhookWorker{en: en})
	river.AddWorker(w, &timeWorker{en: en})
}

// Delivery is one webhook call as recorded.
type Delivery struct {
	ID             int64      `json:"id"`
	RuleID         int64      `json:"rule_id"`
	TicketID       *int64     `json:"ticket_id"`
	URL            string     `json:"url"`
	Status         string     `json:"status"` // pending, delivered, failed
	Attempts       int        `json:"attempts"`
	ResponseStatus *int       `json:"response_status"`
	LastError      string     `json:"last_error"`
	CreatedAt      time.Time  `json:"created_at"`
	FinishedAt     *time.Time `json:"finished_at"`
}

// Deliveries lists a rule's latest webhook calls, newest first.
func Deliveries(ctx context.Context, q db.Querier, ruleID int64, limit int) ([]Delivery, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, rule_id, ticket_id, url, status, attempts, response_status, last_error, created_at, finished_at
		FROM automation_webhooks WHERE rule_id = $1 ORDER BY id DESC LIMIT $2`, ruleID, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Delivery{}
	for rows.Next() {
		var d Delivery
		var ticketID, code, finished sql.NullInt64
		var created int64
		if err := rows.Scan(&d.ID, &d.RuleID, &ticketID, &d.URL, &d.Status, &d.Attempts, &code, &d.LastError, &created, &finished); err != nil {
			return nil, err
		}
		d.CreatedAt = db.Time(created)
		if ticketID.Valid {
			d.TicketID = &ticketID.Int64
		}
		if code.Valid {
			c := int(code.Int64)
			d.ResponseStatus = &c
		}
		if finished.Valid {
			t := db.Time(finished.Int64)
			d.FinishedAt = &t
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// DeliverWebhook makes one attempt at a recorded call: a signed POST of its
// payload. A 2xx answer delivers it; otherwise the attempt is recorded and
// the error returned so River retries with backoff — unless the answer says
// retrying cannot help (4xx other than 408 and 429) or this was the last
// attempt, which fail the call for good. A delivered or failed call is
// never sent again.
func (en *Engine) DeliverWebhook(ctx context.Context, id int64, last bool) error {
	var url, payload, status, secret string
	err := en.DB.R.QueryRowContext(ctx, `SELECT w.url, w.payload, w.status, r.webhook_secret FROM automation_webhooks w
		JOIN automation_rules r ON r.id = w.rule_id WHERE w.id = $1`, id).Scan(&url, &payload, &status, &secret)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && status != "pending") {
		return nil // the rule was deleted, or the call is finished
	}
	if err != nil {
		return err
	}
	code, callErr := en.post(ctx, url, secret, []byte(payload))
	permanent := callErr != nil && errors.Is(callErr, errs.ErrForbidden) ||
		code >= 400 && code < 500 && code != http.StatusRequestTimeout && code != http.StatusTooManyRequests
	next := "pending"
	switch {
	case callErr == nil:
		next = "delivered"
	case permanent || last:
		next = "failed"
	}
	msg := ""
	if callErr != nil {
		msg = truncate(callErr.Error(), 500)
	}
	var finished, respCode any
	if next != "pending" {
		finished = db.Now()
	}
	if code > 0 {
		respCode = code
	}
	if _, err := en.DB.W.ExecContext(ctx, `UPDATE automation_webhooks SET status = $1, attempts = attempts + 1, response_status = $2,
		last_error = $3, finished_at = $4 WHERE id = $5 AND status = 'pending'`, next, respCode, msg, finished, id); err != nil {
		return err
	}
	switch {
	case callErr == nil:
		return nil
	case permanent:
		return river.JobCancel(callErr)
	}
	return callErr
}

// post sends the payload and returns the answer's status code.
func (en *Engine) post(ctx context.Context, url, secret string, body []byte) (int, error) {
	if err := checkWebhookURL(url); err != nil {
		return 0, fmt.Errorf("%w: %v", errs.ErrForbidden, err)
	}
	ctx, cancel := context.WithTimeout(ctx, WebhookTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, fmt.Errorf("%w: %v", errs.ErrForbidden, err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Steward-Webhook/1")
	req.Header.Set(SignatureHeader, Sign(secret, en.now(), body))
	client := en.HTTP
	if client == nil {
		client = &http.Client{Timeout: WebhookTimeout,
			// A redirect could carry the signed payload elsewhere: it counts as an answer.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	res, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	snippet, _ := io.ReadAll(io.LimitReader(res.Body, 300))
	if res.StatusCode < 200 || res.StatusCode > 299 {
		return res.StatusCode, fmt.Errorf("HTTP %d: %s", res.StatusCode, strings.TrimSpace(string(snippet)))
	}
	return res.StatusCode, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

func utf8RuneStart(b byte) bool { return b&0xC0 != 0x80 }
