// Package audit records who did what, in the same transaction as the deed.
package audit

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/steward-desk/steward/internal/db"
)

// Actor is who acted: a staff user, or a system part ("system", "email", "api").
type Actor struct {
	UserID int64
	Name   string
}

// System is the actor for work Steward does by itself.
var System = Actor{Name: "system"}

// Entry is one audited action.
type Entry struct {
	ID         int64          `json:"id"`
	At         int64          `json:"at"`
	ActorID    int64          `json:"actor_id,omitempty"`
	Actor      string         `json:"actor"`
	Action     string         `json:"action"`
	ObjectType string         `json:"object_type"`
	ObjectID   int64          `json:"object_id,omitempty"`
	Detail     map[string]any `json:"detail,omitempty"`
}

// Record writes an entry with q (usually the caller's transaction).
func Record(ctx context.Context, q db.Querier, a Actor, action, objectType string, objectID int64, detail map[string]any) error {
	d := "{}"
	if len(detail) > 0 {
		b, err := json.Marshal(detail)
		if err != nil {
			return fmt.Errorf("audit: %w", err)
		}
		d = string(b)
	}
	var actorID any
	if a.UserID != 0 {
		actorID = a.UserID
	}
	_, err := q.ExecContext(ctx, `INSERT INTO audit_log (at, actor_id, actor, action, object_type, object_id, detail)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, db.Now(), actorID, a.Name, action, objectType, objectID, d)
	if err != nil {
		return fmt.Errorf("audit: record %s: %w", action, err)
	}
	return nil
}

// ListFor returns the entries about one object, oldest first.
func ListFor(ctx context.Context, q db.Querier, objectType string, objectID int64) ([]Entry, error) {
	return list(ctx, q, `SELECT id, at, actor_id, actor, action, object_type, object_id, detail
		FROM audit_log WHERE object_type = $1 AND object_id = $2 ORDER BY id`, objectType, objectID)
}

// Recent returns the newest entries, newest first.
func Recent(ctx context.Context, q db.Querier, limit int) ([]Entry, error) {
	return list(ctx, q, `SELECT id, at, actor_id, actor, action, object_type, object_id, detail
		FROM audit_log ORDER BY id DESC LIMIT $1`, limit)
}

func list(ctx context.Context, q db.Querier, query string, args ...any) ([]Entry, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Entry
	for rows.Next() {
		var e Entry
		var actorID, objectID sql.NullInt64
		var detail string
		if err := rows.Scan(&e.ID, &e.At, &actorID, &e.Actor, &e.Action, &e.ObjectType, &objectID, &detail); err != nil {
			return nil, err
		}
		e.ActorID, e.ObjectID = actorID.Int64, objectID.Int64
		if detail != "" && detail != "{}" {
			_ = json.Unmarshal([]byte(detail), &e.Detail)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}
