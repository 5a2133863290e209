// Package org holds the organisation's settings: name, time zone, languages
// and the promise of a first reply.
package org

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/steward-desk/steward/internal/db"
	"github.com/steward-desk/steward/internal/errs"
)

// Languages Steward speaks.
var Languages = []string{"en", "ja", "zh"}

// Settings of the organisation.
type Settings struct {
	Name              string   `json:"name"`
	TimeZone          string   `json:"time_zone"`
	Languages         []string `json:"languages"`
	DefaultLanguage   string   `json:"default_language"`
	FirstReplyMinutes int      `json:"first_reply_minutes"`
	// ServiceScope is the short statement of what the desk can and cannot help
	// with, quoted in acknowledgements.
	ServiceScope string `json:"service_scope"`
}

// Location is the organisation's time zone (UTC if it does not load).
func (s Settings) Location() *time.Location {
	if loc, err := time.LoadLocation(s.TimeZone); err == nil {
		return loc
	}
	return time.UTC
}

// FirstReply is the promised first-reply time.
func (s Settings) FirstReply() time.Duration { return time.Duration(s.FirstReplyMinutes) * time.Minute }

// Get reads the settings.
func Get(ctx context.Context, q db.Querier) (Settings, error) {
	var s Settings
	var langs string
	err := q.QueryRowContext(ctx, `SELECT name, time_zone, languages, default_language, first_reply_minutes, service_scope
		FROM organisation WHERE id = 1`).Scan(&s.Name, &s.TimeZone, &langs, &s.DefaultLanguage, &s.FirstReplyMinutes, &s.ServiceScope)
	if err != nil {
		return s, fmt.Errorf("org: get settings: %w", err)
	}
	s.Languages = strings.Split(langs, ",")
	return s, nil
}

// Validate checks settings before they are saved.
func (s Settings) Validate() error {
	if strings.TrimSpace(s.Name) == "" {
		return errs.Field("name", "required", "the organisation needs a name")
	}
	if len([]rune(s.Name)) > 200 {
		return errs.Field("name", "too_long", "at most 200 characters")
	}
	if _, err := time.LoadLocation(s.TimeZone); err != nil || s.TimeZone == "" {
		return errs.Field("time_zone", "invalid", "unknown time zone %q", s.TimeZone)
	}
	if len(s.Languages) == 0 {
		return errs.Field("languages", "required", "at least one language")
	}
	for _, l := range s.Languages {
		if !Supported(l) {
			return errs.Field("languages", "invalid", "unsupported language %q", l)
		}
	}
	if !Supported(s.DefaultLanguage) {
		return errs.Field("default_language", "invalid", "unsupported language %q", s.DefaultLanguage)
	}
	if !slices.Contains(s.Languages, s.DefaultLanguage) {
		return errs.Field("default_language", "invalid", "the default language must be one of the organisation's languages")
	}
	if s.FirstReplyMinutes < 1 || s.FirstReplyMinutes > 60*24*30 {
		return errs.Field("first_reply_minutes", "invalid", "between 1 minute and 30 days")
	}
	if len([]rune(s.ServiceScope)) > 2000 {
		return errs.Field("service_scope", "too_long", "at most 2000 characters")
	}
	return nil
}

// Supported reports whether lang is one of Steward's languages.
func Supported(lang string) bool {
	for _, l := range Languages {
		if l == lang {
			return true
		}
	}
	return false
}

// Update validates and saves settings with q.
func Update(ctx context.Context, q db.Querier, s Settings) error {
	if err := s.Validate(); err != nil {
		return err
	}
	_, err := q.ExecContext(ctx, `UPDATE organisation SET name = $1, time_zone = $2, languages = $3, default_language = $4,
		first_reply_minutes = $5, service_scope = $6, updated_at = $7 WHERE id = 1`,
		s.Name, s.TimeZone, strings.Join(s.Languages, ","), s.DefaultLanguage, s.FirstReplyMinutes, s.ServiceScope, db.Now())
	return err
}
