// Package staff holds the people who work the desk — users with roles — and
// the departments they belong to.
package staff

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/mail"
	"sort"
	"strconv"
	"strings"

	"github.com/steward-desk/steward/internal/db"
	"github.com/steward-desk/steward/internal/errs"
)

// Role decides what a user may do.
type Role string

const (
	Admin      Role = "admin"
	Supervisor Role = "supervisor"
	Agent      Role = "agent"
)

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return r == Admin || r == Supervisor || r == Agent }

// AtLeast reports whether r has at least the rights of min (admin > supervisor > agent).
func (r Role) AtLeast(min Role) bool { return rank(r) >= rank(min) }

func rank(r Role) int {
	switch r {
	case Admin:
		return 3
	case Supervisor:
		return 2
	case Agent:
		return 1
	}
	return 0
}

// User is a member of staff.
type User struct {
	ID            int64   `json:"id"`
	Email         string  `json:"email"`
	Name          string  `json:"name"`
	Role          Role    `json:"role"`
	Language      string  `json:"language,omitempty"`
	Active        bool    `json:"active"`
	DepartmentIDs []int64 `json:"department_ids"`
	CreatedAt     int64   `json:"-"`
}

// Department groups staff and owns tickets.
type Department struct {
	ID          int64  `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description"`
	Members     int    `json:"members"`
}

// NewUser is the input to CreateUser.
type NewUser struct {
	Email         string
	Name          string
	Role          Role
	PasswordHash  string
	Language      string
	DepartmentIDs []int64
}

// NormaliseEmail lowercases and trims an address.
func NormaliseEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

func validateUser(email, name string, role Role, lang string) error {
	if _, err := mail.ParseAddress(email); err != nil || strings.ContainsAny(email, " <>") {
		return errs.Field("email", "invalid", "not an email address")
	}
	if strings.TrimSpace(name) == "" {
		return errs.Field("name", "required", "a name is required")
	}
	if len([]rune(name)) > 200 {
		return errs.Field("name", "too_long", "at most 200 characters")
	}
	if !role.Valid() {
		return errs.Field("role", "invalid", "role must be admin, supervisor or agent")
	}
	if lang != "" && lang != "en" && lang != "ja" && lang != "zh" {
		return errs.Field("language", "invalid", "language must be en, ja or zh")
	}
	return nil
}

// CreateUser adds a user; a taken email is errs.ErrConflict.
func CreateUser(ctx context.Context, q db.Querier, n NewUser) (User, error) {
	n.Email = NormaliseEmail(n.Email)
	n.Name = strings.TrimSpace(n.Name)
	if err := validateUser(n.Email, n.Name, n.Role, n.Language); err != nil {
		return User{}, err
	}
	now := db.Now()
	var id int64
	err := q.QueryRowContext(ctx, `INSERT INTO users (email, name, role, password_hash, language, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id`, n.Email, n.Name, n.Role, n.PasswordHash, n.Language, now).Scan(&id)
	if db.IsUniqueViolation(err) {
		return User{}, fmt.Errorf("%w: a user with email %s exists", errs.ErrConflict, n.Email)
	}
	if err != nil {
		return User{}, fmt.Errorf("staff: create user: %w", err)
	}
	if err := SetDepartments(ctx, q, id, n.DepartmentIDs); err != nil {
		return User{}, err
	}
	return GetUser(ctx, q, id)
}

// SetDepartments replaces a user's departments.
func SetDepartments(ctx context.Context, q db.Querier, userID int64, deptIDs []int64) error {
	if _, err := q.ExecContext(ctx, "DELETE FROM user_departments WHERE user_id = $1", userID); err != nil {
		return err
	}
	for _, d := range deptIDs {
		_, err := q.ExecContext(ctx, "INSERT INTO user_departments (user_id, department_id) VALUES ($1, $2) ON CONFLICT DO NOTHING", userID, d)
		if err != nil {
			return errs.Field("department_ids", "invalid", "unknown department %d", d)
		}
	}
	return nil
}

const userCols = "id, email, name, role, language, active, created_at"

func scanUser(row interface{ Scan(...any) error }) (User, error) {
	var u User
	err := row.Scan(&u.ID, &u.Email, &u.Name, &u.Role, &u.Language, &u.Active, &u.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return u, errs.ErrNotFound
	}
	return u, err
}

// UserColumns are the columns ScanUser reads, from table users: the user
// and their departments as "3,7" (one query for what every authenticated
// request reads). Callers may select more columns after them.
const UserColumns = `users.id, users.email, users.name, users.role, users.language, users.active, users.created_at,
	COALESCE((SELECT string_agg(CAST(d.department_id AS TEXT), ',' ORDER BY d.department_id)
	FROM user_departments d WHERE d.user_id = users.id), '')`

// ScanUser reads a row of UserColumns, then extra into the columns selected
// after them; no row is errs.ErrNotFound.
func ScanUser(row *sql.Row, extra ...any) (User, error) {
	var u User
	var depts string
	err := row.Scan(append([]any{&u.ID, &u.Email, &u.Name, &u.Role, &u.Language, &u.Active, &u.CreatedAt, &depts}, extra...)...)
	if errors.Is(err, sql.ErrNoRows) {
		return u, errs.ErrNotFound
	}
	if err != nil {
		return u, err
	}
	u.DepartmentIDs = []int64{}
	for _, f := range strings.Split(depts, ",") {
		if f == "" {
			continue
		}
		id, err := strconv.ParseInt(f, 10, 64)
		if err != nil {
			return u, fmt.Errorf("staff: department id %q: %w", f, err)
		}
		u.DepartmentIDs = append(u.DepartmentIDs, id)
	}
	return u, nil
}

// GetUser reads one user with their departments.
func GetUser(ctx context.Context, q db.Querier, id int64) (User, error) {
	return ScanUser(q.QueryRowContext(ctx, "SELECT "+UserColumns+" FROM users WHERE id = $1", id))
}

// GetUserByEmail reads a user by (case-insensitive) email.
func GetUserByEmail(ctx context.Context, q db.Querier, email string) (User, error) {
	return ScanUser(q.QueryRowContext(ctx, "SELECT "+UserColumns+" FROM users WHERE email = $1", NormaliseEmail(email)))
}

// PasswordHash returns the stored hash of a user (empty when none).
func PasswordHash(ctx context.Context, q db.Querier, userID int64) (string, error) {
	var h string
	err := q.QueryRowContext(ctx, "SELECT password_hash FROM users WHERE id = $1", userID).Scan(&h)
	return h, err
}

// ListUsers returns every user, by name.
func ListUsers(ctx context.Context, q db.Querier) ([]User, error) {
	rows, err := q.QueryContext(ctx, "SELECT "+userCols+" FROM users ORDER BY name, id")
	if err != nil {
		return nil, err
	}
	var users []User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		users = append(users, u)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	memberships, err := q.QueryContext(ctx, "SELECT user_id, department_id FROM user_departments ORDER BY department_id")
	if err != nil {
		return nil, err
	}
	defer memberships.Close()
	byUser := map[int64][]int64{}
	for memberships.Next() {
		var u, d int64
		if err := memberships.Scan(&u, &d); err != nil {
			return nil, err
		}
		byUser[u] = append(byUser[u], d)
	}
	for i := range users {
		users[i].DepartmentIDs = byUser[users[i].ID]
		if users[i].DepartmentIDs == nil {
			users[i].DepartmentIDs = []int64{}
		}
	}
	return users, memberships.Err()
}

// UserPatch changes some fields of a user; nil fields stay.
type UserPatch struct {
	Name          *string
	Role          *Role
	Language      *string
	Active        *bool
	DepartmentIDs *[]int64
	PasswordHash  *string
}

// UpdateUser applies a patch.
func UpdateUser(ctx context.Context, q db.Querier, id int64, p UserPatch) (User, error) {
	u, err := GetUser(ctx, q, id)
	if err != nil {
		return u, err
	}
	if p.Name != nil {
		u.Name = strings.TrimSpace(*p.Name)
	}
	if p.Role != nil {
		u.Role = *p.Role
	}
	if p.Language != nil {
		u.Language = *p.Language
	}
	if p.Active != nil {
		u.Active = *p.Active
	}
	if err := validateUser(u.Email, u.Name, u.Role, u.Language); err != nil {
		return u, err
	}
	_, err = q.ExecContext(ctx, "UPDATE users SET name = $1, role = $2, language = $3, active = $4, updated_at = $5 WHERE id = $6",
		u.Name, u.Role, u.Language, u.Active, db.Now(), id)
	if err != nil {
		return u, err
	}
	if p.PasswordHash != nil {
		if _, err := q.ExecContext(ctx, "UPDATE users SET password_hash = $1 WHERE id = $2", *p.PasswordHash, id); err != nil {
			return u, err
		}
	}
	if p.DepartmentIDs != nil {
		if err := SetDepartments(ctx, q, id, *p.DepartmentIDs); err != nil {
			return u, err
		}
	}
	return GetUser(ctx, q, id)
}

// CountUsers counts users (0 means a fresh install).
func CountUsers(ctx context.Context, q db.Querier) (int, error) {
	var n int
	err := q.QueryRowContext(ctx, "SELECT COUNT(*) FROM users").Scan(&n)
	return n, err
}

// CreateDepartment adds a department; a taken name is errs.ErrConflict.
func CreateDepartment(ctx context.Context, q db.Querier, name, description string) (Department, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return Department{}, errs.Field("name", "required", "a name is required")
	}
	if len([]rune(name)) > 100 {
		return Department{}, errs.Field("name", "too_long", "at most 100 characters")
	}
	var id int64
	err := q.QueryRowContext(ctx, "INSERT INTO departments (name, description, created_at) VALUES ($1, $2, $3) RETURNING id",
		name, strings.TrimSpace(description), db.Now()).Scan(&id)
	if db.IsUniqueViolation(err) {
		return Department{}, fmt.Errorf("%w: department %q exists", errs.ErrConflict, name)
	}
	if err != nil {
		return Department{}, err
	}
	return Department{ID: id, Name: name, Description: strings.TrimSpace(description)}, nil
}

// UpdateDepartment renames or re-describes a department.
func UpdateDepartment(ctx context.Context, q db.Querier, id int64, name, description string) error {
	name = strings.TrimSpace(name)
	if name == "" {
		return errs.Field("name", "required", "a name is required")
	}
	res, err := q.ExecContext(ctx, "UPDATE departments SET name = $1, description = $2 WHERE id = $3", name, strings.TrimSpace(description), id)
	if db.IsUniqueViolation(err) {
		return fmt.Errorf("%w: department %q exists", errs.ErrConflict, name)
	}
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errs.ErrNotFound
	}
	return nil
}

// ListDepartments returns departments with member counts, by name.
func ListDepartments(ctx context.Context, q db.Querier) ([]Department, error) {
	rows, err := q.QueryContext(ctx, `SELECT d.id, d.name, d.description, COUNT(ud.user_id)
		FROM departments d LEFT JOIN user_departments ud ON ud.department_id = d.id
		GROUP BY d.id, d.name, d.description ORDER BY d.name`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Department
	for rows.Next() {
		var d Department
		if err := rows.Scan(&d.ID, &d.Name, &d.Description, &d.Members); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, rows.Err()
}

// GetDepartmentByName finds a department by exact name.
func GetDepartmentByName(ctx context.Context, q db.Querier, name string) (Department, error) {
	var d Department
	err := q.QueryRowContext(ctx, "SELECT id, name, description FROM departments WHERE name = $1", name).Scan(&d.ID, &d.Name, &d.Description)
	if errors.Is(err, sql.ErrNoRows) {
		return d, errs.ErrNotFound
	}
	return d, err
}
