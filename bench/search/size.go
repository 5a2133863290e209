package main

import (
	"context"
	"fmt"

	"github.com/steward-desk/steward/internal/db"
)

// textBytes is the UTF-8 size of the text the index holds: subjects, tags,
// message bodies (notes included), supporter names, addresses and notes.
// A ticket's document also repeats its supporter's name and addresses (for
// from:); those copies are not counted, so the ratio errs high.
const textBytesSQL = `SELECT
	(SELECT COALESCE(SUM(LENGTH(CAST(subject AS BLOB))), 0) FROM tickets),
	(SELECT COALESCE(SUM(LENGTH(CAST(tag AS BLOB))), 0) FROM ticket_tags),
	(SELECT COALESCE(SUM(LENGTH(CAST(body_text AS BLOB))), 0) FROM messages),
	(SELECT COALESCE(SUM(LENGTH(CAST(name AS BLOB)) + LENGTH(CAST(email AS BLOB)) + LENGTH(CAST(notes AS BLOB))), 0) FROM supporters),
	(SELECT COALESCE(SUM(LENGTH(CAST(value AS BLOB))), 0) FROM supporter_identities)`

const textBytesPG = `SELECT
	(SELECT COALESCE(SUM(octet_length(subject)), 0) FROM tickets),
	(SELECT COALESCE(SUM(octet_length(tag)), 0) FROM ticket_tags),
	(SELECT COALESCE(SUM(octet_length(body_text)), 0) FROM messages),
	(SELECT COALESCE(SUM(octet_length(name) + octet_length(email) + octet_length(notes)), 0) FROM supporters),
	(SELECT COALESCE(SUM(octet_length(value)), 0) FROM supporter_identities)`

func measureSize(ctx context.Context, d *db.DB) error {
	q := textBytesSQL
	if d.Engine == db.Postgres {
		q = textBytesPG
	}
	var subj, tags, bodies, sup, idn int64
	if err := d.R.QueryRowContext(ctx, q).Scan(&subj, &tags, &bodies, &sup, &idn); err != nil {
		return fmt.Errorf("text size: %w", err)
	}
	text := subj + tags + bodies + sup + idn
	fmt.Printf("text: %.1f MB (subjects %.1f, tags %.1f, messages %.1f, supporters %.1f)\n",
		mb(text), mb(subj), mb(tags), mb(bodies), mb(sup+idn))

	parts, err := indexParts(ctx, d)
	if err != nil {
		return err
	}
	var total int64
	for _, p := range parts {
		fmt.Printf("  %-40s %9.1f MB\n", p.name, mb(p.bytes))
		total += p.bytes
	}
	fmt.Printf("index: %.1f MB = %.2f× the text\n", mb(total), float64(total)/float64(text))
	return nil
}

type part struct {
	name  string
	bytes int64
}

func mb(n int64) float64 { return float64(n) / 1e6 }

func indexParts(ctx context.Context, d *db.DB) ([]part, error) {
	var q string
	if d.Engine == db.Postgres {
		q = `SELECT c.relname, pg_relation_size(c.oid) FROM pg_class c
			WHERE c.relname IN ('search_docs', 'search_docs_terms', 'search_docs_supporters', 'search_docs_supporter', 'search_docs_pkey', 'search_docs_kind_ref_id_key')
			UNION ALL
			SELECT 'search_docs TOAST', pg_relation_size(t.reltoastrelid) + COALESCE((SELECT pg_relation_size(i.indexrelid) FROM pg_index i WHERE i.indrelid = t.reltoastrelid), 0)
			FROM pg_class t WHERE t.relname = 'search_docs'`
	} else {
		// dbstat counts every page of each b-tree, shadow tables included.
		q = `SELECT name, SUM(pgsize) FROM dbstat
			WHERE name LIKE 'search_%' OR name LIKE 'sqlite_autoindex_search_docs%'
			GROUP BY name ORDER BY name`
	}
	rows, err := d.R.QueryContext(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("index size: %w", err)
	}
	defer rows.Close()
	var out []part
	for rows.Next() {
		var p part
		if err := rows.Scan(&p.name, &p.bytes); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}
