package email

import (
	"fmt"
	"strings"
	"testing"

	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// benchMessages builds a realistic mix of 5–20 kB messages: Japanese and
// Chinese plain and HTML mail in legacy charsets, an English newsletter, a
// reply with quoted history, a message with a PDF and a bounce.
func benchMessages(tb testing.TB) [][]byte {
	jaPara := strings.Repeat("いつもお世話になっております。先月の寄付について、領収書の発行をお願いしたくご連絡いたしました。\n", 20)
	zhPara := strings.Repeat("您好，我们公司希望参加贵机构组织的社区志愿者活动，并为山区儿童助学项目捐赠一批图书。\n", 40)
	enPara := strings.Repeat("Thank you for volunteering at the food bank last weekend. We packed 1,200 meals for families in need. ", 20)
	jis := mustEncode(tb, japanese.ISO2022JP, jaPara)
	sjis := mustEncode(tb, japanese.ShiftJIS, jaPara)
	gb := mustEncode(tb, simplifiedchinese.GBK, zhPara)
	html := "<html><body>" + strings.Repeat(`<p style="color:#333">`+enPara+`</p><img src="https://cdn.example.org/img.png">`, 4) + "</body></html>"
	pdf := strings.Repeat("%PDF-1.4 receipt data ", 500)

	msgs := []string{
		"From: =?ISO-2022-JP?B?" + b64(mustEncode(tb, japanese.ISO2022JP, "山田")) + "?= <yamada@example.jp>\nTo: info@example.org\nSubject: =?ISO-2022-JP?B?" +
			b64(mustEncode(tb, japanese.ISO2022JP, "領収書について")) + "?=\nDate: Mon, 15 Jan 2024 10:00:00 +0900\nMessage-ID: <b1@example.jp>\nContent-Type: text/plain; charset=ISO-2022-JP\n\n" +
			string(jis) + string(jis) + string(jis),
		"From: zhang@example.cn\nTo: info@example.org\nSubject: =?GB2312?B?" + b64(mustEncode(tb, simplifiedchinese.GBK, "志愿者活动")) +
			"?=\nMessage-ID: <b2@example.cn>\nContent-Type: multipart/alternative; boundary=zz\n\n--zz\nContent-Type: text/plain; charset=gb2312\nContent-Transfer-Encoding: base64\n\n" +
			b64(gb) + "\n--zz\nContent-Type: text/html; charset=gb2312\nContent-Transfer-Encoding: base64\n\n" + b64(append(append([]byte("<div>"), gb...), "</div>"...)) + "\n--zz--\n",
		"From: News <news@example.com>\nTo: info@example.org\nSubject: Newsletter\nList-Id: <news.example.com>\nMessage-ID: <b3@example.com>\nContent-Type: multipart/alternative; boundary=nn\n\n--nn\nContent-Type: text/plain\n\n" +
			enPara + "\n--nn\nContent-Type: text/html; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n" + strings.ReplaceAll(html, "=", "=3D") + "\n--nn--\n",
		"From: donor@example.com\nTo: info@example.org\nSubject: My receipt\nMessage-ID: <b4@example.com>\nContent-Type: multipart/mixed; boundary=mm\n\n--mm\nContent-Type: text/plain\n\n" +
			enPara[:2000] + "\n--mm\nContent-Type: application/pdf; name=receipt.pdf\nContent-Transfer-Encoding: base64\nContent-Disposition: attachment; filename=receipt.pdf\n\n" +
			b64([]byte(pdf)) + "\n--mm--\n",
		"From: suzuki@example.jp\nTo: info@example.org\nSubject: =?Shift_JIS?B?" + b64(mustEncode(tb, japanese.ShiftJIS, "Re: 説明会")) +
			"?=\nMessage-ID: <b5@example.jp>\nIn-Reply-To: <d1@example.org>\nContent-Type: text/plain; charset=Shift_JIS\nContent-Transfer-Encoding: 8bit\n\n" +
			string(sjis) + "\n\n" + string(mustEncode(tb, japanese.ShiftJIS, "2024年1月15日(月) 10:00 ひだまり <info@example.org>:")) + "\n> " + strings.ReplaceAll(string(sjis)+string(sjis), "\n", "\n> "),
		"From: MAILER-DAEMON@example.org\nTo: info@example.org\nSubject: Undelivered Mail Returned to Sender\nMessage-ID: <b6@example.org>\nContent-Type: multipart/report; report-type=delivery-status; boundary=rr\n\n--rr\nContent-Type: text/plain\n\n" +
			enPara[:1500] + "\n--rr\nContent-Type: message/delivery-status\n\nFinal-Recipient: rfc822; gone@example.net\nAction: failed\nStatus: 5.1.1\n\n--rr\nContent-Type: message/rfc822\n\nFrom: info@example.org\nMessage-ID: <orig@example.org>\nSubject: hi\n\n" +
			enPara + "\n" + enPara + "\n--rr--\n",
	}
	var out [][]byte
	for _, s := range msgs {
		b := crlf(s)
		if len(b) < 5000 || len(b) > 20500 {
			tb.Fatalf("benchmark message is %d bytes, want 5–20 kB:\n%.200s", len(b), s)
		}
		out = append(out, b)
	}
	return out
}

// BenchmarkParse reports per-message throughput; run with -cpu 1 for the
// per-core figure:
//
//	go test -run '^$' -bench BenchmarkParse -benchmem -cpu 1 ./internal/channel/email
func BenchmarkParse(b *testing.B) {
	msgs := benchMessages(b)
	total := 0
	for _, m := range msgs {
		total += len(m)
	}
	b.SetBytes(int64(total / len(msgs)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := Parse(msgs[i%len(msgs)], ParseOptions{MaxAttachmentBytes: 25 << 20}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}

// BenchmarkParseEach breaks the mix down by message shape.
func BenchmarkParseEach(b *testing.B) {
	names := []string{"ja-iso2022jp", "zh-gb2312-alt", "en-newsletter-html", "en-pdf", "ja-sjis-reply", "bounce"}
	for i, m := range benchMessages(b) {
		b.Run(fmt.Sprintf("%s-%dkB", names[i], len(m)/1000), func(b *testing.B) {
			b.SetBytes(int64(len(m)))
			for j := 0; j < b.N; j++ {
				if _, err := Parse(m, ParseOptions{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
