package search

import (
	"encoding/hex"
	"strconv"
	"strings"

	"github.com/steward-desk/steward/internal/prework"
	"golang.org/x/text/language"
	"golang.org/x/text/unicode/norm"
)

// A search document is one ticket or supporter as the index sees it: for
// each field, a list of segments (a subject, one message, one tag). The
// engines analyse and store it in their own way: FTS5 columns of Analyze's
// terms (engine_sqlite.go), or the run form (runs.go, engine_postgres.go).

// field is a part of a document, searched and weighted on its own.
type field uint8

// Ticket fields.
const (
	fSubject field = iota // subject, number, tags
	fBody                 // incoming and outgoing messages
	fNotes                // internal notes: staff only
	fPeople               // the supporter's name, e-mail addresses, phones, handles
	fMeta                 // filter terms (metaTerm); never matched by text
	nTicketFields
)

// Supporter fields.
const (
	fName    field = iota // name
	fContact              // e-mail addresses, phones, handles
	fSNotes               // notes about the supporter: staff only
	nSupporterFields
)

// document is one ticket or supporter, ready to be analysed by an engine.
type document struct {
	// fresh says no document of this kind and id is stored yet (a new
	// ticket): the engine need not look for one to replace.
	fresh     bool
	kind      string // kindTicket or kindSupporter
	id        int64  // the ticket's or supporter's id
	createdAt int64  // Unix ms; for created: filters
	fields    [][]segment
	// supporter is a ticket's supporter. FTS5 keeps the supporter's fields
	// in the ticket's people column; PostgreSQL's run form leaves them out
	// and holds only this id (pgSupporterTerm), see engine_postgres.go.
	supporter int64
}

// segment is one piece of a field: a subject, a message, a tag.
type segment struct {
	text  string   // analysed by the engine: Analyze (FTS5) or analyzeRuns (PostgreSQL)
	terms []string // or ready-made terms (ticket number, filter terms), used as they are
}

const (
	kindTicket    = "ticket"
	kindSupporter = "supporter"
)

func newDocument(kind string, id, createdAt int64) *document {
	n := nTicketFields
	if kind == kindSupporter {
		n = nSupporterFields
	}
	return &document{kind: kind, id: id, createdAt: createdAt, fields: make([][]segment, n)}
}

// add adds text as a new segment of f.
func (d *document) add(f field, text string) {
	if strings.TrimSpace(text) != "" {
		d.fields[f] = append(d.fields[f], segment{text: text})
	}
}

// addTerms adds ready-made terms (meta terms, numbers) as a segment of f.
func (d *document) addTerms(f field, terms ...string) {
	if len(terms) > 0 {
		d.fields[f] = append(d.fields[f], segment{terms: terms})
	}
}

// analysed returns the terms of a segment in the form an engine stores:
// Analyze's terms, or the run form — taken from what Warm prepared when the
// text was warmed before its transaction.
func (s segment) analysed(runs bool) []string {
	switch {
	case s.terms != nil:
		return s.terms
	case runs:
		if t, ok := warmRuns.Take(s.text); ok {
			return t
		}
		return analyzeRuns(s.text)
	default:
		if t, ok := warmTerms.Take(s.text); ok {
			return t
		}
		return Analyze(s.text)
	}
}

// Texts analysed by Warm ahead of the transactions that index them: a few
// hundred requests in flight at most, each with a subject and a message.
var (
	warmTerms = prework.New[[]string](1024)
	warmRuns  = prework.New[[]string](1024)
)

// ftsField returns field f as one space-separated term list (the FTS5 form).
func (d *document) ftsField(f field) string {
	var b strings.Builder
	for _, seg := range d.fields[f] {
		for _, t := range seg.analysed(false) {
			if b.Len() > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(t)
		}
	}
	return b.String()
}

// runFields returns the document in the run form PostgreSQL stores: fields
// separated by blockSep, segments within a field by a newline, each segment
// written " tok tok … " so that every token has a space on either side.
// A ticket's people field stays empty: its filter terms name the supporter
// instead (pgSupporterTerm), and searches find the supporter's own document
// (engine_postgres.go), so the name and addresses are not stored again with
// every ticket.
func (d *document) runFields() string {
	var b strings.Builder
	for f, segs := range d.fields {
		if f > 0 {
			b.WriteString(blockSep)
		}
		if d.kind == kindTicket && field(f) == fPeople {
			continue
		}
		if d.kind == kindTicket && field(f) == fMeta && d.supporter != 0 {
			// One segment (no newline) that the supporter's term ends.
			var terms []string
			for _, seg := range segs {
				terms = append(terms, seg.terms...)
			}
			segs = []segment{{terms: append(terms, pgSupporterTerm(d.supporter))}}
		}
		for i, seg := range segs {
			if i > 0 {
				b.WriteByte('\n')
			}
			for _, t := range seg.analysed(true) {
				b.WriteByte(' ')
				b.WriteString(pgMeta(t))
			}
			b.WriteByte(' ')
		}
	}
	return b.String()
}

// blockSep separates the fields of a document's run form.
const blockSep = "\x01"

// pgMeta shortens a filter term for PostgreSQL, where it need not be a
// token character for FTS5's tokenizer: U+0004 instead of the three-byte
// U+E000 (a meta term is in every ticket eight times or more). Other terms
// are returned as they are.
func pgMeta(t string) string {
	if rest, ok := strings.CutPrefix(t, metaPrefix); ok {
		return "\x04" + rest
	}
	return t
}

// pgSupporterTerm is the PostgreSQL filter term naming a ticket's supporter.
func pgSupporterTerm(id int64) string { return "\x04p" + strconv.FormatInt(id, 10) }

// Filter terms. A meta term starts with a private-use character, which the
// analyzer never puts into a term (it is neither letter nor digit), so no
// text can match a filter term, while both engines' tokenizers keep it as one
// token (FTS5's categories include Co). The letter after it names the
// filter; values are ASCII ([a-z0-9.-]) or, for tags, hex.
const (
	metaPrefix = "\ue000"
	// notesPrefix marks a PostgreSQL lexeme that occurs only in staff notes
	// (FTS5 keeps notes in their own column instead).
	notesPrefix = "\ue001"
	// peoplePrefix marks a PostgreSQL lexeme of the supporter fields, for
	// from: (FTS5 uses the people column).
	peoplePrefix = "\ue002"
)

const (
	metaStatus     = 's' // status
	metaGroup      = 'g' // status group: open, pending, done
	metaType       = 't'
	metaChannel    = 'c'
	metaLang       = 'l'
	metaDepartment = 'd' // department id, or "none"
	metaAssignee   = 'a' // assignee id, or "none"
	metaTag        = 'x' // hex of the tag
)

func metaTerm(kind byte, value string) string {
	return metaPrefix + string(kind) + value
}

func metaID(kind byte, id int64) string {
	if id == 0 {
		return metaTerm(kind, "none")
	}
	return metaTerm(kind, strconv.FormatInt(id, 10))
}

// metaTagTerm is the filter term of a tag: width- and case-folded, as
// Parse folds the value of tag:.
func metaTagTerm(tag string) string {
	return metaTerm(metaTag, hex.EncodeToString([]byte(strings.ToLower(norm.NFKC.String(strings.TrimSpace(tag))))))
}

// metaSafe keeps a value to the characters a meta term may hold.
func metaSafe(v string) string {
	v = strings.ToLower(v)
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '.' {
			return r
		}
		return -1
	}, v)
}

// langTerms gives the lang: terms of a language tag: the tag itself and its
// base language, so lang:zh finds zh-Hant as well.
func langTerms(tag string) []string {
	if tag == "" {
		return nil
	}
	t, err := language.Parse(tag)
	if err != nil {
		return []string{metaTerm(metaLang, metaSafe(tag))}
	}
	full := metaTerm(metaLang, metaSafe(t.String()))
	base, _ := t.Base()
	b := metaTerm(metaLang, metaSafe(base.String()))
	if b == full {
		return []string{full}
	}
	return []string{full, b}
}

// ticketSource is what a ticket's document is made of, as read from the
// database.
type ticketSource struct {
	id, number, supporterID int64
	subject, status, group  string
	typ, channel, lang      string
	department, assignee    int64 // 0: none
	createdAt, updatedAt    int64
	tags                    []string
	messages                []messageSource
	people                  personSource
	// peopleIndexed says the supporter has a document of their own;
	// peopleChanged that the supporter was changed since created, so it may
	// be out of date.
	peopleIndexed, peopleChanged bool
}

type messageSource struct {
	direction string // in, out, note
	text      string
}

// personSource is a supporter as a document sees it.
type personSource struct {
	id         int64
	name       string
	email      string
	identities []string // e-mail addresses, phones, handles
	notes      string
	createdAt  int64
}

// ticketDocument analyses a ticket.
func ticketDocument(s *ticketSource) *document {
	d := newDocument(kindTicket, s.id, s.createdAt)
	d.supporter = s.supporterID
	d.add(fSubject, s.subject)
	d.addTerms(fSubject, strconv.FormatInt(s.number, 10))
	for _, tag := range s.tags {
		d.add(fSubject, tag)
	}
	for _, m := range s.messages {
		if m.direction == "note" {
			d.add(fNotes, m.text)
		} else {
			d.add(fBody, m.text)
		}
	}
	addPerson(d, fPeople, fPeople, &s.people)

	meta := []string{
		metaTerm(metaStatus, metaSafe(s.status)),
		metaTerm(metaGroup, metaSafe(s.group)),
		metaTerm(metaType, metaSafe(s.typ)),
		metaTerm(metaChannel, metaSafe(s.channel)),
		metaID(metaDepartment, s.department),
		metaID(metaAssignee, s.assignee),
	}
	meta = append(meta, langTerms(s.lang)...)
	for _, tag := range s.tags {
		meta = append(meta, metaTagTerm(tag))
	}
	d.addTerms(fMeta, meta...)
	return d
}

// supporterDocument analyses a supporter.
func supporterDocument(p *personSource) *document {
	d := newDocument(kindSupporter, p.id, p.createdAt)
	addPerson(d, fName, fContact, p)
	d.add(fSNotes, p.notes)
	return d
}

// addPerson adds a supporter's name to field name and their addresses to
// field contact, each address once.
func addPerson(d *document, name, contact field, p *personSource) {
	d.add(name, p.name)
	seen := map[string]bool{}
	for _, v := range append([]string{p.email}, p.identities...) {
		k := strings.ToLower(strings.TrimSpace(v))
		if k == "" || seen[k] {
			continue
		}
		seen[k] = true
		d.add(contact, v)
	}
}
