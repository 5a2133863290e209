package ticket

import (
	"context"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/steward-desk/steward/internal/db"
	"github.com/steward-desk/steward/internal/errs"
)

// View is a named inbox list.
type View string

const (
	ViewMine        View = "mine"        // assigned to me, open or pending
	ViewUnassigned  View = "unassigned"  // nobody's, open
	ViewDepartments View = "departments" // my departments, open
	ViewOpen        View = "open"        // everything open
	ViewPending     View = "pending"     // waiting on the supporter or an investigation
	ViewResolved    View = "resolved"    // resolved or closed in the last RecentlyResolved
	ViewAll         View = "all"         // no filter (API lists)
)

// Views shown in the inbox, in order.
var Views = []View{ViewMine, ViewUnassigned, ViewDepartments, ViewOpen, ViewPending, ViewResolved}

// RecentlyResolved bounds the resolved view.
const RecentlyResolved = 7 * 24 * time.Hour

// CountCap bounds view counts: past it the UI shows "999+". Counting a
// million resolved tickets on every page load buys nobody anything.
const CountCap = 1000

// Filter selects and pages tickets.
type Filter struct {
	View          View
	UserID        int64   // for ViewMine
	DepartmentIDs []int64 // for ViewDepartments
	Status        Status
	AssigneeID    int64
	Unassigned    bool
	DepartmentID  int64
	SupporterID   int64
	Cursor        string
	Limit         int
	// Sort "due" orders by the earliest running SLA due time (soonest
	// first, tickets without one last); "" by most recently updated.
	Sort string

	// group restricts to one status group (set by ranges).
	group string
}

// ranges splits a view that spans several ranges of an index (mine: open
// and pending; departments: several departments) into one filter per range.
// Each range is read in index order and limited to a page, so a page costs
// the same whatever an agent's backlog; one IN over the ranges would read
// and sort every matching ticket (BENCHMARKS.md, "the inbox").
func (f Filter) ranges() []Filter {
	if f.Sort != "" || f.AssigneeID != 0 || f.Unassigned || f.DepartmentID != 0 {
		return nil
	}
	var out []Filter
	switch {
	case f.View == ViewMine:
		for _, g := range []string{"open", "pending"} {
			r := f
			r.View, r.AssigneeID, r.group = ViewAll, f.UserID, g
			out = append(out, r)
		}
	case f.View == ViewDepartments && len(f.DepartmentIDs) > 1:
		for _, d := range f.DepartmentIDs {
			r := f
			r.View, r.DepartmentID, r.group = ViewAll, d, "open"
			out = append(out, r)
		}
	}
	return out
}

// cursor is the keyset position: the last row's (updated_at, id).
type cursor struct {
	updated int64
	id      int64
}

func (c cursor) encode() string {
	return base64.RawURLEncoding.EncodeToString([]byte(fmt.Sprintf("%d.%d", c.updated, c.id)))
}

func decodeCursor(s string) (cursor, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return cursor{}, errs.Field("cursor", "invalid", "malformed cursor")
	}
	a, bb, ok := strings.Cut(string(b), ".")
	u, err1 := strconv.ParseInt(a, 10, 64)
	id, err2 := strconv.ParseInt(bb, 10, 64)
	if !ok || err1 != nil || err2 != nil {
		return cursor{}, errs.Field("cursor", "invalid", "malformed cursor")
	}
	return cursor{u, id}, nil
}

// where builds the WHERE clause of a filter (without the cursor).
func (f Filter) where(args *[]any) (string, error) {
	var conds []string
	arg := func(v any) string {
		*args = append(*args, v)
		return fmt.Sprintf("$%d", len(*args))
	}
	groupIn := func(groups ...string) string {
		if len(groups) == 1 {
			return "t.status_group = " + arg(groups[0])
		}
		ps := make([]string, len(groups))
		for i, g := range groups {
			ps[i] = arg(g)
		}
		return "t.status_group IN (" + strings.Join(ps, ", ") + ")"
	}
	switch f.View {
	case ViewMine:
		conds = append(conds, "t.assignee_id = "+arg(f.UserID), groupIn("open", "pending"))
	case ViewUnassigned:
		conds = append(conds, "t.assignee_id IS NULL", groupIn("open"))
	case ViewDepartments:
		if len(f.DepartmentIDs) == 0 {
			conds = append(conds, "1 = 0")
		} else {
			ps := make([]string, len(f.DepartmentIDs))
			for i, d := range f.DepartmentIDs {
				ps[i] = arg(d)
			}
			conds = append(conds, "t.department_id IN ("+strings.Join(ps, ", ")+")", groupIn("open"))
		}
	case ViewOpen:
		conds = append(conds, groupIn("open"))
	case ViewPending:
		conds = append(conds, groupIn("pending"))
	case ViewResolved:
		conds = append(conds, groupIn("done"), "t.updated_at > "+arg(db.Now()-RecentlyResolved.Milliseconds()))
	case ViewAll, "":
	default:
		return "", errs.Field("view", "invalid", "unknown view %q", f.View)
	}
	if f.Status != "" {
		if !f.Status.Valid() {
			return "", errs.Field("status", "invalid", "unknown status %q", f.Status)
		}
		// status_group first lets the planner use the (status_group, updated_at) index.
		conds = append(conds, "t.status_group = "+arg(f.Status.Group()), "t.status = "+arg(f.Status))
	}
	if f.Unassigned {
		conds = append(conds, "t.assignee_id IS NULL")
	} else if f.AssigneeID != 0 {
		conds = append(conds, "t.assignee_id = "+arg(f.AssigneeID))
	}
	if f.DepartmentID != 0 {
		conds = append(conds, "t.department_id = "+arg(f.DepartmentID))
	}
	if f.SupporterID != 0 {
		conds = append(conds, "t.supporter_id = "+arg(f.SupporterID))
	}
	if f.group != "" {
		conds = append(conds, "t.status_group = "+arg(f.group))
	}
	if len(conds) == 0 {
		return "1 = 1", nil
	}
	return strings.Join(conds, " AND "), nil
}

// List returns one page of tickets, most recently updated first, and the
// cursor of the next page ("" at the end).
func List(ctx context.Context, q db.Querier, f Filter) ([]Ticket, string, error) {
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 50
	}
	if rs := f.ranges(); len(rs) > 1 {
		return listRanges(ctx, q, f, rs)
	}
	var args []any
	where, err := f.where(&args)
	if err != nil {
		return nil, "", err
	}
	// The keyset: (updated_at, id) descending, or (due, id) ascending.
	key, cmp, order := "t.updated_at", "<", " ORDER BY t.updated_at DESC, t.id DESC"
	switch f.Sort {
	case "":
	case "due":
		key, cmp, order = dueKey, ">", " ORDER BY "+dueKey+", t.id"
	default:
		return nil, "", errs.Field("sort", "invalid", "sort must be due or empty")
	}
	if f.Cursor != "" {
		c, err := decodeCursor(f.Cursor)
		if err != nil {
			return nil, "", err
		}
		args = append(args, c.updated, c.id)
		n := len(args)
		where += fmt.Sprintf(" AND (%s %s $%d OR (%s = $%d AND t.id %s $%d))", key, cmp, n-1, key, n-1, cmp, n)
	}
	args = append(args, f.Limit+1)
	return page(ctx, q, f, "SELECT "+ticketCols+ticketFrom+" WHERE "+where+order+fmt.Sprintf(" LIMIT $%d", len(args)), args)
}

// listRanges reads up to a page from each range (newest first) and merges them.
func listRanges(ctx context.Context, q db.Querier, f Filter, rs []Filter) ([]Ticket, string, error) {
	var args []any
	var c *cursor
	if f.Cursor != "" {
		cur, err := decodeCursor(f.Cursor)
		if err != nil {
			return nil, "", err
		}
		c = &cur
	}
	parts := make([]string, len(rs))
	for i, r := range rs {
		where, err := r.where(&args)
		if err != nil {
			return nil, "", err
		}
		if c != nil {
			args = append(args, c.updated, c.id)
			n := len(args)
			where += fmt.Sprintf(" AND (t.updated_at < $%d OR (t.updated_at = $%d AND t.id < $%d))", n-1, n-1, n)
		}
		args = append(args, f.Limit+1)
		parts[i] = fmt.Sprintf("SELECT * FROM (SELECT t.id FROM tickets t WHERE %s ORDER BY t.updated_at DESC, t.id DESC LIMIT $%d) r%d", where, len(args), i)
	}
	args = append(args, f.Limit+1)
	query := "SELECT " + ticketCols + " FROM (" + strings.Join(parts, " UNION ALL ") + ") page JOIN tickets t ON t.id = page.id" + ticketJoins +
		fmt.Sprintf(" ORDER BY t.updated_at DESC, t.id DESC LIMIT $%d", len(args))
	return page(ctx, q, f, query, args)
}

// page runs a list query (which asks for one row more than a page) and
// returns the page and the cursor of the next.
func page(ctx context.Context, q db.Querier, f Filter, query string, args []any) ([]Ticket, string, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, "", fmt.Errorf("ticket: list: %w", err)
	}
	defer rows.Close()
	out := []Ticket{}
	for rows.Next() {
		t, err := scanTicket(rows)
		if err != nil {
			return nil, "", err
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, "", err
	}
	next := ""
	if len(out) > f.Limit {
		out = out[:f.Limit]
		last := out[len(out)-1]
		k := last.UpdatedAt.UnixMilli()
		if f.Sort == "due" {
			k = noDue
			if last.SLADueAt != nil {
				k = last.SLADueAt.UnixMilli()
			}
		}
		next = cursor{k, last.ID}.encode()
	}
	return out, next, nil
}

// noDue sorts tickets without a running SLA target after all others.
const noDue = int64(1) << 62

// dueKey is the "due soonest" sort key.
var dueKey = fmt.Sprintf("COALESCE(t.sla_due_at, %d)", noDue)

// CountViews counts each inbox view for a user, capped at CountCap.
func CountViews(ctx context.Context, q db.Querier, userID int64, departmentIDs []int64) (map[View]int, error) {
	counts := make(map[View]int, len(Views))
	for _, v := range Views {
		var args []any
		where, err := Filter{View: v, UserID: userID, DepartmentIDs: departmentIDs}.where(&args)
		if err != nil {
			return nil, err
		}
		var n int
		err = q.QueryRowContext(ctx, fmt.Sprintf("SELECT COUNT(*) FROM (SELECT 1 FROM tickets t WHERE %s LIMIT %d) c", where, CountCap), args...).Scan(&n)
		if err != nil {
			return nil, fmt.Errorf("ticket: count %s: %w", v, err)
		}
		counts[v] = n
	}
	return counts, nil
}
