package demo_test

import (
	"context"
	"testing"
	"time"

	"github.com/steward-desk/steward/internal/db/dbtest"
	"github.com/steward-desk/steward/internal/demo"
)

// BenchmarkBulkSQLite measures the bulk path: b.N tickets (with their
// messages and tags) into a fresh SQLite database. Read ns/op as the cost of
// one ticket.
func BenchmarkBulkSQLite(b *testing.B) {
	d := dbtest.OpenSQLite(b)
	b.ResetTimer()
	res, err := demo.Seed(context.Background(), d, demo.Options{Tickets: b.N, Supporters: max(200, b.N/5), Bulk: true, Seed: 1, Now: time.Now()})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(res.Messages)/float64(res.Tickets), "messages/ticket")
}
