package email

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// SplitQuoted separates what the sender wrote from the quoted history and
// signature that follow it, so that a conversation view can fold them.
//
// The cut is made at the first of:
//   - an attribution line: "On … wrote:", "… さんは書きました:", Gmail's
//     "2024年1月15日(月) 10:00 山田 <a@b>:", Apple Mail's "…のメール:",
//     "在 … 写道：";
//   - a separator: "-----Original Message-----", "-----元のメッセージ-----",
//     QQ Mail's "------------------ 原始邮件 ------------------", Outlook's
//     line of underscores before a header block;
//   - a quoted header block: "From:/差出人:/发件人:" followed within a few
//     lines by "Sent:/Date:/送信日時:/发送时间:" or "To:/宛先:/收件人:";
//   - a signature delimiter "-- " or a mobile sign-off ("Sent from my
//     iPhone", 「iPhoneから送信」, 「发自我的iPhone」);
//   - the trailing run of ">" lines (quotes interleaved with answers stay
//     visible).
//
// Forwarded-message markers are not cut: forwarded content is what the
// sender wants read. When nothing would remain visible, the whole text is
// returned as visible.
func SplitQuoted(text string) (visible, quoted string) {
	text = normalizeNewlines(text)
	lines := strings.Split(text, "\n")
	cut := len(lines)
	for i := range lines {
		if reForward.MatchString(strings.TrimSpace(lines[i])) {
			break // forwarded content is meant to be read
		}
		if startsQuote(lines, i) {
			cut = i
			break
		}
	}
	j := cut
	hasQuote := false
	for j > 0 {
		t := strings.TrimSpace(lines[j-1])
		if strings.HasPrefix(t, ">") || strings.HasPrefix(t, "＞") {
			hasQuote = true
		} else if t != "" {
			break
		}
		j--
	}
	if hasQuote {
		cut = j
	}
	visible = strings.TrimSpace(strings.Join(lines[:cut], "\n"))
	quoted = strings.TrimSpace(strings.Join(lines[cut:], "\n"))
	if visible == "" {
		return strings.TrimSpace(text), ""
	}
	return visible, quoted
}

var (
	reSeparator = regexp.MustCompile(`(?i)^[-_=\s]*-{2,}\s*(original message|original|元のメッセージ|オリジナルメッセージ|` +
		`原始邮件|原始郵件|原始信件|原邮件|ursprüngliche nachricht|message d'origine|mensaje original|返信元メッセージ)\s*-{2,}[-\s]*$`)
	reWroteStart = regexp.MustCompile(`(?i)^((on|le|am|el|il)\s|在|於|于)`)
	reJaGmail    = regexp.MustCompile(`^\d{4}[年/\-.]\s?\d{1,2}[月/\-.]\s?\d{1,2}日?.{0,120}(<[^>]+@[^>]+>|@\S+)\s*[:：]\s*$`)
	reHeaderFrom = regexp.MustCompile(`(?i)^\*?\s*(from|差出人|送信者|发件人|發件人|寄件者|von|de)\s*\*?\s*[:：]`)
	reHeaderDate = regexp.MustCompile(`(?i)^\*?\s*(sent|date|送信日時|送信日|日時|日付|发送时间|發送時間|寄件日期|时间|時間|日期|gesendet|envoyé|enviado)\s*\*?\s*[:：]`)
	reHeaderTo   = regexp.MustCompile(`(?i)^\*?\s*(to|宛先|收件人|收件者|an|à|para|subject|件名|主题|主旨|主題|betreff|objet|asunto)\s*\*?\s*[:：]`)
	reMobile     = regexp.MustCompile(`(?i)^(sent from my |sent from outlook|get outlook for|sent from yahoo mail|sent from mail for windows|` +
		`sent via |iphoneから送信|ipadから送信|android\s?から送信|my iphoneから送信|发自我的|發自我的|来自我的|從我的\s?(iphone|ipad|android).{0,4}傳送|从我的\s?(iphone|ipad|android).{0,4}发送)`)
	reUnderscores = regexp.MustCompile(`^_{10,}\s*$`)
	reForward     = regexp.MustCompile(`(?i)^[-\s]*(forwarded message|begin forwarded message|転送されたメッセージ|転送メッセージ|` +
		`转发的邮件|轉寄的郵件|原始转发邮件|weitergeleitete nachricht|message transféré)`)
)

// startsQuote reports whether lines[i] begins quoted history or a
// signature.
func startsQuote(lines []string, i int) bool {
	t := strings.TrimSpace(lines[i])
	if t == "" || len(t) > 400 {
		return false // markers are short lines; skip paragraphs cheaply
	}
	if strings.Contains(t, "\u00a0") {
		t = strings.TrimSpace(strings.ReplaceAll(t, "\u00a0", " "))
	}
	if lines[i] == "-- " || lines[i] == "--" || t == "--" {
		return true
	}
	r0, _ := utf8.DecodeRuneInString(t)
	switch r0 {
	case '-', '_', '=':
		if reSeparator.MatchString(t) {
			return true
		}
		if r0 == '_' && reUnderscores.MatchString(t) {
			for k := i + 1; k < len(lines) && k <= i+2; k++ {
				if reHeaderFrom.MatchString(strings.TrimSpace(lines[k])) {
					return true
				}
			}
		}
		return false
	}
	if strings.ContainsRune(mobileFirst, unicode.ToLower(r0)) && reMobile.MatchString(t) {
		return true
	}
	head := t[:min(len(t), 48)]
	if (strings.IndexByte(head, ':') > 0 || strings.Contains(head, "：")) && reHeaderFrom.MatchString(t) && headerBlockFollows(lines, i) {
		return true
	}
	if !strings.HasSuffix(t, ":") && !strings.HasSuffix(t, "：") && !strings.ContainsRune(wroteFirst, unicode.ToLower(r0)) {
		return false // attributions end with a colon, or start a wrapped one
	}
	if r0 >= '0' && r0 <= '9' && reJaGmail.MatchString(t) {
		return true
	}
	// Attribution, possibly wrapped over up to three lines.
	startsWrote := strings.ContainsRune(wroteFirst, unicode.ToLower(r0)) && reWroteStart.MatchString(t)
	if endsWithWrote(t) && (startsWrote || strings.ContainsAny(t, "@<") || strings.Contains(t, "さん")) {
		return true
	}
	if startsWrote && len(t) < 300 {
		joined := t
		for k := i + 1; k < len(lines) && k <= i+2; k++ {
			joined += " " + strings.TrimSpace(lines[k])
			if endsWithWrote(joined) {
				return true
			}
		}
	}
	return false
}

// First letters of mobile sign-offs and attribution openers, to skip the
// regular expressions on most lines.
const (
	mobileFirst = "sgiam发發来從从"
	wroteFirst  = "oleai在於于"
)

// wroteSuffixes end attribution lines ("… wrote:", "…さんは書きました:",
// "…のメール:", "… 写道：").
var wroteSuffixes = []string{"wrote", "writes", "a écrit", "schrieb", "escribió", "scrisse", "書きました", "書き込みました",
	"のメール", "のメッセージ", "写道", "寫道", "寫了", "写了"}

// endsWithWrote reports whether t ends with an attribution verb and a
// colon. It is a plain suffix test: a regular expression here
// would be tried at every position of every line.
func endsWithWrote(t string) bool {
	t = strings.TrimRight(t, " \t")
	switch {
	case strings.HasSuffix(t, ":"):
		t = t[:len(t)-1]
	case strings.HasSuffix(t, "："):
		t = t[:len(t)-len("：")]
	default:
		return false
	}
	t = strings.TrimRight(t, " \t")
	for _, w := range wroteSuffixes {
		if len(t) >= len(w) && strings.EqualFold(t[len(t)-len(w):], w) {
			return true
		}
	}
	return false
}

// headerBlockFollows reports whether a quoted header block ("From:" then
// "Sent:"/"Date:" or "To:"/"Subject:") starts at lines[i].
func headerBlockFollows(lines []string, i int) bool {
	date, to := false, false
	for k := i + 1; k < len(lines) && k <= i+5; k++ {
		t := strings.TrimSpace(lines[k])
		if reHeaderDate.MatchString(t) {
			date = true
		}
		if reHeaderTo.MatchString(t) {
			to = true
		}
	}
	return date && to || date && i+1 < len(lines) && reHeaderDate.MatchString(strings.TrimSpace(lines[i+1]))
}
