package main

import (
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
)

var (
	gbk     = simplifiedchinese.GBK
	gb18030 = simplifiedchinese.GB18030
	big5    = traditionalchinese.Big5
)

func chineseSamples() []sample {
	var out []sample

	// Foxmail: subject and body labelled GB2312 but containing GBK-only
	// characters (镕, 玥) — decoders that honour the label garble them.
	{
		subject := "关于捐款收据的问题（王玥）"
		body := "您好！\n我是上个月通过银行转账捐款一千元的王玥，单位是朱镕基纪念小学的家长会。\n请问收据什么时候可以寄出？需要我提供身份证号码吗？\n\n谢谢！\n王玥\n"
		out = append(out, sample{name: "go-zh-foxmail-gb2312-gbk-chars", raw: msg([]string{
			"From: \"" + bword("gb2312", enc(gbk, "王玥")) + "\" <wangyue@foxmail.example.com>",
			"To: \"donate\" <donate@sunshine.example.org>",
			"Subject: " + bword("gb2312", enc(gbk, subject)),
			"Date: Mon, 15 Jan 2024 14:22:10 +0800",
			"Message-ID: <202401151422100123456@foxmail.example.com>",
			"X-Mailer: Foxmail 7.2.25.228[cn]",
			"Mime-Version: 1.0",
			"Content-Type: text/plain; charset=\"gb2312\"",
			"Content-Transfer-Encoding: base64",
		}, b64lines(enc(gbk, body))), exp: expect{
			Note:    "Foxmail: GB2312 label with GBK-only characters, encoded word inside a quoted display name",
			Subject: subject, FromAddress: "wangyue@foxmail.example.com", FromName: "王玥",
			TextContains: []string{"朱镕基纪念小学", "收据什么时候可以寄出"}, Kind: "normal", Language: "zh",
		}})
	}

	// QQ Mail reply: alternative GB18030, "原始邮件" separator with NBSP.
	{
		text := "好的，我周六上午九点到活动现场。\n\n\n------------------\u00a0原始邮件\u00a0------------------\n发件人: \"阳光公益\"<volunteer@sunshine.example.org>;\n发送时间: 2024年1月16日(星期二) 上午10:00\n收件人: \"李雷\"<12345678@qq.example.com>;\n主题: 志愿者活动确认\n\n李雷您好，请确认是否参加本周六的社区植树活动。\n"
		html := "<div>好的，我周六上午九点到活动现场。</div><div><br></div><div style=\"font-size: 12px;font-family: Arial Narrow;padding:2px 0 2px 0;\">------------------&nbsp;原始邮件&nbsp;------------------</div><div>发件人: \"阳光公益\"&lt;volunteer@sunshine.example.org&gt;;</div><div>李雷您好，请确认是否参加本周六的社区植树活动。</div>"
		out = append(out, sample{name: "go-zh-qqmail-reply", raw: msg([]string{
			"From: \"=?gb18030?B?" + b64(enc(gb18030, "李雷")) + "?=\" <12345678@qq.example.com>",
			"To: \"=?gb18030?B?" + b64(enc(gb18030, "阳光公益")) + "?=\" <volunteer@sunshine.example.org>",
			"Subject: =?gb18030?B?" + b64(enc(gb18030, "回复：志愿者活动确认")) + "?=",
			"Mime-Version: 1.0",
			"Content-Type: multipart/alternative;\n\tboundary=\"----=_NextPart_65A5F0B2_0F3E2A10_4C1B2D3E\"",
			"Content-Transfer-Encoding: 8Bit",
			"Date: Tue, 16 Jan 2024 12:34:56 +0800",
			"X-Priority: 3",
			"Message-ID: <tencent_ABCDEF0123456789@qq.example.com>",
			"X-QQ-MIME: TCMime 1.0 by Tencent",
			"X-Mailer: QQMail 2.x",
			"In-Reply-To: <desk-2001@sunshine.example.org>",
		}, "This is a multi-part message in MIME format.\n\n------=_NextPart_65A5F0B2_0F3E2A10_4C1B2D3E\nContent-Type: text/plain;\n\tcharset=\"gb18030\"\nContent-Transfer-Encoding: base64\n\n"+
			b64lines(enc(gb18030, text))+"\n\n------=_NextPart_65A5F0B2_0F3E2A10_4C1B2D3E\nContent-Type: text/html;\n\tcharset=\"gb18030\"\nContent-Transfer-Encoding: base64\n\n"+
			b64lines(enc(gb18030, html))+"\n\n------=_NextPart_65A5F0B2_0F3E2A10_4C1B2D3E--\n"), exp: expect{
			Note:    "QQ Mail reply: GB18030 alternative, NBSP-padded 原始邮件 separator and 发件人 block",
			Subject: "回复：志愿者活动确认", FromAddress: "12345678@qq.example.com", FromName: "李雷",
			VisibleContains: []string{"周六上午九点到活动现场"}, QuotedContains: []string{"社区植树活动"},
			Kind: "normal", Language: "zh", InReplyTo: "desk-2001@sunshine.example.org",
		}})
	}

	// 163.com reply: GBK quoted-printable, "在 … 写道：" attribution.
	{
		text := "您好，附件是我们公司的捐赠意向书，请查收。\n\n\n\n在 2024-01-17 09:30:00，\"阳光公益\" <info@sunshine.example.org> 写道：\n>张先生您好，\n>感谢贵公司对助学项目的支持。\n"
		out = append(out, sample{name: "go-zh-163-reply-gbk-qp", raw: msgBytes([][]byte{
			[]byte("From: \"" + bword("GBK", enc(gbk, "张伟")) + "\" <zhangwei@163.example.com>"),
			[]byte("To: info@sunshine.example.org"),
			[]byte("Subject: Re:" + bword("GBK", enc(gbk, "企业捐赠合作"))),
			[]byte("Date: Wed, 17 Jan 2024 11:02:03 +0800 (CST)"),
			[]byte("Message-ID: <3a7b2c1d.5e6f.18d1a2b3c4d.Coremail.zhangwei@163.example.com>"),
			[]byte("X-Mailer: Coremail Webmail Server Version XT5.0.13"),
			[]byte("Content-Type: multipart/mixed; boundary=\"----=_Part_123456_789012345.1705460523000\""),
			[]byte("MIME-Version: 1.0"),
		}, []byte("------=_Part_123456_789012345.1705460523000\nContent-Type: text/plain; charset=GBK\nContent-Transfer-Encoding: quoted-printable\n\n"+
			qpEncode(enc(gbk, text))+"\n------=_Part_123456_789012345.1705460523000\nContent-Type: application/vnd.openxmlformats-officedocument.wordprocessingml.document; \n\tname=\""+
			bword("GBK", enc(gbk, "捐赠意向书.docx"))+"\"\nContent-Transfer-Encoding: base64\nContent-Disposition: attachment; \n\tfilename=\""+
			bword("GBK", enc(gbk, "捐赠意向书.docx"))+"\"\n\nUEsDBBQAAAAIAA==\n------=_Part_123456_789012345.1705460523000--\n")), exp: expect{
			Note:    "163.com (Coremail): GBK quoted-printable, 在…写道： attribution, encoded-word filename",
			Subject: "Re:企业捐赠合作", FromAddress: "zhangwei@163.example.com", FromName: "张伟",
			VisibleContains: []string{"捐赠意向书，请查收"}, QuotedContains: []string{"助学项目"},
			Attachments: []string{"捐赠意向书.docx"}, Kind: "normal", Language: "zh",
		}})
	}

	// Outlook (zh-TW) Big5 with 寄件者/寄件日期 header block.
	{
		text := "您好：\n我想報名參加三月的淨灘志工活動，共兩人。\n請問需要自備手套嗎？\n\n陳小姐\n\n寄件者: 陽光公益 <info@sunshine.example.org>\n寄件日期: 2024年1月18日 上午 10:00\n收件者: 陳 <chen@example.com.tw>\n主旨: 淨灘活動報名\n\n歡迎報名！\n"
		out = append(out, sample{name: "go-zh-big5-outlook-tw", raw: msgBytes([][]byte{
			[]byte("From: =?big5?B?" + b64(enc(big5, "陳怡君")) + "?= <chen@example.com.tw>"),
			[]byte("To: info@sunshine.example.org"),
			[]byte("Subject: =?big5?B?" + b64(enc(big5, "回覆: 淨灘活動報名")) + "?="),
			[]byte("Date: Thu, 18 Jan 2024 15:00:00 +0800"),
			[]byte("Message-ID: <SEZPR06MB1234ABCD@SEZPR06MB.apcprd06.prod.outlook.com>"),
			[]byte("Content-Type: text/plain; charset=\"big5\""),
			[]byte("Content-Transfer-Encoding: 8bit"),
		}, enc(big5, text)), exp: expect{
			Note:    "Outlook zh-TW: Big5 8bit with 寄件者/寄件日期/收件者/主旨 block",
			Subject: "回覆: 淨灘活動報名", FromAddress: "chen@example.com.tw", FromName: "陳怡君",
			VisibleContains: []string{"淨灘志工活動，共兩人"}, QuotedContains: []string{"歡迎報名"}, Kind: "normal", Language: "zh",
		}})
	}

	// No charset anywhere: raw GBK subject and body.
	{
		subject := "投诉：活动现场工作人员态度很差"
		body := "上周日的义卖活动，现场工作人员对老人非常不耐烦，我很失望。\n希望你们能认真处理并给我一个答复。\n"
		out = append(out, sample{name: "go-zh-unlabelled-gbk", raw: msgBytes([][]byte{
			append(append([]byte("From: "), enc(gbk, "刘女士")...), []byte(" <liu@example.cn>")...),
			[]byte("To: info@sunshine.example.org"),
			append([]byte("Subject: "), enc(gbk, subject)...),
			[]byte("Date: Fri, 19 Jan 2024 20:00:00 +0800"),
			[]byte("Message-ID: <unlabelled-gbk@example.cn>"),
		}, enc(gbk, body)), exp: expect{
			Note:    "no MIME headers at all: raw GBK bytes in Subject, From and body (complaint)",
			Subject: subject, FromAddress: "liu@example.cn", FromName: "刘女士",
			TextContains: []string{"工作人员对老人非常不耐烦"}, Kind: "normal", Language: "zh",
		}})
	}

	// Chinese vacation reply with X-Autoreply.
	{
		body := "您好，我正在休假，1月29日返回办公室。紧急事务请联系 020-12345678。\n"
		out = append(out, sample{name: "go-zh-autoreply-xautoreply", raw: msg([]string{
			"From: =?UTF-8?B?" + b64([]byte("赵敏")) + "?= <zhaomin@partner.example.cn>",
			"To: info@sunshine.example.org",
			"Subject: =?UTF-8?B?" + b64([]byte("自动回复: 合作方案")) + "?=",
			"Date: Mon, 22 Jan 2024 09:00:00 +0800",
			"Message-ID: <autoreply-zh@partner.example.cn>",
			"X-Autoreply: yes",
			"Content-Type: text/plain; charset=UTF-8",
			"Content-Transfer-Encoding: base64",
		}, b64lines([]byte(body))), exp: expect{
			Note:    "Chinese vacation auto-reply flagged only by X-Autoreply",
			Subject: "自动回复: 合作方案", FromAddress: "zhaomin@partner.example.cn", FromName: "赵敏",
			TextContains: []string{"我正在休假"}, Kind: "autoReply", Language: "zh",
		}})
	}

	// GB18030 four-byte sequences (CJK Ext B, €) in subject and body.
	{
		subject := "月捐€30的发票抬头（𠮷野家）"
		body := "请把发票抬头写成“𠮷野家餐饮有限公司”，每月€30。\n"
		out = append(out, sample{name: "go-zh-gb18030-four-byte", raw: msg([]string{
			"From: finance@yoshino.example.cn",
			"To: donate@sunshine.example.org",
			"Subject: " + bword("GB18030", enc(gb18030, subject)),
			"Date: Tue, 23 Jan 2024 10:00:00 +0800",
			"Message-ID: <gb18030-4byte@yoshino.example.cn>",
			"Content-Type: text/plain; charset=GB18030",
			"Content-Transfer-Encoding: base64",
		}, b64lines(enc(gb18030, body))), exp: expect{
			Note:    "GB18030 four-byte sequences (𠮷, €) that GBK decoders cannot map",
			Subject: subject, FromAddress: "finance@yoshino.example.cn",
			TextContains: []string{"𠮷野家餐饮有限公司", "€30"}, Kind: "normal", Language: "zh",
		}})
	}

	// iPhone (zh): 发自我的iPhone sign-off, quoted reply.
	{
		text := "收到，谢谢你们寄来的收据！\n\n发自我的iPhone\n\n> 在 2024年1月24日，上午10:00，阳光公益 <info@sunshine.example.org> 写道：\n>\n> 您好，收据已于今日寄出。\n"
		out = append(out, sample{name: "go-zh-iphone-signoff", raw: msg([]string{
			"Content-Type: text/plain; charset=utf-8",
			"Content-Transfer-Encoding: quoted-printable",
			"From: =?utf-8?B?" + b64([]byte("周杰")) + "?= <zhoujie@icloud.example.com>",
			"Mime-Version: 1.0 (1.0)",
			"Subject: =?utf-8?B?" + b64([]byte("回复：收据已寄出")) + "?=",
			"Date: Wed, 24 Jan 2024 12:00:00 +0800",
			"Message-Id: <F00D-BEEF@icloud.example.com>",
			"To: info@sunshine.example.org",
			"X-Mailer: iPhone Mail (21C66)",
		}, qpEncode([]byte(text))), exp: expect{
			Note:    "iPhone zh: 「发自我的iPhone」 sign-off followed by a quoted reply",
			Subject: "回复：收据已寄出", FromAddress: "zhoujie@icloud.example.com", FromName: "周杰",
			VisibleContains: []string{"谢谢你们寄来的收据"}, QuotedContains: []string{"发自我的iPhone", "收据已于今日寄出"},
			Kind: "normal", Language: "zh",
		}})
	}
	return out
}
