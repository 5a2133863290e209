package api

import (
	"archive/zip"
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/steward-desk/steward/internal/db"
	"github.com/steward-desk/steward/internal/db/dbtest"
)

func TestSupporterProfileGivingMergePrivacy(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		type sup struct {
			ID         int64    `json:"id"`
			Name       string   `json:"name"`
			FamilyName string   `json:"family_name"`
			Tags       []string `json:"tags"`
			Segments   []string `json:"segments"`
			MergedInto *int64   `json:"merged_into"`
			Giving     struct {
				LifetimeTotal string  `json:"lifetime_total"`
				Currency      *string `json:"currency"`
				GiftCount     int     `json:"gift_count"`
				Recurring     bool    `json:"recurring"`
			} `json:"giving"`
			Identities []struct{ Kind, Value string } `json:"identities"`
		}
		var a, b sup
		f.do(req{Method: "POST", Path: "/supporters", Token: f.agentTok, Body: map[string]any{"name": "王伟", "email": "wangwei@example.cn", "language": "zh"}}).
			want(t, http.StatusCreated).json(t, &a)
		f.do(req{Method: "POST", Path: "/supporters", Token: f.agentTok, Body: map[string]any{"name": "王伟", "phone": "+86 138 0013 8000"}}).
			want(t, http.StatusCreated).json(t, &b)
		// Profile fields.
		f.do(req{Method: "PATCH", Path: fmt.Sprintf("/supporters/%d", a.ID), Token: f.agentTok, Body: map[string]any{
			"family_name": "王", "given_name": "伟", "honorific": "先生", "tags": []string{"志愿者"}, "preferred_channel": "email"}}).want(t, 200).json(t, &a)
		if a.FamilyName != "王" || len(a.Tags) != 1 || len(a.Segments) != 1 || a.Segments[0] != "volunteer" {
			t.Fatalf("profile %+v", a)
		}
		f.do(req{Method: "PATCH", Path: fmt.Sprintf("/supporters/%d", a.ID), Token: f.agentTok, Body: map[string]any{"preferred_channel": "pigeon"}}).want(t, 422)
		// Identities.
		f.do(req{Method: "POST", Path: fmt.Sprintf("/supporters/%d/identities", a.ID), Token: f.agentTok, Body: map[string]any{"kind": "handle", "value": "@wangwei@mastodon.social"}}).want(t, 201)
		f.do(req{Method: "POST", Path: fmt.Sprintf("/supporters/%d/identities", a.ID), Token: f.agentTok, Body: map[string]any{"kind": "phone", "value": "+86 138 0013 8000"}}).want(t, 409)
		// Donations: supervisors and admins record them; idempotent by external_id.
		gift := map[string]any{"amount": "6000.00", "currency": "CNY", "donated_at": "2026-11-01", "recurring": true, "external_id": "alipay-1"}
		f.do(req{Method: "POST", Path: fmt.Sprintf("/supporters/%d/donations", a.ID), Token: f.agentTok, Body: gift}).want(t, 403)
		f.do(req{Method: "POST", Path: fmt.Sprintf("/supporters/%d/donations", a.ID), Token: f.adminTok, Body: gift}).want(t, 201)
		f.do(req{Method: "POST", Path: fmt.Sprintf("/supporters/%d/donations", a.ID), Token: f.adminTok, Body: gift}).want(t, 200)
		f.do(req{Method: "POST", Path: fmt.Sprintf("/supporters/%d/donations", a.ID), Token: f.adminTok, Body: map[string]any{"amount": "1.5", "currency": "JPY", "donated_at": "2026-11-01"}}).want(t, 422)
		f.do(req{Method: "GET", Path: fmt.Sprintf("/supporters/%d", a.ID), Token: f.agentTok}).want(t, 200).json(t, &a)
		if a.Giving.LifetimeTotal != "6000.00" || *a.Giving.Currency != "CNY" || a.Giving.GiftCount != 1 {
			t.Fatalf("giving %+v", a.Giving)
		}
		f.do(req{Method: "GET", Path: fmt.Sprintf("/supporters/%d/donations", a.ID), Token: f.agentTok}).want(t, 200)
		f.do(req{Method: "GET", Path: fmt.Sprintf("/supporters/%d/timeline?limit=10", a.ID), Token: f.agentTok}).want(t, 200)
		f.do(req{Method: "GET", Path: "/segments", Token: f.agentTok}).want(t, 200)
		// Search by name in any script, email and phone.
		for _, q := range []string{"王伟", "WANGWEI@", "138 0013"} {
			var page struct{ Items []sup }
			f.do(req{Method: "GET", Path: "/supporters?q=" + url.QueryEscape(q), Token: f.agentTok}).want(t, 200).json(t, &page)
			if len(page.Items) == 0 {
				t.Errorf("q=%s found nobody", q)
			}
		}
		// Consent.
		f.do(req{Method: "PUT", Path: fmt.Sprintf("/supporters/%d/consent/email", a.ID), Token: f.agentTok, Body: map[string]any{"granted": false, "source": "phone call"}}).want(t, 200)
		f.do(req{Method: "PUT", Path: fmt.Sprintf("/supporters/%d/consent/fax", a.ID), Token: f.agentTok, Body: map[string]any{"granted": true}}).want(t, 404)
		f.do(req{Method: "GET", Path: fmt.Sprintf("/supporters/%d/consent", a.ID), Token: f.agentTok}).want(t, 200)
		// Duplicates, merge, undo.
		var dups struct {
			Items []struct {
				Supporter sup
				Reason    string
			}
		}
		f.do(req{Method: "GET", Path: fmt.Sprintf("/supporters/%d/duplicates", a.ID), Token: f.agentTok}).want(t, 200).json(t, &dups)
		f.do(req{Method: "POST", Path: fmt.Sprintf("/supporters/%d/merge", a.ID), Token: f.agentTok, Body: map[string]any{"loser_id": b.ID}}).want(t, 403)
		var m struct {
			MergeID   int64 `json:"merge_id"`
			Supporter sup   `json:"supporter"`
		}
		f.do(req{Method: "POST", Path: fmt.Sprintf("/supporters/%d/merge", a.ID), Token: f.adminTok, Body: map[string]any{"loser_id": b.ID}}).want(t, 200).json(t, &m)
		if len(m.Supporter.Identities) != 3 {
			t.Fatalf("merged %+v", m.Supporter)
		}
		f.do(req{Method: "POST", Path: fmt.Sprintf("/supporters/%d/merge", a.ID), Token: f.adminTok, Body: map[string]any{"loser_id": b.ID}}).want(t, 409)
		f.do(req{Method: "POST", Path: fmt.Sprintf("/merges/%d/undo", m.MergeID), Token: f.adminTok}).want(t, 200).json(t, &m)
		if len(m.Supporter.Identities) != 2 {
			t.Fatalf("undone %+v", m.Supporter)
		}
		f.do(req{Method: "POST", Path: fmt.Sprintf("/merges/%d/undo", m.MergeID), Token: f.adminTok}).want(t, 409)
		// Macros.
		var mac struct{ ID int64 }
		f.do(req{Method: "POST", Path: "/macros", Token: f.agentTok, Body: map[string]any{"name": "x", "body": "y"}}).want(t, 403)
		f.do(req{Method: "POST", Path: "/macros", Token: f.adminTok, Body: map[string]any{"name": "感谢", "language": "zh", "body": "{{greeting}}！感谢{{last_gift}}。{{agent_name}}"}}).want(t, 201).json(t, &mac)
		var tk struct{ ID int64 }
		f.do(req{Method: "POST", Path: "/tickets", Token: f.agentTok, Body: map[string]any{"subject": "收据", "body": "请寄收据", "supporter_id": a.ID}}).want(t, 201).json(t, &tk)
		var rendered struct{ Text string }
		f.do(req{Method: "GET", Path: fmt.Sprintf("/macros/%d/render?ticket_id=%d", mac.ID, tk.ID), Token: f.agentTok}).want(t, 200).json(t, &rendered)
		if !strings.HasPrefix(rendered.Text, "王伟 先生，您好！感谢2026年11月1日的CN¥6,000.00捐赠。") || strings.Contains(rendered.Text, "{{") {
			t.Fatalf("rendered %q", rendered.Text)
		}
		f.do(req{Method: "GET", Path: "/macros?language=zh", Token: f.agentTok}).want(t, 200)
		f.do(req{Method: "PUT", Path: fmt.Sprintf("/macros/%d", mac.ID), Token: f.adminTok, Body: map[string]any{"name": "感谢", "language": "zh", "body": "{{name}}"}}).want(t, 200)
		f.do(req{Method: "GET", Path: fmt.Sprintf("/macros/%d", mac.ID), Token: f.agentTok}).want(t, 200)
		f.do(req{Method: "DELETE", Path: fmt.Sprintf("/macros/%d", mac.ID), Token: f.adminTok}).want(t, 204)
		f.do(req{Method: "GET", Path: fmt.Sprintf("/macros/%d", mac.ID), Token: f.agentTok}).want(t, 404)
		// Stripe secret.
		f.do(req{Method: "PUT", Path: "/settings/stripe", Token: f.adminTok, Body: map[string]any{"secret": "nope"}}).want(t, 422)
		f.do(req{Method: "PUT", Path: "/settings/stripe", Token: f.adminTok, Body: map[string]any{"secret": "whsec_abc"}}).want(t, 200)
		// Export and erase: admins only.
		f.do(req{Method: "GET", Path: fmt.Sprintf("/supporters/%d/export", a.ID), Token: f.agentTok}).want(t, 403)
		res := f.do(req{Method: "GET", Path: fmt.Sprintf("/supporters/%d/export", a.ID), Token: f.adminTok}).want(t, 200)
		zr, err := zip.NewReader(bytes.NewReader(res.Body), int64(len(res.Body)))
		if err != nil || len(zr.File) != 1 || res.Header.Get("Content-Type") != "application/zip" {
			t.Fatalf("export: %v", err)
		}
		f.do(req{Method: "POST", Path: fmt.Sprintf("/supporters/%d/erase", a.ID), Token: f.adminTok}).want(t, 200)
		f.do(req{Method: "GET", Path: fmt.Sprintf("/supporters/%d", a.ID), Token: f.agentTok}).want(t, 200).json(t, &a)
		if a.Name != "" || len(a.Identities) != 0 || a.Giving.GiftCount != 1 {
			t.Fatalf("after erase %+v", a)
		}
	})
}
