package api

import (
	"cmp"
	"database/sql"
	"net/http"
	"slices"

	"github.com/steward-desk/steward/internal/audit"
	"github.com/steward-desk/steward/internal/org"
	"github.com/steward-desk/steward/internal/staff"
)

func (s *Server) getSettings(w http.ResponseWriter, r *http.Request, _ staff.User) error {
	st, err := org.Get(r.Context(), s.db.R)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, settingsView(st))
	return nil
}

type settingsPatchBody struct {
	Name              Optional[string]   `json:"name"`
	TimeZone          Optional[string]   `json:"time_zone"`
	Languages         Optional[[]string] `json:"languages"`
	DefaultLanguage   Optional[string]   `json:"default_language"`
	FirstReplyMinutes Optional[int]      `json:"first_reply_minutes"`
	ServiceScope      Optional[string]   `json:"service_scope"`
}

// patchSettings changes some of the organisation's settings; the result is
// validated as a whole (e.g. the default language must stay one of the languages).
func (s *Server) patchSettings(w http.ResponseWriter, r *http.Request, me staff.User) error {
	var b settingsPatchBody
	if err := decode(w, r, &b); err != nil {
		return err
	}
	if err := cmp.Or(b.Name.notNull("name"), b.TimeZone.notNull("time_zone"), b.Languages.notNull("languages"),
		b.DefaultLanguage.notNull("default_language"), b.FirstReplyMinutes.notNull("first_reply_minutes")); err != nil {
		return err
	}
	var out org.Settings
	err := s.db.Tx(r.Context(), func(tx *sql.Tx) error {
		st, err := org.Get(r.Context(), tx)
		if err != nil {
			return err
		}
		changed := map[string]any{}
		if v := b.Name.Ptr(); v != nil {
			st.Name, changed["name"] = *v, *v
		}
		if v := b.TimeZone.Ptr(); v != nil {
			st.TimeZone, changed["time_zone"] = *v, *v
		}
		if v := b.Languages.Ptr(); v != nil {
			st.Languages, changed["languages"] = *v, *v
		}
		if v := b.DefaultLanguage.Ptr(); v != nil {
			st.DefaultLanguage, changed["default_language"] = *v, *v
		}
		if v := b.FirstReplyMinutes.Ptr(); v != nil {
			st.FirstReplyMinutes, changed["first_reply_minutes"] = *v, *v
		}
		if b.ServiceScope.Set {
			st.ServiceScope, changed["service_scope"] = b.ServiceScope.Value, b.ServiceScope.Value // null clears
		}
		if err := st.Validate(); err != nil {
			return err
		}
		if !slices.Contains(st.Languages, st.DefaultLanguage) {
			return invalid("default_language", "invalid", "the default language must be one of the languages")
		}
		if err := org.Update(r.Context(), tx, st); err != nil {
			return err
		}
		if err := audit.Record(r.Context(), tx, actor(me), "settings.update", "organisation", 1, changed); err != nil {
			return err
		}
		out = st
		return nil
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, settingsView(out))
	return nil
}
