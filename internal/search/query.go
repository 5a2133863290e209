package search

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/language"
	"golang.org/x/text/unicode/norm"
)

// Query is a parsed search query: every Must group matches, no Exclude group
// matches, and every filter holds.
type Query struct {
	Must    []Group
	Exclude []Group
	Filters []Filter
}

// Group is one query word or quoted phrase, analysed. Its terms must all
// occur adjacent and in order (a phrase): a CJK word is a chain of bigrams,
// and "taro.yamada" is the two terms taro, yamada. Separate words of a query
// are separate groups, matched anywhere in the document.
type Group struct {
	Text   string   // the word or phrase as typed (width-normalised), without quotes or '-'
	Terms  []string // AnalyzeQuery(Text)
	Prefix bool     // the last term matches as a prefix (a trailing single CJK character)
	Quoted bool     // written as a "quoted phrase"
}

// Filter names.
const (
	FilterStatus     = "status"
	FilterType       = "type"
	FilterChannel    = "channel"
	FilterDepartment = "department"
	FilterAssignee   = "assignee"
	FilterTag        = "tag"
	FilterFrom       = "from"
	FilterLang       = "lang"
	FilterCreated    = "created"
	FilterIs         = "is"
)

// Values of the is: filter.
const (
	IsUnassigned = "unassigned"
	IsOpen       = "open"
	IsMine       = "mine"
)

var filterNames = map[string]bool{
	FilterStatus: true, FilterType: true, FilterChannel: true, FilterDepartment: true,
	FilterAssignee: true, FilterTag: true, FilterFrom: true, FilterLang: true,
	FilterCreated: true, FilterIs: true,
}

// Op is the comparison of a created: filter.
type Op uint8

// Comparisons. OpEq is also the operator of every non-date filter.
const (
	OpEq    Op = iota // created:2026-01-01 (that day, month or year)
	OpLt              // created:<2026-01-01
	OpLe              // created:<=2026-01-01
	OpGt              // created:>2026-01-01
	OpGe              // created:>=2026-01-01
	OpRange           // created:2026-01-01..2026-02-01 (both days included)
)

// Filter is one name:value restriction.
type Filter struct {
	Name   string // one of the Filter* constants
	Value  string // width-normalised and lower-cased (lang: a canonical BCP 47 tag)
	Negate bool   // written -name:value
	Op     Op
	// Days is set for created: the half-open range of calendar days
	// [From, To) the filter selects; a zero Date is unbounded.
	Days DateRange
}

// Date is a calendar day, without time zone: the storage layer turns it into
// an instant in the organisation's zone with In.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// IsZero reports whether d is the zero Date (an unbounded end of a range).
func (d Date) IsZero() bool { return d == Date{} }

// In returns the start of day d in loc.
func (d Date) In(loc *time.Location) time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, loc)
}

func (d Date) String() string { return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day) }

func dateOf(t time.Time) Date { return Date{t.Year(), t.Month(), t.Day()} }

// DateRange is the half-open range of days [From, To).
type DateRange struct{ From, To Date }

// Bounds returns the range as instants in loc; an unbounded end is the zero
// time.Time.
func (r DateRange) Bounds(loc *time.Location) (from, to time.Time) {
	if !r.From.IsZero() {
		from = r.From.In(loc)
	}
	if !r.To.IsZero() {
		to = r.To.In(loc)
	}
	return from, to
}

// ErrBadFilter reports a filter whose value cannot be used. Name and Value
// are as typed, so the caller can point at them; Reason is a short English
// explanation for logs.
type ErrBadFilter struct {
	Name   string
	Value  string
	Reason string
}

func (e ErrBadFilter) Error() string {
	return fmt.Sprintf("search: bad filter %s:%q: %s", e.Name, e.Value, e.Reason)
}

// Parse parses a search query:
//
//	receipt 領収書 "annual report"   words and phrases, all required
//	-spam -"out of office"          excluded words and phrases
//	status:open tag:"major donor"   filters (also type channel department assignee from lang)
//	created:>=2026-01-01            also < <= > and created:2026-01-01..2026-02-01, 2026-01, 2026
//	is:unassigned is:open is:mine   shortcuts
//	-tag:spam                       negated filter
//
// Full-width colons, quotes and spaces typed with a Japanese or Chinese IME
// work as their ASCII counterparts; “…”, 「…」 and 『…』 quote phrases too. A
// name:value whose name is not a filter (foo:bar, https://…) is plain text.
// A query that is a phone number written with spaces ("+81 3 1234 5678") is
// kept as one phone number.
//
// If a filter is malformed Parse returns ErrBadFilter for the first one,
// together with the query parsed without it.
func Parse(input string) (Query, error) {
	var q Query
	var firstErr error
	items := lex(norm.NFKC.String(input))
	for i := 0; i < len(items); i++ {
		it := items[i]
		if !it.quoted {
			if name, value, ok := splitFilter(it); ok {
				f, err := parseFilter(name, value)
				if err != nil {
					if firstErr == nil {
						firstErr = err
					}
					continue
				}
				f.Negate = it.neg
				q.Filters = append(q.Filters, f)
				continue
			}
			if j := mergePhone(items, i); j > i {
				parts := make([]string, 0, j-i+1)
				for _, p := range items[i : j+1] {
					parts = append(parts, p.text)
				}
				it.text = strings.Join(parts, " ")
				i = j
			}
		}
		terms, prefix := AnalyzeQuery(it.text)
		if len(terms) == 0 {
			continue
		}
		g := Group{Text: it.text, Terms: terms, Prefix: prefix, Quoted: it.quoted}
		if it.neg {
			q.Exclude = append(q.Exclude, g)
		} else {
			q.Must = append(q.Must, g)
		}
	}
	return q, firstErr
}

// IsEmpty reports whether q neither searches text nor filters.
func (q Query) IsEmpty() bool {
	return len(q.Must) == 0 && len(q.Exclude) == 0 && len(q.Filters) == 0
}

// item is a lexed piece of a query.
type item struct {
	text   string
	neg    bool // preceded by '-'
	quoted bool // a quoted phrase
	// value: for name:"quoted value", the quoted part (text holds name:)
	value  string
	hasVal bool
}

// closingQuote returns the quote that closes r, if r opens a phrase.
func closingQuote(r rune) (rune, bool) {
	switch r {
	case '"':
		return '"', true
	case '“':
		return '”', true
	case '「':
		return '」', true
	case '『':
		return '』', true
	}
	return 0, false
}

// lex splits the (NFKC-normalised) query into words and quoted phrases.
func lex(s string) []item {
	var items []item
	i := 0
	next := func() (rune, int) { return utf8.DecodeRuneInString(s[i:]) }
	for i < len(s) {
		r, n := next()
		if unicode.IsSpace(r) {
			i += n
			continue
		}
		var it item
		if r == '-' && i+n < len(s) {
			r2, _ := utf8.DecodeRuneInString(s[i+n:])
			if !unicode.IsSpace(r2) {
				it.neg = true
				i += n
				r, n = next()
			}
		}
		if closer, ok := closingQuote(r); ok {
			i += n
			end := strings.IndexRune(s[i:], closer)
			if end < 0 {
				end = len(s) - i
			}
			it.text, it.quoted = s[i:i+end], true
			i += end
			if i < len(s) {
				_, cn := utf8.DecodeRuneInString(s[i:])
				i += cn
			}
			items = append(items, it)
			continue
		}
		start := i
		for i < len(s) {
			r, n := next()
			if unicode.IsSpace(r) {
				break
			}
			if r == ':' && i+n < len(s) {
				// name:"quoted value"
				q, qn := utf8.DecodeRuneInString(s[i+n:])
				if closer, ok := closingQuote(q); ok && filterNames[strings.ToLower(s[start:i])] {
					it.text = s[start : i+n]
					j := i + n + qn
					end := strings.IndexRune(s[j:], closer)
					if end < 0 {
						end = len(s) - j
					}
					it.value, it.hasVal = s[j:j+end], true
					i = j + end
					if i < len(s) {
						_, cn := utf8.DecodeRuneInString(s[i:])
						i += cn
					}
					break
				}
			}
			i += n
		}
		if !it.hasVal {
			it.text = s[start:i]
		}
		items = append(items, it)
	}
	return items
}

// splitFilter recognises name:value items whose name is a filter.
func splitFilter(it item) (name, value string, ok bool) {
	k := strings.IndexByte(it.text, ':')
	if k <= 0 {
		return "", "", false
	}
	name = strings.ToLower(it.text[:k])
	if !filterNames[name] {
		return "", "", false
	}
	if it.hasVal {
		return name, it.value, true
	}
	return name, it.text[k+1:], true
}

// mergePhone returns the index of the last item that, joined with items[i]
// by spaces, forms exactly one phone number, or i. Only numbers that start
// with '+', '(' or a trunk '0' are merged, so a list of ticket numbers stays
// a list.
func mergePhone(items []item, i int) int {
	t := items[i].text
	if items[i].neg || t == "" || !strings.ContainsRune("+(0", rune(t[0])) {
		return i
	}
	best := i
	text := t
	for j := i + 1; j < len(items) && j <= i+5; j++ {
		if items[j].neg || items[j].quoted || items[j].hasVal {
			break
		}
		text += " " + items[j].text
		if isLonePhone(text) {
			best = j
		}
	}
	return best
}

func isLonePhone(text string) bool {
	a := getAnalyzer()
	defer putAnalyzer(a)
	a.run(text, false)
	t, ok := a.loneConstruct()
	return ok && (t.kind == kindPhone || t.kind == kindPhoneSig)
}

// parseFilter validates one filter.
func parseFilter(name, raw string) (Filter, error) {
	value := strings.ToLower(strings.TrimSpace(raw))
	bad := func(reason string) (Filter, error) {
		return Filter{}, ErrBadFilter{Name: name, Value: raw, Reason: reason}
	}
	if value == "" {
		return bad("empty value")
	}
	for _, r := range value {
		if unicode.IsControl(r) {
			return bad("control character")
		}
	}
	f := Filter{Name: name, Value: value}
	switch name {
	case FilterIs:
		switch value {
		case IsUnassigned, IsOpen, IsMine:
		default:
			return bad("want is:unassigned, is:open or is:mine")
		}
	case FilterLang:
		tag, err := language.Parse(value)
		if err != nil {
			return bad("not a language tag")
		}
		f.Value = tag.String()
	case FilterCreated:
		op, days, err := parseDates(value)
		if err != "" {
			return bad(err)
		}
		f.Op, f.Days = op, days
	}
	return f, nil
}

// parseDates parses the value of created:. It returns a non-empty reason
// when the value is malformed.
func parseDates(v string) (Op, DateRange, string) {
	if a, b, ok := strings.Cut(v, ".."); ok {
		var r DateRange
		if a != "*" && a != "" {
			from, _, ok := parsePeriod(a)
			if !ok {
				return 0, r, "bad date " + a
			}
			r.From = from
		}
		if b != "*" && b != "" {
			_, to, ok := parsePeriod(b)
			if !ok {
				return 0, r, "bad date " + b
			}
			r.To = to
		}
		if r.From.IsZero() && r.To.IsZero() {
			return 0, r, "empty range"
		}
		if !r.From.IsZero() && !r.To.IsZero() && !r.From.In(time.UTC).Before(r.To.In(time.UTC)) {
			return 0, r, "range ends before it starts"
		}
		return OpRange, r, ""
	}
	op := OpEq
	for _, p := range []struct {
		s  string
		op Op
	}{{">=", OpGe}, {"<=", OpLe}, {">", OpGt}, {"<", OpLt}, {"=", OpEq}} {
		if rest, ok := strings.CutPrefix(v, p.s); ok {
			op, v = p.op, rest
			break
		}
	}
	start, end, ok := parsePeriod(v)
	if !ok {
		return 0, DateRange{}, "bad date " + v
	}
	var r DateRange
	switch op {
	case OpEq:
		r = DateRange{start, end}
	case OpGt:
		r.From = end
	case OpGe:
		r.From = start
	case OpLt:
		r.To = start
	case OpLe:
		r.To = end
	}
	return op, r, ""
}

// parsePeriod parses a day (2026-01-31, 2026/1/31, 2026.01.31, 2026年1月31日),
// a month (2026-01, 2026年1月) or a year (2026) and returns the half-open
// range of days it covers.
func parsePeriod(s string) (start, end Date, ok bool) {
	s = strings.TrimSuffix(strings.TrimSpace(s), "日")
	s = strings.NewReplacer("年", "-", "月", "-", "/", "-", ".", "-").Replace(s)
	s = strings.TrimSuffix(s, "-")
	parts := strings.Split(s, "-")
	if len(parts) > 3 {
		return start, end, false
	}
	nums := make([]int, len(parts))
	for i, p := range parts {
		if p == "" || len(p) > 4 || (i == 0 && len(p) != 4) || (i > 0 && len(p) > 2) {
			return start, end, false
		}
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 {
			return start, end, false
		}
		nums[i] = n
	}
	y, m, d := nums[0], 1, 1
	if y < 1900 || y > 9999 {
		return start, end, false
	}
	if len(nums) > 1 {
		m = nums[1]
		if m < 1 || m > 12 {
			return start, end, false
		}
	}
	if len(nums) > 2 {
		d = nums[2]
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d { // 2026-02-30
		return start, end, false
	}
	var e time.Time
	switch len(nums) {
	case 1:
		e = t.AddDate(1, 0, 0)
	case 2:
		e = t.AddDate(0, 1, 0)
	default:
		e = t.AddDate(0, 0, 1)
	}
	return dateOf(t), dateOf(e), true
}
