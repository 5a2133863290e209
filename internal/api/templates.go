package api

import (
	"database/sql"
	"net/http"
	"slices"

	"github.com/go-chi/chi/v5"

	"github.com/steward-desk/steward/internal/audit"
	"github.com/steward-desk/steward/internal/errs"
	"github.com/steward-desk/steward/internal/sla"
	"github.com/steward-desk/steward/internal/staff"
)

// listTemplates lists the supporter-facing texts of pending investigation
// (holding reply, slip notice) in every language, edited or default.
func (s *Server) listTemplates(w http.ResponseWriter, r *http.Request, _ staff.User) error {
	ts, err := sla.Templates(r.Context(), s.db.R)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newPage(ts, ""))
	return nil
}

type templateBody struct {
	// Texts by language; a language left out keeps its text, an empty text
	// restores the default.
	Texts struct {
		En Optional[string] `json:"en"`
		Ja Optional[string] `json:"ja"`
		Zh Optional[string] `json:"zh"`
	} `json:"texts"`
}

// putTemplate changes one text in the languages given.
func (s *Server) putTemplate(w http.ResponseWriter, r *http.Request, me staff.User) error {
	name := chi.URLParam(r, "name")
	if !slices.Contains(sla.TemplateNames, name) {
		return notFound("template")
	}
	var b templateBody
	if err := decode(w, r, &b); err != nil {
		return err
	}
	texts := map[string]Optional[string]{"en": b.Texts.En, "ja": b.Texts.Ja, "zh": b.Texts.Zh}
	err := s.db.Tx(r.Context(), func(tx *sql.Tx) error {
		for _, l := range sla.TemplateLanguages {
			if t := texts[l]; t.Set {
				if err := sla.SaveTemplate(r.Context(), tx, name, l, t.Value, me.ID); err != nil {
					if inv, ok := errs.AsInvalid(err); ok {
						inv.Field = "texts." + l
					}
					return err
				}
			}
		}
		return audit.Record(r.Context(), tx, actor(me), "template.save", "template", 0, map[string]any{"name": name})
	})
	if err != nil {
		return err
	}
	ts, err := sla.Templates(r.Context(), s.db.R)
	if err != nil {
		return err
	}
	out := []sla.Template{}
	for _, t := range ts {
		if t.Name == name {
			out = append(out, t)
		}
	}
	writeJSON(w, http.StatusOK, newPage(out, ""))
	return nil
}
