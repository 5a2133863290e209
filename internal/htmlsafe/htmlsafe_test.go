package htmlsafe

import (
	"strings"
	"testing"
)

func TestSanitize(t *testing.T) {
	for _, tc := range []struct {
		in      string
		keep    []string
		dropped []string
	}{
		{`<p>寄付の<b>領収書</b></p><script>alert(1)</script>`, []string{"<b>領収書</b>"}, []string{"<script", "alert"}},
		{`<img src="https://tracker.example/p.gif" onerror="x()">`, []string{`data-blocked-src="https://tracker.example/p.gif"`}, []string{` src=`, "onerror"}},
		{`<a href="javascript:alert(1)">点击</a>`, []string{"点击"}, []string{"javascript"}},
		{`<form action="/x"><input name=a></form><iframe src="//evil"></iframe>`, nil, []string{"<form", "<input", "<iframe"}},
		{`<p style="background:url(https://x/y)">收据</p>`, []string{"收据"}, []string{"url("}},
		{`<img src="cid:logo@x">`, []string{`src="cid:logo@x"`}, nil},
	} {
		out := Sanitize(tc.in)
		for _, k := range tc.keep {
			if !strings.Contains(out, k) {
				t.Errorf("Sanitize(%q) = %q; want it to keep %q", tc.in, out, k)
			}
		}
		for _, d := range tc.dropped {
			if strings.Contains(out, d) {
				t.Errorf("Sanitize(%q) = %q; want %q gone", tc.in, out, d)
			}
		}
	}
}
