package sla

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/steward-desk/steward/internal/db"
	"github.com/steward-desk/steward/internal/errs"
	"github.com/steward-desk/steward/internal/outbox"
)

// Supporter-facing texts of pending investigation that admins may edit per
// language. A text is plain text with placeholders in braces:
// {salutation} ("佐藤 花子 様", "王芳，您好：", "Dear Jane,"), {date} (the
// promised date in the supporter's language), {number} (the ticket
// number) and {organisation} (the organisation's name).
const (
	TemplateHolding = "holding_reply"
	TemplateSlip    = "slip_notice"
)

// TemplateNames lists the editable texts; TemplateLanguages the languages
// each exists in (other ticket languages get English).
var (
	TemplateNames     = []string{TemplateHolding, TemplateSlip}
	TemplateLanguages = []string{"en", "ja", "zh"}
	placeholders      = []string{"salutation", "date", "number", "organisation"}
	placeholderRE     = regexp.MustCompile(`\{([a-z_]+)\}`)
)

// MaxTemplateLength bounds an edited text, in characters.
const MaxTemplateLength = 4000

var defaultTemplates = map[string]map[string]string{
	TemplateHolding: {
		"en": "{salutation}\n\nThank you for your patience. So that we can give you an accurate answer, we are looking into your question with the right team.\nWe will write to you again by {date}.\n\n— {organisation}",
		"ja": "{salutation}\n\nお問い合わせいただいた件について、正確にお答えするため担当部署で確認しております。\n{date}までに改めてご連絡いたします。お待たせして申し訳ございません。\n\n— {organisation}",
		"zh": "{salutation}\n\n关于您咨询的问题，为了给您准确的答复，我们正在与相关部门核实。\n我们将在{date}前再次与您联系。感谢您的耐心等待。\n\n— {organisation}",
	},
	TemplateSlip: {
		"en": "{salutation}\n\nWe promised to write to you by {date} about your enquiry (#{number}), and we have not finished looking into it yet. We are sorry for the delay.\nYour enquiry is still open with our team, and we will write to you as soon as we have an answer we can stand behind.\n\n— {organisation}",
		"ja": "{salutation}\n\nお問い合わせ（#{number}）について{date}までにご連絡するとお約束しておりましたが、確認がまだ終わっておらず、期日までにお返事できませんでした。お待たせしてしまい申し訳ございません。\n引き続き担当者が確認しており、確かなお答えができ次第、改めてご連絡いたします。\n\n— {organisation}",
		"zh": "{salutation}\n\n我们曾承诺在{date}前就您的咨询（#{number}）给您答复，但核实工作尚未完成，未能按时回复，非常抱歉。\n您的问题仍在处理中，我们一有确切的答复就会立即与您联系。\n\n— {organisation}",
	},
}

// TemplateLanguage is the template language for a ticket language: ja, zh
// (any Chinese), else en.
func TemplateLanguage(lang string) string {
	switch {
	case lang == "ja" || strings.HasPrefix(lang, "ja-"):
		return "ja"
	case lang == "zh" || strings.HasPrefix(lang, "zh-"):
		return "zh"
	}
	return "en"
}

// DefaultTemplate is the built-in text.
func DefaultTemplate(name, lang string) string { return defaultTemplates[name][TemplateLanguage(lang)] }

// Template is one editable text.
type Template struct {
	Name     string `json:"name"`
	Language string `json:"language"`
	Body     string `json:"body"`
	// Custom says an admin changed it from the default.
	Custom bool `json:"custom"`
}

// GetTemplate returns the text in force for a name and ticket language.
func GetTemplate(ctx context.Context, q db.Querier, name, lang string) (string, error) {
	lang = TemplateLanguage(lang)
	var body string
	err := q.QueryRowContext(ctx, "SELECT body FROM message_templates WHERE name = $1 AND language = $2", name, lang).Scan(&body)
	if errors.Is(err, sql.ErrNoRows) {
		return DefaultTemplate(name, lang), nil
	}
	if err != nil {
		return "", fmt.Errorf("sla: template %s/%s: %w", name, lang, err)
	}
	return body, nil
}

// Templates lists every editable text in every language, edited or default.
func Templates(ctx context.Context, q db.Querier) ([]Template, error) {
	rows, err := q.QueryContext(ctx, "SELECT name, language, body FROM message_templates")
	if err != nil {
		return nil, fmt.Errorf("sla: templates: %w", err)
	}
	defer rows.Close()
	custom := map[string]string{}
	for rows.Next() {
		var n, l, b string
		if err := rows.Scan(&n, &l, &b); err != nil {
			return nil, err
		}
		custom[n+"/"+l] = b
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var out []Template
	for _, n := range TemplateNames {
		for _, l := range TemplateLanguages {
			t := Template{Name: n, Language: l, Body: DefaultTemplate(n, l)}
			if b, ok := custom[n+"/"+l]; ok {
				t.Body, t.Custom = b, true
			}
			out = append(out, t)
		}
	}
	return out, nil
}

// ValidateTemplate checks an edited text: known name and language, not
// empty, not too long, only known placeholders.
func ValidateTemplate(name, lang, body string) error {
	if !slices.Contains(TemplateNames, name) {
		return errs.Field("name", "invalid", "%q is not one of %s", name, strings.Join(TemplateNames, ", "))
	}
	if !slices.Contains(TemplateLanguages, lang) {
		return errs.Field("language", "invalid", "%q is not one of %s", lang, strings.Join(TemplateLanguages, ", "))
	}
	if strings.TrimSpace(body) == "" {
		return errs.Field("body", "required", "the text cannot be empty")
	}
	if len([]rune(body)) > MaxTemplateLength {
		return errs.Field("body", "too_long", "at most %d characters", MaxTemplateLength)
	}
	for _, m := range placeholderRE.FindAllStringSubmatch(body, -1) {
		if !slices.Contains(placeholders, m[1]) {
			return errs.Field("body", "placeholder", "unknown placeholder {%s}; use {salutation}, {date}, {number} or {organisation}", m[1])
		}
	}
	return nil
}

// SaveTemplate stores an edited text; an empty body (or the default text
// itself) goes back to the default.
func SaveTemplate(ctx context.Context, q db.Querier, name, lang, body string, by int64) error {
	body = strings.ReplaceAll(strings.TrimSpace(body), "\r\n", "\n")
	if slices.Contains(TemplateNames, name) && slices.Contains(TemplateLanguages, lang) && (body == "" || body == DefaultTemplate(name, lang)) {
		_, err := q.ExecContext(ctx, "DELETE FROM message_templates WHERE name = $1 AND language = $2", name, lang)
		return err
	}
	if err := ValidateTemplate(name, lang, body); err != nil {
		return err
	}
	var author any
	if by != 0 {
		author = by
	}
	_, err := q.ExecContext(ctx, `INSERT INTO message_templates (name, language, body, updated_at, updated_by) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (name, language) DO UPDATE SET body = EXCLUDED.body, updated_at = EXCLUDED.updated_at, updated_by = EXCLUDED.updated_by`,
		name, lang, body, db.Now(), author)
	return err
}

// TemplateVars are what a text's placeholders stand for.
type TemplateVars struct {
	Name         string // the supporter's name, for the salutation
	Due          time.Time
	Number       int64
	Organisation string
}

// RenderTemplate fills a text's placeholders for a supporter writing in lang.
func RenderTemplate(body, lang string, v TemplateVars) string {
	lang = TemplateLanguage(lang)
	return placeholderRE.ReplaceAllStringFunc(body, func(m string) string {
		switch m[1 : len(m)-1] {
		case "salutation":
			return outbox.Salutation(lang, v.Name)
		case "date":
			return formatDate(lang, v.Due)
		case "number":
			return fmt.Sprint(v.Number)
		case "organisation":
			return v.Organisation
		}
		return m
	})
}

// formatDate writes a promised date the way the supporter's language does.
func formatDate(lang string, t time.Time) string {
	switch lang {
	case "ja", "zh":
		return fmt.Sprintf("%d年%d月%d日", t.Year(), t.Month(), t.Day())
	}
	return t.Format("Monday 2 January 2006")
}
