package demo

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/steward-desk/steward/internal/ticket"
)

// Every topic has the same number of variants in each language, and
// answers either fit every opening or go with one each.
func TestVocabularyShapes(t *testing.T) {
	for _, tp := range topics {
		for name, l := range map[string][3][]string{"subject": tp.subject, "open": tp.open, "answer": tp.answer, "followup": tp.followup, "note": tp.note} {
			if len(l[en]) == 0 || len(l[en]) != len(l[ja]) || len(l[ja]) != len(l[zh]) {
				t.Errorf("%s.%s: %d/%d/%d variants", tp.key, name, len(l[en]), len(l[ja]), len(l[zh]))
			}
		}
		if n := len(tp.answer[en]); n != 1 && n != len(tp.open[en]) {
			t.Errorf("%s: %d answers for %d openings", tp.key, n, len(tp.open[en]))
		}
		if tp.typ == "complaint" && (tp.concern[ja] == "" || tp.resolution[zh] == "") {
			t.Errorf("%s: a complaint needs a concern and a resolution", tp.key)
		}
	}
}

func plans(seed int64, now time.Time, n int) []ticketPlan {
	g := newGenerator(seed, now, 30)
	g.supporters(40)
	var out []ticketPlan
	g.tickets(n, func(p *ticketPlan) error { out = append(out, *p); return nil })
	return out
}

func TestPlansAreDeterministicAndSane(t *testing.T) {
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	a, b := plans(9, now, 300), plans(9, now, 300)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("the same seed gave different plans")
	}
	if reflect.DeepEqual(a, plans(10, now, 300)) {
		t.Fatal("another seed gave the same plans")
	}
	if len(a) != 300 {
		t.Fatalf("%d plans", len(a))
	}
	prev := int64(0)
	for i, p := range a {
		o := p.outcome()
		if o.created < prev {
			t.Fatalf("plan %d created before plan %d", i, i-1)
		}
		prev = o.created
		if len(p.msgs) < 1 || len(p.msgs) > 6 {
			t.Fatalf("plan %d has %d messages", i, len(p.msgs))
		}
		if o.updated >= now.UnixMilli() || o.created < now.Add(-31*24*time.Hour).UnixMilli() {
			t.Fatalf("plan %d outside the window: %d..%d", i, o.created, o.updated)
		}
		if o.status != p.status {
			t.Fatalf("plan %d ends %s, planned %s", i, o.status, p.status)
		}
		if strings.Contains(p.subject, "{") {
			t.Fatalf("unexpanded subject %q", p.subject)
		}
		for _, m := range p.msgs {
			if strings.Contains(m.body, "{") {
				t.Fatalf("unexpanded body %q", m.body)
			}
		}
		if p.status == ticket.StatusNew && o.firstResponse != 0 {
			t.Fatalf("plan %d is new but answered", i)
		}
	}
}

func TestFormatting(t *testing.T) {
	if got := formatAmount(en, 100000); got != "¥100,000" {
		t.Error(got)
	}
	if got := formatAmount(ja, 5000); got != "5,000円" {
		t.Error(got)
	}
	if got := formatAmount(zh, 1000); got != "1,000日元" {
		t.Error(got)
	}
	v := &vars{lang: zh, name: "王芳"}
	if got := expand("{name}您好，{unknown}{org}", v); got != "王芳您好，{unknown}希望之桥" {
		t.Error(got)
	}
	if got := preview(strings.Repeat("領収書 ", 100)); len([]rune(got)) != 161 {
		t.Errorf("preview of %d runes", len([]rune(got)))
	}
}

// LongThreads gives about five messages a ticket (the 1M-ticket / 5M-message
// benchmark), in time order and in the past.
func TestLongThreads(t *testing.T) {
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	count := func(long bool) (int, []ticket.Status) {
		t.Helper()
		g := newGenerator(3, now, 300)
		g.longThreads = long
		g.supporters(200)
		n := 0
		var st []ticket.Status
		g.tickets(20000, func(p *ticketPlan) error {
			n += len(p.msgs)
			o := p.outcome()
			if o.updated >= now.UnixMilli() {
				t.Fatalf("a message after now")
			}
			for i := 1; i < len(p.msgs); i++ {
				if p.msgs[i].at < p.msgs[i-1].at {
					t.Fatalf("messages out of order")
				}
			}
			st = append(st, o.status)
			return nil
		})
		return n, st
	}
	short, _ := count(false)
	long, st := count(true)
	per := float64(long) / 20000
	t.Logf("messages per ticket: %.2f (without LongThreads %.2f)", per, float64(short)/20000)
	if per < 4.6 || per > 5.4 {
		t.Errorf("LongThreads: %.2f messages a ticket, want about 5", per)
	}
	if len(st) != 20000 {
		t.Fatalf("%d plans", len(st))
	}
}
