package web

import (
	"net/http"
	"unicode/utf8"

	"github.com/steward-desk/steward/internal/live"
	"github.com/steward-desk/steward/internal/ticket"
)

// presenceData is who else is on a ticket, for the chips above the
// conversation ("山田 is replying").
type presenceData struct {
	TicketID int64
	Others   []live.Viewer
}

// others lists the agents on a ticket other than the one asking.
func (s *Server) others(r *http.Request, ticketID int64) presenceData {
	me := currentSession(r).User.ID
	d := presenceData{TicketID: ticketID}
	for _, v := range s.presence.Of(ticketID) {
		if v.UserID != me {
			d.Others = append(d.Others, v)
		}
	}
	return d
}

// presenceBeat is the browser's heartbeat from an open ticket: every 15
// seconds, on focus, and when the agent starts or stops writing (state
// viewing, replying, noting), or left when the page closes. It is published
// through the live broker, so every node's agents see it, and answered with
// the chips of the others on the ticket (so expired heartbeats drop out).
func (s *Server) presenceBeat(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	state, tab := r.PostFormValue("state"), r.PostFormValue("tab")
	if !live.ValidState(state) || tab == "" || len(tab) > 64 || !utf8.ValidString(tab) {
		s.errorPage(w, r, http.StatusUnprocessableEntity, "validation.invalid")
		return
	}
	if _, err := ticket.Get(r.Context(), s.db.R, id); err != nil {
		s.fail(w, r, err)
		return
	}
	u := currentSession(r).User
	e := live.Event{Type: live.EventPresence, TicketID: id, ActorID: u.ID, Name: u.Name, State: state, Tab: tab}
	// Applied here as well as when it comes back from the broker, so this
	// node knows at once (applying twice changes nothing).
	s.presence.Apply(e)
	if s.live != nil {
		s.live.Publish(r.Context(), e)
	}
	if state == live.Left {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	s.presenceChips(w, r, id)
}

// presenceList answers the chips of a ticket, fetched by the live script
// when a presence event arrives.
func (s *Server) presenceList(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	s.presenceChips(w, r, id)
}

func (s *Server) presenceChips(w http.ResponseWriter, r *http.Request, id int64) {
	s.execute(w, r, http.StatusOK, "inbox", "presence", s.newPage(r, "", s.others(r, id)))
}
