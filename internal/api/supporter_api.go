package api

// Supporter profiles, identities, giving, timeline, duplicates and merges,
// consent, export and erasure, segments, macros and the Stripe secret.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/steward-desk/steward/internal/audit"
	"github.com/steward-desk/steward/internal/errs"
	"github.com/steward-desk/steward/internal/giving"
	"github.com/steward-desk/steward/internal/macro"
	"github.com/steward-desk/steward/internal/panel"
	"github.com/steward-desk/steward/internal/privacy"
	"github.com/steward-desk/steward/internal/search"
	"github.com/steward-desk/steward/internal/segment"
	"github.com/steward-desk/steward/internal/staff"
	"github.com/steward-desk/steward/internal/stripehook"
	"github.com/steward-desk/steward/internal/supporter"
)

type listJSON[T any] struct {
	Items []T `json:"items"`
}

func list[T any](items []T) listJSON[T] {
	if items == nil {
		items = []T{}
	}
	return listJSON[T]{Items: items}
}

// mustSupporter checks the supporter exists (404 otherwise).
func (s *Server) mustSupporter(ctx context.Context, id int64) (supporter.Supporter, error) {
	sp, err := supporter.Get(ctx, s.db.R, id)
	if errors.Is(err, errs.ErrNotFound) {
		return sp, notFound("supporter")
	}
	return sp, err
}

type identityBody struct {
	Kind  string `json:"kind"`
	Value string `json:"value"`
}

// addIdentity gives a supporter another email, phone or handle.
func (s *Server) addIdentity(w http.ResponseWriter, r *http.Request, me staff.User) error {
	id, err := pathID(r, "supporter")
	if err != nil {
		return err
	}
	var b identityBody
	if err := decode(w, r, &b); err != nil {
		return err
	}
	idn := supporter.Identity{Kind: b.Kind, Value: strings.TrimSpace(b.Value)}
	switch b.Kind {
	case "email":
		idn.Value = supporter.NormaliseEmail(idn.Value)
		if !supporter.ValidEmail(idn.Value) {
			return invalid("value", "invalid", "not an email address")
		}
	case "phone":
		idn.Value = supporter.NormalisePhone(idn.Value)
		if len(strings.TrimPrefix(idn.Value, "+")) < 5 || len(idn.Value) > 16 {
			return invalid("value", "invalid", "not a phone number (E.164: +81312345678)")
		}
	case "handle":
		if idn.Value == "" || len(idn.Value) > 200 {
			return invalid("value", "invalid", "a handle such as @name@mastodon.social")
		}
	default:
		return invalid("kind", "invalid", "kind must be email, phone or handle")
	}
	if _, err := s.mustSupporter(r.Context(), id); err != nil {
		return err
	}
	err = s.db.Tx(r.Context(), func(tx *sql.Tx) error {
		if err := supporter.AddIdentity(r.Context(), tx, id, idn); err != nil {
			return err
		}
		if err := search.New(s.db).SupporterChanged(r.Context(), tx, id); err != nil {
			return err
		}
		return audit.Record(r.Context(), tx, actor(me), "supporter.identity_add", "supporter", id, map[string]any{"kind": idn.Kind})
	})
	if err != nil {
		return err
	}
	out, err := s.supporterDetail(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, out)
	return nil
}

type donationJSON struct {
	ID            int64  `json:"id"`
	SupporterID   int64  `json:"supporter_id"`
	Amount        string `json:"amount"`
	AmountMinor   int64  `json:"amount_minor"`
	Currency      string `json:"currency"`
	DonatedAt     string `json:"donated_at"`
	Campaign      string `json:"campaign"`
	Recurring     bool   `json:"recurring"`
	PaymentMethod string `json:"payment_method"`
	Source        string `json:"source"`
}

func donationView(d giving.Donation) donationJSON {
	return donationJSON{ID: d.ID, SupporterID: d.SupporterID, Amount: giving.Decimal(d.AmountMinor, d.Currency), AmountMinor: d.AmountMinor,
		Currency: d.Currency, DonatedAt: stamp(d.DonatedAt), Campaign: d.Campaign, Recurring: d.Recurring, PaymentMethod: d.PaymentMethod, Source: d.Source}
}

func (s *Server) listDonations(w http.ResponseWriter, r *http.Request, _ staff.User) error {
	id, err := pathID(r, "supporter")
	if err != nil {
		return err
	}
	if _, err := s.mustSupporter(r.Context(), id); err != nil {
		return err
	}
	ds, err := giving.ForSupporter(r.Context(), s.db.R, id, 1000)
	if err != nil {
		return err
	}
	out := []donationJSON{}
	for _, d := range ds {
		out = append(out, donationView(d))
	}
	writeJSON(w, http.StatusOK, list(out))
	return nil
}

type newDonationBody struct {
	Amount        string `json:"amount"`
	Currency      string `json:"currency"`
	DonatedAt     string `json:"donated_at"`
	Campaign      string `json:"campaign"`
	Recurring     bool   `json:"recurring"`
	PaymentMethod string `json:"payment_method"`
	ExternalID    string `json:"external_id"`
}

// createDonation records a gift by hand (or from another system: external_id
// makes the call idempotent).
func (s *Server) createDonation(w http.ResponseWriter, r *http.Request, me staff.User) error {
	id, err := pathID(r, "supporter")
	if err != nil {
		return err
	}
	var b newDonationBody
	if err := decode(w, r, &b); err != nil {
		return err
	}
	cur := strings.ToUpper(strings.TrimSpace(b.Currency))
	if !giving.ValidCurrency(cur) {
		return invalid("currency", "invalid", "currency must be an ISO 4217 code such as JPY")
	}
	amt, err := giving.ParseAmount(b.Amount, cur)
	if err != nil {
		return err
	}
	at, err := parseSince("donated_at", b.DonatedAt)
	if err != nil {
		return err
	}
	if _, err := s.mustSupporter(r.Context(), id); err != nil {
		return err
	}
	n := giving.NewDonation{SupporterID: id, AmountMinor: amt, Currency: cur, DonatedAt: at, Campaign: b.Campaign,
		Recurring: b.Recurring, PaymentMethod: b.PaymentMethod, Source: giving.SourceManual, SourceKey: b.ExternalID}
	var d giving.Donation
	created := false
	err = s.db.Tx(r.Context(), func(tx *sql.Tx) error {
		var err error
		if d, created, err = giving.Add(r.Context(), tx, n); err != nil || !created {
			return err
		}
		return audit.Record(r.Context(), tx, actor(me), "donation.create", "supporter", id, map[string]any{"donation_id": d.ID})
	})
	if err != nil {
		return err
	}
	status := http.StatusCreated
	if !created {
		status = http.StatusOK
	}
	writeJSON(w, status, donationView(d))
	return nil
}

type interactionJSON struct {
	Kind         string  `json:"kind"`
	At           string  `json:"at"`
	TicketID     *int64  `json:"ticket_id"`
	TicketNumber *int64  `json:"ticket_number"`
	Subject      string  `json:"subject"`
	Channel      string  `json:"channel"`
	Direction    string  `json:"direction"`
	DonationID   *int64  `json:"donation_id"`
	Amount       *string `json:"amount"`
	Currency     string  `json:"currency"`
	Campaign     string  `json:"campaign"`
}

func nz(v int64) *int64 {
	if v == 0 {
		return nil
	}
	return &v
}

// timeline is a supporter's latest interactions across channels.
func (s *Server) timeline(w http.ResponseWriter, r *http.Request, _ staff.User) error {
	id, err := pathID(r, "supporter")
	if err != nil {
		return err
	}
	q, err := query(r, "limit")
	if err != nil {
		return err
	}
	limit, err := limitParam(q)
	if err != nil {
		return err
	}
	if _, err := s.mustSupporter(r.Context(), id); err != nil {
		return err
	}
	items, err := panel.Timeline(r.Context(), s.db.R, id, limit)
	if err != nil {
		return err
	}
	out := []interactionJSON{}
	for _, it := range items {
		j := interactionJSON{Kind: it.Kind, At: stamp(it.At), TicketID: nz(it.TicketID), TicketNumber: nz(it.TicketNumber), Subject: it.Subject,
			Channel: it.Channel, Direction: it.Direction, DonationID: nz(it.DonationID), Currency: it.Currency, Campaign: it.Campaign}
		if it.Kind == panel.KindDonation {
			a := giving.Decimal(it.AmountMinor, it.Currency)
			j.Amount = &a
		}
		out = append(out, j)
	}
	writeJSON(w, http.StatusOK, list(out))
	return nil
}

type duplicateJSON struct {
	Supporter supporterJSON `json:"supporter"`
	Reason    string        `json:"reason"`
}

func (s *Server) duplicates(w http.ResponseWriter, r *http.Request, _ staff.User) error {
	id, err := pathID(r, "supporter")
	if err != nil {
		return err
	}
	if _, err := s.mustSupporter(r.Context(), id); err != nil {
		return err
	}
	ds, err := supporter.Duplicates(r.Context(), s.db.R, id)
	if err != nil {
		return err
	}
	out := []duplicateJSON{}
	for _, d := range ds {
		v := supporterView(d.Supporter)
		if err := enrich(r.Context(), s.db.R, &v); err != nil {
			return err
		}
		out = append(out, duplicateJSON{Supporter: v, Reason: d.Reason})
	}
	writeJSON(w, http.StatusOK, list(out))
	return nil
}

type mergeBody struct {
	LoserID int64 `json:"loser_id"`
}

type mergeJSON struct {
	MergeID   int64               `json:"merge_id"`
	WinnerID  int64               `json:"winner_id"`
	LoserID   int64               `json:"loser_id"`
	Undone    bool                `json:"undone"`
	Supporter supporterDetailJSON `json:"supporter"`
}

// merge folds loser_id into the supporter of the path.
func (s *Server) merge(w http.ResponseWriter, r *http.Request, me staff.User) error {
	id, err := pathID(r, "supporter")
	if err != nil {
		return err
	}
	var b mergeBody
	if err := decode(w, r, &b); err != nil {
		return err
	}
	if b.LoserID <= 0 {
		return invalid("loser_id", "required", "loser_id names the supporter to merge into this one")
	}
	for _, x := range []int64{id, b.LoserID} {
		if _, err := s.mustSupporter(r.Context(), x); err != nil {
			return err
		}
	}
	var mergeID int64
	err = s.db.Tx(r.Context(), func(tx *sql.Tx) error {
		var err error
		if mergeID, err = supporter.Merge(r.Context(), tx, actor(me), id, b.LoserID); err != nil {
			return err
		}
		idx := search.New(s.db)
		if err := idx.SupporterChanged(r.Context(), tx, id); err != nil {
			return err
		}
		return idx.SupporterChanged(r.Context(), tx, b.LoserID)
	})
	if err != nil {
		return err
	}
	return s.writeMerge(w, r, mergeID, id)
}

func (s *Server) writeMerge(w http.ResponseWriter, r *http.Request, mergeID, show int64) error {
	mi, _, err := supporter.GetMerge(r.Context(), s.db.R, mergeID)
	if err != nil {
		return err
	}
	sp, err := s.supporterDetail(r.Context(), show)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, mergeJSON{MergeID: mi.ID, WinnerID: mi.WinnerID, LoserID: mi.LoserID, Undone: mi.Undone, Supporter: sp})
	return nil
}

// undoMerge reverses a merge; the response shows the winner as it is now.
func (s *Server) undoMerge(w http.ResponseWriter, r *http.Request, me staff.User) error {
	id, err := pathID(r, "merge")
	if err != nil {
		return err
	}
	var mi supporter.MergeInfo
	err = s.db.Tx(r.Context(), func(tx *sql.Tx) error {
		var err error
		if mi, err = supporter.Undo(r.Context(), tx, actor(me), id); err != nil {
			return err
		}
		idx := search.New(s.db)
		if err := idx.SupporterChanged(r.Context(), tx, mi.WinnerID); err != nil {
			return err
		}
		return idx.SupporterChanged(r.Context(), tx, mi.LoserID)
	})
	if errors.Is(err, errs.ErrNotFound) {
		return notFound("merge")
	}
	if err != nil {
		return err
	}
	return s.writeMerge(w, r, id, mi.WinnerID)
}

type consentJSON struct {
	Channel   string `json:"channel"`
	Granted   bool   `json:"granted"`
	Source    string `json:"source"`
	UpdatedAt string `json:"updated_at"`
}

type consentListJSON struct {
	DoNotContact bool          `json:"do_not_contact"`
	Items        []consentJSON `json:"items"`
}

func (s *Server) writeConsent(w http.ResponseWriter, r *http.Request, id int64) error {
	sp, err := s.mustSupporter(r.Context(), id)
	if err != nil {
		return err
	}
	cs, err := supporter.Consents(r.Context(), s.db.R, id)
	if err != nil {
		return err
	}
	out := consentListJSON{DoNotContact: sp.DoNotContact, Items: []consentJSON{}}
	for _, c := range cs {
		out.Items = append(out.Items, consentJSON{Channel: c.Channel, Granted: c.Granted, Source: c.Source, UpdatedAt: stamp(c.UpdatedAt)})
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) getConsent(w http.ResponseWriter, r *http.Request, _ staff.User) error {
	id, err := pathID(r, "supporter")
	if err != nil {
		return err
	}
	return s.writeConsent(w, r, id)
}

type consentBody struct {
	Granted Optional[bool] `json:"granted"`
	Source  string         `json:"source"`
}

// putConsent records consent or its withdrawal for one channel.
func (s *Server) putConsent(w http.ResponseWriter, r *http.Request, me staff.User) error {
	id, err := pathID(r, "supporter")
	if err != nil {
		return err
	}
	channel := chi.URLParam(r, "channel")
	if !slices.Contains(supporter.Channels, channel) {
		return notFound("channel")
	}
	var b consentBody
	if err := decode(w, r, &b); err != nil {
		return err
	}
	if !b.Granted.Set || b.Granted.Null {
		return invalid("granted", "required", "granted must be true or false")
	}
	if _, err := s.mustSupporter(r.Context(), id); err != nil {
		return err
	}
	err = s.db.Tx(r.Context(), func(tx *sql.Tx) error {
		if err := supporter.SetConsent(r.Context(), tx, id, channel, b.Granted.Value, b.Source); err != nil {
			return err
		}
		return audit.Record(r.Context(), tx, actor(me), "supporter.consent", "supporter", id, map[string]any{"channel": channel, "granted": b.Granted.Value})
	})
	if err != nil {
		return err
	}
	return s.writeConsent(w, r, id)
}

// exportSupporter answers a data-access request: one zip archive.
func (s *Server) exportSupporter(w http.ResponseWriter, r *http.Request, me staff.User) error {
	id, err := pathID(r, "supporter")
	if err != nil {
		return err
	}
	if _, err := s.mustSupporter(r.Context(), id); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/zip")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="supporter-%d.zip"`, id))
	// Headers are sent with the first byte: a failure after that can only
	// cut the archive short, which zip readers detect.
	return privacy.WriteExport(r.Context(), s.db, s.blobs, actor(me), id, w)
}

type erasedJSON struct {
	Tickets  int `json:"tickets"`
	Messages int `json:"messages"`
	Files    int `json:"files"`
}

// eraseSupporter answers an erasure request.
func (s *Server) eraseSupporter(w http.ResponseWriter, r *http.Request, me staff.User) error {
	id, err := pathID(r, "supporter")
	if err != nil {
		return err
	}
	if _, err := s.mustSupporter(r.Context(), id); err != nil {
		return err
	}
	res, err := privacy.Erase(r.Context(), s.db, s.blobs, search.New(s.db), actor(me), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, erasedJSON{Tickets: res.Tickets, Messages: res.Messages, Files: res.Blobs})
	return nil
}

type segmentJSON struct {
	Name string `json:"name"`
	Rule string `json:"rule"`
}

func (s *Server) listSegments(w http.ResponseWriter, r *http.Request, _ staff.User) error {
	rules := map[string]string{
		segment.Monthly:   fmt.Sprintf("a recurring gift within the last %d days", int(giving.RecurringWindow.Hours()/24)),
		segment.Major:     fmt.Sprintf("lifetime total at least JPY 100,000 / CNY 5,000 / TWD 30,000 / HKD 8,000 / KRW 1,000,000, or %s of another currency", "1,000"),
		segment.New:       fmt.Sprintf("first gift within the last %d days", int(segment.NewWithin.Hours()/24)),
		segment.Lapsed:    fmt.Sprintf("no gift in the last %d months", segment.LapsedAfterMonths),
		segment.Volunteer: "tagged " + strings.Join(segment.VolunteerTags, ", "),
	}
	out := []segmentJSON{}
	for _, name := range segment.All {
		out = append(out, segmentJSON{Name: name, Rule: rules[name]})
	}
	writeJSON(w, http.StatusOK, list(out))
	return nil
}

type macroJSON struct {
	ID              int64    `json:"id"`
	Name            string   `json:"name"`
	Language        string   `json:"language"`
	Body            string   `json:"body"`
	SetStatus       string   `json:"set_status"`
	SetTags         []string `json:"set_tags"`
	SetDepartmentID *int64   `json:"set_department_id"`
	UpdatedAt       string   `json:"updated_at"`
}

func macroView(m macro.Macro) macroJSON {
	return macroJSON{ID: m.ID, Name: m.Name, Language: m.Language, Body: m.Body, SetStatus: m.SetStatus, SetTags: m.SetTags,
		SetDepartmentID: m.SetDepartmentID, UpdatedAt: stamp(m.UpdatedAt)}
}

func (s *Server) listMacros(w http.ResponseWriter, r *http.Request, _ staff.User) error {
	q, err := query(r, "language")
	if err != nil {
		return err
	}
	ms, err := macro.List(r.Context(), s.db.R, q["language"])
	if err != nil {
		return err
	}
	out := []macroJSON{}
	for _, m := range ms {
		out = append(out, macroView(m))
	}
	writeJSON(w, http.StatusOK, list(out))
	return nil
}

func (s *Server) getMacro(w http.ResponseWriter, r *http.Request, _ staff.User) error {
	id, err := pathID(r, "macro")
	if err != nil {
		return err
	}
	m, err := macro.Get(r.Context(), s.db.R, id)
	if errors.Is(err, errs.ErrNotFound) {
		return notFound("macro")
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, macroView(m))
	return nil
}

type macroBody struct {
	Name            string   `json:"name"`
	Language        string   `json:"language"`
	Body            string   `json:"body"`
	SetStatus       string   `json:"set_status"`
	SetTags         []string `json:"set_tags"`
	SetDepartmentID *int64   `json:"set_department_id"`
}

// saveMacro creates (POST /macros) or replaces (PUT /macros/{id}) a macro.
func (s *Server) saveMacro(w http.ResponseWriter, r *http.Request, me staff.User) error {
	var id int64
	if chi.URLParam(r, "id") != "" {
		var err error
		if id, err = pathID(r, "macro"); err != nil {
			return err
		}
	}
	var b macroBody
	if err := decode(w, r, &b); err != nil {
		return err
	}
	in := macro.Input{Name: b.Name, Language: b.Language, Body: b.Body, SetStatus: b.SetStatus, SetTags: b.SetTags, SetDepartmentID: b.SetDepartmentID}
	var m macro.Macro
	err := s.db.Tx(r.Context(), func(tx *sql.Tx) error {
		var err error
		action := "macro.create"
		if id > 0 {
			m, err = macro.Update(r.Context(), tx, id, in)
			action = "macro.update"
		} else {
			m, err = macro.Create(r.Context(), tx, in)
		}
		if err != nil {
			return err
		}
		return audit.Record(r.Context(), tx, actor(me), action, "macro", m.ID, map[string]any{"name": m.Name})
	})
	if errors.Is(err, errs.ErrNotFound) {
		return notFound("macro")
	}
	if err != nil {
		return err
	}
	status := http.StatusOK
	if id == 0 {
		status = http.StatusCreated
		w.Header().Set("Location", fmt.Sprintf("%s/macros/%d", basePath(r), m.ID))
	}
	writeJSON(w, status, macroView(m))
	return nil
}

func (s *Server) deleteMacro(w http.ResponseWriter, r *http.Request, me staff.User) error {
	id, err := pathID(r, "macro")
	if err != nil {
		return err
	}
	err = s.db.Tx(r.Context(), func(tx *sql.Tx) error {
		if err := macro.Delete(r.Context(), tx, id); err != nil {
			return err
		}
		return audit.Record(r.Context(), tx, actor(me), "macro.delete", "macro", id, nil)
	})
	if errors.Is(err, errs.ErrNotFound) {
		return notFound("macro")
	}
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

type renderedJSON struct {
	Text      string  `json:"text"`
	Language  string  `json:"language"`
	SetStatus *string `json:"set_status"`
}

// renderMacro shows a macro as it would read on a ticket, for the caller
// as agent (agent_name).
func (s *Server) renderMacro(w http.ResponseWriter, r *http.Request, me staff.User) error {
	id, err := pathID(r, "macro")
	if err != nil {
		return err
	}
	q, err := query(r, "ticket_id")
	if err != nil {
		return err
	}
	tid, err := strconv.ParseInt(q["ticket_id"], 10, 64)
	if err != nil || tid <= 0 {
		return invalid("ticket_id", "required", "ticket_id names the ticket to render for")
	}
	m, err := macro.Get(r.Context(), s.db.R, id)
	if errors.Is(err, errs.ErrNotFound) {
		return notFound("macro")
	}
	if err != nil {
		return err
	}
	v, _, err := macro.VarsFor(r.Context(), s.db.R, tid, me.Name, time.Now())
	if errors.Is(err, errs.ErrNotFound) {
		return notFound("ticket")
	}
	if err != nil {
		return err
	}
	out := renderedJSON{Text: macro.Render(m.Body, v), Language: v.Lang}
	if m.SetStatus != "" {
		out.SetStatus = &m.SetStatus
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

type stripeBody struct {
	Secret string `json:"secret"`
}

type stripeJSON struct {
	Configured bool   `json:"configured"`
	Endpoint   string `json:"endpoint"`
}

// putStripe sets (or with "" removes) the Stripe webhook signing secret.
// STEWARD_STRIPE_WEBHOOK_SECRET, when set, takes precedence.
func (s *Server) putStripe(w http.ResponseWriter, r *http.Request, me staff.User) error {
	var b stripeBody
	if err := decode(w, r, &b); err != nil {
		return err
	}
	err := s.db.Tx(r.Context(), func(tx *sql.Tx) error {
		if err := stripehook.SetSecret(r.Context(), tx, b.Secret); err != nil {
			if v, ok := errs.AsInvalid(err); ok {
				return invalid("secret", v.Code, v.Message)
			}
			return err
		}
		return audit.Record(r.Context(), tx, actor(me), "settings.stripe_secret", "settings", 0, map[string]any{"configured": b.Secret != ""})
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, stripeJSON{Configured: b.Secret != "", Endpoint: "/webhooks/stripe"})
	return nil
}
