package main

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"mime"
	"mime/quotedprintable"
	"strings"
	"time"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
)

// The mix, per 100 messages: Japanese (ISO-2022-JP, Shift_JIS), Chinese
// (GB2312/GBK, Big5), English multipart/alternative with HTML, replies that
// thread into earlier tickets, auto-replies and a few attachments — each
// message between 5 and 20 kB.

var jaParas = []string{
	"いつも大変お世話になっております。先日の寄付金の領収書について確認させていただきたく、ご連絡いたしました。",
	"年末調整の書類提出に必要なため、恐れ入りますが今月中に再発行していただくことは可能でしょうか。",
	"また、来月のボランティア説明会の日程と会場についても教えていただけますと幸いです。",
	"住所が変更になりましたので、今後の郵送物は新しい住所にお送りいただけますようお願い申し上げます。",
	"マンスリーサポーターとして六年ほど応援しておりますが、活動報告をいつも楽しみに拝見しております。",
}

var zhParas = []string{
	"您好，我上个月通过银行转账向贵机构捐款五百元，但至今没有收到捐款收据，请帮忙查询一下。",
	"另外，我想了解下个月志愿者培训的具体时间和地点，以及是否需要提前报名。",
	"我的联系地址已经变更，请将以后的纸质材料寄到新的地址，谢谢。",
	"作为长期支持者，我非常认可你们在乡村教育方面的工作，希望能有更多参与的机会。",
	"如果方便的话，请把电子版收据发送到这个邮箱，我需要在年底报税时使用。",
}

var twParas = []string{
	"您好，我上個月透過銀行轉帳捐款新台幣三千元，但還沒有收到捐款收據，麻煩協助查詢。",
	"另外想請問下個月志工說明會的時間與地點，是否需要事先報名？",
	"我的通訊地址已經變更，之後的紙本資料請寄到新地址，謝謝。",
}

var enParas = []string{
	"Thank you for the wonderful work you do for the children in the village programme. I have been a monthly donor for six years.",
	"I made a donation by bank transfer last month but have not yet received my tax receipt. Could you please check and resend it?",
	"I would also like to know more about the volunteer orientation next month: where it takes place and whether I need to register.",
	"Please note that my postal address has changed; kindly send any future letters to the new address below.",
	"I am a little frustrated that my earlier email went unanswered, so I would appreciate a reply this week if at all possible.",
}

type generator struct {
	r    *rand.Rand
	sent []sentMsg // earlier messages, for replies
	n    int
}

type sentMsg struct{ id, from, subject string }

func newGenerator(seed uint64) *generator {
	return &generator{r: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
}

// message returns the next raw message of the mix.
func (g *generator) message() []byte {
	g.n++
	size := 5<<10 + g.r.IntN(15<<10)
	var raw []byte
	switch k := g.r.IntN(100); {
	case k < 18:
		raw = g.japanese(size, japanese.ISO2022JP, "iso-2022-jp", "7bit")
	case k < 28:
		raw = g.japanese(size, japanese.ShiftJIS, "shift_jis", "base64")
	case k < 42:
		raw = g.chinese(size, simplifiedchinese.GBK, "gb2312", zhParas)
	case k < 50:
		raw = g.chinese(size, traditionalchinese.Big5, "big5", twParas)
	case k < 80:
		raw = g.english(size)
	case k < 95:
		raw = g.reply(size)
	default:
		raw = g.autoReply(size)
	}
	return raw
}

func (g *generator) id(domain string) string {
	return fmt.Sprintf("%d.%x@%s", g.n, g.r.Uint64(), domain)
}

func (g *generator) sender(domain string) string {
	return fmt.Sprintf("supporter%d@%s", g.r.IntN(4000), domain)
}

func fill(r *rand.Rand, paras []string, size int) string {
	var b strings.Builder
	for b.Len() < size {
		b.WriteString(paras[r.IntN(len(paras))])
		b.WriteString("\n")
		if r.IntN(4) == 0 {
			b.WriteString("\n")
		}
	}
	return b.String()
}

func encodeWith(enc encoding.Encoding, s string) []byte {
	b, err := enc.NewEncoder().Bytes([]byte(s))
	if err != nil {
		panic(err)
	}
	return b
}

func header(b *bytes.Buffer, from, name, subject, id string, extra ...string) {
	fmt.Fprintf(b, "From: %s <%s>\r\nTo: support@bench.example.org\r\nSubject: %s\r\nMessage-ID: <%s>\r\nDate: %s\r\nMIME-Version: 1.0\r\n",
		mime.BEncoding.Encode("UTF-8", name), from, subject, id, time.Now().Format(time.RFC1123Z))
	for _, e := range extra {
		b.WriteString(e + "\r\n")
	}
}

func crlf(s string) string { return strings.ReplaceAll(s, "\n", "\r\n") }

func wrap76(s string) string {
	var b strings.Builder
	for len(s) > 76 {
		b.WriteString(s[:76] + "\r\n")
		s = s[76:]
	}
	return b.String() + s + "\r\n"
}

func (g *generator) japanese(size int, enc encoding.Encoding, label, cte string) []byte {
	var b bytes.Buffer
	from := g.sender("example.jp")
	id := g.id("mail.example.jp")
	subject := "寄付金の領収書の再発行について"
	encSubject := "=?" + label + "?B?" + base64.StdEncoding.EncodeToString(encodeWith(enc, subject)) + "?="
	text := "サポートデスク御中\n\n" + fill(g.r, jaParas, size/3) + "\nよろしくお願いいたします。\n佐藤 花子\n"
	attach := g.r.IntN(5) == 0
	header(&b, from, "佐藤 花子", encSubject, id)
	g.sent = append(g.sent, sentMsg{id, from, subject})
	body := encodeWith(enc, text)
	part := func() {
		fmt.Fprintf(&b, "Content-Type: text/plain; charset=%s\r\nContent-Transfer-Encoding: %s\r\n\r\n", label, cte)
		if cte == "base64" {
			b.WriteString(wrap76(base64.StdEncoding.EncodeToString(body)))
		} else {
			b.WriteString(crlf(string(body)))
		}
	}
	if !attach {
		part()
		return b.Bytes()
	}
	b.WriteString("Content-Type: multipart/mixed; boundary=\"jp-boundary\"\r\n\r\n--jp-boundary\r\n")
	part()
	pdf := make([]byte, 3000+g.r.IntN(3000))
	for i := range pdf {
		pdf[i] = byte(g.r.IntN(256))
	}
	fmt.Fprintf(&b, "\r\n--jp-boundary\r\nContent-Type: application/pdf; name=\"=?UTF-8?B?%s?=\"\r\nContent-Disposition: attachment; filename*=UTF-8''%%E6%%8C%%AF%%E8%%BE%%BC%%E6%%98%%8E%%E7%%B4%%B0.pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n",
		base64.StdEncoding.EncodeToString([]byte("振込明細.pdf")))
	b.WriteString(wrap76(base64.StdEncoding.EncodeToString(pdf)))
	b.WriteString("--jp-boundary--\r\n")
	return b.Bytes()
}

func (g *generator) chinese(size int, enc encoding.Encoding, label string, paras []string) []byte {
	var b bytes.Buffer
	from := g.sender("example.cn")
	id := g.id("mail.example.cn")
	subject, name, closing := "关于捐款收据的问题", "王伟", "\n谢谢！\n王伟\n"
	if label == "big5" {
		subject, name, closing = "關於捐款收據的問題", "王偉", "\n謝謝！\n王偉\n"
	}
	header(&b, from, name, "=?"+label+"?B?"+base64.StdEncoding.EncodeToString(encodeWith(enc, subject))+"?=", id)
	g.sent = append(g.sent, sentMsg{id, from, subject})
	text := "您好：\n\n" + fill(g.r, paras, size/3) + closing
	var qp bytes.Buffer
	w := quotedprintable.NewWriter(&qp)
	w.Write(encodeWith(enc, text))
	w.Close()
	fmt.Fprintf(&b, "Content-Type: text/plain; charset=%s\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n", label)
	b.WriteString(crlf(qp.String()))
	return b.Bytes()
}

func (g *generator) english(size int) []byte {
	var b bytes.Buffer
	from := g.sender("example.org")
	id := g.id("mail.gmail.com")
	subject := "Question about my donation receipt"
	header(&b, from, "Jane Doe", subject, id)
	g.sent = append(g.sent, sentMsg{id, from, subject})
	text := "Dear Hope Bridge team,\n\n" + fill(g.r, enParas, size/2-400) + "\nBest wishes,\nJane\n"
	var html strings.Builder
	html.WriteString(`<html><head><style>p{margin:0}</style></head><body><div dir="ltr">`)
	for _, line := range strings.Split(text, "\n") {
		fmt.Fprintf(&html, "<p>%s</p>", line)
	}
	html.WriteString(`<img src="https://tracker.example.com/open.gif?id=42" width="1" height="1"><script>alert(1)</script></div></body></html>`)
	b.WriteString("Content-Type: multipart/alternative; boundary=\"000000000000alt\"\r\n\r\n--000000000000alt\r\nContent-Type: text/plain; charset=\"UTF-8\"\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n")
	var qp bytes.Buffer
	w := quotedprintable.NewWriter(&qp)
	w.Write([]byte(text))
	w.Close()
	b.WriteString(crlf(qp.String()))
	b.WriteString("\r\n--000000000000alt\r\nContent-Type: text/html; charset=\"UTF-8\"\r\nContent-Transfer-Encoding: base64\r\n\r\n")
	b.WriteString(wrap76(base64.StdEncoding.EncodeToString([]byte(html.String()))))
	b.WriteString("--000000000000alt--\r\n")
	return b.Bytes()
}

func (g *generator) reply(size int) []byte {
	if len(g.sent) == 0 {
		return g.english(size)
	}
	orig := g.sent[g.r.IntN(len(g.sent))]
	var b bytes.Buffer
	id := g.id("mail.gmail.com")
	header(&b, orig.from, "Supporter", "Re: "+mime.BEncoding.Encode("UTF-8", orig.subject), id,
		"In-Reply-To: <"+orig.id+">", "References: <"+orig.id+">")
	text := "Thanks, one more thing.\n\n" + fill(g.r, enParas, size/3) + "\n\nOn Mon, 23 Nov 2026 at 10:00, Hope Bridge <support@bench.example.org> wrote:\n> " +
		strings.ReplaceAll(fill(g.r, enParas, size/3), "\n", "\n> ")
	b.WriteString("Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n")
	b.WriteString(crlf(text))
	return b.Bytes()
}

func (g *generator) autoReply(size int) []byte {
	var b bytes.Buffer
	id := g.id("mx.example.com")
	header(&b, g.sender("example.com"), "Auto Responder", "Out of Office: Question", id, "Auto-Submitted: auto-replied", "X-Autoreply: yes")
	b.WriteString("Content-Type: text/plain; charset=utf-8\r\n\r\n")
	b.WriteString(crlf("I am out of the office until Monday.\n\n" + fill(g.r, enParas, size-600)))
	return b.Bytes()
}
