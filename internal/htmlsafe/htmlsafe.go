// Package htmlsafe is the one policy for HTML that came from outside (mail
// bodies, rich replies): nothing in it can run, submit, or load remote content.
// Remote images are kept only as data-blocked-src so the UI can offer to load
// them with the agent's consent; pages also send a CSP that blocks them.
package htmlsafe

import (
	"regexp"
	"sync"

	"github.com/microcosm-cc/bluemonday"
)

var (
	once   sync.Once
	policy *bluemonday.Policy
)

func build() {
	p := bluemonday.UGCPolicy()
	p.AllowAttrs("data-blocked-src").OnElements("img")
	p.AllowAttrs("style").Globally() // bluemonday filters properties; no url() survives below
	p.AllowStyles("color", "background-color", "font-weight", "font-style", "text-decoration", "text-align", "margin", "padding", "border").Globally()
	p.AllowURLSchemes("http", "https", "mailto", "cid", "tel")
	p.AllowDataURIImages()
	p.RequireNoFollowOnLinks(true)
	p.AddTargetBlankToFullyQualifiedLinks(true)
	p.RequireNoReferrerOnLinks(true)
	policy = p
}

// remoteImg turns <img src="http…"> into <img data-blocked-src="http…">
// before sanitising: a remote image is a tracking pixel until someone chooses to load it.
var remoteImg = regexp.MustCompile(`(?i)(<img\b[^>]*?\s)src(\s*=\s*["']?\s*(?:https?:)?//)`)

// Sanitize returns HTML that is safe to show in the agent UI.
func Sanitize(html string) string {
	once.Do(build)
	return policy.Sanitize(remoteImg.ReplaceAllString(html, "${1}data-blocked-src${2}"))
}
