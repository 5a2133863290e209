package search

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/steward-desk/steward/internal/errs"
	"github.com/steward-desk/steward/internal/ticket"
)

// resolveFilters turns a query's filters into plan terms. Names (departments,
// staff) are looked up here; a name that matches nothing is an error, since
// a silently empty result would look like "no such ticket".
//
// Repeated filters of one kind are alternatives (status:new status:open
// finds either); tag: filters must all hold (tag:a tag:b finds tickets with
// both). Negated filters (-status:closed) must all fail.
func (x *Index) resolveFilters(ctx context.Context, fs []Filter, o Options, p *plan) error {
	sets := map[string][]string{}
	var order []string
	addSet := func(key string, terms ...string) {
		if _, ok := sets[key]; !ok {
			order = append(order, key)
		}
		sets[key] = append(sets[key], terms...)
	}
	var loc = x.location
	for _, f := range fs {
		var terms []string
		key := f.Name
		switch f.Name {
		case FilterStatus:
			if !ticket.Status(f.Value).Valid() {
				return badValue(f, statusNames())
			}
			terms = []string{metaTerm(metaStatus, f.Value)}
		case FilterType:
			if !slices.Contains(ticket.Types, f.Value) {
				return badValue(f, ticket.Types)
			}
			terms = []string{metaTerm(metaType, f.Value)}
		case FilterChannel:
			if !slices.Contains(ticket.Channels, f.Value) {
				return badValue(f, ticket.Channels)
			}
			terms = []string{metaTerm(metaChannel, f.Value)}
		case FilterLang:
			terms = langTerms(f.Value)[:1]
		case FilterTag:
			terms = []string{metaTagTerm(f.Value)}
			key = "tag:" + f.Value // each tag on its own: all must hold
		case FilterDepartment:
			ids, err := x.departments(ctx, f.Value)
			if err != nil {
				return err
			}
			if len(ids) == 0 {
				return errs.Field("q", "unknown", "department:%s — no department has that name", f.Value)
			}
			for _, id := range ids {
				terms = append(terms, metaID(metaDepartment, id))
			}
		case FilterAssignee:
			ids, err := x.assignees(ctx, f.Value, o.UserID)
			if err != nil {
				return err
			}
			for _, id := range ids {
				terms = append(terms, metaID(metaAssignee, id))
			}
		case FilterFrom:
			g, err := fromGroup(f)
			if err != nil {
				return err
			}
			if f.Negate {
				p.notFrom = append(p.notFrom, g)
			} else {
				p.from = append(p.from, g)
			}
			continue
		case FilterCreated:
			l := loc(ctx, o)
			from, to := f.Days.Bounds(l)
			r := msRange{negate: f.Negate}
			if !from.IsZero() {
				r.from = from.UnixMilli()
			}
			if !to.IsZero() {
				r.to = to.UnixMilli()
			}
			p.created = append(p.created, r)
			continue
		case FilterIs:
			switch f.Value {
			case IsOpen:
				terms, key = []string{metaTerm(metaGroup, "open")}, "group"
			case IsUnassigned:
				terms, key = []string{metaID(metaAssignee, 0)}, FilterAssignee
			case IsMine:
				if o.UserID == 0 {
					return errs.Field("q", "invalid", "is:mine needs a signed-in member of staff")
				}
				terms, key = []string{metaID(metaAssignee, o.UserID)}, FilterAssignee
			}
		default:
			return errs.Field("q", "invalid", "%s: is not a filter", f.Name)
		}
		if f.Negate {
			p.noneOf = append(p.noneOf, terms...)
			continue
		}
		addSet(key, terms...)
	}
	for _, k := range order {
		p.anyOf = append(p.anyOf, sets[k])
	}
	return nil
}

func badValue(f Filter, valid []string) error {
	return errs.Field("q", "invalid", "%s:%s — use one of %s", f.Name, f.Value, strings.Join(valid, ", "))
}

func statusNames() []string {
	out := make([]string, len(ticket.Statuses))
	for i, s := range ticket.Statuses {
		out[i] = string(s)
	}
	return out
}

// fromGroup analyses the value of from: as a phrase over the supporter
// fields: a name in any script, an e-mail address, a phone number.
func fromGroup(f Filter) (Group, error) {
	terms, prefix := AnalyzeQuery(f.Value)
	if len(terms) == 0 {
		return Group{}, errs.Field("q", "invalid", "from:%s — give a name, an e-mail address or a phone number", f.Value)
	}
	return Group{Text: f.Value, Terms: terms, Prefix: prefix}, nil
}

// departments finds departments by name: the exact name (any case), or
// else every department whose name contains the value.
func (x *Index) departments(ctx context.Context, name string) ([]int64, error) {
	if name == "none" {
		return []int64{0}, nil
	}
	return x.findIDs(ctx, `SELECT id, name FROM departments ORDER BY id`, name)
}

// assignees finds staff by e-mail address or name; "me" is the searching
// user and "none" nobody.
func (x *Index) assignees(ctx context.Context, v string, me int64) ([]int64, error) {
	switch v {
	case "me":
		if me == 0 {
			return nil, errs.Field("q", "invalid", "assignee:me needs a signed-in member of staff")
		}
		return []int64{me}, nil
	case "none":
		return []int64{0}, nil
	}
	ids, err := x.findIDs(ctx, `SELECT id, email FROM users ORDER BY id`, v)
	if err != nil || len(ids) > 0 {
		return ids, err
	}
	ids, err = x.findIDs(ctx, `SELECT id, name FROM users ORDER BY id`, v)
	if err != nil {
		return nil, err
	}
	if len(ids) == 0 {
		return nil, errs.Field("q", "unknown", "assignee:%s — no member of staff has that name or e-mail address", v)
	}
	return ids, nil
}

// findIDs matches v against the names a small table lists (departments,
// staff: tens of rows): equal after folding, or else containing it. Names
// are folded with the analyzer's folding, so width and case do not matter.
func (x *Index) findIDs(ctx context.Context, query, v string) ([]int64, error) {
	rows, err := x.db.R.QueryContext(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("search: resolve filter: %w", err)
	}
	defer rows.Close()
	want := foldName(v)
	var exact, partial []int64
	for rows.Next() {
		var id int64
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			return nil, err
		}
		n := foldName(name)
		switch {
		case n == want:
			exact = append(exact, id)
		case want != "" && strings.Contains(n, want):
			partial = append(partial, id)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(exact) > 0 {
		return exact, nil
	}
	return partial, nil
}

// foldName folds a name for comparison: the analyzer's terms, joined.
func foldName(s string) string { return strings.Join(Analyze(s), " ") }
