// Package tone notices frustration in what supporters write — English,
// Japanese and Chinese lexicons plus signals (exclamation marks, shouting
// in capitals, repeated contacts) — so that the desk raises the ticket's
// priority and reminds the agent to restate the concern and set realistic
// expectations [J §2–3].
package tone

import (
	"context"
	"database/sql"
	"slices"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/steward-desk/steward/internal/audit"
	"github.com/steward-desk/steward/internal/db"
	"github.com/steward-desk/steward/internal/live"
	"github.com/steward-desk/steward/internal/prework"
	"github.com/steward-desk/steward/internal/ticket"
)

// Tag marks a ticket whose supporter sounded frustrated.
const Tag = "frustrated"

// Threshold is the score from which a message counts as frustrated.
const Threshold = 3

// repeatedContactsMax is the most that repeated contacts add to a score (Analyze).
const repeatedContactsMax = 2

// lexicon: phrase → weight. Phrases are matched on lower-cased text;
// Japanese and Chinese need no word boundaries.
var lexicon = map[string]int{
	// English
	"unacceptable": 2, "ridiculous": 2, "disappointed": 2, "disappointing": 2, "frustrated": 2, "frustrating": 2,
	"angry": 2, "furious": 3, "outraged": 3, "disgusted": 3, "appalled": 3, "terrible": 2, "awful": 2, "worst": 2,
	"useless": 2, "incompetent": 3, "still waiting": 2, "still not": 1, "no response": 2, "no reply": 2,
	"nobody has": 1, "nobody answered": 2, "nobody replied": 2, "no one answered": 2, "how many times": 2, "third time": 2, "again and again": 2, "fed up": 2, "sick of": 2,
	"cancel my": 2, "stop my donation": 3, "complain": 1, "complaint": 1, "refund": 1, "never again": 2, "shame on": 2,
	// Japanese
	"ひどい": 2, "酷い": 2, "困ります": 2, "困っています": 1, "怒": 2, "不満": 2, "いまだに": 1, "未だに": 1,
	"まだ届いていません": 1, "何度も": 2, "納得できません": 3, "納得がいきません": 3, "返事がない": 2, "返信がない": 2,
	"連絡がない": 2, "遅すぎ": 2, "最悪": 3, "がっかり": 2, "いい加減": 3, "解約": 2, "クレーム": 2, "対応が悪い": 3,
	"誠意": 2, "責任者": 1, "信じられません": 2,
	// Chinese
	"太差": 2, "失望": 2, "生气": 2, "愤怒": 3, "投诉": 2, "还没有": 1, "多次": 2, "一直没有": 2, "没人回复": 2,
	"无法接受": 3, "不能接受": 3, "退款": 1, "垃圾": 3, "气愤": 3, "不满": 2, "为什么还": 2, "太慢": 2, "骗": 3,
	"取消捐款": 3, "再也不": 2,
}

// Signals are facts about the conversation beyond the text.
type Signals struct {
	// RecentContacts is how many messages the supporter sent in the last
	// week, this one included.
	RecentContacts int
}

// Result is the analysis of one message.
type Result struct {
	Score      int      `json:"score"`
	Frustrated bool     `json:"frustrated"`
	Cues       []string `json:"cues"`
}

// Analyze scores a message.
func Analyze(text string, sig Signals) Result {
	return withSignals(textScore(text), sig)
}

// withSignals adds the conversation's signals to a text's score.
func withSignals(r Result, sig Signals) Result {
	r.Cues = append([]string(nil), r.Cues...)
	switch {
	case sig.RecentContacts >= 4:
		r.Score += repeatedContactsMax
		r.Cues = append(r.Cues, "repeated contacts")
	case sig.RecentContacts >= 3:
		r.Score++
		r.Cues = append(r.Cues, "repeated contacts")
	}
	r.Frustrated = r.Score >= Threshold
	return r
}

// warmed holds textScore's results for messages about to be written.
var warmed = prework.New[Result](1024)

// Warm scores a supporter's message before the transaction that writes it,
// so that Hook, inside it, finds the score ready (see package prework). It
// is a ticket.Warmer.
func Warm(t ticket.Texts) {
	if t.Body != "" && t.Direction == ticket.In {
		warmed.Put(t.Body, textScore(t.Body))
	}
}

// phrasesByFirst indexes the lexicon by each phrase's first rune, longest
// phrase first, so that one pass over a message finds every phrase in it.
var phrasesByFirst = func() map[rune][]string {
	m := map[rune][]string{}
	for phrase := range lexicon {
		r, _ := utf8.DecodeRuneInString(phrase)
		m[r] = append(m[r], phrase)
	}
	for _, ps := range m {
		sort.Slice(ps, func(i, j int) bool { return len(ps[i]) > len(ps[j]) || (len(ps[i]) == len(ps[j]) && ps[i] < ps[j]) })
	}
	return m
}()

// textScore is the part of Analyze that depends on the text alone. Each
// phrase counts once, however often it occurs; cues come in text order.
func textScore(text string) Result {
	var r Result
	lower := strings.ToLower(text)
	for i, c := range lower {
		for _, phrase := range phrasesByFirst[c] {
			if strings.HasPrefix(lower[i:], phrase) && !slices.Contains(r.Cues, phrase) {
				r.Score += lexicon[phrase]
				r.Cues = append(r.Cues, phrase)
			}
		}
	}
	bangs := strings.Count(text, "!") + strings.Count(text, "！")
	switch {
	case bangs >= 4:
		r.Score += 2
		r.Cues = append(r.Cues, "!!!!")
	case bangs >= 2:
		r.Score++
		r.Cues = append(r.Cues, "!!")
	}
	if shouting(text) {
		r.Score += 2
		r.Cues = append(r.Cues, "CAPITALS")
	}
	return r
}

// shouting reports two or more words of four or more capital Latin letters.
func shouting(text string) bool {
	n := 0
	for _, w := range strings.FieldsFunc(text, func(r rune) bool { return !unicode.IsLetter(r) }) {
		if len(w) < 4 {
			continue
		}
		upper := true
		for _, r := range w {
			if r > unicode.MaxASCII || !unicode.IsUpper(r) {
				upper = false
				break
			}
		}
		if upper {
			n++
		}
	}
	return n >= 2
}

// Hook is a ticket.Hook: when a supporter's message sounds frustrated, the
// ticket gets the "frustrated" tag, its priority rises to high (urgent
// stays urgent), and the audit log says why.
func Hook(ctx context.Context, tx *sql.Tx, e live.Event) error {
	if e.MessageID == 0 || (e.Type != "message.created" && e.Type != "ticket.created") {
		return nil
	}
	var dir, body string
	var supporterID sql.NullInt64
	if err := tx.QueryRowContext(ctx, "SELECT direction, body_text, author_supporter_id FROM messages WHERE id = $1", e.MessageID).
		Scan(&dir, &body, &supporterID); err != nil {
		return err
	}
	if dir != string(ticket.In) {
		return nil
	}
	text, ok := warmed.Take(body)
	if !ok {
		text = textScore(body)
	}
	// Repeated contacts add at most repeatedContactsMax: when the text
	// cannot reach the threshold even with them, they need not be counted.
	if text.Score+repeatedContactsMax < Threshold {
		return nil
	}
	var sig Signals
	if supporterID.Valid {
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM messages WHERE author_supporter_id = $1 AND direction = 'in' AND created_at > $2`,
			supporterID.Int64, db.Now()-7*24*3600*1000).Scan(&sig.RecentContacts); err != nil {
			return err
		}
	}
	res := withSignals(text, sig)
	if !res.Frustrated {
		return nil
	}
	t, err := ticket.Get(ctx, tx, e.TicketID)
	if err != nil {
		return err
	}
	p := ticket.Patch{}
	if t.Priority == "low" || t.Priority == "normal" {
		high := "high"
		p.Priority = &high
	}
	tags := append([]string{}, t.Tags...)
	has := false
	for _, x := range tags {
		has = has || x == Tag
	}
	if !has {
		tags = append(tags, Tag)
		p.Tags = &tags
	}
	if _, _, err := ticket.Update(ctx, tx, t.ID, p); err != nil {
		return err
	}
	return audit.Record(ctx, tx, audit.Actor{Name: "tone"}, "tone.frustrated", "ticket", t.ID,
		map[string]any{"message_id": e.MessageID, "score": res.Score, "cues": res.Cues})
}
