// Package macro holds canned replies: a text per language with variables
// for the supporter and the ticket ({{name}}, {{years_of_support}},
// {{last_gift}}, {{ticket_number}}, {{agent_name}} …), and changes a macro
// makes when applied (status, tags, department). Rendering never leaves a
// placeholder in the text: a missing value becomes the variable's fallback
// ("{{last_gift|your kind support}}") or the language's default wording.
package macro

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/steward-desk/steward/internal/db"
	"github.com/steward-desk/steward/internal/errs"
	"github.com/steward-desk/steward/internal/ticket"
)

// Macro is one canned reply.
type Macro struct {
	ID       int64  `json:"id"`
	Name     string `json:"name"`
	Language string `json:"language"` // en, ja, zh; "" for any
	Body     string `json:"body"`
	// What applying the macro changes on the ticket ("" / nil: nothing).
	SetStatus       string   `json:"set_status"`
	SetTags         []string `json:"set_tags"`
	SetDepartmentID *int64   `json:"set_department_id"`
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

// Input creates or replaces a macro.
type Input struct {
	Name, Language, Body, SetStatus string
	SetTags                         []string
	SetDepartmentID                 *int64
}

func (in *Input) validate() error {
	in.Name = strings.TrimSpace(in.Name)
	in.Language = strings.TrimSpace(in.Language)
	switch {
	case in.Name == "":
		return errs.Field("name", "required", "a macro needs a name")
	case utf8.RuneCountInString(in.Name) > 100:
		return errs.Field("name", "too_long", "at most 100 characters")
	case in.Language != "" && in.Language != "en" && in.Language != "ja" && in.Language != "zh":
		return errs.Field("language", "invalid", "language must be en, ja, zh or empty")
	case strings.TrimSpace(in.Body) == "":
		return errs.Field("body", "required", "a macro needs a text")
	case utf8.RuneCountInString(in.Body) > 20000 || !utf8.ValidString(in.Body) || strings.ContainsRune(in.Body, 0):
		return errs.Field("body", "invalid", "at most 20,000 characters of text")
	case in.SetStatus != "" && !ticket.Status(in.SetStatus).Valid():
		return errs.Field("set_status", "invalid", "unknown status")
	}
	tags, err := ticket.NormaliseTags(in.SetTags)
	if err != nil {
		if v, ok := errs.AsInvalid(err); ok {
			return errs.Field("set_tags", v.Code, "%s", v.Message)
		}
		return err
	}
	in.SetTags = tags
	return nil
}

const cols = "id, name, language, body, set_status, set_tags, set_department_id, created_at, updated_at"

func scan(row interface{ Scan(...any) error }) (Macro, error) {
	var m Macro
	var tags string
	var dept sql.NullInt64
	var created, updated int64
	err := row.Scan(&m.ID, &m.Name, &m.Language, &m.Body, &m.SetStatus, &tags, &dept, &created, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return m, errs.ErrNotFound
	}
	m.SetTags = []string{}
	if tags != "" {
		m.SetTags = strings.Split(tags, ",")
	}
	if dept.Valid {
		m.SetDepartmentID = &dept.Int64
	}
	m.CreatedAt, m.UpdatedAt = db.Time(created), db.Time(updated)
	return m, err
}

func deptErr(err error) error {
	if err != nil && (strings.Contains(err.Error(), "FOREIGN KEY") || strings.Contains(err.Error(), "23503")) {
		return errs.Field("set_department_id", "unknown", "no such department")
	}
	if db.IsUniqueViolation(err) {
		return errs.Field("name", "invalid", "a macro with this name and language exists")
	}
	return err
}

// Create adds a macro.
func Create(ctx context.Context, q db.Querier, in Input) (Macro, error) {
	if err := in.validate(); err != nil {
		return Macro{}, err
	}
	now := db.Now()
	var id int64
	err := q.QueryRowContext(ctx, `INSERT INTO macros (name, language, body, set_status, set_tags, set_department_id, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id`,
		in.Name, in.Language, in.Body, in.SetStatus, strings.Join(in.SetTags, ","), in.SetDepartmentID, now).Scan(&id)
	if err != nil {
		return Macro{}, deptErr(err)
	}
	return Get(ctx, q, id)
}

// Update replaces a macro.
func Update(ctx context.Context, q db.Querier, id int64, in Input) (Macro, error) {
	if err := in.validate(); err != nil {
		return Macro{}, err
	}
	r, err := q.ExecContext(ctx, `UPDATE macros SET name = $1, language = $2, body = $3, set_status = $4, set_tags = $5,
		set_department_id = $6, updated_at = $7 WHERE id = $8`,
		in.Name, in.Language, in.Body, in.SetStatus, strings.Join(in.SetTags, ","), in.SetDepartmentID, db.Now(), id)
	if err != nil {
		return Macro{}, deptErr(err)
	}
	if n, _ := r.RowsAffected(); n == 0 {
		return Macro{}, errs.ErrNotFound
	}
	return Get(ctx, q, id)
}

// Delete removes a macro.
func Delete(ctx context.Context, q db.Querier, id int64) error {
	r, err := q.ExecContext(ctx, "DELETE FROM macros WHERE id = $1", id)
	if err != nil {
		return err
	}
	if n, _ := r.RowsAffected(); n == 0 {
		return errs.ErrNotFound
	}
	return nil
}

// Get reads one macro.
func Get(ctx context.Context, q db.Querier, id int64) (Macro, error) {
	return scan(q.QueryRowContext(ctx, "SELECT "+cols+" FROM macros WHERE id = $1", id))
}

// List returns the macros, by name; with lang, those for that language and
// for any language.
func List(ctx context.Context, q db.Querier, lang string) ([]Macro, error) {
	query, args := "SELECT "+cols+" FROM macros ORDER BY name, language", []any{}
	if lang != "" {
		query, args = "SELECT "+cols+" FROM macros WHERE language = $1 OR language = '' ORDER BY name, language", []any{lang}
	}
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Macro{}
	for rows.Next() {
		m, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// Patch is what applying the macro changes on a ticket (nil when nothing).
func (m Macro) Patch(current []string) *ticket.Patch {
	var p ticket.Patch
	changed := false
	if m.SetStatus != "" {
		st := ticket.Status(m.SetStatus)
		p.Status, changed = &st, true
	}
	if len(m.SetTags) > 0 {
		tags := append([]string(nil), current...)
		for _, t := range m.SetTags {
			found := false
			for _, c := range tags {
				found = found || c == t
			}
			if !found {
				tags = append(tags, t)
			}
		}
		p.Tags, changed = &tags, true
	}
	if m.SetDepartmentID != nil {
		p.DepartmentID, changed = m.SetDepartmentID, true
	}
	if !changed {
		return nil
	}
	return &p
}
