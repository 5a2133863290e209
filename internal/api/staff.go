package api

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"

	"github.com/steward-desk/steward/internal/audit"
	"github.com/steward-desk/steward/internal/auth"
	"github.com/steward-desk/steward/internal/errs"
	"github.com/steward-desk/steward/internal/routing"
	"github.com/steward-desk/steward/internal/staff"
)

func (s *Server) getMe(w http.ResponseWriter, r *http.Request, me staff.User) error {
	a, err := routing.GetAgent(r.Context(), s.db.R, me.ID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, userView(me, a))
	return nil
}

func (s *Server) listUsers(w http.ResponseWriter, r *http.Request, _ staff.User) error {
	users, err := staff.ListUsers(r.Context(), s.db.R)
	if err != nil {
		return err
	}
	agents, err := routing.Agents(r.Context(), s.db.R)
	if err != nil {
		return err
	}
	items := make([]userJSON, 0, len(users))
	for _, u := range users {
		items = append(items, userView(u, agents[u.ID]))
	}
	writeJSON(w, http.StatusOK, newPage(items, ""))
	return nil
}

type newUserBody struct {
	Email         string  `json:"email"`
	Name          string  `json:"name"`
	Role          string  `json:"role"`
	Language      string  `json:"language"`
	DepartmentIDs []int64 `json:"department_ids"`
	// Password is optional: a user without one signs in by SSO or is given
	// one later.
	Password string `json:"password"`
	// Assignment settings (optional).
	Languages  []string `json:"languages"`
	Away       bool     `json:"away"`
	CalendarID *int64   `json:"calendar_id"`
}

func hashPassword(pw string) (string, error) {
	h, err := auth.HashPassword(pw)
	if err != nil {
		return "", invalid("password", "too_short", fmt.Sprintf("a password needs at least %d characters", auth.MinPasswordLength))
	}
	return h, nil
}

func (s *Server) createUser(w http.ResponseWriter, r *http.Request, me staff.User) error {
	var b newUserBody
	if err := decode(w, r, &b); err != nil {
		return err
	}
	n := staff.NewUser{Email: b.Email, Name: b.Name, Role: staff.Role(b.Role), Language: b.Language, DepartmentIDs: b.DepartmentIDs}
	if n.Role == "" {
		n.Role = staff.Agent
	}
	if b.Password != "" {
		var err error
		if n.PasswordHash, err = hashPassword(b.Password); err != nil {
			return err
		}
	}
	var u staff.User
	var a routing.Agent
	err := s.db.Tx(r.Context(), func(tx *sql.Tx) error {
		var err error
		if u, err = staff.CreateUser(r.Context(), tx, n); err != nil {
			return err
		}
		if err := routing.SaveAgent(r.Context(), tx, routing.Agent{UserID: u.ID, Languages: b.Languages, Away: b.Away, CalendarID: b.CalendarID}); err != nil {
			return err
		}
		if a, err = routing.GetAgent(r.Context(), tx, u.ID); err != nil {
			return err
		}
		return audit.Record(r.Context(), tx, actor(me), "user.create", "user", u.ID, map[string]any{"role": u.Role})
	})
	if err != nil {
		return err
	}
	w.Header().Set("Location", fmt.Sprintf("%s/users/%d", basePath(r), u.ID))
	writeJSON(w, http.StatusCreated, userView(u, a))
	return nil
}

type userPatchBody struct {
	Name          Optional[string]   `json:"name"`
	Role          Optional[string]   `json:"role"`
	Language      Optional[string]   `json:"language"`
	Active        Optional[bool]     `json:"active"`
	DepartmentIDs Optional[[]int64]  `json:"department_ids"`
	Password      Optional[string]   `json:"password"`
	Languages     Optional[[]string] `json:"languages"`
	Away          Optional[bool]     `json:"away"`
	CalendarID    Optional[int64]    `json:"calendar_id"`
}

var errLastAdmin = fmt.Errorf("%w: at least one active admin must remain", errs.ErrConflict)

// patchUser changes a user. A change that would leave no active admin is
// refused, so an organisation cannot lock itself out.
func (s *Server) patchUser(w http.ResponseWriter, r *http.Request, me staff.User) error {
	id, err := pathID(r, "user")
	if err != nil {
		return err
	}
	var b userPatchBody
	if err := decode(w, r, &b); err != nil {
		return err
	}
	if err := cmp.Or(b.Name.notNull("name"), b.Role.notNull("role"), b.Active.notNull("active"), b.Password.notNull("password"),
		b.Away.notNull("away")); err != nil {
		return err
	}
	p := staff.UserPatch{Name: b.Name.Ptr(), Language: b.Language.Ptr(), Active: b.Active.Ptr()}
	if b.Language.Null {
		empty := ""
		p.Language = &empty
	}
	if v := b.Role.Ptr(); v != nil {
		role := staff.Role(*v)
		p.Role = &role
	}
	if b.DepartmentIDs.Set {
		ids := b.DepartmentIDs.Value
		if ids == nil {
			ids = []int64{}
		}
		p.DepartmentIDs = &ids
	}
	if v := b.Password.Ptr(); v != nil {
		h, err := hashPassword(*v)
		if err != nil {
			return err
		}
		p.PasswordHash = &h
	}
	var u staff.User
	var a routing.Agent
	err = s.db.Tx(r.Context(), func(tx *sql.Tx) error {
		var err error
		if u, err = staff.UpdateUser(r.Context(), tx, id, p); err != nil {
			return err
		}
		if err := requireAdmin(r.Context(), tx); err != nil {
			return err
		}
		if a, err = routing.GetAgent(r.Context(), tx, id); err != nil {
			return err
		}
		if b.Languages.Set || b.Away.Set || b.CalendarID.Set {
			if b.Languages.Set {
				a.Languages = b.Languages.Value // null clears: any language
			}
			if b.Away.Set {
				a.Away = b.Away.Value
			}
			if b.CalendarID.Set {
				a.CalendarID = b.CalendarID.Ptr() // null: always on shift
			}
			if err := routing.SaveAgent(r.Context(), tx, a); err != nil {
				return err
			}
			if a, err = routing.GetAgent(r.Context(), tx, id); err != nil {
				return err
			}
		}
		detail := map[string]any{}
		for field, set := range map[string]bool{"name": b.Name.Set, "role": b.Role.Set, "language": b.Language.Set,
			"active": b.Active.Set, "department_ids": b.DepartmentIDs.Set, "password": b.Password.Set, "languages": b.Languages.Set,
			"away": b.Away.Set, "calendar_id": b.CalendarID.Set} {
			if set {
				detail[field] = true
			}
		}
		return audit.Record(r.Context(), tx, actor(me), "user.update", "user", id, detail)
	})
	if errors.Is(err, errs.ErrNotFound) {
		return notFound("user")
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, userView(u, a))
	return nil
}

// requireAdmin fails when no active admin is left.
func requireAdmin(ctx context.Context, tx *sql.Tx) error {
	users, err := staff.ListUsers(ctx, tx)
	if err != nil {
		return err
	}
	for _, u := range users {
		if u.Active && u.Role == staff.Admin {
			return nil
		}
	}
	return errLastAdmin
}

func (s *Server) listDepartments(w http.ResponseWriter, r *http.Request, _ staff.User) error {
	ds, err := staff.ListDepartments(r.Context(), s.db.R)
	if err != nil {
		return err
	}
	items := make([]departmentJSON, 0, len(ds))
	for _, d := range ds {
		items = append(items, departmentView(d))
	}
	writeJSON(w, http.StatusOK, newPage(items, ""))
	return nil
}

type departmentBody struct {
	Name        Optional[string] `json:"name"`
	Description Optional[string] `json:"description"`
}

func (s *Server) createDepartment(w http.ResponseWriter, r *http.Request, me staff.User) error {
	var b departmentBody
	if err := decode(w, r, &b); err != nil {
		return err
	}
	var d staff.Department
	err := s.db.Tx(r.Context(), func(tx *sql.Tx) error {
		var err error
		if d, err = staff.CreateDepartment(r.Context(), tx, b.Name.Value, b.Description.Value); err != nil {
			return err
		}
		return audit.Record(r.Context(), tx, actor(me), "department.create", "department", d.ID, nil)
	})
	if err != nil {
		return err
	}
	w.Header().Set("Location", fmt.Sprintf("%s/departments/%d", basePath(r), d.ID))
	writeJSON(w, http.StatusCreated, departmentView(d))
	return nil
}

func (s *Server) patchDepartment(w http.ResponseWriter, r *http.Request, me staff.User) error {
	id, err := pathID(r, "department")
	if err != nil {
		return err
	}
	var b departmentBody
	if err := decode(w, r, &b); err != nil {
		return err
	}
	if err := b.Name.notNull("name"); err != nil {
		return err
	}
	var out staff.Department
	err = s.db.Tx(r.Context(), func(tx *sql.Tx) error {
		d, err := findDepartment(r.Context(), tx, id)
		if err != nil {
			return err
		}
		if b.Name.Set {
			d.Name = b.Name.Value
		}
		if b.Description.Set {
			d.Description = b.Description.Value // null clears
		}
		if err := staff.UpdateDepartment(r.Context(), tx, id, d.Name, d.Description); err != nil {
			return err
		}
		if out, err = findDepartment(r.Context(), tx, id); err != nil {
			return err
		}
		return audit.Record(r.Context(), tx, actor(me), "department.update", "department", id, nil)
	})
	if errors.Is(err, errs.ErrNotFound) {
		return notFound("department")
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, departmentView(out))
	return nil
}

func findDepartment(ctx context.Context, tx *sql.Tx, id int64) (staff.Department, error) {
	ds, err := staff.ListDepartments(ctx, tx)
	if err != nil {
		return staff.Department{}, err
	}
	for _, d := range ds {
		if d.ID == id {
			return d, nil
		}
	}
	return staff.Department{}, errs.ErrNotFound
}
