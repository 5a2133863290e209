package search_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/steward-desk/steward/internal/audit"
	"github.com/steward-desk/steward/internal/db"
	"github.com/steward-desk/steward/internal/search"
	"github.com/steward-desk/steward/internal/staff"
	"github.com/steward-desk/steward/internal/supporter"
	"github.com/steward-desk/steward/internal/ticket"
)

// The test desk: staff, departments, supporters and tickets written by hand
// in English, Japanese and Chinese (and a little Korean), as supporters and
// staff write them: 2-character words, mixed kana and kanji, half-width
// katakana, traditional and simplified forms, full-width Latin, e-mail
// addresses, phone numbers and ticket numbers.

type fxStaff struct{ email, name string }

var fxUsers = []fxStaff{
	{"aiko@hope.example", "佐藤 愛子"},
	{"ken@hope.example", "Ken Tanaka"},
	{"li@hope.example", "李娜"},
}

var fxDepartments = []string{"Donor Care", "ボランティア", "财务"}

// fxTicket is one hand-written ticket. People are keyed so that several
// tickets can come from the same supporter.
type fxTicket struct {
	key      string
	from     fxPerson
	subject  string
	body     string   // the supporter's first message
	replies  []string // staff replies
	notes    []string // internal notes
	lang     string
	channel  string
	typ      string
	tags     []string
	dept     string // department name
	assignee string // staff e-mail
	status   ticket.Status
}

type fxPerson struct{ name, email, phone string }

var (
	hanako  = fxPerson{"佐藤 花子", "hanako.sato@example.jp", "+81 3-1234-5678"}
	taro    = fxPerson{"山田 太郎", "taro.yamada@example.jp", ""}
	ichiro  = fxPerson{"鈴木 一郎", "ichiro@example.jp", "090-1111-2222"}
	misaki  = fxPerson{"高橋 美咲", "misaki@example.jp", ""}
	kenK    = fxPerson{"小林 健", "ken.k@example.jp", ""}
	wangwei = fxPerson{"王伟", "wang.wei@example.cn", "+86 138 0013 8000"}
	meiling = fxPerson{"陳美玲", "meiling@example.tw", ""}
	lina    = fxPerson{"李娜", "lina@example.cn", ""}
	sarah   = fxPerson{"Sarah Miller", "sarah.miller@example.com", "+44 20 7946 0958"}
	james   = fxPerson{"James O'Brien", "james.obrien@example.org", ""}
	zoe     = fxPerson{"Zoë Dupré", "zoe@example.fr", ""}
	minjun  = fxPerson{"김민준", "minjun@example.kr", ""}
	acme    = fxPerson{"Acme KK 経理部", "accounts@acme.example.jp", ""}
)

var fxTickets = []fxTicket{
	{key: "ja-receipt", from: hanako, subject: "寄付金の領収書が届きません",
		body:  "昨年12月に寄付をしましたが、領収書がまだ届いていません。確定申告に必要です。",
		notes: []string{"経理に確認済み。再発行予定。"}, replies: []string{"佐藤様、領収書を再発行いたします。少々お待ちください。"},
		lang: "ja", channel: "email", tags: []string{"receipt"}, dept: "Donor Care", assignee: "aiko@hope.example", status: ticket.StatusOpen},
	{key: "ja-volunteer-hw", from: taro, subject: "ﾎﾞﾗﾝﾃｨｱ説明会の申し込み",
		body: "ﾎﾞﾗﾝﾃｨｱに参加したいです。説明会は何時からですか？", lang: "ja", channel: "web", dept: "ボランティア"},
	{key: "ja-volunteer-fw", from: ichiro, subject: "ボランティアのシフト変更",
		body: "来週のボランティアのシフトを変更できますか。", lang: "ja", channel: "phone", dept: "ボランティア",
		assignee: "ken@hope.example", status: ticket.StatusPending},
	{key: "ja-address", from: hanako, subject: "住所変更のお願い",
		body: "引っ越しましたので、会報の送付先を変更してください。新住所：東京都世田谷区1-2-3", lang: "ja", channel: "email"},
	{key: "ja-card", from: kenK, subject: "クレジットカードの更新",
		body: "毎月の寄付に使っているカードの有効期限が切れます。手続き方法を教えてください。",
		lang: "ja", channel: "web", tags: []string{"monthly"}, status: ticket.StatusResolved, assignee: "aiko@hope.example"},
	{key: "ja-complaint", from: misaki, subject: "電話対応について",
		body: "先日お電話した際の対応がとても失礼でした。改善を求めます。", lang: "ja", channel: "phone", typ: "complaint",
		dept: "Donor Care"},
	{key: "ja-thankyou-letter", from: misaki, subject: "お礼状の送り先",
		body: "お礼状を祖母宛てに送っていただけますか。宛名は「田中 ハナ」です。", lang: "ja", channel: "email"},
	{key: "ja-transfer", from: kenK, subject: "寄付の受領確認",
		body: "振込が完了しました。受領の確認をお願いします。", lang: "ja", channel: "email", status: ticket.StatusClosed},
	{key: "zh-receipt-simp", from: wangwei, subject: "捐款收据",
		body: "您好，我去年的捐款收据还没有收到，请帮忙查一下。", lang: "zh", channel: "email", tags: []string{"receipt"},
		dept: "财务", assignee: "li@hope.example"},
	{key: "zh-receipt-trad", from: meiling, subject: "捐款收據問題",
		body: "請問去年的收據什麼時候寄出？我需要報稅。", lang: "zh-Hant", channel: "email", dept: "财务"},
	{key: "zh-volunteer", from: lina, subject: "志愿者报名",
		body: "我想报名参加周末的志愿者活动，但是没有收到确认邮件。", lang: "zh", channel: "web", dept: "ボランティア"},
	{key: "zh-school-trad", from: meiling, subject: "學校義賣活動",
		body: "學校的義賣活動什麼時候開始？我們想捐贈一些書籍。", lang: "zh-Hant", channel: "social"},
	{key: "zh-monthly", from: wangwei, subject: "每月捐款金额变更",
		body: "我想把每月的捐款从100元改为200元。", lang: "zh", channel: "phone", tags: []string{"monthly"}},
	{key: "zh-refund", from: lina, subject: "退款申请",
		body: "我不小心重复捐款了两次，能否退还一笔？订单号 20240315-8891。", lang: "zh", channel: "phone", typ: "complaint",
		notes: []string{"已联系财务部门处理退款。"}},
	{key: "en-receipt", from: sarah, subject: "Donation receipt missing",
		body:    "Hi, I donated $50 in March but never received my receipt. Could you resend it to my new address?",
		replies: []string{"Dear Sarah, we have re-sent the receipt by email today."},
		lang:    "en", channel: "email", tags: []string{"receipt"}, dept: "Donor Care", assignee: "ken@hope.example"},
	{key: "en-volunteer", from: james, subject: "Volunteering on weekends",
		body: "I'd love to volunteer at the food bank on Saturdays. Is there an orientation?", lang: "en", channel: "web",
		dept: "ボランティア"},
	{key: "en-address", from: sarah, subject: "Change of address",
		body: "Please update my mailing address to 42 Elm Street, Springfield.", lang: "en", channel: "email"},
	{key: "en-tax", from: james, subject: "Is my gift tax-deductible?",
		body: "My accountant asked whether the donation qualifies for a tax deduction.", lang: "en", channel: "email"},
	{key: "en-unsubscribe", from: zoe, subject: "Please stop the newsletters",
		body: "Kindly remove me from your mailing list. Thank you.", lang: "en", channel: "email",
		tags: []string{"newsletter", "unsubscribe"}, status: ticket.StatusResolved},
	{key: "en-cafe", from: zoe, subject: "Café fundraiser",
		body: "The café on Rue Saint-Honoré would like to host a fundraiser for you.", lang: "en", channel: "social"},
	{key: "en-ticketref", from: james, subject: "Re: ticket #1042",
		body: "Following up on my previous ticket #1042 about the gala tickets.", lang: "en", channel: "email"},
	{key: "en-callback", from: sarah, subject: "Call me back",
		body: "Please call me back on 03-1234-5678 or 090-1111-2222 after 6pm.", lang: "en", channel: "phone"},
	{key: "en-wrong-email", from: ichiro, subject: "Wrong email on file",
		body: "You have my old email ichiro@example.jp; please use ichiro.suzuki@example.com instead.", lang: "en", channel: "email"},
	{key: "en-gala-note", from: james, subject: "Gala seating",
		body: "Can we sit near the stage?", notes: []string{"VIP donor: seat at table 1, codeword flamingo."},
		lang: "en", channel: "email", assignee: "aiko@hope.example"},
	{key: "en-spam", from: zoe, subject: "Win a free cruise",
		body: "Click here to claim your free cruise prize!!!", lang: "en", channel: "email", tags: []string{"spam"},
		status: ticket.StatusClosed},
	{key: "en-ooo", from: sarah, subject: "Automatic reply: Out of office",
		body: "I am out of the office until Monday.", lang: "en", channel: "email", tags: []string{"autoreply"}},
	{key: "mixed-en-ja", from: acme, subject: "Receipt / 領収書",
		body: "Sorry for writing in two languages. 領収書の宛名を会社名にしてください。Company name: Acme KK.",
		lang: "ja", channel: "email", typ: "other"},
	{key: "ja-fullwidth", from: taro, subject: "ＰＤＦの領収書",
		body: "領収書をＰＤＦで送ってください。メールはｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐです。", lang: "ja", channel: "email"},
	{key: "ja-kifu-old", from: kenK, subject: "寄附について",
		body: "寄附金控除の証明書が欲しいです。", lang: "ja", channel: "email"},
	{key: "zh-phone", from: wangwei, subject: "电话联系",
		body: "请打我的电话 138-0013-8000 联系我。", lang: "zh", channel: "phone"},
	{key: "ja-books", from: misaki, subject: "本の寄贈",
		body: "古本を寄贈したいです。", lang: "ja", channel: "web"},
	{key: "ko-receipt", from: minjun, subject: "기부 영수증",
		body: "작년 기부 영수증을 받지 못했습니다.", lang: "ko", channel: "email"},
	{key: "en-invoice", from: acme, subject: "Invoice 2024-001",
		body: "Reference HB-2024-45918 for the invoice.", lang: "en", channel: "email", typ: "other"},
	{key: "ja-katakana-long", from: taro, subject: "チャリティーコンサートのチケット",
		body: "チャリティーコンサートのチケットを２枚予約したいです。", lang: "ja", channel: "web", tags: []string{"event"}},
	{key: "zh-trad-volunteer", from: meiling, subject: "義工報名",
		body: "我想報名參加義工活動，請問需要什麼資格？", lang: "zh-Hant", channel: "web"},
	{key: "en-receipt-body", from: kenK, subject: "Question about my account",
		body: "I updated my card. Also, where is the receipt for my last gift? The receipt never came, and my receipt folder is empty.",
		lang: "en", channel: "email"},
	{key: "ja-iteration", from: ichiro, subject: "々の入った名前",
		body: "佐々木様の登録名が佐木になっています。", lang: "ja", channel: "email"},
	{key: "ja-emoji", from: misaki, subject: "ありがとう🙏",
		body: "いつも活動を応援しています😊 これからも頑張ってください！", lang: "ja", channel: "social"},
}

// fxDesk is the desk after setup: keys to ids and back.
type fxDesk struct {
	svc     *ticket.Service
	idx     *search.Index
	ids     map[string]int64
	keys    map[int64]string
	users   map[string]staff.User
	depts   map[string]int64
	numbers map[string]int64
}

// setUpDesk creates staff, departments and the hand-written tickets through
// ticket.Service with the index's hook, as the application does.
func setUpDesk(t *testing.T, d *db.DB) *fxDesk {
	t.Helper()
	ctx := context.Background()
	idx := search.New(d)
	desk := &fxDesk{
		svc: &ticket.Service{DB: d, Hooks: []ticket.Hook{idx.Hook}}, idx: idx,
		ids: map[string]int64{}, keys: map[int64]string{}, users: map[string]staff.User{},
		depts: map[string]int64{}, numbers: map[string]int64{},
	}
	for _, u := range fxUsers {
		su, err := staff.CreateUser(ctx, d.W, staff.NewUser{Email: u.email, Name: u.name, Role: staff.Agent})
		if err != nil {
			t.Fatal(err)
		}
		desk.users[u.email] = su
	}
	for _, name := range fxDepartments {
		dep, err := staff.CreateDepartment(ctx, d.W, name, "")
		if err != nil {
			t.Fatal(err)
		}
		desk.depts[name] = dep.ID
	}
	for _, ft := range fxTickets {
		desk.create(t, ft)
	}
	return desk
}

func (desk *fxDesk) create(t *testing.T, ft fxTicket) int64 {
	t.Helper()
	ctx := context.Background()
	api := audit.Actor{Name: "test"}
	nt := ticket.NewTicket{Subject: ft.subject, Body: ft.body, Channel: ft.channel, Type: ft.typ, Language: ft.lang, Tags: ft.tags}
	if ft.dept != "" {
		id := desk.depts[ft.dept]
		nt.DepartmentID = &id
	}
	if ft.assignee != "" {
		id := desk.users[ft.assignee].ID
		nt.AssigneeID = &id
	}
	tk, err := desk.svc.Create(ctx, api, ticket.CreateInput{NewTicket: nt,
		Supporter: supporter.NewSupporter{Name: ft.from.name, Email: ft.from.email, Phone: ft.from.phone}})
	if err != nil {
		t.Fatalf("%s: %v", ft.key, err)
	}
	staffActor := audit.Actor{UserID: desk.users["aiko@hope.example"].ID, Name: "佐藤 愛子"}
	for _, r := range ft.replies {
		if _, err := desk.svc.Reply(ctx, staffActor, ticket.ReplyInput{TicketID: tk.ID, Body: r}); err != nil {
			t.Fatal(err)
		}
	}
	for _, n := range ft.notes {
		if _, err := desk.svc.Reply(ctx, staffActor, ticket.ReplyInput{TicketID: tk.ID, Body: n, Internal: true}); err != nil {
			t.Fatal(err)
		}
	}
	if ft.status != "" {
		st := ft.status
		if _, _, err := desk.svc.Update(ctx, staffActor, tk.ID, ticket.Patch{Status: &st}); err != nil {
			t.Fatal(err)
		}
	}
	if ft.key != "" {
		desk.ids[ft.key] = tk.ID
		desk.keys[tk.ID] = ft.key
		desk.numbers[ft.key] = tk.Number
	}
	return tk.ID
}

// Generated text: sentences in three languages mixed into tickets, with the
// expected matches computed by plain substring search on the raw text
// (after NFKC-style width folding done by hand below), independently of the
// analyzer.
var genSentences = []string{
	// ja
	"寄付金の領収書を再発行してください。",
	"ボランティアの説明会に参加します。",
	"会報の送付先を変更しました。",
	"口座振替の手続きをお願いします。",
	"イベントの日程を教えてください。",
	"事務局の皆様、いつもありがとうございます。",
	"ﾒｰﾙﾏｶﾞｼﾞﾝの配信を停止してください。",
	"確定申告に必要な書類です。",
	"チャリティーバザーの出品について相談があります。",
	// zh (simplified and traditional)
	"我想查询去年的捐款收据。",
	"请把收据寄到新地址。",
	"志愿者活动什么时候开始？",
	"每月定期捐款需要更改金额。",
	"感谢你们的辛勤工作。",
	"我们公司想赞助年度晚会。",
	"請問收據可以用電子郵件寄送嗎？",
	"義賣活動的收入會用在哪裡？",
	// en
	"Please send my donation receipt again.",
	"I would like to volunteer next month.",
	"Our company wants to sponsor the annual gala.",
	"Could you update my billing address?",
	"Thank you for the wonderful newsletter.",
	"My monthly gift should increase to $30.",
	"The bazaar volunteers were wonderful.",
}

// genFold is the test's own folding for the generated text: half-width
// katakana used above to full-width, traditional characters used above to
// simplified, ASCII to lower case.
var genFold = strings.NewReplacer(
	"ﾒｰﾙﾏｶﾞｼﾞﾝ", "メールマガジン", "ﾎﾞﾗﾝﾃｨｱ", "ボランティア",
	"請", "请", "問", "问", "據", "据", "電", "电", "郵", "邮", "嗎", "吗",
	"義", "义", "賣", "卖", "動", "动", "會", "会", "裡", "里", "務", "务",
)

func genNorm(s string) string { return strings.ToLower(genFold.Replace(s)) }

type genTicket struct {
	key      string
	subject  string
	messages []string
	email    string
	phone    string
	lang     string
	status   ticket.Status
}

// genCorpus makes n tickets deterministically.
func genCorpus(n int) []genTicket {
	rng := rand.New(rand.NewPCG(7, 11))
	langs := []string{"ja", "zh", "en"}
	statuses := []ticket.Status{ticket.StatusNew, ticket.StatusOpen, ticket.StatusPending, ticket.StatusResolved}
	out := make([]genTicket, n)
	for i := range out {
		g := genTicket{key: fmt.Sprintf("gen-%03d", i), lang: langs[rng.IntN(3)], status: statuses[rng.IntN(len(statuses))]}
		g.subject = genSentences[rng.IntN(len(genSentences))]
		for m := 0; m < 1+rng.IntN(3); m++ {
			var b strings.Builder
			for s := 0; s < 1+rng.IntN(3); s++ {
				b.WriteString(genSentences[rng.IntN(len(genSentences))])
				b.WriteString(" ")
			}
			g.messages = append(g.messages, b.String())
		}
		g.email = fmt.Sprintf("gen%03d@example.net", i)
		if i%5 == 0 {
			g.phone = fmt.Sprintf("080-%04d-%04d", 1000+i, 5000+i)
			g.messages[0] += "Tel " + g.phone
		}
		out[i] = g
	}
	return out
}

// genMatches lists the generated tickets whose subject or a message holds
// the (folded) text: as a substring for CJK text, as a whole word for Latin
// (there is no stemming: volunteer does not find volunteers).
func genMatches(gs []genTicket, text string) []string {
	want := genNorm(text)
	match := func(s string) bool { return strings.Contains(genNorm(s), want) }
	if want[0] < utf8.RuneSelf {
		re := regexp.MustCompile(`\b` + regexp.QuoteMeta(want) + `\b`)
		match = func(s string) bool { return re.MatchString(genNorm(s)) }
	}
	var keys []string
	for _, g := range gs {
		hit := match(g.subject)
		for _, m := range g.messages {
			hit = hit || match(m)
		}
		if hit {
			keys = append(keys, g.key)
		}
	}
	return keys
}

func (desk *fxDesk) createGenerated(t *testing.T, gs []genTicket) {
	t.Helper()
	ctx := context.Background()
	staffActor := audit.Actor{UserID: desk.users["aiko@hope.example"].ID}
	for _, g := range gs {
		tk, err := desk.svc.Create(ctx, audit.Actor{Name: "test"}, ticket.CreateInput{
			NewTicket: ticket.NewTicket{Subject: g.subject, Body: g.messages[0], Channel: "email", Language: g.lang},
			Supporter: supporter.NewSupporter{Email: g.email, Name: "Gen " + g.key},
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range g.messages[1:] {
			if _, err := desk.svc.Reply(ctx, staffActor, ticket.ReplyInput{TicketID: tk.ID, Body: m}); err != nil {
				t.Fatal(err)
			}
		}
		if g.status != ticket.StatusNew {
			st := g.status
			if _, _, err := desk.svc.Update(ctx, staffActor, tk.ID, ticket.Patch{Status: &st}); err != nil {
				t.Fatal(err)
			}
		}
		desk.ids[g.key] = tk.ID
		desk.keys[tk.ID] = g.key
	}
}
