package macro

import (
	"strings"
	"testing"
	"time"

	"github.com/steward-desk/steward/internal/giving"
	"github.com/steward-desk/steward/internal/supporter"
)

func TestRender(t *testing.T) {
	now := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	since := time.Date(2019, 4, 1, 0, 0, 0, 0, time.UTC)
	gift := &giving.Donation{AmountMinor: 10000, Currency: "JPY", DonatedAt: time.Date(2026, 10, 3, 0, 0, 0, 0, time.UTC)}
	hanako := supporter.Supporter{Name: "佐藤 花子", Profile: supporter.Profile{FamilyName: "佐藤", GivenName: "花子"}}
	wang := supporter.Supporter{Name: "王伟", Profile: supporter.Profile{Honorific: "先生"}}
	jane := supporter.Supporter{Name: "Jane Doe", Profile: supporter.Profile{Honorific: "Ms", GivenName: "Jane", FamilyName: "Doe"}}
	for name, c := range map[string]struct {
		body string
		v    Vars
		want string
	}{
		"ja full": {"{{name}}\nいつも{{years_of_support}}をありがとうございます。{{last_gift}}を確かに受け取りました。（受付番号 {{ticket_number}}、担当 {{agent_name}}）",
			Vars{Lang: "ja", Supporter: hanako, Since: &since, LastGift: gift, TicketNumber: 1042, AgentName: "山田 愛子", Now: now},
			"佐藤 花子 様\nいつも7年間にわたるご支援をありがとうございます。2026年10月3日の¥10,000のご寄付を確かに受け取りました。（受付番号 1042、担当 山田 愛子）"},
		"ja missing": {"{{name}}\nいつも{{years_of_support}}をありがとうございます。{{last_gift}}に感謝いたします。",
			Vars{Lang: "ja", Now: now},
			"ご支援者様\nいつもこれまでのご支援をありがとうございます。日頃のご支援に感謝いたします。"},
		"zh with honorific": {"{{greeting}}！感谢您{{years_of_support}}。", Vars{Lang: "zh", Supporter: wang, Since: &since, Now: now},
			"王伟 先生，您好！感谢您7年来的支持。"},
		"zh without honorific": {"{{name}}，您好", Vars{Lang: "zh", Supporter: supporter.Supporter{Name: "李娜"}, Now: now}, "李娜，您好"},
		"zh missing":           {"{{greeting}}！{{last_gift}}", Vars{Lang: "zh", Now: now}, "您好！您的慷慨支持"},
		"en": {"Dear {{name}},\nThank you for {{years_of_support}} and {{last_gift}}. Ticket #{{ticket_number}}.\n{{agent_name}}",
			Vars{Lang: "en", Supporter: jane, Since: &since, LastGift: &giving.Donation{AmountMinor: 2500, Currency: "USD", DonatedAt: gift.DonatedAt}, TicketNumber: 7, AgentName: "Aiko", Now: now},
			"Dear Ms Jane Doe,\nThank you for 7 years of support and your gift of $25.00 on 3 October 2026. Ticket #7.\nAiko"},
		"en missing with fallbacks": {"Dear {{name}}, thank you for {{last_gift|everything}}. {{unknown}}{{agent_name}} {{years|many}} {{broken",
			Vars{Lang: "en", Now: now}, "Dear supporter, thank you for everything. the team many "},
	} {
		got := Render(c.body, c.v)
		if got != c.want {
			t.Errorf("%s:\n got %q\nwant %q", name, got, c.want)
		}
		if strings.Contains(got, "{{") || strings.Contains(got, "}}") {
			t.Errorf("%s: placeholder left in %q", name, got)
		}
	}
}
