package macro

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/steward-desk/steward/internal/giving"
	"github.com/steward-desk/steward/internal/supporter"
)

// Vars are the values a macro can use. Zero values are missing values.
type Vars struct {
	Lang      string // the reply's language: en, ja, zh
	Supporter supporter.Supporter
	// Since is when they started supporting (nil: unknown).
	Since        *time.Time
	LastGift     *giving.Donation
	TicketNumber int64
	AgentName    string
	OrgName      string
	Now          time.Time
	Loc          *time.Location
}

// Variables lists the variables a macro text may use, for the editor's help.
var Variables = []string{"name", "greeting", "given_name", "family_name", "years", "years_of_support", "last_gift",
	"last_gift_amount", "last_gift_date", "ticket_number", "agent_name", "organisation"}

// defaults are the language's words for a missing value.
var defaults = map[string]map[string]string{
	"en": {"name": "supporter", "years_of_support": "your support", "last_gift": "your kind support", "agent_name": "the team",
		"years": "many", "given_name": "supporter", "family_name": "supporter", "organisation": "our organisation"},
	"ja": {"name": "ご支援者様", "years_of_support": "これまでのご支援", "last_gift": "日頃のご支援", "agent_name": "担当者",
		"given_name": "ご支援者様", "family_name": "ご支援者様", "organisation": "当団体"},
	"zh": {"name": "尊敬的支持者", "years_of_support": "您一直以来的支持", "last_gift": "您的慷慨支持", "agent_name": "工作人员",
		"given_name": "支持者", "family_name": "支持者", "organisation": "本机构"},
}

// date writes a date as the language writes it.
func date(t time.Time, lang string, loc *time.Location) string {
	if loc != nil {
		t = t.In(loc)
	}
	switch lang {
	case "ja", "zh":
		return fmt.Sprintf("%d年%d月%d日", t.Year(), t.Month(), t.Day())
	}
	return t.Format("2 January 2006")
}

// values computes every variable that has a value.
func (v Vars) values() map[string]string {
	out := map[string]string{}
	set := func(k, val string) {
		if strings.TrimSpace(val) != "" {
			out[k] = val
		}
	}
	s := v.Supporter
	set("name", s.Addressee(v.Lang))
	set("greeting", s.Greeting(v.Lang))
	set("given_name", s.GivenName)
	set("family_name", s.FamilyName)
	if v.Since != nil && !v.Since.IsZero() {
		now := v.Now
		if now.IsZero() {
			now = time.Now()
		}
		if y, _ := supporter.Tenure(*v.Since, now); y >= 1 {
			set("years", strconv.Itoa(y))
			switch v.Lang {
			case "ja":
				set("years_of_support", fmt.Sprintf("%d年間にわたるご支援", y))
			case "zh":
				set("years_of_support", fmt.Sprintf("%d年来的支持", y))
			default:
				unit := "years"
				if y == 1 {
					unit = "year"
				}
				set("years_of_support", fmt.Sprintf("%d %s of support", y, unit))
			}
		}
	}
	if g := v.LastGift; g != nil {
		amount, day := g.Amount(), date(g.DonatedAt, v.Lang, v.Loc)
		set("last_gift_amount", amount)
		set("last_gift_date", day)
		switch v.Lang {
		case "ja":
			set("last_gift", day+"の"+amount+"のご寄付")
		case "zh":
			set("last_gift", day+"的"+amount+"捐赠")
		default:
			set("last_gift", "your gift of "+amount+" on "+day)
		}
	}
	if v.TicketNumber > 0 {
		set("ticket_number", strconv.FormatInt(v.TicketNumber, 10))
	}
	set("agent_name", v.AgentName)
	set("organisation", v.OrgName)
	return out
}

// Render fills a macro text. {{var}} takes the value, or the language's
// default wording when it is missing; {{var|words}} takes "words" instead
// of the default. Unknown variables and unclosed braces never reach the
// supporter: they become their fallback or nothing.
func Render(body string, v Vars) string {
	vals := v.values()
	def := defaults[v.Lang]
	if def == nil {
		def = defaults["en"]
	}
	var b strings.Builder
	for {
		i := strings.Index(body, "{{")
		if i < 0 {
			b.WriteString(body)
			break
		}
		b.WriteString(body[:i])
		j := strings.Index(body[i:], "}}")
		if j < 0 {
			// An unclosed placeholder: drop it.
			break
		}
		expr := body[i+2 : i+j]
		body = body[i+j+2:]
		name, fallback, hasFallback := strings.Cut(expr, "|")
		name = strings.ToLower(strings.TrimSpace(name))
		switch val, ok := vals[name]; {
		case ok:
			b.WriteString(val)
		case hasFallback:
			b.WriteString(strings.TrimSpace(fallback))
		default:
			b.WriteString(def[name])
		}
	}
	return b.String()
}
