package api

import (
	"cmp"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/steward-desk/steward/internal/errs"
	"github.com/steward-desk/steward/internal/staff"
	"github.com/steward-desk/steward/internal/supporter"
	"github.com/steward-desk/steward/internal/ticket"
)

type newTicketBody struct {
	Subject      string   `json:"subject"`
	Body         string   `json:"body"`
	Channel      string   `json:"channel"`
	Type         string   `json:"type"`
	Priority     string   `json:"priority"`
	Category     string   `json:"category"`
	Tags         []string `json:"tags"`
	DepartmentID *int64   `json:"department_id"`
	AssigneeID   *int64   `json:"assignee_id"`
	// SupporterID names a known supporter; otherwise Supporter is found by
	// email or phone, or created.
	SupporterID *int64            `json:"supporter_id"`
	Supporter   *newSupporterBody `json:"supporter"`
}

type newSupporterBody struct {
	Name           string `json:"name"`
	Email          string `json:"email"`
	Phone          string `json:"phone"`
	Language       string `json:"language"`
	SupporterSince string `json:"supporter_since"`
	Notes          string `json:"notes"`
}

// createTicket opens a ticket whose first message is from the supporter.
func (s *Server) createTicket(w http.ResponseWriter, r *http.Request, me staff.User) error {
	var b newTicketBody
	if err := decode(w, r, &b); err != nil {
		return err
	}
	in := ticket.CreateInput{NewTicket: ticket.NewTicket{
		Subject: b.Subject, Body: b.Body, Channel: b.Channel, Type: b.Type, Priority: b.Priority,
		Category: b.Category, Tags: b.Tags, DepartmentID: b.DepartmentID, AssigneeID: b.AssigneeID,
	}}
	if in.Channel == "" {
		in.Channel = "api"
	}
	switch {
	case b.SupporterID != nil && b.Supporter != nil:
		return invalid("supporter_id", "invalid", "give either supporter_id or supporter, not both")
	case b.SupporterID != nil:
		if _, err := supporter.Get(r.Context(), s.db.R, *b.SupporterID); errors.Is(err, errs.ErrNotFound) {
			return invalid("supporter_id", "invalid", fmt.Sprintf("unknown supporter %d", *b.SupporterID))
		} else if err != nil {
			return err
		}
		in.SupporterID = *b.SupporterID
	case b.Supporter != nil:
		ns, err := b.Supporter.toNew("supporter.")
		if err != nil {
			return err
		}
		in.Supporter = ns
		in.Language = ns.Language
	default:
		return invalid("supporter", "required", "a ticket needs a supporter (or supporter_id)")
	}
	if err := s.checkRefs(r, b.DepartmentID, b.AssigneeID); err != nil {
		return err
	}
	t, err := s.tickets.Create(r.Context(), actor(me), in)
	if err != nil {
		return err
	}
	d, err := s.ticketDetail(r, t)
	if err != nil {
		return err
	}
	out, err := s.withSLA(r, d)
	if err != nil {
		return err
	}
	w.Header().Set("Location", fmt.Sprintf("%s/tickets/%d", basePath(r), t.ID))
	writeJSON(w, http.StatusCreated, out)
	return nil
}

// checkRefs names the field when a department or assignee does not exist
// (the foreign keys still guard the write; this only makes the error exact).
func (s *Server) checkRefs(r *http.Request, departmentID, assigneeID *int64) error {
	if departmentID != nil {
		ds, err := staff.ListDepartments(r.Context(), s.db.R)
		if err != nil {
			return err
		}
		found := false
		for _, d := range ds {
			found = found || d.ID == *departmentID
		}
		if !found {
			return invalid("department_id", "invalid", fmt.Sprintf("unknown department %d", *departmentID))
		}
	}
	if assigneeID != nil {
		u, err := staff.GetUser(r.Context(), s.db.R, *assigneeID)
		if errors.Is(err, errs.ErrNotFound) || (err == nil && !u.Active) {
			return invalid("assignee_id", "invalid", fmt.Sprintf("unknown or inactive user %d", *assigneeID))
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// ticketDetail reads a ticket's whole conversation, internal notes included
// (every API caller is staff).
func (s *Server) ticketDetail(r *http.Request, t ticket.Ticket) (ticketDetailJSON, error) {
	msgs, err := ticket.Messages(r.Context(), s.db.R, t.ID, true)
	if err != nil {
		return ticketDetailJSON{}, err
	}
	out := ticketDetailJSON{ticketJSON: ticketView(t), Messages: []messageJSON{}}
	base := basePath(r)
	for _, m := range msgs {
		out.Messages = append(out.Messages, messageView(base, m))
	}
	return out, nil
}

func (s *Server) getTicket(w http.ResponseWriter, r *http.Request, _ staff.User) error {
	id, err := pathID(r, "ticket")
	if err != nil {
		return err
	}
	t, err := ticket.Get(r.Context(), s.db.R, id)
	if errors.Is(err, errs.ErrNotFound) {
		return notFound("ticket")
	}
	if err != nil {
		return err
	}
	d, err := s.ticketDetail(r, t)
	if err != nil {
		return err
	}
	out, err := s.withSLA(r, d)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// listTickets pages through tickets, most recently updated first.
func (s *Server) listTickets(w http.ResponseWriter, r *http.Request, me staff.User) error {
	q, err := query(r, "status", "assignee", "department", "supporter", "cursor", "limit", "sort")
	if err != nil {
		return err
	}
	f := ticket.Filter{View: ticket.ViewAll, Status: ticket.Status(q["status"]), Cursor: q["cursor"]}
	switch q["sort"] {
	case "", "updated":
	case "due":
		f.Sort = "due"
	default:
		return invalid("sort", "invalid", "sort must be updated or due")
	}
	if f.Limit, err = limitParam(q); err != nil {
		return err
	}
	switch a := q["assignee"]; a {
	case "":
	case "none":
		f.Unassigned = true
	case "me":
		f.AssigneeID = me.ID
	default:
		if f.AssigneeID, err = strconv.ParseInt(a, 10, 64); err != nil || f.AssigneeID <= 0 {
			return invalid("assignee", "invalid", "assignee must be a user id, me or none")
		}
	}
	if d := q["department"]; d != "" {
		if f.DepartmentID, err = strconv.ParseInt(d, 10, 64); err != nil || f.DepartmentID <= 0 {
			return invalid("department", "invalid", "department must be a department id")
		}
	}
	if sp := q["supporter"]; sp != "" {
		if f.SupporterID, err = strconv.ParseInt(sp, 10, 64); err != nil || f.SupporterID <= 0 {
			return invalid("supporter", "invalid", "supporter must be a supporter id")
		}
	}
	ts, next, err := ticket.List(r.Context(), s.db.R, f)
	if err != nil {
		return err
	}
	items, err := s.listWithSLA(r, ts)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newPage(items, next))
	return nil
}

type ticketPatchBody struct {
	Subject      Optional[string]   `json:"subject"`
	Status       Optional[string]   `json:"status"`
	Priority     Optional[string]   `json:"priority"`
	Type         Optional[string]   `json:"type"`
	Category     Optional[string]   `json:"category"`
	DepartmentID Optional[int64]    `json:"department_id"`
	AssigneeID   Optional[int64]    `json:"assignee_id"`
	Tags         Optional[[]string] `json:"tags"`
}

// patchTicket changes any of a ticket's fields; JSON null clears the
// department, the assignee, the category or the tags.
func (s *Server) patchTicket(w http.ResponseWriter, r *http.Request, me staff.User) error {
	id, err := pathID(r, "ticket")
	if err != nil {
		return err
	}
	var b ticketPatchBody
	if err := decode(w, r, &b); err != nil {
		return err
	}
	if err := cmp.Or(b.Subject.notNull("subject"), b.Status.notNull("status"), b.Priority.notNull("priority"), b.Type.notNull("type")); err != nil {
		return err
	}
	p := ticket.Patch{Subject: b.Subject.Ptr(), Priority: b.Priority.Ptr(), Type: b.Type.Ptr(), Category: b.Category.Ptr(),
		DepartmentID: b.DepartmentID.Ptr(), ClearDepartment: b.DepartmentID.Null,
		AssigneeID: b.AssigneeID.Ptr(), ClearAssignee: b.AssigneeID.Null}
	if b.Status.Set {
		st := ticket.Status(b.Status.Value)
		if !st.Valid() {
			return invalid("status", "invalid", fmt.Sprintf("unknown status %q", b.Status.Value))
		}
		p.Status = &st
	}
	if b.Category.Null {
		empty := ""
		p.Category = &empty
	}
	if b.Tags.Set {
		tags := b.Tags.Value
		if tags == nil {
			tags = []string{}
		}
		p.Tags = &tags
	}
	if err := s.checkRefs(r, p.DepartmentID, p.AssigneeID); err != nil {
		return err
	}
	t, _, err := s.tickets.Update(r.Context(), actor(me), id, p)
	if errors.Is(err, errs.ErrNotFound) {
		return notFound("ticket")
	}
	if err != nil {
		return err
	}
	d, err := s.ticketDetail(r, t)
	if err != nil {
		return err
	}
	out, err := s.withSLA(r, d)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

type newMessageBody struct {
	Body     string  `json:"body"`
	Internal bool    `json:"internal"`
	Status   *string `json:"status"`
}

// createMessage adds a reply to the supporter, or an internal note.
func (s *Server) createMessage(w http.ResponseWriter, r *http.Request, me staff.User) error {
	id, err := pathID(r, "ticket")
	if err != nil {
		return err
	}
	var b newMessageBody
	if err := decode(w, r, &b); err != nil {
		return err
	}
	in := ticket.ReplyInput{TicketID: id, Body: b.Body, Internal: b.Internal}
	if b.Status != nil {
		st := ticket.Status(*b.Status)
		if !st.Valid() {
			return invalid("status", "invalid", fmt.Sprintf("unknown status %q", *b.Status))
		}
		in.Status = &st
	}
	m, err := s.tickets.Reply(r.Context(), actor(me), in)
	if errors.Is(err, errs.ErrNotFound) {
		return notFound("ticket")
	}
	if err != nil {
		return err
	}
	w.Header().Set("Location", fmt.Sprintf("%s/tickets/%d", basePath(r), id))
	writeJSON(w, http.StatusCreated, messageView(basePath(r), m))
	return nil
}
