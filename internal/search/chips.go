package search

import (
	"strings"

	"golang.org/x/text/unicode/norm"
)

// Chip is one filter of a query, for showing the filters of a search as
// removable chips: Label is the filter as written (status:open,
// -tag:spam, from:"sarah miller") and Without the query with that filter
// taken out, everything else kept as it was.
type Chip struct {
	Name    string // the filter's name: status, tag, from…
	Label   string
	Without string
}

// Chips lists the filters of a query, in order. Malformed filters are
// listed too (removing one is the quickest fix); words and phrases are not.
func Chips(input string) []Chip {
	items := lex(norm.NFKC.String(input))
	var out []Chip
	for i, it := range items {
		if it.quoted {
			continue
		}
		name, _, ok := splitFilter(it)
		if !ok {
			continue
		}
		rest := make([]string, 0, len(items)-1)
		for j, other := range items {
			if j != i {
				rest = append(rest, other.String())
			}
		}
		out = append(out, Chip{Name: name, Label: it.String(), Without: strings.Join(rest, " ")})
	}
	return out
}

// String writes an item back as query text.
func (it item) String() string {
	var b strings.Builder
	if it.neg {
		b.WriteByte('-')
	}
	switch {
	case it.quoted:
		b.WriteString(`"` + it.text + `"`)
	case it.hasVal:
		b.WriteString(it.text + `"` + it.value + `"`)
	default:
		b.WriteString(it.text)
	}
	return b.String()
}
