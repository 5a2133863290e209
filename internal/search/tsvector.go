package search

import (
	"slices"
	"strconv"
	"strings"
)

// PostgreSQL documents are tsvectors built here from the analyzer's terms,
// written as text ('term':1A,7A 'other':2B …) and cast: PostgreSQL parses
// the literal but never tokenises it. Terms need no escaping (they hold no
// quote, backslash or space).
//
// Positions: each segment (subject, one message, one tag …) starts one
// position after the previous one ended, so a phrase never spans two
// messages. PostgreSQL keeps positions below 16,384 and at most 256 per
// lexeme. A document longer than that wraps around to position 1, first
// repeating the last pgOverlap terms of the segment it is in, so a phrase of
// up to pgOverlap+1 terms stays adjacent wherever it sits (wrapped
// positions may make unrelated terms look adjacent: a rare extra match,
// never a missed one). A lexeme keeps its first 256 positions: in a very
// long ticket a phrase whose words each occur hundreds of times before it
// may be missed there; single words are always found.
const (
	pgMaxPos       = 16383
	pgMaxPositions = 256
	pgOverlap      = 32
	// pgMaxLexemeBytes stays under tsvector's 1 MB limit for the lexemes'
	// text; a document with more distinct terms (a pasted data dump) keeps
	// its first ones.
	pgMaxLexemeBytes = 1000000
)

// Weights: A subject/number/tags (and supporter names), B messages (and
// supporter addresses), C notes, D supporter fields of a ticket and filter
// terms.
const (
	weightA = 'A'
	weightB = 'B'
	weightC = 'C'
	weightD = 'D'
)

// pgWeights is the ts_rank_cd weight array {D, C, B, A}: one subject hit
// outweighs several message hits.
const pgWeights = "{0.05, 0.1, 0.15, 1.0}"

type pgPos struct {
	pos    int
	weight byte
}

// vectorBuilder accumulates a tsvector.
type vectorBuilder struct {
	lex      map[string][]pgPos
	order    []string
	pos      int
	lexBytes int
}

func newVectorBuilder() *vectorBuilder {
	return &vectorBuilder{lex: map[string][]pgPos{}}
}

// put records term at the current position.
func (b *vectorBuilder) put(term string, weight byte) {
	ps, ok := b.lex[term]
	if !ok {
		if b.lexBytes+len(term) > pgMaxLexemeBytes {
			return
		}
		b.lexBytes += len(term)
		b.order = append(b.order, term)
	}
	if len(ps) < pgMaxPositions {
		b.lex[term] = append(ps, pgPos{b.pos, weight})
	}
}

// segment adds the terms of one segment. Each term goes in as prefix+term
// for every prefix in prefixes ("" is the plain term).
func (b *vectorBuilder) segment(terms []string, weight byte, prefixes ...string) {
	b.pos++ // a gap: no phrase spans two segments
	for i, t := range terms {
		if b.pos >= pgMaxPos {
			b.pos = 1
			for _, u := range terms[max(0, i-pgOverlap):i] {
				b.pos++
				for _, p := range prefixes {
					b.put(p+u, weight)
				}
			}
		}
		b.pos++
		for _, p := range prefixes {
			b.put(p+t, weight)
		}
	}
}

// meta adds terms without positions (filter terms: never in a phrase).
func (b *vectorBuilder) meta(terms []string) {
	for _, t := range terms {
		if _, ok := b.lex[t]; !ok {
			b.lex[t] = nil
			b.order = append(b.order, t)
			b.lexBytes += len(t)
		}
	}
}

// String writes the tsvector literal.
func (b *vectorBuilder) String() string {
	var sb strings.Builder
	sb.Grow(b.lexBytes + 8*len(b.order))
	for i, t := range b.order {
		if i > 0 {
			sb.WriteByte(' ')
		}
		sb.WriteByte('\'')
		sb.WriteString(t)
		sb.WriteByte('\'')
		ps := b.lex[t]
		if len(ps) == 0 {
			continue
		}
		slices.SortFunc(ps, func(x, y pgPos) int { return x.pos - y.pos })
		sb.WriteByte(':')
		last := -1
		for _, p := range ps {
			if p.pos == last {
				continue // a wrapped duplicate
			}
			if last >= 0 {
				sb.WriteByte(',')
			}
			last = p.pos
			sb.WriteString(strconv.Itoa(p.pos))
			if p.weight != weightD {
				sb.WriteByte(p.weight)
			}
		}
	}
	return sb.String()
}

// pgVector builds the tsvector literal of a document. Ticket notes go in
// only under notesPrefix (a query without notes cannot reach them); the
// ticket's supporter fields go in both plain (found by ordinary searches)
// and under peoplePrefix (found by from:).
func pgVector(d *document) string {
	b := newVectorBuilder()
	if d.kind == kindSupporter {
		for _, s := range d.fields[fName] {
			b.segment(s, weightA, "")
		}
		for _, s := range d.fields[fContact] {
			b.segment(s, weightB, "")
		}
		for _, s := range d.fields[fSNotes] {
			b.segment(s, weightC, notesPrefix)
		}
		return b.String()
	}
	for _, s := range d.fields[fSubject] {
		b.segment(s, weightA, "")
	}
	for _, s := range d.fields[fNotes] {
		b.segment(s, weightC, notesPrefix)
	}
	for _, s := range d.fields[fPeople] {
		b.segment(s, weightD, "", peoplePrefix)
	}
	for _, s := range d.fields[fBody] {
		b.segment(s, weightB, "")
	}
	for _, s := range d.fields[fMeta] {
		b.meta(s)
	}
	return b.String()
}
