package outbox

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/steward-desk/steward/internal/db"
	"github.com/steward-desk/steward/internal/intake"
	"github.com/steward-desk/steward/internal/org"
	"github.com/steward-desk/steward/internal/ticket"
)

// AckLimit is how many acknowledgements one address may receive per AckWindow;
// past it Steward stays silent, which breaks loops with other robots.
const (
	AckLimit  = 3
	AckWindow = time.Hour
)

// robotLocalParts never get acknowledgements.
var robotLocalParts = []string{"mailer-daemon", "postmaster", "noreply", "no-reply", "donotreply", "do-not-reply", "bounce", "bounces"}

// AckFollowup is an intake.Followup: a new ticket from a person gets an
// immediate acknowledgement in their language, with the ticket number, when to
// expect a human answer, and what the desk can help with. Machine mail,
// lists, Steward's own addresses and over-eager senders get nothing.
func (o *Outbox) AckFollowup(ctx context.Context, tx *sql.Tx, in *intake.Inbound, res intake.Result, t ticket.Ticket) error {
	if !res.NewTicket || in.Automated != "" || in.From.Email == "" {
		return nil
	}
	local, _, _ := strings.Cut(in.From.Email, "@")
	for _, r := range robotLocalParts {
		if local == r || strings.HasPrefix(local, r+"+") {
			return nil
		}
	}
	var own int
	if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM mailboxes WHERE address = $1", in.From.Email).Scan(&own); err != nil || own > 0 {
		return err
	}
	var recent int
	if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM outbox WHERE to_addr = $1 AND kind = $2 AND created_at > $3",
		in.From.Email, KindAck, db.Now()-AckWindow.Milliseconds()).Scan(&recent); err != nil {
		return err
	}
	if recent >= AckLimit {
		return nil
	}
	settings := orgSettings(ctx, tx)
	lang := t.Language
	if lang == "" {
		lang = settings.DefaultLanguage
	}
	r := row{TicketID: t.ID, Kind: KindAck, To: Address{in.From.Name, in.From.Email}, Language: lang,
		Subject: AckSubject(lang, t.Subject, t.Number), InReplyTo: in.MessageID}
	if in.MessageID != "" {
		r.Refs = append(append([]string{}, in.References...), in.MessageID)
	}
	if in.MailboxID != 0 {
		r.MailboxID = &in.MailboxID
	}
	r.Text = AckText(lang, in.From.Name, t.Number, settings)
	_, err := o.insert(ctx, tx, r)
	return err
}

// AckSubject is the acknowledgement's subject line.
func AckSubject(lang, subject string, number int64) string {
	prefix := map[string]string{"ja": "受付のお知らせ", "zh": "已收到您的来信"}[lang]
	if prefix == "" {
		prefix = "We received your message"
	}
	return fmt.Sprintf("%s: %s [#%d]", prefix, subject, number)
}

// Salutation addresses a supporter the way their language expects.
func Salutation(lang, name string) string {
	name = strings.TrimSpace(name)
	switch lang {
	case "ja":
		if name == "" {
			return "お問い合わせいただいた皆様"
		}
		return name + " 様"
	case "zh":
		if name == "" {
			return "您好："
		}
		return name + "，您好："
	}
	if name == "" {
		return "Hello,"
	}
	return "Dear " + name + ","
}

// promise formats the first-reply promise ("24 hours", "24時間以内", "24小时内").
func promise(lang string, d time.Duration) string {
	hours := int(d.Hours())
	days := hours / 24
	switch lang {
	case "ja":
		if hours%24 == 0 && days > 1 {
			return fmt.Sprintf("%d日以内", days)
		}
		if hours == 0 {
			return fmt.Sprintf("%d分以内", int(d.Minutes()))
		}
		return fmt.Sprintf("%d時間以内", hours)
	case "zh":
		if hours%24 == 0 && days > 1 {
			return fmt.Sprintf("%d天内", days)
		}
		if hours == 0 {
			return fmt.Sprintf("%d分钟内", int(d.Minutes()))
		}
		return fmt.Sprintf("%d小时内", hours)
	}
	if hours%24 == 0 && days > 1 {
		return fmt.Sprintf("within %d days", days)
	}
	if hours == 0 {
		return fmt.Sprintf("within %d minutes", int(d.Minutes()))
	}
	if hours == 1 {
		return "within an hour"
	}
	return fmt.Sprintf("within %d hours", hours)
}

// AckText renders the acknowledgement body.
func AckText(lang, name string, number int64, s org.Settings) string {
	var b strings.Builder
	b.WriteString(Salutation(lang, name) + "\n\n")
	p := promise(lang, s.FirstReply())
	switch lang {
	case "ja":
		fmt.Fprintf(&b, "%sへのお問い合わせをお受けしました。受付番号は #%d です。\n担当者より%sにご連絡いたします。このメールにご返信いただくと、同じお問い合わせに追記されます。\n", s.Name, number, p)
	case "zh":
		fmt.Fprintf(&b, "我们已收到您发给%s的来信，受理编号为 #%d。\n工作人员将在%s回复您。直接回复本邮件即可补充同一问题的信息。\n", s.Name, number, p)
	default:
		fmt.Fprintf(&b, "Thank you for writing to %s. We have received your message; its reference is #%d.\nA member of our team will answer you %s. Reply to this email to add to the same request.\n", s.Name, number, p)
	}
	if scope := strings.TrimSpace(s.ServiceScope); scope != "" {
		b.WriteString("\n" + scope + "\n")
	}
	b.WriteString("\n— " + s.Name)
	return b.String()
}

// RejectedFilesFollowup is an intake.Followup: a person whose attachments
// were refused as too large is told so at once, in their language, so they
// can send them another way. Machine mail and over-eager senders get nothing.
func (o *Outbox) RejectedFilesFollowup(ctx context.Context, tx *sql.Tx, in *intake.Inbound, res intake.Result, t ticket.Ticket) error {
	if len(in.RejectedFiles) == 0 || in.Automated != "" || in.From.Email == "" {
		return nil
	}
	var recent int
	if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM outbox WHERE to_addr = $1 AND kind = $2 AND created_at > $3",
		in.From.Email, KindNotice, db.Now()-AckWindow.Milliseconds()).Scan(&recent); err != nil || recent >= AckLimit {
		return err
	}
	settings := orgSettings(ctx, tx)
	lang := t.Language
	if lang == "" {
		lang = settings.DefaultLanguage
	}
	list := "- " + strings.Join(in.RejectedFiles, "\n- ")
	var subject, body string
	switch lang {
	case "ja":
		subject = fmt.Sprintf("添付ファイルを受け取れませんでした [#%d]", t.Number)
		body = "以下の添付ファイルはサイズの上限を超えていたため受け取れませんでした。メッセージ本文は受け付けております。\n\n" + list +
			"\n\nお手数ですが、小さく分けてお送りいただくか、共有リンクでお知らせください。"
	case "zh":
		subject = fmt.Sprintf("附件未能接收 [#%d]", t.Number)
		body = "以下附件超过大小限制，未能接收。您的邮件正文我们已收到。\n\n" + list + "\n\n请分开发送较小的文件，或告知我们共享链接。"
	default:
		subject = fmt.Sprintf("We could not accept your attachments [#%d]", t.Number)
		body = "These attachments were larger than we can accept, so they were not received. Your message itself has arrived.\n\n" + list +
			"\n\nPlease send them in smaller parts, or share a link to them."
	}
	r := row{TicketID: t.ID, Kind: KindNotice, To: Address{in.From.Name, in.From.Email}, Language: lang, Subject: subject,
		Text: Salutation(lang, in.From.Name) + "\n\n" + body + "\n\n— " + settings.Name, InReplyTo: in.MessageID}
	if in.MessageID != "" {
		r.Refs = append(append([]string{}, in.References...), in.MessageID)
	}
	if in.MailboxID != 0 {
		r.MailboxID = &in.MailboxID
	}
	_, err := o.insert(ctx, tx, r)
	return err
}
