package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/steward-desk/steward/internal/app"
	"github.com/steward-desk/steward/internal/audit"
	"github.com/steward-desk/steward/internal/csvimport"
	"github.com/steward-desk/steward/internal/search"
)

// importCmd runs `steward import supporters|donations FILE`: the file is
// checked whole, then written in one transaction (nothing on any error).
func importCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || (args[0] != csvimport.KindSupporters && args[0] != csvimport.KindDonations) {
		return errors.New(`usage: steward import supporters|donations [flags] FILE (see docs/import.md)`)
	}
	kind := args[0]
	var cfg app.Config
	fs := newFlags("import "+kind, stderr)
	cfg.StorageFlags(fs)
	preset := fs.String("preset", "", "column preset: native, civicrm or npsp (default: detected from the headers)")
	enc := fs.String("encoding", "", "utf-8, utf-16, shift_jis or gb18030 (default: detected)")
	currency := fs.String("currency", "", "currency of donation rows without a currency column, e.g. JPY")
	mapping := fs.String("map", "", "column mapping overrides: field=Header,field=Header")
	dryRun := fs.Bool("dry-run", false, "check the file and report, write nothing")
	noIndex := fs.Bool("no-index", false, "do not update the search index (run steward reindex later)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New("give exactly one FILE")
	}
	file := fs.Arg(0)
	data, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	o := csvimport.Options{Kind: kind, Preset: *preset, Encoding: *enc, DefaultCurrency: *currency, Mapping: map[string]string{}}
	for _, kv := range strings.Split(*mapping, ",") {
		if f, h, ok := strings.Cut(kv, "="); ok {
			o.Mapping[strings.TrimSpace(f)] = strings.TrimSpace(h)
		}
	}
	start := time.Now()
	plan, err := csvimport.Parse(data, o)
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "import: %s, %d rows, encoding %s, preset %s, parsed in %s\n", file, plan.Rows, plan.Encoding, plan.Preset, time.Since(start).Round(time.Millisecond))
	if len(plan.Errors) > 0 || *dryRun {
		for i, e := range plan.Errors {
			if i == 50 {
				fmt.Fprintf(stderr, "… and %d more\n", len(plan.Errors)-50)
				break
			}
			fmt.Fprintln(stderr, e.Error())
		}
		if len(plan.Errors) > 0 {
			return fmt.Errorf("%d rows have errors; nothing was imported", len(plan.Errors))
		}
		return nil
	}
	a, err := app.Open(ctx, cfg, app.Options{})
	if err != nil {
		return err
	}
	defer a.Close()
	res, err := csvimport.Apply(ctx, a.DB, plan, audit.Actor{Name: "cli"}, filepath.Base(file))
	if errors.Is(err, csvimport.ErrRows) {
		for _, e := range plan.Errors {
			fmt.Fprintln(stderr, e.Error())
		}
		return fmt.Errorf("%d rows have errors; nothing was imported", len(plan.Errors))
	}
	if err != nil {
		return err
	}
	if !*noIndex && len(res.Touched) > 0 {
		if len(res.Touched) > 5000 {
			fmt.Fprintln(stderr, "import: many supporters changed; run `steward reindex` to update the search index")
		} else {
			idx := search.New(a.DB)
			for _, id := range res.Touched {
				if err := idx.IndexSupporter(ctx, a.DB.W, id); err != nil {
					return err
				}
			}
		}
	}
	fmt.Fprintf(stdout, "%s: %d rows; supporters created %d, updated %d, unchanged %d; donations added %d, already present %d; in %s\n",
		kind, res.Rows, res.Created, res.Updated, res.Unchanged, res.Donations, res.Duplicates, time.Since(start).Round(time.Millisecond))
	return nil
}
