package search

import (
	"strings"
	"testing"
)

// benchMessage is a realistic support message of about 2 kB: an English
// reply quoting a Japanese donor's mail and a Chinese volunteer's note, with
// an e-mail address, phone numbers and a ticket number.
var benchMessage = func() string {
	s := `Dear Ms Sato,

Thank you for your donation of ¥30,000 on 12 March and for six years of support. Your receipt (ticket #1042) was sent to sato.hanako@example.jp; if it did not arrive, please call us on +81 3-1234-5678.

> 佐藤花子様より：
> いつもお世話になっております。先月の寄付金の領収書がまだ届いておりません。確定申告に必要なので、至急送っていただけますか。ボランティア説明会（４月２０日）にも参加したいです。ｶﾀｶﾅで書くとﾎﾞﾗﾝﾃｨｱです。

> 志愿者王伟留言：
> 您好！我上周在活动报名页面填写了信息，但是没有收到确认邮件。另外，我去年捐款的收据还没有收到，请帮忙查一下。我的电话是 138 0013 8000。谢谢！
> 另：學校的義賣活動什麼時候開始？

Our volunteer coordinator will reply within 24 hours. Best regards,
Steward Support Team — support@steward.example.org
`
	for len(s) < 2048 {
		s += "We are grateful for your patience. 感謝いたします。感谢您的耐心。\n"
	}
	return s[:strings.LastIndexByte(s[:2048], '\n')+1]
}()

func BenchmarkAnalyze(b *testing.B) {
	b.SetBytes(int64(len(benchMessage)))
	b.ReportAllocs()
	for b.Loop() {
		Analyze(benchMessage)
	}
}
