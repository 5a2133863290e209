package automation

import (
	"context"
	"strings"
	"testing"

	"github.com/steward-desk/steward/internal/db/dbtest"
)

// Each time rule reads a range of its anchor column's index, never the
// whole table — also where the index is partial (tickets_last_agent_reply
// leaves out tickets without an agent reply). SQLite only: its planner
// decides by the query's shape, while PostgreSQL decides by statistics,
// and an empty test table says nothing about those.
func TestTimeRulesReadTheirIndex(t *testing.T) {
	want := map[string]string{
		"created_at":                "tickets_created_at",
		"status_changed_at":         "tickets_status_changed",
		"last_supporter_message_at": "tickets_last_supporter_message",
		"last_agent_reply_at":       "tickets_last_agent_reply",
	}
	d := dbtest.OpenSQLite(t)
	for _, col := range anchorColumns {
		rows, err := d.R.QueryContext(context.Background(), "EXPLAIN QUERY PLAN "+timeRuleQuery(col, " AND t.status IN ($4)"), int64(1), int64(0), int64(0), "pending")
		if err != nil {
			t.Fatal(err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		rows.Close()
		got := strings.Join(plan, "; ")
		if !strings.Contains(got, "USING INDEX "+want[col]+" ") || strings.Contains(got, "TEMP B-TREE") {
			t.Errorf("%s: plan %q, want a range of %s in its order", col, got, want[col])
		}
	}
}
