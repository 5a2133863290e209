package email

import (
	"strings"
	"testing"
)

func TestSplitQuoted(t *testing.T) {
	cases := []struct {
		name, in       string
		visible, quote string // substrings; quote "" means nothing quoted
	}{
		{"plain", "Thanks for the receipt!", "Thanks for the receipt!", ""},
		{"gt quotes", "Sounds good.\n\n> Can you come on Sunday?\n> Thanks", "Sounds good.", "> Can you come on Sunday?"},
		{"on wrote", "Yes.\n\nOn Mon, Jan 15, 2024 at 10:00 AM Desk <info@example.org> wrote:\n> hello", "Yes.", "On Mon, Jan 15"},
		{"on wrote wrapped", "Yes.\n\nOn Mon, Jan 15, 2024 at 10:00 AM Hidamari Desk <\ninfo@example.org> wrote:\n> hello", "Yes.", "info@example.org> wrote:"},
		{"original message", "OK\n\n-----Original Message-----\nFrom: a\nSent: b", "OK", "-----Original Message-----"},
		{"outlook block", "Will do.\n\nFrom: Desk <info@example.org>\nSent: Monday, January 15, 2024 10:00 AM\nTo: Me\nSubject: Hi\n\nold", "Will do.", "Sent: Monday"},
		{"underscores", "Fine.\n\n________________________________\nFrom: Desk\nSent: today", "Fine.", "____"},
		{"ja thunderbird", "了解しました。\n\n山田 さんは書きました:\n> 明日は雨です", "了解しました。", "さんは書きました"},
		{"ja gmail", "参加します。\n\n2024年1月15日(月) 10:00 ひだまり <info@example.org>:\n> 参加しますか", "参加します。", "2024年1月15日(月)"},
		{"ja apple", "ありがとうございます。\n\n2024/01/15 10:00、ひだまり事務局 <info@example.org>のメール:\n\n> お礼", "ありがとうございます。", "のメール:"},
		{"ja outlook 差出人", "承知しました。\n\n差出人: ひだまり <info@example.org>\n送信日時: 2024年1月15日 10:00\n宛先: 山田\n件名: 確認", "承知しました。", "差出人:"},
		{"ja original", "はい。\n\n-----元のメッセージ-----\n差出人: x", "はい。", "元のメッセージ"},
		{"zh 写道", "好的。\n\n在 2024年1月15日，上午10:00，阳光公益 <info@example.org> 写道：\n> 您好", "好的。", "写道"},
		{"zh 163", "收到\n\n在 2024-01-17 09:30:00，\"阳光公益\" <info@example.org> 写道：\n>张先生", "收到", "写道"},
		{"zh 发件人", "谢谢\n\n发件人：阳光公益 <info@example.org>\n发送时间：2024年1月15日 10:00\n收件人：我\n主题：确认", "谢谢", "发件人"},
		{"zh qq", "好的\n\n------------------\u00a0原始邮件\u00a0------------------\n发件人: x", "好的", "原始邮件"},
		{"zh qq spaces", "好的\n\n------------------ 原始邮件 ------------------\n发件人: x", "好的", "原始邮件"},
		{"signature", "See you there.\n-- \nJane Doe\nVolunteer lead", "See you there.", "Jane Doe"},
		{"iphone en", "On my way\n\nSent from my iPhone", "On my way", "Sent from my iPhone"},
		{"iphone ja", "向かっています\n\niPhoneから送信", "向かっています", "iPhoneから送信"},
		{"iphone zh", "在路上\n\n发自我的iPhone", "在路上", "发自我的iPhone"},
		{"interleaved stays", "> Q1?\nA1\n> Q2?\nA2", "A2", ""},
		{"all quoted keeps text", "> only a quote", "> only a quote", ""},
		{"forward not folded", "FYI\n\n---------- Forwarded message ---------\nFrom: x\nDate: y\nSubject: z\nTo: w\n\nbody", "Forwarded message", ""},
		{"crlf", "Yes.\r\n\r\n> old\r\n", "Yes.", "> old"},
		{"i wrote is not attribution", "Here is what I wrote:\nthe plan", "the plan", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v, q := SplitQuoted(c.in)
			if !strings.Contains(v, c.visible) {
				t.Errorf("visible = %q, want it to contain %q", v, c.visible)
			}
			if c.quote == "" && q != "" {
				t.Errorf("quoted = %q, want nothing", q)
			}
			if c.quote != "" && !strings.Contains(q, c.quote) {
				t.Errorf("quoted = %q, want it to contain %q", q, c.quote)
			}
			if c.quote != "" && strings.Contains(v, c.quote) {
				t.Errorf("visible %q still contains %q", v, c.quote)
			}
		})
	}
}

func TestGuessLanguage(t *testing.T) {
	cases := map[string]Language{
		"Please send my receipt": LangEnglish,
		"領収書を送ってください":            LangJapanese,
		"寄付金控除証明書":               LangChinese, // Han only: indistinguishable, counts as zh
		"请寄给我收据":                 LangChinese,
		"請寄給我收據":                 LangChinese,
		"Hi, I'm 王小明 and I'd like to volunteer at the weekend food drive with my friends": LangEnglish,
		"":            LangEnglish,
		"ｶﾀｶﾅのみ":      LangJapanese,
		"Привет, мир": LangEnglish,
	}
	for in, want := range cases {
		if got := GuessLanguage(in); got != want {
			t.Errorf("GuessLanguage(%q) = %s, want %s", in, got, want)
		}
	}
}
