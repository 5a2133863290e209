package web

import (
	"database/sql"
	"net/http"
	"slices"

	"github.com/steward-desk/steward/internal/audit"
	"github.com/steward-desk/steward/internal/errs"
	"github.com/steward-desk/steward/internal/sla"
)

// templateGroup is one supporter-facing text (holding reply, slip notice)
// in every language, as the admin form shows it.
type templateGroup struct {
	Name  string
	Texts []sla.Template
}

func (s *Server) templateGroups(r *http.Request, d *adminSLAData) ([]templateGroup, error) {
	ts, err := sla.Templates(r.Context(), s.db.R)
	if err != nil {
		return nil, err
	}
	var out []templateGroup
	for _, name := range sla.TemplateNames {
		g := templateGroup{Name: name}
		for _, t := range ts {
			if t.Name != name {
				continue
			}
			if d.Failed == "template-"+name {
				t.Body = d.TemplateForm[t.Language]
			}
			g.Texts = append(g.Texts, t)
		}
		out = append(out, g)
	}
	return out, nil
}

// adminTemplateSave saves one text in every language; an emptied text goes
// back to the built-in default.
func (s *Server) adminTemplateSave(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	if !slices.Contains(sla.TemplateNames, name) {
		s.notFound(w, r)
		return
	}
	form := map[string]string{}
	for _, l := range sla.TemplateLanguages {
		form[l] = r.PostFormValue("body_" + l)
	}
	err := s.db.Tx(r.Context(), func(tx *sql.Tx) error {
		for _, l := range sla.TemplateLanguages {
			if err := sla.SaveTemplate(r.Context(), tx, name, l, form[l], currentSession(r).User.ID); err != nil {
				if inv, ok := errs.AsInvalid(err); ok {
					inv.Field = "body_" + l
				}
				return err
			}
		}
		return audit.Record(r.Context(), tx, actor(r), "template.save", "template", 0, map[string]any{"name": name})
	})
	if err != nil {
		s.slaFailed(w, r, err, &adminSLAData{Failed: "template-" + name, TemplateForm: form})
		return
	}
	http.Redirect(w, r, "/admin/sla?saved=1#templates", http.StatusSeeOther)
}
