// Package icsurl fetches an iCalendar holiday feed over HTTP(S) for
// calendar.ParseICS; it is kept apart so the calendar capability does not
// import net/http.
package icsurl

import (
	"context"
	"net/http"
	"net/url"
	"time"

	"github.com/steward-desk/steward/internal/calendar"
	"github.com/steward-desk/steward/internal/errs"
)

// Client fetches feeds; nil means a client with a 20-second timeout.
var Client *http.Client

// Fetch downloads and parses the feed at rawURL (http or https only).
func Fetch(ctx context.Context, rawURL string) ([]calendar.Holiday, error) {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, errs.Field("url", "invalid", "an http or https address is required")
	}
	c := Client
	if c == nil {
		c = &http.Client{Timeout: 20 * time.Second}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, errs.Field("url", "invalid", "%v", err)
	}
	req.Header.Set("Accept", "text/calendar")
	resp, err := c.Do(req)
	if err != nil {
		return nil, errs.Field("url", "unreachable", "could not fetch the feed: %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, errs.Field("url", "unreachable", "the feed answered %s", resp.Status)
	}
	hs, err := calendar.ParseICS(resp.Body)
	if err != nil {
		return nil, errs.Field("url", "invalid", "%v", err)
	}
	return hs, nil
}
