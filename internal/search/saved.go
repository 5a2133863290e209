package search

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/steward-desk/steward/internal/db"
	"github.com/steward-desk/steward/internal/errs"
	"github.com/steward-desk/steward/internal/staff"
)

// SavedSearch is a query an agent named and kept; it opens as an inbox view.
// A private one is seen only by its owner; a shared one (made by a
// supervisor or an admin) by every member of staff.
type SavedSearch struct {
	ID        int64     `json:"id"`
	OwnerID   int64     `json:"owner_id"`
	OwnerName string    `json:"owner_name"`
	Name      string    `json:"name"`
	Query     string    `json:"query"`
	Shared    bool      `json:"shared"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	// Editable: the viewer may rename, share or delete it — its owner, and
	// admins for shared ones.
	Editable bool `json:"editable"`
}

// Viewer is the member of staff a saved search is read or changed for.
type Viewer struct {
	UserID int64
	Role   staff.Role
}

// MaxSavedName is the longest name of a saved search, in characters.
const MaxSavedName = 80

// SavedInput creates or changes a saved search; nil fields are left as they
// are (on create: Name and Query are required, Shared defaults to false).
type SavedInput struct {
	Name   *string `json:"name"`
	Query  *string `json:"query"`
	Shared *bool   `json:"shared"`
}

const savedCols = `s.id, s.owner_id, COALESCE(u.name, ''), s.name, s.query, s.shared, s.created_at, s.updated_at
	FROM saved_searches s LEFT JOIN users u ON u.id = s.owner_id`

func scanSaved(row interface{ Scan(...any) error }, v Viewer) (SavedSearch, error) {
	var s SavedSearch
	var created, updated int64
	if err := row.Scan(&s.ID, &s.OwnerID, &s.OwnerName, &s.Name, &s.Query, &s.Shared, &created, &updated); err != nil {
		return s, err
	}
	s.CreatedAt, s.UpdatedAt = db.Time(created), db.Time(updated)
	s.Editable = s.OwnerID == v.UserID || (s.Shared && v.Role == staff.Admin)
	return s, nil
}

// ListSaved returns the saved searches v may see: their own, then the
// shared ones of others, each by name.
func ListSaved(ctx context.Context, q db.Querier, v Viewer) ([]SavedSearch, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+savedCols+`
		WHERE s.owner_id = $1 OR s.shared = $2
		ORDER BY CASE WHEN s.owner_id = $1 THEN 0 ELSE 1 END, s.name, s.id`, v.UserID, true)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []SavedSearch{}
	for rows.Next() {
		s, err := scanSaved(rows, v)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// GetSaved reads one saved search; another's private search is
// errs.ErrNotFound, as if it did not exist.
func GetSaved(ctx context.Context, q db.Querier, v Viewer, id int64) (SavedSearch, error) {
	s, err := scanSaved(q.QueryRowContext(ctx, `SELECT `+savedCols+` WHERE s.id = $1`, id), v)
	if errors.Is(err, sql.ErrNoRows) || err == nil && s.OwnerID != v.UserID && !s.Shared {
		return SavedSearch{}, errs.ErrNotFound
	}
	return s, err
}

// validate checks a name and a query; the query must parse and be
// searchable (ValidateQuery).
func (x *Index) validateSaved(ctx context.Context, name, query *string, v Viewer) error {
	if name != nil {
		*name = strings.TrimSpace(*name)
		switch {
		case *name == "":
			return errs.Field("name", "required", "give the search a name")
		case utf8.RuneCountInString(*name) > MaxSavedName:
			return errs.Field("name", "too_long", "a name is at most %d characters", MaxSavedName)
		}
	}
	if query != nil {
		*query = strings.TrimSpace(*query)
		if _, _, _, err := x.plans(ctx, *query, Options{Type: TypeTicket, UserID: v.UserID}); err != nil {
			return err
		}
	}
	return nil
}

// CreateSaved saves a search for v. Only supervisors and admins may share.
func (x *Index) CreateSaved(ctx context.Context, q db.Querier, v Viewer, in SavedInput, now time.Time) (SavedSearch, error) {
	if in.Name == nil {
		return SavedSearch{}, errs.Field("name", "required", "give the search a name")
	}
	if in.Query == nil {
		return SavedSearch{}, errs.Field("query", "required", "type a search to save")
	}
	if err := x.validateSaved(ctx, in.Name, in.Query, v); err != nil {
		return SavedSearch{}, savedField(err)
	}
	shared := in.Shared != nil && *in.Shared
	if shared && !v.Role.AtLeast(staff.Supervisor) {
		return SavedSearch{}, errs.ErrForbidden
	}
	var id int64
	err := q.QueryRowContext(ctx, `INSERT INTO saved_searches (owner_id, name, query, shared, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $5) RETURNING id`, v.UserID, *in.Name, *in.Query, shared, now.UnixMilli()).Scan(&id)
	if err != nil {
		return SavedSearch{}, err
	}
	return GetSaved(ctx, q, v, id)
}

// UpdateSaved renames, re-queries or (un)shares a saved search. Its owner
// may; admins may change shared ones. Others get ErrForbidden if they can
// see it and ErrNotFound if not. Sharing needs a supervisor or an admin.
func (x *Index) UpdateSaved(ctx context.Context, q db.Querier, v Viewer, id int64, in SavedInput, now time.Time) (SavedSearch, error) {
	s, err := GetSaved(ctx, q, v, id)
	if err != nil {
		return s, err
	}
	if !s.Editable {
		return SavedSearch{}, errs.ErrForbidden
	}
	if err := x.validateSaved(ctx, in.Name, in.Query, v); err != nil {
		return SavedSearch{}, savedField(err)
	}
	if in.Shared != nil && *in.Shared != s.Shared && !v.Role.AtLeast(staff.Supervisor) {
		return SavedSearch{}, errs.ErrForbidden
	}
	if in.Name != nil {
		s.Name = *in.Name
	}
	if in.Query != nil {
		s.Query = *in.Query
	}
	if in.Shared != nil {
		s.Shared = *in.Shared
	}
	_, err = q.ExecContext(ctx, `UPDATE saved_searches SET name = $1, query = $2, shared = $3, updated_at = $4 WHERE id = $5`,
		s.Name, s.Query, s.Shared, now.UnixMilli(), id)
	if err != nil {
		return SavedSearch{}, err
	}
	return GetSaved(ctx, q, v, id)
}

// DeleteSaved deletes a saved search, under UpdateSaved's rules.
func DeleteSaved(ctx context.Context, q db.Querier, v Viewer, id int64) error {
	s, err := GetSaved(ctx, q, v, id)
	if err != nil {
		return err
	}
	if !s.Editable {
		return errs.ErrForbidden
	}
	_, err = q.ExecContext(ctx, `DELETE FROM saved_searches WHERE id = $1`, id)
	return err
}

// savedField names a query error after the saved search's field "query".
func savedField(err error) error {
	if inv, ok := errs.AsInvalid(err); ok && inv.Field == "q" {
		c := *inv
		c.Field = "query"
		return &c
	}
	return err
}

// Matches returns one page of the tickets a query matches, most recently
// changed first, without snippets: a saved search opened as an inbox view.
// The cursor is a keyset (the index's sequence number of the last ticket),
// so a page costs the same however deep it is.
func (x *Index) Matches(ctx context.Context, q string, o Options) (ids []int64, next string, err error) {
	o.Type, o.Sort = TypeTicket, SortRecent
	_, _, main, err := x.plans(ctx, q, o)
	if err != nil {
		return nil, "", err
	}
	pg, err := x.eng.search(ctx, x.db.R, main)
	if err != nil {
		return nil, "", err
	}
	items := pg.items
	if len(items) > main.limit {
		items = items[:main.limit]
		next = encodeCursor(main, items[len(items)-1])
	}
	ids = make([]int64, len(items))
	for i, c := range items {
		ids[i] = c.id
	}
	return ids, next, nil
}

// Count counts the tickets a query matches, up to max: it returns max and
// true when there are more. It reads at most max+1 of the most recently
// changed matches, so an inbox can count several saved searches cheaply.
func (x *Index) Count(ctx context.Context, q string, o Options, max int) (int, bool, error) {
	o.Type, o.Sort, o.Cursor, o.Limit = TypeTicket, SortRecent, "", 0
	_, _, main, err := x.plans(ctx, q, o)
	if err != nil {
		return 0, false, err
	}
	main.limit = max
	pg, err := x.eng.search(ctx, x.db.R, main)
	if err != nil {
		return 0, false, err
	}
	if len(pg.items) > max {
		return max, true, nil
	}
	return len(pg.items), false, nil
}
