package demo

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/steward-desk/steward/internal/supporter"
	"github.com/steward-desk/steward/internal/ticket"
)

// The generator turns a seed into plans: who the supporters are and, for each
// ticket, the whole conversation with its times and final state. Both writers
// (the capability path and the bulk path) consume the same plans, which is
// what lets a test prove they store the same rows.

const (
	minute = int64(time.Minute / time.Millisecond)
	hour   = 60 * minute
	day    = 24 * hour
	year   = 365 * day
)

// supporterPlan is one supporter to create.
type supporterPlan struct {
	lang    int
	name    string
	given   string // how a reply addresses them: "Sarah" / full name
	email   string
	phone   string // display form; stored normalised
	since   int64  // Unix ms, 0 when unknown
	notes   string
	created int64
	major   bool
}

// messagePlan is one message of a conversation.
type messagePlan struct {
	dir  ticket.Direction
	user int // staff index for out/note, -1 for the supporter
	body string
	at   int64
}

// ticketPlan is one ticket, from its first message to its final state.
type ticketPlan struct {
	subject   string
	lang      int
	channel   string
	typ       string
	priority  string
	category  string
	dept      int // department index, -1 for none
	assignee  int // staff index, -1 for none
	supporter int // supporter index
	tags      []string
	msgs      []messagePlan
	// status is the final status; statusAt when a member of staff set it
	// (0 when the messages alone lead to it).
	status   ticket.Status
	statusAt int64
}

// generator holds the random source and what every plan draws on.
type generator struct {
	r       *rand.Rand
	now     int64
	loc     *time.Location
	days    int
	sup     []supporterPlan
	supCum  []float64
	members [][]int // staff indexes per department (agents and supervisor)
	// longThreads adds back-and-forth exchanges to answered tickets (about
	// five messages a ticket instead of three): Options.LongThreads.
	longThreads bool
}

func newGenerator(seed int64, now time.Time, days int) *generator {
	loc, err := time.LoadLocation(orgZone)
	if err != nil {
		loc = time.FixedZone("JST", 9*3600)
	}
	g := &generator{
		r:    rand.New(rand.NewPCG(uint64(seed), uint64(seed)^0x5157_4152_4420_4445)),
		now:  now.UnixMilli(),
		loc:  loc,
		days: days,
	}
	g.members = make([][]int, len(departments))
	for i, p := range staffPeople {
		if i == 0 { // the admin directs; she does not work the queue
			continue
		}
		for _, d := range p.depts {
			g.members[d] = append(g.members[d], i)
		}
	}
	return g
}

func (g *generator) pick(n int) int           { return g.r.IntN(n) }
func (g *generator) chance(p float64) bool    { return g.r.Float64() < p }
func (g *generator) one(list []string) string { return list[g.r.IntN(len(list))] }
func (g *generator) between(lo, hi int64) int64 {
	if hi <= lo {
		return lo
	}
	return lo + g.r.Int64N(hi-lo)
}

// supporters plans n supporters with unique emails and phones.
func (g *generator) supporters(n int) {
	seenEmail := make(map[string]bool, n)
	seenPhone := map[string]bool{}
	g.sup = make([]supporterPlan, n)
	for i := range g.sup {
		s := &g.sup[i]
		switch x := g.r.Float64(); {
		case x < 0.40:
			s.lang = en
		case x < 0.75:
			s.lang = ja
		default:
			s.lang = zh
		}
		var local string
		switch s.lang {
		case en:
			gv, fm := g.one(enGiven), g.one(enFamily)
			s.name, s.given = gv+" "+fm, gv
			if g.chance(0.3) {
				local = strings.ToLower(gv[:1] + fm)
			} else {
				local = strings.ToLower(gv + "." + fm)
			}
		case ja:
			fm, gv := jaFamily[g.pick(len(jaFamily))], jaGiven[g.pick(len(jaGiven))]
			s.name = fm[0] + " " + gv[0]
			s.given = s.name
			local = gv[1] + "." + fm[1]
		case zh:
			fm, gv := zhFamily[g.pick(len(zhFamily))], zhGiven[g.pick(len(zhGiven))]
			s.name = fm[0] + gv[0]
			s.given = s.name
			local = fm[1] + gv[1]
		}
		domain := g.one(mailDomains)
		email := local + "@" + domain
		for seenEmail[email] {
			email = local + strconv.Itoa(g.pick(10000)) + "@" + domain
		}
		seenEmail[email] = true
		s.email = email
		if g.chance(0.35) {
			for {
				p := g.phone(s.lang)
				if k := supporter.NormalisePhone(p); !seenPhone[k] {
					seenPhone[k] = true
					s.phone = p
					break
				}
			}
		}
		if g.chance(0.85) {
			// Tenure from a few weeks to 15 years, more of the recent.
			age := int64(math.Pow(g.r.Float64(), 1.6)*float64(15*year)) + 20*day
			s.since = g.now - age
		}
		if g.chance(0.2) {
			k := g.pick(len(supporterNotes))
			s.notes = supporterNotes[k][s.lang]
			s.major = k == 1
		}
		// Records were imported when the desk went live, or created when
		// someone first became a supporter after that.
		golive := g.now - int64(g.days+10)*day
		s.created = golive
		if s.since > golive {
			s.created = s.since
		}
	}
	// Some supporters write far more often than others.
	g.supCum = make([]float64, n)
	total := 0.0
	for i := range g.sup {
		w := 1.0
		if g.chance(0.1) {
			w = 6
		}
		if g.sup[i].major {
			w += 2
		}
		total += w
		g.supCum[i] = total
	}
}

func (g *generator) phone(lang int) string {
	d := func(n int) string {
		var b strings.Builder
		for range n {
			b.WriteByte(byte('0' + g.pick(10)))
		}
		return b.String()
	}
	switch lang {
	case ja:
		return fmt.Sprintf("+81 %s-%s-%s", g.one([]string{"90", "80", "70"}), d(4), d(4))
	case zh:
		return fmt.Sprintf("+86 1%s %s %s", g.one([]string{"38", "39", "50", "86"}), d(4), d(4))
	default:
		if g.chance(0.5) {
			return "+44 7700 9" + d(5)
		}
		return "+1 415 555 " + d(4)
	}
}

func (g *generator) pickSupporter() int {
	x := g.r.Float64() * g.supCum[len(g.supCum)-1]
	return sort.SearchFloat64s(g.supCum, x)
}

// dayCounts spreads n tickets over the days (oldest first), with fewer on
// weekends, more at year-end giving and tax-return season, and a few
// campaign peaks.
func (g *generator) dayCounts(n int) []int {
	w := make([]float64, g.days)
	total := 0.0
	for i := range w {
		t := time.UnixMilli(g.now - int64(g.days-1-i)*day).In(g.loc)
		x := 1.0
		switch t.Weekday() {
		case time.Saturday, time.Sunday:
			x = 0.6
		}
		switch t.Month() {
		case time.December:
			x *= 1.5
		case time.February, time.March:
			x *= 1.25
		}
		if g.chance(0.04) { // a campaign or an event
			x *= 2.2
		}
		x *= 0.85 + 0.3*g.r.Float64()
		w[i] = x
		total += x
	}
	// The first (today) is only partly over.
	nowLocal := time.UnixMilli(g.now).In(g.loc)
	frac := float64(nowLocal.Hour()*60+nowLocal.Minute()) / (24 * 60)
	total -= w[g.days-1] * (1 - frac)
	w[g.days-1] *= frac
	counts := make([]int, g.days)
	type rem struct {
		i int
		f float64
	}
	rems := make([]rem, g.days)
	sum := 0
	for i := range w {
		exact := float64(n) * w[i] / total
		counts[i] = int(exact)
		sum += counts[i]
		rems[i] = rem{i, exact - float64(counts[i])}
	}
	sort.SliceStable(rems, func(a, b int) bool { return rems[a].f > rems[b].f })
	for k := 0; sum < n; k++ {
		counts[rems[k%len(rems)].i]++
		sum++
	}
	return counts
}

// hourWeights: when supporters write, Tokyo time.
var hourWeights = [24]float64{1, 0.5, 0.3, 0.2, 0.2, 0.4, 1, 2, 4, 6, 7, 7, 6, 7, 7, 6, 6, 5, 5, 5, 5, 4, 3, 2}

// dayTimes returns k creation times on day i (0 = oldest), sorted.
func (g *generator) dayTimes(i, k int) []int64 {
	start := time.UnixMilli(g.now - int64(g.days-1-i)*day).In(g.loc)
	start = time.Date(start.Year(), start.Month(), start.Day(), 0, 0, 0, 0, g.loc)
	s := start.UnixMilli()
	var cum [24]float64
	t := 0.0
	for h, w := range hourWeights {
		t += w
		cum[h] = t
	}
	out := make([]int64, 0, k)
	for len(out) < k {
		x := g.r.Float64() * t
		h := sort.SearchFloat64s(cum[:], x)
		at := s + int64(h)*hour + g.r.Int64N(hour)
		if at >= g.now-minute {
			// Today: squeeze into what has passed.
			at = s + g.r.Int64N(max(g.now-minute-s, 1))
		}
		out = append(out, at)
	}
	slices64(out)
	return out
}

func slices64(a []int64) { sort.Slice(a, func(i, j int) bool { return a[i] < a[j] }) }

var channelWeights = []struct {
	ch string
	w  int
}{{"email", 50}, {"form", 12}, {"web", 6}, {"phone", 12}, {"chat", 8}, {"social", 8}, {"api", 4}}

func (g *generator) pickChannel() string {
	x := g.pick(100)
	for _, c := range channelWeights {
		if x < c.w {
			return c.ch
		}
		x -= c.w
	}
	return "email"
}

func (g *generator) pickTopic(at int64) *topic {
	m := time.UnixMilli(at).In(g.loc).Month()
	taxSeason := m >= time.January && m <= time.March
	total := 0
	weight := func(t *topic) int {
		if taxSeason && (t.key == "receipt" || t.key == "tax" || t.key == "late-receipt") {
			return t.weight * 2
		}
		return t.weight
	}
	for i := range topics {
		total += weight(&topics[i])
	}
	x := g.pick(total)
	for i := range topics {
		if x < weight(&topics[i]) {
			return &topics[i]
		}
		x -= weight(&topics[i])
	}
	return &topics[0]
}

// pickStatus chooses where a ticket of this age has got to.
func (g *generator) pickStatus(age int64, complaint bool) ticket.Status {
	var pDone float64
	switch {
	case age < 6*hour:
		pDone = 0.03
	case age < day:
		pDone = 0.12
	case age < 3*day:
		pDone = 0.35
	case age < 7*day:
		pDone = 0.6
	case age < 30*day:
		pDone = 0.88
	default:
		pDone = 0.97
	}
	if g.chance(pDone) {
		if age > 14*day && g.chance(0.6) {
			return ticket.StatusClosed
		}
		return ticket.StatusResolved
	}
	x := g.r.Float64()
	if complaint {
		x += 0.25
	}
	switch {
	case x < 0.42:
		return ticket.StatusOpen
	case x < 0.8:
		return ticket.StatusPending
	default:
		return ticket.StatusPendingInvestigation
	}
}

// firstReplyDelay: most within a few hours, some over the 24-hour promise.
func (g *generator) firstReplyDelay() int64 {
	switch x := g.r.Float64(); {
	case x < 0.35:
		return g.between(10*minute, 2*hour)
	case x < 0.75:
		return g.between(2*hour, 8*hour)
	case x < 0.9:
		return g.between(8*hour, 24*hour)
	default:
		return g.between(24*hour, 72*hour)
	}
}

// vars are the values of one conversation's placeholders.
type vars struct {
	lang    int
	name    string
	given   string
	staff   string
	amount  string
	date    string
	month   string
	year    string
	due     string
	event   string
	program string
	ref     string
	years   string
	concern string
}

func (v *vars) get(key string) (string, bool) {
	switch key {
	case "name":
		return v.name, true
	case "given":
		return v.given, true
	case "staff":
		return v.staff, true
	case "amount":
		return v.amount, true
	case "date":
		return v.date, true
	case "month":
		return v.month, true
	case "year":
		return v.year, true
	case "due":
		return v.due, true
	case "event":
		return v.event, true
	case "program":
		return v.program, true
	case "ref":
		return v.ref, true
	case "years":
		return v.years, true
	case "concern":
		return v.concern, true
	case "org":
		return orgShort[v.lang], true
	}
	return "", false
}

// expand fills {placeholders}; unknown ones are left as they are.
func expand(tpl string, v *vars) string {
	if !strings.Contains(tpl, "{") {
		return tpl
	}
	var b strings.Builder
	b.Grow(len(tpl) + 32)
	for {
		i := strings.IndexByte(tpl, '{')
		if i < 0 {
			b.WriteString(tpl)
			return b.String()
		}
		j := strings.IndexByte(tpl[i:], '}')
		if j < 0 {
			b.WriteString(tpl)
			return b.String()
		}
		b.WriteString(tpl[:i])
		if val, ok := v.get(tpl[i+1 : i+j]); ok {
			b.WriteString(val)
		} else {
			b.WriteString(tpl[i : i+j+1])
		}
		tpl = tpl[i+j+1:]
	}
}

func formatAmount(lang, yen int) string {
	s := strconv.Itoa(yen)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	switch lang {
	case ja:
		return b.String() + "円"
	case zh:
		return b.String() + "日元"
	}
	return "¥" + b.String()
}

func formatDate(lang int, t time.Time) string {
	switch lang {
	case ja, zh:
		return fmt.Sprintf("%d月%d日", int(t.Month()), t.Day())
	}
	return fmt.Sprintf("%d %s", t.Day(), monthNames[t.Month()-1])
}

func formatMonth(lang int, t time.Time) string {
	if lang == en {
		return monthNames[t.Month()-1]
	}
	return fmt.Sprintf("%d月", int(t.Month()))
}

// ticket plans one ticket created at c.
func (g *generator) ticket(c int64) ticketPlan {
	tp := g.pickTopic(c)
	si := g.pickSupporter()
	sp := &g.sup[si]
	L := sp.lang
	complaint := tp.typ == "complaint"
	p := ticketPlan{
		lang:      L,
		channel:   g.pickChannel(),
		typ:       tp.typ,
		priority:  g.one(tp.priorities),
		category:  tp.category,
		dept:      tp.dept,
		assignee:  -1,
		supporter: si,
		tags:      append([]string(nil), tp.tags...),
	}
	if sp.major && g.chance(0.7) {
		p.tags = append(p.tags, "major-donor")
	}
	age := g.now - c
	p.status = g.pickStatus(age, complaint)

	ct := time.UnixMilli(c).In(g.loc)
	gift := time.UnixMilli(c - g.between(3*day, 60*day)).In(g.loc)
	v := &vars{
		lang:    L,
		name:    sp.name,
		given:   sp.given,
		amount:  formatAmount(L, amounts[g.pick(len(amounts))]),
		date:    formatDate(L, gift),
		month:   formatMonth(L, gift),
		year:    strconv.Itoa(gift.Year()),
		due:     formatDate(L, ct.Add(time.Duration(g.between(3, 6))*24*time.Hour)),
		event:   events[g.pick(len(events))][L],
		program: programs[g.pick(len(programs))][L],
		ref:     fmt.Sprintf("HB-%d-%05d", gift.Year(), g.pick(100000)),
		concern: tp.concern[L],
	}
	if sp.since > 0 {
		if y := (g.now - sp.since) / year; y >= 2 {
			v.years = strconv.FormatInt(y, 10)
		}
	}
	// One variant of the request runs through the conversation: the subject
	// and answer that go with the opening message.
	variant := g.pick(len(tp.open[L]))
	aligned := func(list []string) string {
		if len(list) == len(tp.open[L]) {
			return list[variant]
		}
		return g.one(list)
	}
	p.subject = expand(aligned(tp.subject[L]), v)

	// Who works it.
	members := g.members[tp.dept]
	worker := members[g.pick(len(members))]
	switch {
	case p.status == ticket.StatusNew:
	case g.chance(0.08):
		// Answered but never claimed: stays in the unassigned view.
	default:
		p.assignee = worker
	}
	v.staff = staffPeople[worker].name
	short := p.channel == "chat" || p.channel == "social"

	supporterMsg := func(body string) string {
		if short {
			return body
		}
		return g.one(supporterGreeting[L]) + "\n\n" + body + "\n\n" + expand(g.one(supporterClosing[L]), v)
	}
	staffMsg := func(substance string, first bool) string {
		var b strings.Builder
		if !short {
			b.WriteString(expand(staffGreeting[L], v))
			b.WriteString("\n\n")
		}
		if first && !short {
			b.WriteString(staffThanks[L])
			if v.years != "" && g.chance(0.6) {
				b.WriteString(langSpace(L))
				b.WriteString(expand(tenureLine[L], v))
			}
			b.WriteString("\n\n")
		}
		if first && complaint {
			b.WriteString(expand(restate[L], v))
			b.WriteString(langSpace(L))
		}
		b.WriteString(expand(substance, v))
		if !short {
			b.WriteString("\n\n")
			b.WriteString(expand(staffClosing[L], v))
		}
		return b.String()
	}

	// The conversation, as offsets from c; scaled below if it would run past now.
	var msgs []messagePlan
	at := c
	add := func(dir ticket.Direction, user int, body string, gap int64) {
		if len(msgs) >= 6 {
			return
		}
		at += gap
		msgs = append(msgs, messagePlan{dir: dir, user: user, body: body, at: at})
	}
	if p.channel == "phone" {
		add(ticket.Note, worker, expand(tp.phone[L], v), 0)
	} else {
		add(ticket.In, -1, supporterMsg(expand(tp.open[L][variant], v)), 0)
	}
	reply := g.firstReplyDelay()
	if p.status == ticket.StatusNew || reply >= age {
		p.status = ticket.StatusNew
		if p.assignee < 0 && g.chance(0.5) {
			p.dept = -1 // not triaged yet
		}
		if g.chance(0.15) && age > 10*minute {
			add(ticket.Note, worker, expand(g.one(triageNote[L]), v), g.between(minute, min(age-minute, 2*hour)))
		}
		p.msgs = msgs
		return p
	}
	if g.chance(0.08) {
		add(ticket.Note, worker, expand(g.one(triageNote[L]), v), reply/2)
		reply -= reply / 2
	}
	staffGap := func() int64 { return g.between(30*minute, 20*hour) }
	supGap := func() int64 { return g.between(hour, 36*hour) }
	answer := func() string { return aligned(tp.answer[L]) }

	switch p.status {
	case ticket.StatusOpen:
		if g.chance(0.5) {
			add(ticket.Out, worker, staffMsg(answer(), true), reply)
			add(ticket.In, -1, supporterMsg(expand(g.one(tp.followup[L]), v)), supGap())
		} else {
			add(ticket.Out, worker, staffMsg(tp.ask[L], true), reply)
			add(ticket.In, -1, supporterMsg(expand(g.one(tp.followup[L]), v)), supGap())
			if g.chance(0.3) {
				add(ticket.Out, worker, staffMsg(answer(), false), staffGap())
				add(ticket.In, -1, supporterMsg(expand(g.one(supporterChase[L]), v)), supGap())
			}
		}
	case ticket.StatusPending:
		if g.chance(0.35) {
			add(ticket.Out, worker, staffMsg(answer(), true), reply)
			add(ticket.In, -1, supporterMsg(expand(g.one(tp.followup[L]), v)), supGap())
			add(ticket.Out, worker, staffMsg(tp.ask[L], false), staffGap())
		} else {
			add(ticket.Out, worker, staffMsg(tp.ask[L], true), reply)
		}
		p.statusAt = at + g.between(0, 5*minute)
	case ticket.StatusPendingInvestigation:
		add(ticket.Out, worker, staffMsg(investigating[L], true), reply)
		p.statusAt = at + g.between(0, 5*minute)
		if g.chance(0.7) {
			add(ticket.Note, worker, expand(g.one(tp.note[L]), v), g.between(10*minute, 6*hour))
		}
		if g.chance(0.25) {
			add(ticket.Note, worker, expand(g.one(triageNote[L]), v), g.between(10*minute, day))
		}
	default: // resolved, closed
		switch {
		case complaint && g.chance(0.4):
			// Answered at once (with the concern restated), cause recorded.
			add(ticket.Out, worker, staffMsg(answer(), true), reply)
			add(ticket.Note, worker, expand(tp.resolution[L], v), g.between(10*minute, 3*hour))
		case complaint:
			// Don't guess: investigate, escalate, answer, record the cause.
			add(ticket.Out, worker, staffMsg(investigating[L], true), reply)
			add(ticket.Note, worker, expand(g.one(tp.note[L]), v), g.between(30*minute, day))
			add(ticket.Out, worker, staffMsg(answer(), false), staffGap())
			add(ticket.Note, worker, expand(tp.resolution[L], v), g.between(10*minute, 3*hour))
			if g.chance(0.5) {
				p.tags = append(p.tags, "follow-up")
				add(ticket.Note, worker, expand(g.one(followUpNote[L]), v), g.between(day, 4*day))
			}
		case g.chance(0.15):
			add(ticket.Out, worker, staffMsg(tp.ask[L], true), reply)
			add(ticket.In, -1, supporterMsg(expand(g.one(tp.followup[L]), v)), supGap())
			add(ticket.Out, worker, staffMsg(answer(), false), staffGap())
		default:
			add(ticket.Out, worker, staffMsg(answer(), true), reply)
		}
		if g.chance(0.15) && len(msgs) < 6 {
			thanks := g.one(supporterThanks[L])
			if !short {
				thanks = expand(g.one(supporterClosing[L]), v)
				thanks = g.one(supporterThanks[L]) + "\n\n" + thanks
			}
			add(ticket.In, -1, thanks, supGap())
			// The supporter's thanks reopens the ticket; staff resolve it again.
		}
		p.statusAt = at + g.between(5*minute, 8*hour)
		if p.status == ticket.StatusClosed {
			p.statusAt += g.between(2*day, 7*day)
		}
	}
	if g.longThreads {
		msgs, at = g.moreExchanges(msgs, &p, func() string { return supporterMsg(expand(g.one(tp.followup[L]), v)) },
			func() string { return staffMsg(answer(), false) }, staffGap, supGap)
	}
	// Keep everything in the past: compress the conversation into the time
	// since it began when it would run past now.
	end := max(at, p.statusAt)
	limit := g.now - minute
	if end > limit {
		span := float64(limit - c)
		f := span / float64(end-c)
		for i := range msgs {
			msgs[i].at = c + int64(float64(msgs[i].at-c)*f)
		}
		if p.statusAt != 0 {
			p.statusAt = c + int64(float64(p.statusAt-c)*f)
		}
	}
	p.msgs = msgs
	return p
}

// moreExchanges inserts, after the first reply, a few more exchanges of a
// supporter's follow-up and a staff answer (none, one, two or three; 1.1 on
// average), moving what came after them later, and returns the messages
// and the new time of the last one. An inserted follow-up after a reply
// reopens the ticket and the answer leaves it open, so the plan's final
// status (set by staff) is unchanged.
func (g *generator) moreExchanges(msgs []messagePlan, p *ticketPlan, in, out func() string, staffGap, supGap func() int64) ([]messagePlan, int64) {
	first := -1
	for i, m := range msgs {
		if m.dir == ticket.Out {
			first = i
			break
		}
	}
	if first < 0 {
		return msgs, msgs[len(msgs)-1].at
	}
	k := g.pick(3)
	if g.chance(0.1) {
		k++
	}
	at := msgs[first].at
	var extra []messagePlan
	for range k {
		at += supGap()
		extra = append(extra, messagePlan{dir: ticket.In, user: -1, body: in(), at: at})
		at += staffGap()
		extra = append(extra, messagePlan{dir: ticket.Out, user: msgs[first].user, body: out(), at: at})
	}
	shift := at - msgs[first].at
	rest := append([]messagePlan(nil), msgs[first+1:]...)
	for i := range rest {
		rest[i].at += shift
	}
	if p.statusAt != 0 {
		p.statusAt += shift
	}
	msgs = append(append(msgs[:first+1], extra...), rest...)
	return msgs, msgs[len(msgs)-1].at
}

// langSpace separates sentences: a space in English, nothing in CJK.
func langSpace(lang int) string {
	if lang == en {
		return " "
	}
	return ""
}

// outcome is what a plan leaves in the tickets row, derived by the same
// rules ticket.AddMessage and ticket.Update apply. The bulk path writes it;
// the capability path lets the ticket package compute it (and a test checks
// the two agree).
type outcome struct {
	status        ticket.Status
	preview       string
	count         int
	created       int64
	updated       int64
	firstResponse int64 // 0 = NULL
	resolved      int64 // 0 = NULL
	// When the status last changed, the supporter last wrote and staff last
	// replied (0 = NULL), as the ticket store stamps them.
	statusChanged, lastIn, lastOut int64
}

func (p *ticketPlan) outcome() outcome {
	o := outcome{status: ticket.StatusNew, created: p.msgs[0].at, statusChanged: p.msgs[0].at}
	for _, m := range p.msgs {
		o.count++
		switch m.dir {
		case ticket.Out:
			o.lastOut = m.at
			if o.firstResponse == 0 {
				o.firstResponse = m.at
			}
			if o.status == ticket.StatusNew {
				o.status, o.statusChanged = ticket.StatusOpen, m.at
			}
		case ticket.In:
			o.lastIn = m.at
			if o.status.Group() != "open" {
				o.status, o.statusChanged = ticket.StatusOpen, m.at
				o.resolved = 0
			}
		}
		if m.dir != ticket.Note {
			o.preview = preview(m.body)
		}
		o.updated = m.at
	}
	if p.status != o.status {
		o.status, o.statusChanged = p.status, p.statusAt
		if p.status.Group() == "done" {
			if o.resolved == 0 {
				o.resolved = p.statusAt
			}
		} else {
			o.resolved = 0
		}
		o.updated = max(o.updated, p.statusAt)
	}
	return o
}

// preview is ticket's one-line excerpt for lists (the same rule as the ticket
// package's; TestBulkMatchesCapabilityPath fails if they drift apart).
func preview(text string) string {
	s := strings.Join(strings.Fields(text), " ")
	r := []rune(s)
	if len(r) > 160 {
		return string(r[:160]) + "…"
	}
	return s
}
