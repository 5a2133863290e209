package web

import (
	"database/sql"
	"net/http"

	"github.com/steward-desk/steward/internal/audit"
	"github.com/steward-desk/steward/internal/i18n"
	"github.com/steward-desk/steward/internal/routing"
	"github.com/steward-desk/steward/internal/staff"
)

// setLanguage saves the agent's UI language ("" = follow the browser).
func (s *Server) setLanguage(w http.ResponseWriter, r *http.Request) {
	lang := r.PostFormValue("language")
	if lang != "" && !i18n.Supported(lang) {
		s.errorPage(w, r, http.StatusUnprocessableEntity, "validation.invalid")
		return
	}
	sess := currentSession(r)
	if _, err := staff.UpdateUser(r.Context(), s.db.W, sess.User.ID, staff.UserPatch{Language: &lang}); err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, localPath(r.PostFormValue("next"), "/inbox"), http.StatusSeeOther)
}

// setAway marks the agent away (no new tickets are assigned to them) or back.
func (s *Server) setAway(w http.ResponseWriter, r *http.Request) {
	away := r.PostFormValue("away") == "1"
	me := currentSession(r).User.ID
	err := s.db.Tx(r.Context(), func(tx *sql.Tx) error {
		if err := routing.SetAway(r.Context(), tx, me, away); err != nil {
			return err
		}
		return audit.Record(r.Context(), tx, actor(r), "user.away", "user", me, map[string]any{"away": away})
	})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, localPath(r.PostFormValue("next"), "/inbox"), http.StatusSeeOther)
}
