package web

import (
	"net/http"

	"github.com/steward-desk/steward/internal/i18n"
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
