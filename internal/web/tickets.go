package web

import (
	"errors"
	"mime"
	"net/http"
	"os"
	"strconv"
	"strings"
	"unicode"

	"github.com/steward-desk/steward/internal/audit"
	"github.com/steward-desk/steward/internal/errs"
	"github.com/steward-desk/steward/internal/ticket"
)

func actor(r *http.Request) audit.Actor {
	sess := currentSession(r)
	return audit.Actor{UserID: sess.User.ID, Name: sess.User.Name}
}

// afterPost is where a successful form post goes (post/redirect/get): the
// ticket page with its list kept. htmx follows the redirect and picks the
// region it needs from the page.
func ticketURL(r *http.Request, id int64, extra string) string {
	u := "/tickets/" + strconv.FormatInt(id, 10)
	q := ""
	if list := r.PostFormValue("list"); list != "" {
		if v, err := parseQuery(list); err == nil {
			q = parseListState(v).Q()
		}
	}
	if extra != "" {
		if q != "" {
			q += "&"
		}
		q += extra
	}
	if q != "" {
		u += "?" + q
	}
	return u
}

// ticketReply adds a reply or an internal note, optionally moving the status.
func (s *Server) ticketReply(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	body := r.PostFormValue("body")
	internal := r.PostFormValue("kind") == "note"
	in := ticket.ReplyInput{TicketID: id, Body: body, Internal: internal}
	if st := r.PostFormValue("status"); st != "" {
		status := ticket.Status(st)
		if !status.Valid() {
			s.replyInvalid(w, r, id, body, internal, errs.Field("status", "invalid", "unknown status"))
			return
		}
		in.Status = &status
	}
	if stale, err := s.changedSince(r, id); err != nil {
		s.fail(w, r, err)
		return
	} else if stale {
		s.showTicket(w, r, id, http.StatusConflict, func(td *ticketData) {
			td.Draft, td.DraftNote, td.Stale = body, internal, true
		}, nil)
		return
	}
	if _, err := s.tickets.Reply(r.Context(), actor(r), in); err != nil {
		if _, bad := errs.AsInvalid(err); bad {
			s.replyInvalid(w, r, id, body, internal, err)
			return
		}
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, ticketURL(r, id, ""), http.StatusSeeOther)
}

// changedSince reports whether someone else added to the conversation after
// the message the agent last saw (the form's "seen"), unless the agent has
// already confirmed sending anyway. Help Scout and Freshdesk call this the
// traffic cop: it stops two answers, or an answer to a question superseded.
func (s *Server) changedSince(r *http.Request, id int64) (bool, error) {
	seen, err := strconv.ParseInt(r.PostFormValue("seen"), 10, 64)
	if err != nil || seen <= 0 || r.PostFormValue("confirm") == "1" {
		return false, nil
	}
	msgs, err := ticket.Messages(r.Context(), s.db.R, id, true)
	if err != nil {
		return false, err
	}
	me := currentSession(r).User.ID
	for _, m := range msgs {
		if m.ID > seen && (m.AuthorUserID == nil || *m.AuthorUserID != me) {
			return true, nil
		}
	}
	return false, nil
}

func (s *Server) replyInvalid(w http.ResponseWriter, r *http.Request, id int64, body string, internal bool, err error) {
	p := s.newPage(r, "", nil)
	fe, _ := fieldErrors(p, err, map[string]string{"direction": "body"})
	s.showTicket(w, r, id, http.StatusUnprocessableEntity, func(td *ticketData) {
		td.Draft, td.DraftNote = body, internal
	}, fe)
}

// splitTags accepts tags separated by commas (also Japanese and Chinese
// commas) or spaces, as agents type them.
func splitTags(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool {
		return r == ',' || r == '、' || r == '，' || r == ';' || unicode.IsSpace(r)
	})
}

// ticketUpdate changes the fields present in the form: the properties panel
// sends them all, the "assign to me" button only assignee_id.
func (s *Server) ticketUpdate(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	f := r.PostForm
	var p ticket.Patch
	var bad error
	if f.Has("status") {
		st := ticket.Status(f.Get("status"))
		p.Status = &st
	}
	if f.Has("priority") {
		v := f.Get("priority")
		p.Priority = &v
	}
	if f.Has("type") {
		v := f.Get("type")
		p.Type = &v
	}
	if f.Has("tags") {
		tags := splitTags(f.Get("tags"))
		p.Tags = &tags
	}
	if f.Has("assignee_id") {
		switch v := f.Get("assignee_id"); v {
		case "":
			p.ClearAssignee = true
		case "me":
			me := currentSession(r).User.ID
			p.AssigneeID = &me
		default:
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				bad = errs.Field("assignee_id", "invalid", "unknown user")
			}
			p.AssigneeID = &n
		}
	}
	if f.Has("department_id") {
		if v := f.Get("department_id"); v == "" {
			p.ClearDepartment = true
		} else {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				bad = errs.Field("department_id", "invalid", "unknown department")
			}
			p.DepartmentID = &n
		}
	}
	err := bad
	if err == nil {
		_, _, err = s.tickets.Update(r.Context(), actor(r), id, p)
	}
	if err != nil {
		if _, invalid := errs.AsInvalid(err); invalid {
			pg := s.newPage(r, "", nil)
			fe, _ := fieldErrors(pg, err, nil)
			s.showTicket(w, r, id, http.StatusUnprocessableEntity, func(td *ticketData) {
				td.Props = map[string]string{}
				for _, k := range []string{"status", "priority", "type", "tags", "assignee_id", "department_id"} {
					if f.Has(k) {
						td.Props[k] = f.Get(k)
					}
				}
				if f.Has("tags") {
					td.Tags = f.Get("tags")
				}
			}, fe)
			return
		}
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, ticketURL(r, id, "saved=1"), http.StatusSeeOther)
}

// inlineTypes may be shown in the browser; everything else (HTML, SVG,
// XML, scripts, unknown) is served as a download so it can never run in
// the UI's origin.
var inlineTypes = map[string]bool{
	"image/png": true, "image/jpeg": true, "image/gif": true, "image/webp": true,
	"text/plain": true, "application/pdf": true,
}

// attachment serves an attachment's bytes from the blob store.
func (s *Server) attachment(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	if !ok || s.blobs == nil {
		s.notFound(w, r)
		return
	}
	a, _, err := ticket.GetAttachment(r.Context(), s.db.R, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	f, err := s.blobs.Open(a.SHA256)
	if errors.Is(err, os.ErrNotExist) {
		s.notFound(w, r)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	defer f.Close()
	ct, _, _ := mime.ParseMediaType(a.ContentType)
	ct = strings.ToLower(ct)
	disposition := "attachment"
	if inlineTypes[ct] {
		disposition = "inline"
	} else {
		ct = "application/octet-stream"
	}
	if ct == "text/plain" {
		ct = "text/plain; charset=utf-8"
	}
	name := a.Filename
	if name == "" {
		name = "attachment"
	}
	h := w.Header()
	h.Set("Content-Type", ct)
	h.Set("Content-Disposition", mime.FormatMediaType(disposition, map[string]string{"filename": name}))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	h.Set("Cache-Control", "private, max-age=3600")
	http.ServeContent(w, r, "", zeroTime, f)
}

// messageHTML serves a message's sanitised HTML body for a sandboxed iframe,
// with a policy of its own: the mail's inline styles apply, nothing runs,
// nothing loads from elsewhere.
func (s *Server) messageHTML(w http.ResponseWriter, r *http.Request) {
	id, ok1 := pathID(r, "id")
	mid, ok2 := pathID(r, "mid")
	if !ok1 || !ok2 {
		s.notFound(w, r)
		return
	}
	msgs, err := ticket.Messages(r.Context(), s.db.R, id, true)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	for _, m := range msgs {
		if m.ID != mid || m.BodyHTML == "" {
			continue
		}
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'none'; img-src data: cid:; style-src 'unsafe-inline'; sandbox allow-popups allow-popups-to-escape-sandbox allow-same-origin; frame-ancestors 'self'")
		h.Set("X-Frame-Options", "SAMEORIGIN")
		h.Set("Content-Type", "text/html; charset=utf-8")
		h.Set("Cache-Control", "private, no-cache")
		lang := ""
		if t := langTagOf(m.Language); t != "" {
			lang = ` lang="` + t + `"`
		}
		w.Write([]byte(`<!doctype html><html` + lang + `><head><meta charset="utf-8"><base target="_blank"><style>body{font:15px/1.7 system-ui,sans-serif;margin:0;color:#1d232b;overflow-wrap:anywhere}img{max-width:100%;height:auto}</style></head><body>`))
		w.Write([]byte(m.BodyHTML)) // sanitised by htmlsafe when stored
		w.Write([]byte(`</body></html>`))
		return
	}
	s.notFound(w, r)
}
