package search

import (
	"reflect"
	"testing"
)

func TestChips(t *testing.T) {
	for _, c := range []struct {
		q    string
		want []Chip
	}{
		{"receipt", nil},
		{"領収書 status:open from:佐藤", []Chip{
			{"status", "status:open", "領収書 from:佐藤"},
			{"from", "from:佐藤", "領収書 status:open"},
		}},
		{`"tax deduction" -tag:spam from:"sarah miller"`, []Chip{
			{"tag", "-tag:spam", `"tax deduction" from:"sarah miller"`},
			{"from", `from:"sarah miller"`, `"tax deduction" -tag:spam`},
		}},
		// Full-width colon and space, as an IME types them.
		{"收据　status：open", []Chip{{"status", "status:open", "收据"}}},
		{"status:sleeping foo:bar", []Chip{{"status", "status:sleeping", "foo:bar"}}},
	} {
		if got := Chips(c.q); !reflect.DeepEqual(got, c.want) {
			t.Errorf("Chips(%q) = %+v, want %+v", c.q, got, c.want)
		}
	}
}
