package demo

// The words of the demo organisation. Everything a supporter or a member of
// staff "writes" is composed from these templates, in English, Japanese and
// Chinese, on the themes of the two seed documents: receipts (領収書/收据),
// tax deduction, recurring gifts, address changes, event registration
// (イベント申込/活动报名), volunteer shifts, newsletters, complaints
// (苦情/投诉) and their follow-up (回访), praise and suggestions.
//
// Placeholders in braces are filled by expand: {name} the supporter's full
// name, {given} their given name (English) or name with honorific, {staff}
// the member of staff, {amount}, {date}, {month}, {year}, {due}, {event},
// {program}, {ref}, {years} (tenure), {org}.

// Languages by index: every text below is a [3]string in this order.
const (
	en = iota
	ja
	zh
)

var langCodes = [3]string{"en", "ja", "zh"}

type l3 = [3]string

// Organisation.
const (
	orgName  = "Hope Bridge / 希望の橋 / 希望之桥"
	orgZone  = "Asia/Tokyo"
	orgScope = "We answer questions about donations, receipts and tax certificates, recurring gifts, address changes, " +
		"events, volunteering and our programmes within 24 hours, every day. We cannot give individual tax or legal advice.\n" +
		"寄付・領収書・寄付金控除、継続寄付、住所変更、イベント・ボランティア、事業についてのお問い合わせに24時間以内にお返事します。" +
		"個別の税務・法律相談にはお答えできません。\n" +
		"我们会在24小时内答复有关捐赠、收据与抵税证明、定期捐款、地址变更、活动、志愿服务及项目的咨询；恕不提供个人税务或法律建议。"
	staffDomain = "hopebridge.example.org"
)

var orgShort = l3{"Hope Bridge", "希望の橋", "希望之桥"}

// Departments, in creation order; topics refer to them by index.
const (
	deptDonorCare = iota
	deptVolunteers
	deptPrograms
)

var departments = []struct{ name, description string }{
	{"Donor Care / 寄付者ケア", "Receipts, tax certificates, recurring gifts, address changes and donor questions. 领收据、抵税证明、定期捐款、地址变更。"},
	{"Volunteers & Events / ボランティア・イベント", "Event registration, volunteer shifts and on-the-day support. 活动报名、志愿者排班、活动现场支持。"},
	{"Programs / 事業", "Questions about our programmes and how donations are used. 项目咨询、善款使用说明。"},
}

// Staff: the first is the admin, the second the supervisor, the rest agents.
var staffPeople = []struct {
	name, email, lang string
	depts             []int
}{
	{"佐藤 美咲", "misaki.sato", "ja", []int{deptDonorCare, deptVolunteers, deptPrograms}},
	{"Emily Carter", "emily.carter", "en", []int{deptDonorCare, deptVolunteers}},
	{"高橋 健太", "kenta.takahashi", "ja", []int{deptDonorCare}},
	{"王芳", "wang.fang", "zh", []int{deptDonorCare, deptPrograms}},
	{"李伟", "li.wei", "zh", []int{deptVolunteers}},
	{"山本 さくら", "sakura.yamamoto", "ja", []int{deptVolunteers, deptPrograms}},
	{"James Okafor", "james.okafor", "en", []int{deptPrograms, deptDonorCare}},
}

// Supporter names. Japanese: family + given with a space; Chinese: family and
// given run together; English: given + family. The second element is the
// romanisation used for email addresses.
var (
	jaFamily = [][2]string{{"佐藤", "sato"}, {"鈴木", "suzuki"}, {"高橋", "takahashi"}, {"田中", "tanaka"}, {"伊藤", "ito"},
		{"渡辺", "watanabe"}, {"山本", "yamamoto"}, {"中村", "nakamura"}, {"小林", "kobayashi"}, {"加藤", "kato"},
		{"吉田", "yoshida"}, {"山田", "yamada"}, {"佐々木", "sasaki"}, {"松本", "matsumoto"}, {"井上", "inoue"},
		{"木村", "kimura"}, {"林", "hayashi"}, {"清水", "shimizu"}, {"山口", "yamaguchi"}, {"森", "mori"}}
	jaGiven = [][2]string{{"陽子", "yoko"}, {"由美", "yumi"}, {"健一", "kenichi"}, {"大輔", "daisuke"}, {"美穂", "miho"},
		{"翔太", "shota"}, {"恵子", "keiko"}, {"直樹", "naoki"}, {"真由美", "mayumi"}, {"拓也", "takuya"},
		{"浩", "hiroshi"}, {"花子", "hanako"}, {"誠", "makoto"}, {"愛", "ai"}, {"結衣", "yui"},
		{"蓮", "ren"}, {"陽菜", "hina"}, {"和子", "kazuko"}, {"修", "osamu"}, {"千尋", "chihiro"}}
	zhFamily = [][2]string{{"王", "wang"}, {"李", "li"}, {"张", "zhang"}, {"刘", "liu"}, {"陈", "chen"},
		{"杨", "yang"}, {"黄", "huang"}, {"赵", "zhao"}, {"吴", "wu"}, {"周", "zhou"},
		{"徐", "xu"}, {"孙", "sun"}, {"马", "ma"}, {"朱", "zhu"}, {"胡", "hu"},
		{"郭", "guo"}, {"何", "he"}, {"林", "lin"}, {"罗", "luo"}, {"高", "gao"}}
	zhGiven = [][2]string{{"秀英", "xiuying"}, {"伟", "wei"}, {"芳", "fang"}, {"娜", "na"}, {"敏", "min"},
		{"静", "jing"}, {"丽", "li"}, {"强", "qiang"}, {"磊", "lei"}, {"军", "jun"},
		{"洋", "yang"}, {"艳", "yan"}, {"勇", "yong"}, {"杰", "jie"}, {"娟", "juan"},
		{"涛", "tao"}, {"明", "ming"}, {"超", "chao"}, {"秀兰", "xiulan"}, {"晓红", "xiaohong"}}
	enGiven = []string{"Sarah", "Michael", "Emily", "David", "Jessica", "James", "Laura", "Robert", "Olivia", "Daniel",
		"Grace", "Thomas", "Hannah", "Peter", "Rachel", "Andrew", "Sophie", "Mark", "Chloe", "Ben"}
	enFamily = []string{"Johnson", "Smith", "Williams", "Brown", "Taylor", "Miller", "Wilson", "Moore", "Anderson", "Thomas",
		"Jackson", "White", "Harris", "Martin", "Thompson", "Clark", "Lewis", "Walker", "Hall", "Young"}
	mailDomains = []string{"example.com", "example.net", "example.org", "mail.example.com", "post.example.net"}
)

// supporterNotes are what a CRM import or a member of staff would leave on a profile.
var supporterNotes = []l3{
	{"Monthly donor.", "毎月の継続寄付者。", "每月定期捐款人。"},
	{"Major donor: contact every 90 days.", "大口寄付者：90日ごとにご連絡。", "大额捐赠人：每90天联系一次。"},
	{"Weekend volunteer at the food bank.", "週末のフードバンクのボランティア。", "周末在食物银行做志愿者。"},
	{"Prefers phone calls to email.", "メールより電話を希望。", "比起邮件更喜欢电话联系。"},
	{"Receipts by post only, please.", "領収書は郵送を希望。", "收据请邮寄纸质版。"},
}

var events = []l3{
	{"Spring Charity Walk", "春のチャリティーウォーク", "春季慈善健走"},
	{"Year-end Thank-you Gala", "年末感謝の集い", "年终感恩晚会"},
	{"Volunteer Orientation", "ボランティア説明会", "志愿者说明会"},
	{"Food Bank Sorting Day", "フードバンク仕分け会", "食物银行分拣日"},
	{"Children's Reading Program Open Day", "子ども読書プログラム見学会", "儿童阅读项目开放日"},
}

var programs = []l3{
	{"Children's Reading Program", "子ども読書支援事業", "儿童阅读项目"},
	{"Food Bank", "フードバンク事業", "食物银行项目"},
	{"Disaster Relief Fund", "災害支援基金", "灾害救援基金"},
}

var amounts = []int{1000, 3000, 3000, 5000, 5000, 10000, 10000, 30000, 50000, 100000}

// Pieces shared by every topic.
var (
	supporterGreeting = [3][]string{
		{"Hello,", "Hi,", "Dear Hope Bridge team,", "Good afternoon,"},
		{"お世話になっております。", "希望の橋 ご担当者様", "いつもお世話になっております。", "突然のご連絡失礼いたします。"},
		{"您好！", "希望之桥的工作人员：", "你好，", "您好，打扰了。"},
	}
	supporterClosing = [3][]string{
		{"Best regards,\n{name}", "Thanks,\n{name}", "Many thanks,\n{name}"},
		{"よろしくお願いいたします。\n{name}", "何卒よろしくお願い申し上げます。\n{name}"},
		{"谢谢！\n{name}", "此致\n敬礼\n{name}", "麻烦了，谢谢。\n{name}"},
	}
	staffGreeting = l3{"Dear {given},", "{name}様", "{name}您好："}
	staffThanks   = l3{
		"Thank you for getting in touch with Hope Bridge.",
		"いつも希望の橋を応援いただき、誠にありがとうございます。",
		"感谢您联系希望之桥。",
	}
	// tenureLine personalises a reply with how long someone has supported us [J §1].
	tenureLine = l3{
		"Thank you, too, for {years} years of support: it means a great deal to all of us.",
		"{years}年にわたり当会を支えてくださり、心より感謝申し上げます。",
		"也感谢您{years}年来对我们的支持。",
	}
	staffClosing = l3{
		"If anything else comes up, simply reply to this email.\n\nKind regards,\n{staff}\nHope Bridge Supporter Care",
		"ご不明な点がございましたら、このメールにそのままご返信ください。\n\n希望の橋 サポーターケア\n{staff}",
		"如有其他问题，请直接回复本邮件。\n\n希望之桥 客服部\n{staff}",
	}
	// investigating is "don't guess": promise a follow-up date instead [J §3].
	investigating = l3{
		"I don't want to give you a wrong answer, so I am checking this with the team responsible and will get back to you by {due} at the latest.",
		"正確にお答えするため、担当部署に確認のうえ、遅くとも{due}までにご連絡いたします。",
		"为了给您准确的答复，我们正在与相关部门核实，最迟将于{due}前回复您。",
	}
	supporterThanks = [3][]string{
		{"That's perfect, thank you for the quick help!", "Got it, thanks a lot.", "Thank you, that answers my question."},
		{"迅速にご対応いただき、ありがとうございました。", "承知いたしました。ありがとうございます。", "丁寧なご説明をありがとうございました。"},
		{"问题解决了，谢谢你们的及时处理！", "收到，非常感谢。", "明白了，谢谢您的耐心解答。"},
	}
	supporterChase = [3][]string{
		{"Just following up on my message below. Is there any news?", "Sorry to chase, but I haven't heard back yet."},
		{"先日のお問い合わせの件、その後いかがでしょうか。", "お忙しいところ恐縮ですが、ご返信をお待ちしております。"},
		{"想跟进一下之前的问题，请问有进展了吗？", "不好意思再次打扰，还没有收到回复。"},
	}
	triageNote = [3][]string{
		{"Checked the CRM record before replying.", "Checked: no open tickets from this supporter elsewhere.", "Same supporter wrote last month — see earlier ticket."},
		{"返信前にCRMの記録を確認済み。", "同じ方からの未対応チケットがないことを確認済み。", "先月も同じ方からお問い合わせあり。過去チケット参照。"},
		{"回复前已查看CRM记录。", "已确认该支持者没有其他未处理的工单。", "该支持者上月也来信咨询过，请参考之前的工单。"},
	}
	// followUpNote records the 回访 after a complaint [C workflow].
	followUpNote = [3][]string{
		{"Follow-up call made: supporter satisfied with the outcome.", "Follow-up survey sent."},
		{"フォローアップの電話済み：対応にご満足いただけた。", "満足度アンケートを送付。"},
		{"已回访：支持者对处理结果表示满意。", "已发送满意度回访问卷。"},
	}
)

// topic is one kind of request with everything needed to write a believable
// conversation about it.
type topic struct {
	key      string
	typ      string // ticket type
	category string
	dept     int
	tags     []string
	weight   int
	// priorities to draw from (repeat an entry to weight it)
	priorities []string
	subject    [3][]string
	open       [3][]string // the supporter's first message (body only)
	answer     [3][]string // the substance of a staff answer
	ask        l3          // staff asks for what they need (ticket goes pending)
	followup   [3][]string // the supporter writes again
	note       [3][]string // internal note
	phone      l3          // a member of staff logs a call (first message of a phone ticket)
	concern    l3          // complaints: the concern restated in staff's words [J §3]
	resolution l3          // complaints: cause and prevention recorded on resolution [J §3]
}

var topics = []topic{
	{
		key: "receipt", typ: "inquiry", category: "donation/receipt", dept: deptDonorCare, tags: []string{"receipt"}, weight: 16,
		priorities: []string{"normal", "normal", "normal", "low", "high"},
		subject: [3][]string{
			{"Donation receipt for {year}", "Request for a receipt: donation of {amount}", "Receipt for my donation on {date}"},
			{"{year}年分の寄付金領収書の発行について", "領収書の再発行をお願いします", "{date}の寄付の領収書について"},
			{"申请{year}年度捐赠收据", "请补寄捐款收据", "关于{date}捐款的收据"},
		},
		open: [3][]string{
			{"I made a donation of {amount} on {date}. Could you send me a receipt for it? I need it for my records.",
				"I seem to have lost the receipt you sent for my {year} donations. Would it be possible to get a copy by email?"},
			{"{date}に{amount}を寄付いたしました。領収書を発行していただけますでしょうか。",
				"{year}年分の領収書を紛失してしまいました。お手数ですが、PDFでの再発行は可能でしょうか。"},
			{"我在{date}捐赠了{amount}，请问可以开具捐赠收据吗？",
				"我把{year}年的捐款收据弄丢了，能否通过邮件重新发一份电子版给我？"},
		},
		answer: [3][]string{
			{"I have reissued receipt {ref} for your donation of {amount} and attached it as a PDF. The original will arrive by post within a week."},
			{"{amount}のご寄付について、領収書（番号 {ref}）をPDFにて再発行し、本メールに添付いたしました。原本も1週間以内に郵送いたします。"},
			{"我们已为您{amount}的捐款重新开具收据（编号{ref}），电子版已随本邮件发送，纸质原件将在一周内寄出。"},
		},
		ask: l3{"To find your gift, could you tell me the name on the bank transfer or the last four digits of the card you used?",
			"ご寄付を確認するため、お振込名義またはご利用カードの下4桁を教えていただけますでしょうか。",
			"为了查找您的捐款记录，能否告知转账时使用的户名或银行卡后四位？"},
		followup: [3][]string{
			{"Thank you. Could you also put my spouse's name on the receipt?", "The transfer was made in my company's name, if that helps."},
			{"ありがとうございます。宛名を夫婦連名にしていただくことはできますか。", "振込名義は会社名になっているかもしれません。"},
			{"谢谢！收据抬头可以写我和我爱人两个人的名字吗？", "转账时用的可能是公司的账户名。"},
		},
		note: [3][]string{
			{"CRM: gift of {amount} on {date} is recorded; no receipt was generated (batch skipped). Reissued {ref}."},
			{"CRM確認済み：{date} {amount} の入金あり。領収書が未発行だったため {ref} を発行。"},
			{"已查CRM：{date}入账{amount}，收据未生成（批处理遗漏），已补开{ref}。"},
		},
		phone: l3{"Phone call: {name} asked for a receipt for the donation of {amount} on {date}.",
			"電話受付：{name}様より、{date}のご寄付（{amount}）の領収書発行のご依頼。",
			"电话记录：{name}来电，要求为{date}的{amount}捐款开具收据。"},
	},
	{
		key: "tax", typ: "inquiry", category: "donation/tax", dept: deptDonorCare, tags: []string{"tax", "receipt"}, weight: 8,
		priorities: []string{"normal", "normal", "low"},
		subject: [3][]string{
			{"Is my donation tax-deductible?", "Tax certificate for {year}"},
			{"寄付金控除の証明書について", "確定申告に使える書類はありますか"},
			{"捐款可以抵税吗？", "申请{year}年度抵税证明"},
		},
		open: [3][]string{
			{"I am preparing my tax return. Is my donation of {amount} deductible, and which document do I need to submit?"},
			{"確定申告の準備をしています。{amount}の寄付は寄付金控除の対象になりますか。提出に必要な書類も教えてください。"},
			{"我正在准备报税。请问我捐赠的{amount}可以抵税吗？需要提交哪些证明材料？"},
		},
		answer: [3][]string{
			{"Hope Bridge is a certified non-profit, so your donation qualifies for the donation deduction. The receipt ({ref}) together with our certification letter is all you need; I have attached both. We cannot advise on your individual tax situation, so please check the details with your tax office."},
			{"当会は認定NPO法人のため、ご寄付は寄付金控除の対象となります。領収書（{ref}）と認定証明書の写しをご提出ください。両方を添付いたしました。個別の税務相談にはお答えできませんので、詳細は税務署にご確認ください。"},
			{"希望之桥是经认证的非营利组织，您的捐款可以申请抵税。只需提交收据（{ref}）和我们的认证证明，两份文件均已附上。我们无法提供个人税务建议，具体请向税务机关咨询。"},
		},
		ask: l3{"Could you tell me in which year the donations were made, so that I send the right certificate?",
			"どの年のご寄付についての証明書が必要か、お知らせいただけますでしょうか。",
			"请问您需要哪一年度的抵税证明？"},
		followup: [3][]string{
			{"Thanks. Does this also cover my monthly donations?"},
			{"ありがとうございます。毎月の継続寄付分も含まれますか。"},
			{"谢谢。每月的定期捐款也包括在内吗？"},
		},
		note: [3][]string{
			{"Sent the certification letter and the annual receipt. Reminder: no individual tax advice."},
			{"認定証明書と年間領収書を送付。個別の税務アドバイスはしないこと。"},
			{"已发送认证证明和年度收据。注意：不提供个人税务建议。"},
		},
		phone: l3{"Phone call: {name} asked whether donations are tax-deductible.",
			"電話受付：{name}様より寄付金控除についてのお問い合わせ。",
			"电话记录：{name}咨询捐款能否抵税。"},
	},
	{
		key: "recurring", typ: "inquiry", category: "donation/recurring", dept: deptDonorCare, tags: []string{"recurring"}, weight: 10,
		priorities: []string{"normal", "normal", "normal", "high"},
		subject: [3][]string{
			{"Change my monthly donation", "Card expired: update my recurring gift", "Pause my monthly donation"},
			{"毎月の寄付の金額変更", "クレジットカードの有効期限切れについて", "継続寄付を一時停止したい"},
			{"修改每月定期捐款金额", "信用卡过期，更新定期捐款", "暂停每月捐款"},
		},
		open: [3][]string{
			{"I would like to change my monthly donation from {amount} to a larger amount from next month. How do I do that?",
				"My credit card expired last month, so my monthly donation probably failed. How can I update the card?",
				"Money is tight for a few months. Can I pause my monthly donation and restart it later?"},
			{"来月から毎月の寄付額を{amount}から増額したいのですが、手続きを教えてください。",
				"先月クレジットカードの有効期限が切れたため、毎月の寄付が止まっているかもしれません。カード情報の更新方法を教えてください。",
				"しばらく家計が厳しいため、継続寄付を数か月お休みすることはできますか。"},
			{"我想从下个月起把每月{amount}的定期捐款调高一些，请问怎么操作？",
				"我的信用卡上个月过期了，定期捐款可能扣款失败了，请问如何更新卡片信息？",
				"最近几个月经济有些紧张，可以暂停每月捐款，之后再恢复吗？"},
		},
		answer: [3][]string{
			{"I have updated your recurring gift as requested; the change takes effect from the next collection on the 27th. You can also manage it yourself from the link in your donor page.",
				"Thank you for updating your card. Last month's failed gift will not be collected twice; your next donation goes out on the 27th as usual.",
				"Of course. I have paused your monthly donation for three months and noted a reminder to check in with you before it restarts."},
			{"ご依頼のとおり継続寄付の内容を変更いたしました。次回27日の引き落としから反映されます。マイページのリンクからもご自身で変更いただけます。",
				"カード情報のご更新ありがとうございます。先月分が二重に引き落とされることはございません。次回は通常どおり27日に引き落とされます。",
				"承知いたしました。継続寄付を3か月間お休みとし、再開前に改めてご連絡いたします。"},
			{"已按您的要求修改定期捐款，将从本月27日的下次扣款起生效。您也可以通过捐赠人页面的链接自行管理。",
				"感谢您更新卡片信息。上月未成功的捐款不会重复扣款，下次扣款仍在27日照常进行。",
				"没问题。已为您暂停三个月的定期捐款，恢复前我们会再与您确认。"},
		},
		ask: l3{"For security, I have sent you a secure link to update the card. Could you let me know once it is done?",
			"セキュリティのため、カード情報更新用のリンクをお送りしました。ご登録が済みましたらお知らせください。",
			"为了安全，我们已向您发送更新卡片信息的专用链接，完成后请告知我们。"},
		followup: [3][]string{
			{"Done, I have entered the new card. Will last month's donation be charged as well?"},
			{"新しいカードを登録しました。先月分も引き落とされますか。"},
			{"已经更新了新卡。上个月的捐款也会补扣吗？"},
		},
		note: [3][]string{
			{"Payment provider shows the last collection failed (card expired). No retry scheduled."},
			{"決済代行の管理画面で前回の引き落とし失敗（カード期限切れ）を確認。再試行なし。"},
			{"支付平台显示上次扣款失败（卡片过期），未安排重试。"},
		},
		phone: l3{"Phone call: {name} wants to change their monthly gift.",
			"電話受付：{name}様より継続寄付の金額変更のご依頼。",
			"电话记录：{name}希望修改每月定期捐款。"},
	},
	{
		key: "address", typ: "inquiry", category: "supporter/address", dept: deptDonorCare, tags: []string{"address-change"}, weight: 7,
		priorities: []string{"low", "normal", "normal"},
		subject: [3][]string{
			{"Change of address", "I have moved: please update my address"},
			{"住所変更のお願い", "転居しました"},
			{"更改邮寄地址", "搬家了，请更新地址"},
		},
		open: [3][]string{
			{"I have moved house. Please send future newsletters and receipts to my new address: 2-5-1 Kudan-kita, Chiyoda-ku, Tokyo."},
			{"引っ越しをしましたので、今後のニュースレターと領収書の送付先を変更してください。新住所：東京都千代田区九段北2-5-1"},
			{"我搬家了，请把以后的会刊和收据寄到新地址：东京都千代田区九段北2-5-1。"},
		},
		answer: [3][]string{
			{"I have updated your address. The next newsletter and your annual receipt will go to the new address."},
			{"ご住所を変更いたしました。次回のニュースレターと年間領収書から新住所へお送りいたします。"},
			{"已为您更新地址，下一期会刊和年度收据将寄往新地址。"},
		},
		ask: l3{"Could you confirm your postcode as well, so that the post office delivers without delay?",
			"郵便番号もあわせてお知らせいただけますでしょうか。",
			"能否同时告知邮政编码，以便顺利投递？"},
		followup: [3][]string{{"The postcode is 102-0073."}, {"郵便番号は102-0073です。"}, {"邮编是102-0073。"}},
		note: [3][]string{
			{"Address updated in the CRM and the mailing list export."},
			{"CRMと郵送リストの住所を更新済み。"},
			{"已在CRM和邮寄名单中更新地址。"},
		},
		phone: l3{"Phone call: {name} has moved and gave the new address.",
			"電話受付：{name}様より転居に伴う住所変更のご連絡。",
			"电话记录：{name}来电告知搬家后的新地址。"},
	},
	{
		key: "event", typ: "inquiry", category: "event/registration", dept: deptVolunteers, tags: []string{"event"}, weight: 12,
		priorities: []string{"normal", "normal", "low", "high"},
		subject: [3][]string{
			{"Registration for the {event}", "Did my registration for the {event} go through?"},
			{"{event}への申し込み", "{event}の申し込み確認について"},
			{"{event}活动报名", "{event}报名成功了吗？"},
		},
		open: [3][]string{
			{"I would like to register two people for the {event}. Is there still space, and where do we meet?",
				"I registered for the {event} but have not received a confirmation email. Am I on the list?"},
			{"{event}に2名で申し込みたいのですが、まだ空きはありますか。集合場所も教えてください。",
				"{event}に申し込みましたが、確認メールが届いていません。申し込みは完了していますか。"},
			{"我想为两个人报名参加{event}，请问还有名额吗？集合地点在哪里？",
				"我已经报名了{event}，但没有收到确认邮件，请问报名成功了吗？"},
		},
		answer: [3][]string{
			{"You are registered for the {event} (confirmation {ref}). We meet at 9:30 at the main entrance; please bring water and comfortable shoes."},
			{"{event}へのお申し込みを承りました（受付番号 {ref}）。当日は9時30分に正面入口にお集まりください。飲み物と歩きやすい靴をご用意ください。"},
			{"您已成功报名{event}（确认号{ref}）。当天9:30在正门集合，请带好饮用水并穿舒适的鞋子。"},
		},
		ask: l3{"Could you give me the names of both participants so that I can add them to the list?",
			"参加される方お二人のお名前をお知らせいただけますでしょうか。",
			"请告知两位参加者的姓名，以便我们登记。"},
		followup: [3][]string{
			{"Thank you! Is there parking near the venue?"},
			{"ありがとうございます。会場の近くに駐車場はありますか。"},
			{"谢谢！会场附近有停车场吗？"},
		},
		note: [3][]string{
			{"Event list: {event} has 12 places left. Added to the registration sheet."},
			{"{event}の残席12名。申込者リストに追加済み。"},
			{"{event}剩余名额12个，已加入报名名单。"},
		},
		phone: l3{"Phone call: {name} registered by phone for the {event}.",
			"電話受付：{name}様より{event}へのお申し込み。",
			"电话记录：{name}电话报名{event}。"},
	},
	{
		key: "volunteer", typ: "inquiry", category: "volunteer/shift", dept: deptVolunteers, tags: []string{"volunteer"}, weight: 10,
		priorities: []string{"normal", "normal", "low"},
		subject: [3][]string{
			{"Swap my volunteer shift this Saturday", "I'd like to volunteer"},
			{"ボランティアのシフト変更", "ボランティアに参加したいです"},
			{"志愿者排班调整", "我想报名当志愿者"},
		},
		open: [3][]string{
			{"I'm signed up for the Saturday morning shift at the food bank but I can't make it this week. Could I swap to Sunday?",
				"I'd love to volunteer with you on weekends. How do I get started, and is there an orientation?"},
			{"今週土曜午前のフードバンクのシフトに入っていますが、都合が悪くなりました。日曜に変更できますか。",
				"週末にボランティアとして参加したいです。どのように始めればよいでしょうか。説明会はありますか。"},
			{"我报名了本周六上午食物银行的班次，但临时有事去不了，可以换到周日吗？",
				"我想在周末来做志愿者，请问怎么开始？有没有志愿者说明会？"},
		},
		answer: [3][]string{
			{"No problem: I have moved you to the Sunday 10:00–13:00 shift. Thank you for letting us know in advance.",
				"Welcome aboard! The next Volunteer Orientation is on {due}; I have reserved a place for you."},
			{"承知いたしました。日曜10時〜13時のシフトに変更いたしました。早めにご連絡いただきありがとうございます。",
				"ご参加ありがとうございます。次回のボランティア説明会は{due}です。お席をお取りしました。"},
			{"没问题，已为您调整到周日10:00–13:00的班次，感谢您提前告知。",
				"欢迎加入！下一次志愿者说明会在{due}举行，已为您预留名额。"},
		},
		ask: l3{"Which days and times suit you best? I will match you with a shift.",
			"ご都合のよい曜日と時間帯を教えていただけますか。シフトを調整いたします。",
			"请告诉我们您方便的日期和时间段，我们来为您安排班次。"},
		followup: [3][]string{
			{"Sunday mornings work best for me."}, {"日曜の午前中が一番都合がよいです。"}, {"周日上午最方便。"},
		},
		note: [3][]string{
			{"Shift rota updated; Sunday team lead informed."}, {"シフト表を更新し、日曜のリーダーに連絡済み。"}, {"已更新排班表，并通知周日组长。"},
		},
		phone: l3{"Phone call: {name} cannot come to Saturday's shift.",
			"電話受付：{name}様より土曜のシフトに参加できないとのご連絡。",
			"电话记录：{name}来电说周六的班次无法参加。"},
	},
	{
		key: "newsletter", typ: "inquiry", category: "communication/newsletter", dept: deptPrograms, tags: []string{"newsletter"}, weight: 6,
		priorities: []string{"low", "low", "normal"},
		subject: [3][]string{
			{"Newsletter subscription", "Please switch my newsletter to email"},
			{"ニュースレターの配信について", "会報をメールで受け取りたい"},
			{"订阅电子会刊", "会刊改为电子版"},
		},
		open: [3][]string{
			{"Could you send me the newsletter by email instead of post? It would save you the postage."},
			{"会報を郵送ではなくメールで受け取ることはできますか。郵送費の節約にもなると思います。"},
			{"会刊能否改为通过邮件发送电子版，不再邮寄纸质版？这样也能节省邮费。"},
		},
		answer: [3][]string{
			{"Done: from the next issue you will receive the newsletter by email only. Thank you for helping us save on postage!"},
			{"次号から会報をメールのみでお届けいたします。郵送費の節約にご協力いただき、ありがとうございます。"},
			{"已为您设置，从下一期起只发送电子版会刊。感谢您帮我们节省邮费！"},
		},
		ask: l3{"Should the newsletter go to this address, or to another one?",
			"配信先はこのメールアドレスでよろしいでしょうか。",
			"请问会刊发送到这个邮箱就可以吗？"},
		followup: [3][]string{{"Yes, this address is fine."}, {"はい、このアドレスでお願いします。"}, {"是的，就用这个邮箱。"}},
		note:     [3][]string{{"Mailing preference changed to email only."}, {"配信設定をメールのみに変更。"}, {"已将寄送方式改为仅电子邮件。"}},
		phone: l3{"Phone call: {name} asked to get the newsletter by email.",
			"電話受付：{name}様より会報のメール配信希望。",
			"电话记录：{name}希望通过邮件接收会刊。"},
	},
	{
		key: "program", typ: "inquiry", category: "program/question", dept: deptPrograms, tags: []string{"program"}, weight: 6,
		priorities: []string{"normal", "low"},
		subject: [3][]string{
			{"How is my donation used?", "Question about the {program}"},
			{"寄付金の使い道について", "{program}について教えてください"},
			{"请问善款是如何使用的？", "关于{program}的咨询"},
		},
		open: [3][]string{
			{"I gave {amount} to the {program}. Could you tell me how the money is being used and whether there is a report?"},
			{"{program}に{amount}を寄付しました。寄付金がどのように使われているか、報告書はあるか教えてください。"},
			{"我向{program}捐赠了{amount}，想了解善款的具体用途，有没有项目报告？"},
		},
		answer: [3][]string{
			{"Thank you for asking. Last year 84% of donations to the {program} went directly to the programme; I have attached the annual report with the details."},
			{"ご関心をお寄せいただきありがとうございます。昨年度、{program}へのご寄付の84%が事業に直接使われました。詳細は添付の年次報告書をご覧ください。"},
			{"感谢您的关心。去年{program}所获捐款的84%直接用于项目本身，详情请见附件中的年度报告。"},
		},
		ask: l3{"Would you prefer the full annual report or the two-page summary?",
			"年次報告書の全文と2ページの概要版、どちらをお送りしましょうか。",
			"您需要完整的年度报告，还是两页的摘要版？"},
		followup: [3][]string{{"The summary would be great, thank you."}, {"概要版をお願いします。"}, {"摘要版就可以，谢谢。"}},
		note:     [3][]string{{"Asked the programme team for the latest figures."}, {"事業担当に最新の数字を確認中。"}, {"已向项目组索取最新数据。"}},
		phone: l3{"Phone call: {name} asked how donations to the {program} are used.",
			"電話受付：{name}様より{program}の寄付金の使途についてご質問。",
			"电话记录：{name}询问{program}善款的用途。"},
	},
	{
		key: "late-receipt", typ: "complaint", category: "complaint/receipt-late", dept: deptDonorCare, tags: []string{"complaint", "receipt", "late-receipt"}, weight: 5,
		priorities: []string{"high", "high", "normal"},
		subject: [3][]string{
			{"Still no receipt after two months", "Receipt has not arrived: complaint"},
			{"領収書がまだ届きません", "領収書の発送が遅すぎます"},
			{"两个月了还没收到收据", "投诉：收据迟迟未寄出"},
		},
		open: [3][]string{
			{"I donated {amount} in {month} and I am still waiting for the receipt. I have asked once already. I need it for my tax return, which is due soon. This is very disappointing."},
			{"{month}に{amount}を寄付しましたが、いまだに領収書が届きません。以前にも一度お願いしています。確定申告の期限が迫っており、大変困っています。"},
			{"我{month}捐了{amount}，到现在还没收到收据，之前已经催过一次了。报税截止日期快到了，真的很着急，非常失望。"},
		},
		answer: [3][]string{
			{"I have sent receipt {ref} by email today, and the original is going out by express post. I am sorry you had to ask twice."},
			{"本日、領収書（{ref}）をメールでお送りし、原本も速達で発送いたしました。二度もご連絡いただくことになり、誠に申し訳ございません。"},
			{"今天已通过邮件发送收据（{ref}），原件也已用快递寄出。让您催了两次，非常抱歉。"},
		},
		ask: l3{"Could you confirm the postal address we should use, in case the first receipt went to an old one?",
			"以前のご住所に送付された可能性がございますので、現在のご住所をご確認いただけますでしょうか。",
			"收据可能寄到了旧地址，能否确认一下您现在的邮寄地址？"},
		followup: [3][]string{
			{"It's the same address as always. Why did this happen?"},
			{"住所は以前と変わっていません。なぜこのようなことになったのでしょうか。"},
			{"地址一直没变过，为什么会出现这种情况？"},
		},
		note: [3][]string{
			{"Escalated to the finance lead: the {month} receipt batch did not run. Checking who else is affected."},
			{"経理責任者にエスカレーション：{month}分の領収書バッチが未実行。他の影響者を確認中。"},
			{"已上报财务主管：{month}的收据批处理没有运行，正在排查其他受影响的捐赠人。"},
		},
		phone: l3{"Phone call: {name} complained that the receipt for {month} has not arrived. Upset; second contact.",
			"電話受付：{name}様より{month}分の領収書が届かないとの苦情。2回目のご連絡で、ご立腹。",
			"电话记录：{name}投诉{month}的收据仍未收到，情绪激动，已是第二次来电。"},
		concern: l3{"your receipt still has not arrived although you asked before",
			"以前にもご依頼いただいたにもかかわらず、領収書がまだ届いていない",
			"您之前已经催过，但收据至今仍未收到"},
		resolution: l3{"Cause: the {month} receipt batch failed silently. Prevention (agreed with the director): finance checks the batch log every Monday.",
			"原因：{month}分の領収書バッチが失敗していた。再発防止（事務局長と合意）：経理が毎週月曜にバッチのログを確認する。",
			"原因：{month}的收据批处理静默失败。预防措施（已与总干事商定）：财务每周一检查批处理日志。"},
	},
	{
		key: "wrong-amount", typ: "complaint", category: "complaint/receipt-amount", dept: deptDonorCare, tags: []string{"complaint", "receipt", "wrong-amount"}, weight: 4,
		priorities: []string{"high", "normal"},
		subject: [3][]string{
			{"Wrong amount on my receipt", "Receipt shows the wrong amount"},
			{"領収書の金額が間違っています", "領収書の記載金額について"},
			{"收据金额有误", "收据上的金额不对"},
		},
		open: [3][]string{
			{"The receipt I received says {amount}, but I donated twice that amount on {date}. Please correct it; I can't use it for my tax return like this."},
			{"届いた領収書の金額が{amount}になっていますが、{date}に寄付したのはその倍の金額です。このままでは確定申告に使えませんので、訂正をお願いします。"},
			{"收到的收据上写的是{amount}，但我{date}捐的是这个数的两倍。这样没法用来报税，请尽快更正。"},
		},
		answer: [3][]string{
			{"You are right: the amount was entered incorrectly. I have cancelled the old receipt and issued a corrected one, {ref}, which is attached."},
			{"ご指摘のとおり、金額の入力に誤りがございました。旧領収書を無効とし、訂正後の領収書（{ref}）を添付いたします。"},
			{"您说得对，金额录入有误。我们已作废原收据，并重新开具了正确的收据（{ref}），请见附件。"},
		},
		ask: l3{"Could you send a photo of the transfer slip, so that finance can match it quickly?",
			"経理での照合のため、振込控えのお写真をお送りいただけますでしょうか。",
			"能否发一张转账凭证的照片，方便财务尽快核对？"},
		followup: [3][]string{{"Here is the photo of the transfer slip."}, {"振込控えの写真を添付します。"}, {"附上转账凭证的照片。"}},
		note: [3][]string{
			{"Finance confirms a data-entry error on the {date} gift. Corrected receipt {ref}."},
			{"経理確認：{date}の寄付で入力ミス。訂正領収書 {ref} を発行。"},
			{"财务确认{date}的捐款存在录入错误，已开具更正收据{ref}。"},
		},
		phone: l3{"Phone call: {name} says the receipt amount is wrong.",
			"電話受付：{name}様より領収書の金額が誤っているとのご指摘。",
			"电话记录：{name}反映收据金额有误。"},
		concern: l3{"the amount on your receipt does not match your donation",
			"領収書の金額が実際のご寄付と異なっていた",
			"收据上的金额与您的实际捐款不符"},
		resolution: l3{"Cause: amount keyed in by hand from the transfer slip. Prevention: bank imports instead of manual entry from next month.",
			"原因：振込控えからの手入力ミス。再発防止：来月から銀行データの取込みに切り替える。",
			"原因：根据转账凭证手工录入出错。预防措施：下月起改为银行数据导入，不再手工录入。"},
	},
	{
		key: "rude-call", typ: "complaint", category: "complaint/phone-manner", dept: deptDonorCare, tags: []string{"complaint", "phone-manner", "escalated"}, weight: 2,
		priorities: []string{"urgent", "high"},
		subject: [3][]string{
			{"Unpleasant phone call with your office", "Complaint about how I was treated on the phone"},
			{"電話対応についての苦情", "お電話での対応に不快な思いをしました"},
			{"投诉电话接听态度", "对电话服务态度非常不满"},
		},
		open: [3][]string{
			{"I called yesterday about my donation and the person who answered was curt, interrupted me twice and hung up before I had finished. I have supported you for years and did not expect this."},
			{"昨日寄付の件でお電話したところ、対応された方の口調がぶっきらぼうで、話の途中で二度遮られ、最後まで聞かずに電話を切られました。長年支援してきましたが、大変残念です。"},
			{"我昨天打电话咨询捐款的事，接电话的人态度生硬，两次打断我，还没等我说完就挂了电话。我支持你们很多年了，没想到会这样。"},
		},
		answer: [3][]string{
			{"I have spoken with the colleague concerned and with our director. Every call should be answered warmly and patiently, and yesterday's was not. I would like to call you this week to answer your original question properly."},
			{"当該職員および事務局長と話をいたしました。すべてのお電話に誠実かつ丁寧に対応すべきところ、昨日はそれができておりませんでした。改めて今週中にお電話し、ご質問にきちんとお答えしたいと存じます。"},
			{"我已与相关同事及总干事沟通。每一通电话都应当耐心、热情地接听，昨天的情况确实没有做到。本周内我想再给您回个电话，认真解答您最初的问题。"},
		},
		ask: l3{"When would be a good time for me to call you back?",
			"折り返しのお電話は、いつ頃がご都合よろしいでしょうか。",
			"请问什么时间方便给您回电话？"},
		followup: [3][]string{{"Thank you for taking it seriously. Tomorrow afternoon is fine."}, {"真摯にご対応いただきありがとうございます。明日の午後なら大丈夫です。"}, {"谢谢你们认真对待。明天下午可以。"}},
		note: [3][]string{
			{"Escalated to the director. Call recording reviewed; coaching session booked for the phone team."},
			{"事務局長にエスカレーション。通話記録を確認し、電話担当者の研修を予定。"},
			{"已上报总干事。已复核通话录音，并为电话组安排培训。"},
		},
		phone: l3{"Phone call: {name} complained about a rude phone call yesterday. Very upset.",
			"電話受付：{name}様より昨日の電話対応についての苦情。大変ご立腹。",
			"电话记录：{name}投诉昨天的电话接听态度恶劣，情绪非常激动。"},
		concern: l3{"the person who took your call was curt and did not let you finish",
			"お電話を受けた職員の口調がぶっきらぼうで、最後までお話を伺わなかった",
			"接听电话的同事态度生硬，没有让您把话说完"},
		resolution: l3{"Cause: phone line overloaded during the campaign; staff member rushed. Prevention: greeting script refreshed, voicemail fallback at peaks, training done.",
			"原因：キャンペーン期間中に電話が集中し、担当者が焦っていた。再発防止：応対スクリプトを見直し、ピーク時は留守電に切替、研修実施済み。",
			"原因：活动期间电话量过大，工作人员过于匆忙。预防措施：更新接听话术，高峰期启用语音留言，已完成培训。"},
	},
	{
		key: "mailings", typ: "complaint", category: "complaint/mailings", dept: deptPrograms, tags: []string{"complaint", "newsletter", "mailing-frequency"}, weight: 4,
		priorities: []string{"normal", "normal", "low"},
		subject: [3][]string{
			{"Too many mailings", "Please send me fewer letters"},
			{"郵便物が多すぎます", "ダイレクトメールの頻度について"},
			{"邮寄资料太多了", "请减少宣传邮件"},
		},
		open: [3][]string{
			{"I received four appeal letters from you this month. It feels wasteful; I'd rather my donation went to the programmes. Please send me one newsletter a quarter at most."},
			{"今月だけで寄付のお願いの手紙が4通届きました。もったいなく感じます。寄付は事業に使ってほしいので、郵送物は季刊の会報だけにしてください。"},
			{"这个月我收到了你们四封募捐信，感觉很浪费。我希望捐款用在项目上，请最多每季度寄一次会刊就好。"},
		},
		answer: [3][]string{
			{"I have set your preferences to the quarterly newsletter only, and removed you from appeal mailings. You are right that every yen should go as far as possible."},
			{"郵送設定を季刊会報のみに変更し、寄付のお願いの送付を停止いたしました。ご寄付を大切に使うべきとのご意見、ごもっともです。"},
			{"已将您的设置改为只寄季刊会刊，并停止寄送募捐信。您说得对，每一笔善款都应当用在刀刃上。"},
		},
		ask: l3{"Would you like to keep receiving event invitations by email?",
			"イベントのご案内はメールで引き続きお送りしてもよろしいでしょうか。",
			"活动邀请是否还需要通过邮件发送给您？"},
		followup: [3][]string{{"Event invitations by email are fine."}, {"イベントのご案内はメールなら構いません。"}, {"活动邀请发邮件可以。"}},
		note: [3][]string{
			{"Supporter was on three overlapping lists (appeal, events, newsletter). Merged."},
			{"寄付依頼・イベント・会報の3つのリストに重複登録されていたため統合。"},
			{"该支持者同时在募捐、活动、会刊三个名单中，已合并。"},
		},
		phone: l3{"Phone call: {name} asked us to send fewer mailings.",
			"電話受付：{name}様より郵送物を減らしてほしいとのご要望。",
			"电话记录：{name}要求减少邮寄资料。"},
		concern: l3{"you are receiving far more mailings from us than you want",
			"ご希望以上に多くの郵便物をお送りしていた",
			"我们寄给您的资料远远超出了您的需要"},
		resolution: l3{"Cause: duplicate records on three mailing lists. Prevention: de-duplicate lists before every appeal.",
			"原因：3つの郵送リストへの重複登録。再発防止：発送前に毎回リストの重複チェックを行う。",
			"原因：在三个邮寄名单中重复登记。预防措施：每次寄送前先对名单去重。"},
	},
	{
		key: "praise", typ: "feedback", category: "feedback/praise", dept: deptVolunteers, tags: []string{"praise"}, weight: 5,
		priorities: []string{"low", "low", "normal"},
		subject: [3][]string{
			{"Thank you for a wonderful {event}", "Your volunteer coordinator is amazing"},
			{"{event}、ありがとうございました", "スタッフの方の対応に感謝"},
			{"感谢你们组织的{event}", "表扬志愿者协调员"},
		},
		open: [3][]string{
			{"I just wanted to say what a lovely day the {event} was. Everyone was so welcoming, and my kids can't stop talking about it."},
			{"{event}、とても素敵な一日でした。スタッフの皆さんが温かく迎えてくださり、子どもたちも大喜びでした。"},
			{"想告诉你们，{event}真是美好的一天。大家都非常热情，孩子们到现在还在念叨。"},
		},
		answer: [3][]string{
			{"Thank you so much for your kind words: I have shared them with the whole team, and they made our day. We hope to see you again soon."},
			{"温かいお言葉をありがとうございます。スタッフ全員に共有させていただき、皆とても励まされました。またお会いできるのを楽しみにしております。"},
			{"非常感谢您的鼓励！我们已经转达给全体同事，大家都很开心。期待下次再见！"},
		},
		ask: l3{"Would you mind if we quoted you (first name only) in our newsletter?",
			"いただいたお言葉を、お名前を伏せて会報でご紹介してもよろしいでしょうか。",
			"我们可以在会刊中匿名引用您的这段话吗？"},
		followup: [3][]string{{"Of course, happy for you to quote me."}, {"もちろん構いません。"}, {"当然可以。"}},
		note:     [3][]string{{"Shared with the team on Slack; candidate for the newsletter's supporter voices."}, {"チームに共有。会報の「支援者の声」候補。"}, {"已分享给团队，可作为会刊“支持者心声”栏目的素材。"}},
		phone: l3{"Phone call: {name} called to thank the team for the {event}.",
			"電話受付：{name}様より{event}のお礼のお電話。",
			"电话记录：{name}来电感谢团队组织的{event}。"},
	},
	{
		key: "suggestion", typ: "feedback", category: "feedback/suggestion", dept: deptPrograms, tags: []string{"suggestion"}, weight: 4,
		priorities: []string{"low", "normal"},
		subject: [3][]string{
			{"Suggestion: receipts online", "Idea: downloadable receipts"},
			{"ご提案：領収書の電子化", "領収書のオンライン発行について"},
			{"建议：提供电子收据", "建议开通网上下载收据"},
		},
		open: [3][]string{
			{"Have you thought about letting donors download their receipts online? It would save paper and I would not have to wait for the post."},
			{"領収書をオンラインでダウンロードできるようにしてはいかがでしょうか。紙の節約にもなり、郵送を待つ必要もなくなります。"},
			{"建议提供网上下载捐赠收据的功能，既环保，也不用等邮寄。"},
		},
		answer: [3][]string{
			{"Thank you for the suggestion. It is one we hear more and more, and I have added it to the list our director reviews each quarter. I will let you know what is decided."},
			{"貴重なご提案をありがとうございます。同様のご意見を多くいただいており、事務局長が四半期ごとに確認する改善リストに追加いたしました。決定しましたらお知らせいたします。"},
			{"感谢您的建议！最近有越来越多的支持者提出类似意见，我们已将其列入总干事每季度审阅的改进清单，有结果后会通知您。"},
		},
		ask: l3{"Would you be willing to try a first version and tell us what you think?",
			"試作版ができましたら、ご意見をお聞かせいただけますでしょうか。",
			"等第一版上线后，您愿意试用并给我们反馈吗？"},
		followup: [3][]string{{"Happy to help test it."}, {"喜んで協力します。"}, {"很乐意帮忙试用。"}},
		note:     [3][]string{{"Logged in the improvement list (suggestions, Q3)."}, {"改善要望リストに記録（提案、第3四半期）。"}, {"已记入改进建议清单（第三季度）。"}},
		phone: l3{"Phone call: {name} suggested online receipts.",
			"電話受付：{name}様より領収書の電子化のご提案。",
			"电话记录：{name}建议提供电子收据。"},
	},
	{
		key: "partnership", typ: "other", category: "other/partnership", dept: deptPrograms, tags: []string{"partnership"}, weight: 2,
		priorities: []string{"normal", "low"},
		subject: [3][]string{
			{"Corporate volunteering day", "Volunteering day for our employees"},
			{"企業ボランティアのご相談", "社員ボランティアの受け入れについて"},
			{"企业志愿服务日合作", "企业员工志愿活动咨询"},
		},
		open: [3][]string{
			{"Our company would like to organise a volunteering day for about 20 employees. Who should I talk to?"},
			{"弊社の社員20名ほどでボランティアに参加したいと考えています。どなたにご相談すればよいでしょうか。"},
			{"我们公司想组织大约20名员工参加一次志愿服务活动，请问应该联系哪位？"},
		},
		answer: [3][]string{
			{"How wonderful! Our partnerships coordinator will contact you this week to find a date that works."},
			{"ありがとうございます。今週中に法人連携の担当者よりご連絡し、日程を調整させていただきます。"},
			{"太好了！我们负责企业合作的同事本周会与您联系，商定活动日期。"},
		},
		ask: l3{"Could you share a few possible dates and the size of the group?",
			"候補日と参加人数をお知らせいただけますでしょうか。",
			"能否提供几个备选日期和参加人数？"},
		followup: [3][]string{{"Any Friday in the next two months works for us."}, {"今後2か月の金曜日であればいつでも可能です。"}, {"未来两个月的任何一个周五都可以。"}},
		note:     [3][]string{{"Forwarded to the partnerships coordinator."}, {"法人連携担当に転送済み。"}, {"已转交企业合作负责人。"}},
		phone: l3{"Phone call: {name} asked about a corporate volunteering day.",
			"電話受付：{name}様より企業ボランティアについてのご相談。",
			"电话记录：{name}咨询企业志愿服务日合作事宜。"},
	},
}

// restate opens a reply to a complaint by saying the concern back [J §3].
var restate = l3{
	"I understand that {concern}, and I am truly sorry.",
	"{concern}とのこと、大変ご迷惑をおかけし、誠に申し訳ございません。",
	"了解到{concern}，给您带来困扰，我们深表歉意。",
}

var monthNames = []string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"}
