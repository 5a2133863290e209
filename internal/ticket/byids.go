package ticket

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/steward-desk/steward/internal/db"
)

// ListByIDs reads tickets (as List does, without tags) in the order of ids,
// leaving out those that do not exist: a page of search results shown as
// an inbox list.
func ListByIDs(ctx context.Context, q db.Querier, ids []int64) ([]Ticket, error) {
	out := []Ticket{}
	if len(ids) == 0 {
		return out, nil
	}
	args := make([]any, len(ids))
	ph := make([]string, len(ids))
	for i, id := range ids {
		args[i] = id
		ph[i] = "$" + strconv.Itoa(i+1)
	}
	rows, err := q.QueryContext(ctx, "SELECT "+ticketCols+ticketFrom+" WHERE t.id IN ("+strings.Join(ph, ", ")+")", args...)
	if err != nil {
		return nil, fmt.Errorf("ticket: list by ids: %w", err)
	}
	defer rows.Close()
	byID := make(map[int64]Ticket, len(ids))
	for rows.Next() {
		t, err := scanTicket(rows)
		if err != nil {
			return nil, err
		}
		byID[t.ID] = t
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, id := range ids {
		if t, ok := byID[id]; ok {
			out = append(out, t)
			delete(byID, id)
		}
	}
	return out, nil
}
