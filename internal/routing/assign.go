// Package routing sends new tickets to the department that owns them and
// hands them to an agent there: ordered rules on channel, mailbox,
// keywords, category, language and supporter segment; departments own
// categories; within a department, round-robin or lowest open load among
// the agents who are on shift (their working hours), not away, and speak the
// ticket's language. Transfers move a ticket to another department with a
// note.
package routing

import (
	"slices"
	"sort"
)

// Strategies of assignment within a department.
const (
	RoundRobin = "round_robin"
	LeastLoad  = "least_load"
	// Manual leaves new tickets unassigned in the department.
	Manual = "manual"
)

// Strategies lists the valid strategies.
var Strategies = []string{RoundRobin, LeastLoad, Manual}

// Candidate is an agent who may take a ticket.
type Candidate struct {
	UserID    int64
	Languages []string // empty: any language
	Away      bool
	// OffShift: outside the agent's working hours now.
	OffShift bool
	Load     int // open or pending tickets assigned
}

func (c Candidate) speaks(lang string) bool {
	return lang == "" || len(c.Languages) == 0 || slices.Contains(c.Languages, lang)
}

// Pick chooses the agent for a ticket in language lang, or 0 for nobody.
// Away agents and agents off shift never get tickets (when nobody is
// available the ticket waits unassigned in the department's queue, where
// the SLA clock still runs); agents who speak the language are
// preferred (when nobody does, any available agent). Round-robin takes the
// next agent by id after last; least load the agent with the fewest open
// tickets (ties: the next after last, so equal loads still rotate).
func Pick(strategy string, cands []Candidate, lang string, last int64) int64 {
	var avail []Candidate
	for _, c := range cands {
		if !c.Away && !c.OffShift {
			avail = append(avail, c)
		}
	}
	var speakers []Candidate
	for _, c := range avail {
		if c.speaks(lang) {
			speakers = append(speakers, c)
		}
	}
	if len(speakers) > 0 {
		avail = speakers
	}
	if len(avail) == 0 || strategy == Manual {
		return 0
	}
	sort.Slice(avail, func(i, j int) bool { return avail[i].UserID < avail[j].UserID })
	// Rotation order: the agents after last, then from the start.
	i := sort.Search(len(avail), func(i int) bool { return avail[i].UserID > last })
	rot := append(append([]Candidate{}, avail[i:]...), avail[:i]...)
	if strategy != LeastLoad {
		return rot[0].UserID
	}
	best := rot[0]
	for _, c := range rot[1:] {
		if c.Load < best.Load {
			best = c
		}
	}
	return best.UserID
}
