package main

import (
	"context"
	"fmt"
	"io"

	"github.com/steward-desk/steward/internal/app"
	"github.com/steward-desk/steward/internal/search"
)

// reindex rebuilds the search index from the database: after an upgrade
// that changes how text is analysed, or after data was loaded without going
// through the application (bulk imports, the demo's bulk generator).
func reindex(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var cfg app.Config
	fs := newFlags("reindex", stderr)
	cfg.StorageFlags(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	a, err := app.Open(ctx, cfg, app.Options{}) // Open migrates
	if err != nil {
		return err
	}
	defer a.Close()
	st, err := search.Reindex(ctx, a.DB, func(format string, args ...any) {
		fmt.Fprintf(stderr, "reindex: "+format+"\n", args...)
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "indexed %d tickets (%d messages) and %d supporters, %.1f MB of text, in %s\n",
		st.Tickets, st.Messages, st.Supporters, float64(st.TextBytes)/1e6, st.Elapsed.Round(100_000_000))
	return nil
}
