#!/usr/bin/env python3
"""Write the Python-encoded part of the email regression corpus.

An independent encoder from the Go generator: messages are built with the
standard library's email package (legacy email.mime classes with explicit
charsets, and EmailMessage with the modern policy), so that header folding,
RFC 2047 splitting and RFC 2231 parameters come from another implementation.

    cd internal/channel/email && python3 testdata/gen/pygen.py testdata/corpus

Only the standard library is used. Output is deterministic: dates, Message-IDs
and boundaries are fixed.
"""

import email.charset
import email.message
import email.policy
import json
import os
import sys
from email.charset import BASE64, QP, Charset
from email.header import Header
from email.message import EmailMessage
from email.mime.application import MIMEApplication
from email.mime.base import MIMEBase
from email.mime.image import MIMEImage
from email.mime.message import MIMEMessage
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import formataddr

# Keep legacy Japanese charsets as they are instead of converting them to
# ISO-2022-JP, as Windows and mobile mailers do.
email.charset.add_charset("shift_jis", BASE64, BASE64, "shift_jis")
email.charset.add_charset("euc-jp", BASE64, None, "euc-jp")
email.charset.add_charset("gbk", BASE64, BASE64, "gbk")

OUT = sys.argv[1] if len(sys.argv) > 1 else "testdata/corpus"
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c63f8cfc0f00f0003010180"
    "5a8d3f5d0000000049454e44ae426082"
)
SAMPLES = []


def boundaries(msg, prefix):
    """Give every multipart a fixed boundary so output is reproducible."""
    n = 0
    for part in msg.walk():
        if part.is_multipart():
            part.set_boundary(f"==={prefix}_{n}==")
            n += 1


def add(name, msg, **exp):
    boundaries(msg, name.replace("-", "_"))
    exp.setdefault("attachments", [])
    SAMPLES.append((name, msg, exp))


def common(msg, frm, to, subject, date, mid, subject_charset=None):
    msg["From"] = frm
    msg["To"] = to
    if subject_charset:
        msg["Subject"] = Header(subject, subject_charset)
    else:
        msg["Subject"] = subject
    msg["Date"] = date
    msg["Message-ID"] = mid
    return msg


def addr(name, address, charset):
    return formataddr((str(Header(name, charset)), address))


# 1. ISO-2022-JP, as Python (and Becky!/Thunderbird) encode it.
body = "ひだまり事務局 御中\n\n来月の子ども食堂ボランティアに応募します。\n調理師の資格を持っています。土曜日の午前中なら参加できます。\n\n木村 恵\n"
m = MIMEText(body, "plain", "iso-2022-jp")
common(m, addr("木村 恵", "kimura.megumi@example.ne.jp", "iso-2022-jp"), "volunteer@hidamari.example.org",
       "子ども食堂ボランティアへの応募", "Mon, 04 Mar 2024 10:00:00 +0900", "<py-ja-1@example.ne.jp>", "iso-2022-jp")
add("py-ja-iso2022jp-volunteer", m, note="Python email: ISO-2022-JP body and B-encoded subject/From",
    subject="子ども食堂ボランティアへの応募", from_address="kimura.megumi@example.ne.jp", from_name="木村 恵",
    text_contains=["調理師の資格を持っています"], kind="normal", language="ja")

# 2. Shift_JIS body (base64) and RFC 2231 UTF-8 attachment name.
m = MIMEMultipart()
common(m, addr("株式会社さくら 経理部", "keiri@sakura.example.co.jp", "shift_jis"), "info@hidamari.example.org",
       "寄付金受領証明書の発行依頼", "Tue, 05 Mar 2024 11:00:00 +0900", "<py-ja-2@sakura.example.co.jp>", "shift_jis")
m.attach(MIMEText("いつもお世話になっております。\n弊社からの寄付金５０万円について、受領証明書の発行をお願いいたします。\n宛名は添付の書類のとおりです。\n", "plain", "shift_jis"))
att = MIMEApplication(b"%PDF-1.4\n% request form\n", "pdf")
att.add_header("Content-Disposition", "attachment", filename=("utf-8", "", "宛名記載書類.pdf"))
m.attach(att)
add("py-ja-sjis-rfc2231-attachment", m, note="Shift_JIS base64 body, Shift_JIS subject, RFC 2231 utf-8'' filename",
    subject="寄付金受領証明書の発行依頼", from_address="keiri@sakura.example.co.jp", from_name="株式会社さくら 経理部",
    text_contains=["受領証明書の発行をお願いいたします"], attachments=["宛名記載書類.pdf"], kind="normal", language="ja")

# 3. EUC-JP.
m = MIMEText("会報の送付先住所を変更したいです。\n新しい住所は札幌市中央区です。\n", "plain", "euc-jp")
common(m, "Hiroshi Sato <hsato@example.ac.jp>", "info@hidamari.example.org", "住所変更のお願い",
       "Wed, 06 Mar 2024 09:30:00 +0900", "<py-ja-3@example.ac.jp>", "euc-jp")
add("py-ja-eucjp-address-change", m, note="EUC-JP 8bit body and EUC-JP B-encoded subject",
    subject="住所変更のお願い", from_address="hsato@example.ac.jp", from_name="Hiroshi Sato",
    text_contains=["札幌市中央区"], kind="normal", language="ja")

# 4. Long Japanese subject folded into several encoded words.
subject = "【重要】２０２４年度チャリティーマラソン大会のボランティア説明会および当日スケジュールについてのご案内"
m = MIMEText("説明会は３月２３日（土）１４時からです。\n", "plain", "iso-2022-jp")
common(m, "events@hidamari.example.org", "volunteers@hidamari.example.org", subject,
       "Thu, 07 Mar 2024 18:00:00 +0900", "<py-ja-4@hidamari.example.org>", "iso-2022-jp")
add("py-ja-long-folded-subject", m, note="long ISO-2022-JP subject folded by Python into several encoded words",
    subject=subject, from_address="events@hidamari.example.org", from_name="",
    text_contains=["３月２３日（土）"], kind="normal", language="ja")

# 5. Japanese HTML-only complaint, UTF-8 base64.
m = EmailMessage(policy=email.policy.SMTP)
common(m, formataddr(("吉田 誠", "yoshida@example.jp")), "info@hidamari.example.org", "対応についての苦情",
       "Fri, 08 Mar 2024 21:00:00 +0900", "<py-ja-5@example.jp>")
m.set_content("<html><body><p>先日お電話した吉田です。</p><p>折り返しのお電話をお願いしたのに、<b>一週間たっても連絡がありません</b>。</p>"
              "<p>寄付をやめることも考えています。</p></body></html>", subtype="html", cte="base64")
add("py-ja-html-only-complaint", m, note="HTML-only UTF-8 base64 complaint; text derived from HTML",
    subject="対応についての苦情", from_address="yoshida@example.jp", from_name="吉田 誠",
    text_contains=["一週間たっても連絡がありません", "寄付をやめることも考えています"], kind="normal", language="ja")

# 6. GB2312 alternative text + HTML.
m = MIMEMultipart("alternative")
common(m, addr("孙丽", "sunli@example.com.cn", "gb2312"), "events@sunshine.example.org", "慈善晚会报名",
       "Mon, 11 Mar 2024 10:00:00 +0800", "<py-zh-1@example.com.cn>", "gb2312")
m.attach(MIMEText("您好，我和我的同事共三人想报名参加四月的慈善晚会。\n", "plain", "gb2312"))
m.attach(MIMEText("<p>您好，我和我的同事共<b>三人</b>想报名参加四月的慈善晚会。</p>", "html", "gb2312"))
add("py-zh-gb2312-alternative", m, note="GB2312 base64 alternative text/html and GB2312 subject",
    subject="慈善晚会报名", from_address="sunli@example.com.cn", from_name="孙丽",
    text_contains=["想报名参加四月的慈善晚会"], html_contains=["<b>三人</b>"], kind="normal", language="zh")

# 7. Big5.
m = MIMEText("請問捐款收據可以開立公司抬頭嗎？統一編號是12345678。\n", "plain", "big5")
common(m, addr("林志明", "lin@example.com.tw", "big5"), "donate@sunshine.example.org", "捐款收據開立",
       "Tue, 12 Mar 2024 15:00:00 +0800", "<py-zh-2@example.com.tw>", "big5")
add("py-zh-big5-receipt", m, note="Big5 body and subject (Taiwan)",
    subject="捐款收據開立", from_address="lin@example.com.tw", from_name="林志明",
    text_contains=["捐款收據可以開立公司抬頭嗎"], kind="normal", language="zh")

# 8. UTF-8 8bit Chinese volunteer/event with EmailMessage.
m = EmailMessage(policy=email.policy.SMTP)
common(m, formataddr(("黄晓明", "huang@example.cn")), "volunteer@sunshine.example.org", "周末敬老院探访活动",
       "Wed, 13 Mar 2024 08:00:00 +0800", "<py-zh-3@example.cn>")
m.set_content("你好！\n我想参加这个周末的敬老院探访活动，可以带孩子一起去吗？\n", cte="8bit")
add("py-zh-utf8-8bit-event", m, note="UTF-8 8bit body; modern policy encodes the From name",
    subject="周末敬老院探访活动", from_address="huang@example.cn", from_name="黄晓明",
    text_contains=["敬老院探访活动，可以带孩子一起去吗"], kind="normal", language="zh")

# 9. GBK with attachment whose long Chinese filename gets RFC 2231 continuations.
m = EmailMessage(policy=email.policy.SMTP)
common(m, "finance@partner.example.cn", "donate@sunshine.example.org", "年度捐赠报告",
       "Thu, 14 Mar 2024 09:00:00 +0800", "<py-zh-4@partner.example.cn>")
m.set_content("附件是我们公司二〇二三年度的捐赠明细，请核对后开具收据。\n")
long_name = "二〇二三年度阳光公益基金会捐赠明细及收据开具申请表（最终版）.xlsx"
m.add_attachment(b"PK\x03\x04xlsx", maintype="application",
                 subtype="vnd.openxmlformats-officedocument.spreadsheetml.sheet", filename=long_name)
add("py-zh-rfc2231-long-filename", m, note="long non-ASCII filename: Python folds RFC 2231 continuations",
    subject="年度捐赠报告", from_address="finance@partner.example.cn", from_name="",
    text_contains=["请核对后开具收据"], attachments=[long_name], kind="normal", language="zh")

# 10. English UTF-8 quoted-printable with emoji.
m = EmailMessage(policy=email.policy.SMTP)
common(m, formataddr(("Chloé Martin", "chloe@example.fr")), "info@hidamari.example.org",
       "Thank you 🙏 — receipt for my gift", "Fri, 15 Mar 2024 12:00:00 +0100", "<py-en-1@example.fr>")
m.set_content("Hello,\n\nCould you send the receipt for my €150 gift? Merci beaucoup 😊\n\nChloé\n", cte="quoted-printable")
add("py-en-utf8-qp-emoji", m, note="UTF-8 quoted-printable with emoji and accented From name",
    subject="Thank you 🙏 — receipt for my gift", from_address="chloe@example.fr", from_name="Chloé Martin",
    text_contains=["€150 gift? Merci beaucoup 😊"], kind="normal", language="en")

# 11. English out-of-office with Auto-Submitted.
m = MIMEText("I am away until 25 March. For donations questions please write to donate@example.org.\n", "plain", "us-ascii")
common(m, "Peter Novak <peter@foundation.example.org>", "info@hidamari.example.org", "Out of Office: Grant report",
       "Mon, 18 Mar 2024 07:00:00 +0000", "<py-en-2@foundation.example.org>")
m["Auto-Submitted"] = "auto-replied (vacation)"
m["X-Autorespond"] = "yes"
add("py-en-vacation", m, note="vacation reply: Auto-Submitted with a comment and X-Autorespond",
    subject="Out of Office: Grant report", from_address="peter@foundation.example.org", from_name="Peter Novak",
    text_contains=["away until 25 March"], kind="autoReply", language="en")

# 12. Newsletter list mail (HTML + text, List-Unsubscribe only).
m = MIMEMultipart("alternative")
common(m, "Charity Digest <news@digest.example.com>", "info@hidamari.example.org", "This week in nonprofit tech",
       "Tue, 19 Mar 2024 06:00:00 +0000", "<py-list-1@digest.example.com>")
m["List-Unsubscribe"] = "<mailto:unsubscribe@digest.example.com>, <https://digest.example.com/u/123>"
m["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
m.attach(MIMEText("Top story: volunteer scheduling tools.\n", "plain", "utf-8"))
m.attach(MIMEText('<p>Top story: <a href="https://digest.example.com/s/1">volunteer scheduling tools</a>.</p>'
                  '<img src="https://digest.example.com/pixel.gif">', "html", "utf-8"))
add("py-list-newsletter", m, note="bulk newsletter identified by List-Unsubscribe; tracking pixel blocked",
    subject="This week in nonprofit tech", from_address="news@digest.example.com", from_name="Charity Digest",
    text_contains=["volunteer scheduling tools"], html_contains=['data-blocked-src="https://digest.example.com/pixel.gif"'],
    html_not_contains=['<img src="https://'], kind="list", language="en")

# 13. Japanese ISP bounce as multipart/report.
m = MIMEMultipart("report", report_type="delivery-status")
common(m, "Mail Administrator <postmaster@mail.isp.example.ne.jp>", "info@hidamari.example.org",
       "配信不能のお知らせ (Returned mail)", "Wed, 20 Mar 2024 04:00:00 +0900", "<py-bounce-1@mail.isp.example.ne.jp>", "iso-2022-jp")
m.attach(MIMEText("以下の宛先へのメールは配信できませんでした。\n宛先: tarou@isp.example.ne.jp\n", "plain", "iso-2022-jp"))
dsn = MIMEBase("message", "delivery-status")
per_message = email.message.Message()
per_message["Reporting-MTA"] = "dns; mail.isp.example.ne.jp"
per_recipient = email.message.Message()
per_recipient["Final-Recipient"] = "rfc822; tarou@isp.example.ne.jp"
per_recipient["Action"] = "failed"
per_recipient["Status"] = "5.2.2"
dsn.set_payload([per_message, per_recipient])
m.attach(dsn)
orig = MIMEText("会報をお送りします。\n", "plain", "iso-2022-jp")
common(orig, "info@hidamari.example.org", "tarou@isp.example.ne.jp", "会報３月号", "Wed, 20 Mar 2024 03:59:00 +0900",
       "<desk-6001@hidamari.example.org>", "iso-2022-jp")
m.attach(MIMEMessage(orig))
add("py-bounce-ja-isp", m, note="Japanese ISP bounce: ISO-2022-JP report text, mailbox full 5.2.2",
    subject="配信不能のお知らせ (Returned mail)", from_address="postmaster@mail.isp.example.ne.jp", from_name="Mail Administrator",
    text_contains=["配信できませんでした"], attachments=["delivery-status.txt", "会報３月号.eml"], kind="bounce",
    bounced_message_id="desk-6001@hidamari.example.org", bounced_recipients=["tarou@isp.example.ne.jp"], language="ja")

# 14. Forwarded Chinese message as message/rfc822.
inner = MIMEText("感谢您对山区儿童助学计划的捐赠，收据将在十个工作日内寄出。\n", "plain", "gb2312")
common(inner, addr("阳光公益", "info@sunshine.example.org", "gb2312"), "wu@example.cn", "捐赠确认函",
       "Thu, 21 Mar 2024 10:00:00 +0800", "<desk-6002@sunshine.example.org>", "gb2312")
m = MIMEMultipart()
common(m, "wu@example.cn", "donate@sunshine.example.org", "转发：捐赠确认函", "Fri, 22 Mar 2024 10:00:00 +0800",
       "<py-zh-fwd@example.cn>", "utf-8")
m.attach(MIMEText("已经过了一个月，我还没收到收据，请帮忙查一下。\n", "plain", "utf-8"))
m.attach(MIMEMessage(inner))
add("py-zh-forward-rfc822", m, note="forwarded GB2312 message as message/rfc822 inside a UTF-8 message",
    subject="转发：捐赠确认函", from_address="wu@example.cn", from_name="",
    text_contains=["我还没收到收据", "Subject: 捐赠确认函", "收据将在十个工作日内寄出"], attachments=["捐赠确认函.eml"],
    kind="normal", language="zh")

# 15. multipart/related with a cid image (Thunderbird style HTML).
m = MIMEMultipart("related")
common(m, "Olivia Chen <olivia@example.org>", "events@hidamari.example.org", "Poster for the bake sale",
       "Sat, 23 Mar 2024 09:00:00 +0000", "<py-en-cid@example.org>")
alt = MIMEMultipart("alternative")
alt.attach(MIMEText("Poster attached inline.\n", "plain", "utf-8"))
alt.attach(MIMEText('<p>Poster:</p><img src="cid:poster@example.org" alt="poster">', "html", "utf-8"))
m.attach(alt)
img = MIMEImage(PNG, "png")
img.add_header("Content-ID", "<poster@example.org>")
img.add_header("Content-Disposition", "inline", filename="poster.png")
m.attach(img)
add("py-en-related-cid", m, note="related > alternative + cid image referenced from HTML",
    subject="Poster for the bake sale", from_address="olivia@example.org", from_name="Olivia Chen",
    text_contains=["Poster attached inline."], html_contains=['src="cid:poster@example.org"'],
    attachments=["poster.png"], inline=["poster.png"], kind="normal", language="en")

# 16. Thunderbird-style "On … wrote:" wrapped over two lines, Latin-1 body.
m = MIMEText("Yes, count me in for the soup kitchen shift.\n\nOn 3/24/2024 10:15 AM, Hidamari Volunteer Desk\nwrote:\n> Can you help on Sunday?\n> We need two more people.\n", "plain", "iso-8859-1")
common(m, "=?iso-8859-1?q?Ren=E9_Dubois?= <rene@example.fr>", "volunteer@hidamari.example.org",
       "Re: Sunday shift", "Sun, 24 Mar 2024 11:00:00 +0100", "<py-en-tb@example.fr>")
add("py-en-thunderbird-wrapped-attribution", m, note="attribution wrapped over two lines; Latin-1 Q-encoded From",
    subject="Re: Sunday shift", from_address="rene@example.fr", from_name="René Dubois",
    visible_contains=["count me in"], quoted_contains=["two more people"], kind="normal", language="en")

# 17. Chinese QQ-style auto-reply flagged only by subject.
m = MIMEText("这是来自QQ邮箱的假期自动回复邮件。您好，我最近正在休假中，无法亲自回复您的邮件。\n", "plain", "gb18030")
common(m, "87654321@qq.example.com", "info@sunshine.example.org", "自动回复: 活动赞助", "Mon, 25 Mar 2024 09:00:00 +0800",
       "<py-zh-auto@qq.example.com>", "gb18030")
add("py-zh-qq-autoreply-subject", m, note="QQ Mail vacation reply recognised by its 自动回复 subject",
    subject="自动回复: 活动赞助", from_address="87654321@qq.example.com", from_name="",
    text_contains=["假期自动回复"], kind="autoReply", language="zh")


# 18. 163.com "系统退信": plain-text bounce, original headers quoted in the body.
m = MIMEText("很抱歉您发送的邮件被退回，以下是该邮件的相关信息：\n被退回的邮件\n主    题: 活动通知\n收件人: nobody@163.example.com\n"
             "退信原因: 收件人邮箱不存在\n\n----- 原邮件 -----\nMessage-ID: <desk-6003@sunshine.example.org>\nSubject: 活动通知\n", "plain", "gbk")
common(m, addr("系统退信", "postmaster@163.example.com", "gbk"), "info@sunshine.example.org", "系统退信",
       "Tue, 26 Mar 2024 10:00:00 +0800", "<py-bounce-163@163.example.com>", "gbk")
add("py-bounce-163-plain-zh", m, note="163.com 系统退信: Chinese plain-text bounce from postmaster, original Message-ID in the body",
    subject="系统退信", from_address="postmaster@163.example.com", from_name="系统退信",
    text_contains=["收件人邮箱不存在"], kind="bounce", bounced_message_id="desk-6003@sunshine.example.org", language="zh")

# 19. Exchange (ja) NDR with text/rfc822-headers.
m = MIMEMultipart("report", report_type="delivery-status")
common(m, "postmaster@corp.example.co.jp", "info@hidamari.example.org", "配信不能: 理事会のご案内",
       "Wed, 27 Mar 2024 09:00:00 +0900", "<py-bounce-exja@corp.example.co.jp>", "utf-8")
m.attach(MIMEText("次の受信者またはグループへの配信に失敗しました:\nsuzuki@corp.example.co.jp\n", "plain", "utf-8"))
dsn = MIMEBase("message", "delivery-status")
per_message = email.message.Message()
per_message["Reporting-MTA"] = "dns;EXJP01.corp.example.co.jp"
per_recipient = email.message.Message()
per_recipient["Final-Recipient"] = "rfc822;suzuki@corp.example.co.jp"
per_recipient["Action"] = "failed"
per_recipient["Status"] = "5.4.1"
dsn.set_payload([per_message, per_recipient])
m.attach(dsn)
hdrs = MIMEText("From: info@hidamari.example.org\nTo: suzuki@corp.example.co.jp\nSubject: =?utf-8?b?55CG5LqL5Lya44Gu44GU5qGI5YaF?=\n"
                "Message-ID: <desk-6004@hidamari.example.org>\n", "rfc822-headers", "us-ascii")
m.attach(hdrs)
add("py-bounce-exchange-ja", m, note="Exchange ja NDR: 配信不能 subject, Status 5.4.1, text/rfc822-headers",
    subject="配信不能: 理事会のご案内", from_address="postmaster@corp.example.co.jp", from_name="",
    text_contains=["配信に失敗しました"], attachments=["delivery-status.txt", "original-headers.txt"], kind="bounce",
    bounced_message_id="desk-6004@hidamari.example.org", bounced_recipients=["suzuki@corp.example.co.jp"], language="ja")

# 20. docomo deco-mail: related(alternative(sjis text, sjis html), gif).
m = MIMEMultipart("related")
common(m, "hana-chan@docomo.example.ne.jp", "event@hidamari.example.org", "バザーの写真", "Thu, 28 Mar 2024 20:00:00 +0900",
       "<py-decomail@docomo.example.ne.jp>", "shift_jis")
alt = MIMEMultipart("alternative")
alt.attach(MIMEText("バザーお疲れさまでした！写真を送ります。\n", "plain", "shift_jis"))
alt.attach(MIMEText('<html><body><font color="#ff6699">バザーお疲れさまでした！</font><img src="cid:deco01@docomo">写真を送ります。</body></html>', "html", "shift_jis"))
m.attach(alt)
gif = MIMEImage(b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "gif")
gif.add_header("Content-ID", "<deco01@docomo>")
m.attach(gif)
add("py-ja-docomo-decomail", m, note="docomo デコメール: related/alternative in Shift_JIS with a cid decoration GIF",
    subject="バザーの写真", from_address="hana-chan@docomo.example.ne.jp", from_name="",
    text_contains=["バザーお疲れさまでした！写真を送ります。"], html_contains=['<font color="#ff6699">', 'src="cid:deco01@docomo"'],
    attachments=["attachment-1.gif"], inline=["attachment-1.gif"], kind="normal", language="ja")

# 21. Outlook Express windows-1252 smart quotes.
m = MIMEText("We\u2019re delighted to help \u2013 our \u201cWinter Coats\u201d drive collected 340 coats.\n", "plain", "windows-1252")
common(m, "Sean O'Brien <sean@example.ie>", "info@hidamari.example.org", "Winter coats \u2013 thank you", "Fri, 29 Mar 2024 09:00:00 +0000",
       "<py-cp1252@example.ie>", "windows-1252")
add("py-en-windows-1252-smart-quotes", m, note="windows-1252 smart quotes and en dash in body and subject",
    subject="Winter coats \u2013 thank you", from_address="sean@example.ie", from_name="Sean O'Brien",
    text_contains=["We\u2019re delighted", "\u201cWinter Coats\u201d"], kind="normal", language="en")


def main():
    os.makedirs(OUT, exist_ok=True)
    for name, msg, exp in SAMPLES:
        policy = msg.policy if isinstance(msg, EmailMessage) else email.policy.compat32.clone(linesep="\r\n")
        if isinstance(msg, EmailMessage):
            policy = policy.clone(linesep="\r\n")
        data = msg.as_bytes(policy=policy)
        with open(os.path.join(OUT, name + ".eml"), "wb") as f:
            f.write(data)
        with open(os.path.join(OUT, name + ".json"), "w", encoding="utf-8") as f:
            json.dump(exp, f, ensure_ascii=False, indent=2)
            f.write("\n")
    print(f"wrote {len(SAMPLES)} messages to {OUT}")


if __name__ == "__main__":
    main()
