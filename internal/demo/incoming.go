package demo

import (
	"time"
)

// Incoming is a new request as a supporter would send it through the API or
// a web form: the first message of a ticket and who it is from.
type Incoming struct {
	Subject  string
	Body     string
	Channel  string
	Language string
	Name     string
	Email    string
}

// Requests makes an endless, reproducible stream of incoming requests in
// English, Japanese and Chinese, from a pool of supporters (so some write
// again, as real supporters do). Load generators use it.
type Requests struct {
	g *generator
}

// NewRequests returns a stream drawing on supporters distinct supporters.
func NewRequests(seed int64, supporters int) *Requests {
	g := newGenerator(seed, time.Now(), DefaultDays)
	g.supporters(max(1, supporters))
	return &Requests{g: g}
}

// Next returns the next request.
func (r *Requests) Next() Incoming {
	g := r.g
	for {
		p := g.ticket(g.now - g.between(hour, 30*day))
		if p.channel == "phone" { // phone calls are logged by staff, not sent in
			continue
		}
		s := &g.sup[p.supporter]
		return Incoming{
			Subject: p.subject, Body: p.msgs[0].body, Channel: p.channel,
			Language: langCodes[p.lang], Name: s.name, Email: s.email,
		}
	}
}
