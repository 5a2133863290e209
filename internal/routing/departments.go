package routing

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/steward-desk/steward/internal/db"
	"github.com/steward-desk/steward/internal/errs"
)

// Department is how a department hands out its tickets and the categories
// it owns.
type Department struct {
	DepartmentID int64
	Strategy     string
	Categories   []string // sorted
}

// Departments returns every department's routing by department id; a
// department never configured is round-robin and owns no categories.
func Departments(ctx context.Context, q db.Querier) (map[int64]Department, error) {
	rows, err := q.QueryContext(ctx, `SELECT d.id, COALESCE(r.strategy, ''), COALESCE(c.category, '')
		FROM departments d LEFT JOIN department_routing r ON r.department_id = d.id
		LEFT JOIN department_categories c ON c.department_id = d.id ORDER BY d.id, c.category`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]Department{}
	for rows.Next() {
		var id int64
		var strategy, category string
		if err := rows.Scan(&id, &strategy, &category); err != nil {
			return nil, err
		}
		d, ok := out[id]
		if !ok {
			d = Department{DepartmentID: id, Strategy: strategy, Categories: []string{}}
			if d.Strategy == "" {
				d.Strategy = RoundRobin
			}
		}
		if category != "" {
			d.Categories = append(d.Categories, category)
		}
		out[id] = d
	}
	return out, rows.Err()
}

// CategoryTaken is the error when a department is given a category another
// department owns. It unwraps to an *errs.Invalid on field "categories"
// (code "category_taken").
type CategoryTaken struct {
	Category  string
	OwnerID   int64
	OwnerName string
}

func (e *CategoryTaken) Error() string { return e.invalid().Error() }

// Unwrap makes errs.AsInvalid see the field error.
func (e *CategoryTaken) Unwrap() error { return e.invalid() }

func (e *CategoryTaken) invalid() *errs.Invalid {
	return &errs.Invalid{Field: "categories", Code: "category_taken",
		Message: fmt.Sprintf("category %q belongs to department %q", e.Category, e.OwnerName)}
}

// SetDepartment sets a department's strategy and makes it own exactly
// categories (trimmed; blanks and repeats dropped). A category another
// department owns is refused with a *CategoryTaken and nothing is changed
// (release it there first); an unknown department is errs.ErrNotFound.
// Run it in a transaction: it writes several rows.
func SetDepartment(ctx context.Context, q db.Querier, departmentID int64, strategy string, categories []string) error {
	var n int
	if err := q.QueryRowContext(ctx, "SELECT COUNT(*) FROM departments WHERE id = $1", departmentID).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return errs.ErrNotFound
	}
	if !slices.Contains(Strategies, strategy) {
		return errs.Field("strategy", "invalid", "strategy must be one of %s", strings.Join(Strategies, ", "))
	}
	var cats []string
	for _, c := range categories {
		if c = strings.TrimSpace(c); c != "" && !slices.Contains(cats, c) {
			cats = append(cats, c)
		}
	}
	rows, err := q.QueryContext(ctx, `SELECT c.category, c.department_id, d.name FROM department_categories c
		JOIN departments d ON d.id = c.department_id WHERE c.department_id <> $1 ORDER BY c.category`, departmentID)
	if err != nil {
		return err
	}
	var taken *CategoryTaken
	for rows.Next() {
		var t CategoryTaken
		if err := rows.Scan(&t.Category, &t.OwnerID, &t.OwnerName); err != nil {
			rows.Close()
			return err
		}
		if taken == nil && slices.Contains(cats, t.Category) {
			taken = &t
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if taken != nil {
		return taken
	}
	if err := SetStrategy(ctx, q, departmentID, strategy); err != nil {
		return err
	}
	if _, err := q.ExecContext(ctx, "DELETE FROM department_categories WHERE department_id = $1", departmentID); err != nil {
		return err
	}
	for _, c := range cats {
		if err := SetCategoryOwner(ctx, q, c, departmentID); err != nil {
			return err
		}
	}
	return nil
}
