package email

import (
	"regexp"
	"strings"
	"sync"

	"github.com/microcosm-cc/bluemonday"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// BlockedSrcAttr is the attribute that holds the URL of a remote image that
// was not loaded. A UI that gets the reader's consent moves it back to src.
const BlockedSrcAttr = "data-blocked-src"

var (
	policyOnce sync.Once
	policy     *bluemonday.Policy
)

// htmlPolicy allows the formatting that mail uses and nothing that runs,
// submits, tracks or loads: no scripts, event handlers, forms, frames,
// objects, <style>/<link>, url() in styles, or remote src (which
// prepareHTML has already moved to data-blocked-src).
func htmlPolicy() *bluemonday.Policy {
	policyOnce.Do(func() {
		p := bluemonday.NewPolicy()
		p.AllowElements("a", "abbr", "address", "article", "b", "bdi", "bdo", "big", "blockquote", "br", "caption",
			"center", "cite", "code", "col", "colgroup", "dd", "del", "details", "dfn", "div", "dl", "dt", "em",
			"figcaption", "figure", "font", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "i", "img",
			"ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "rp", "rt", "ruby", "s", "samp", "section", "small",
			"span", "strike", "strong", "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead",
			"time", "tr", "tt", "u", "ul", "var", "wbr")
		p.AllowAttrs("title", "dir", "lang").Globally()
		p.AllowAttrs("class").Matching(regexp.MustCompile(`^[\w\- ]{1,200}$`)).Globally()
		p.AllowAttrs("align").Matching(regexp.MustCompile(`(?i)^(left|right|center|justify|middle|top|bottom)$`)).Globally()
		p.AllowAttrs("valign").Matching(regexp.MustCompile(`(?i)^(top|middle|bottom|baseline)$`)).Globally()
		p.AllowAttrs("width", "height").Matching(regexp.MustCompile(`^\d{1,5}(%|px)?$`)).Globally()
		p.AllowAttrs("bgcolor", "color").Matching(regexp.MustCompile(`^#?[\w]{1,20}$`)).Globally()
		p.AllowAttrs("face").Matching(regexp.MustCompile(`^[\w\s,\-'"\p{L}]{1,100}$`)).OnElements("font")
		p.AllowAttrs("size").Matching(regexp.MustCompile(`^[+-]?\d$`)).OnElements("font")
		p.AllowAttrs("border", "cellpadding", "cellspacing", "colspan", "rowspan").Matching(regexp.MustCompile(`^\d{1,4}$`)).Globally()
		p.AllowAttrs("start", "type").Matching(regexp.MustCompile(`^\w{1,10}$`)).OnElements("ol", "ul", "li")
		p.AllowAttrs("href").OnElements("a")
		p.AllowAttrs("src", "alt").OnElements("img")
		p.AllowAttrs(BlockedSrcAttr).Matching(regexp.MustCompile(`^(?i)(https?:)?//\S+$`)).OnElements("img")
		p.AllowAttrs("cite").OnElements("blockquote", "q")
		p.AllowURLSchemes("http", "https", "mailto", "tel", "cid")
		p.AllowDataURIImages()
		p.RequireParseableURLs(true)
		p.RequireNoFollowOnLinks(true)
		p.RequireNoReferrerOnLinks(true)
		p.AddTargetBlankToFullyQualifiedLinks(true)
		p.AllowStyles("color", "background-color", "font-weight", "font-style", "font-size", "font-family",
			"text-align", "text-decoration", "text-indent", "line-height", "vertical-align", "white-space",
			"margin", "margin-top", "margin-bottom", "margin-left", "margin-right",
			"padding", "padding-top", "padding-bottom", "padding-left", "padding-right",
			"border", "border-collapse", "border-color", "border-style", "border-width",
			"width", "max-width", "height", "direction").Globally()
		policy = p
	})
	return policy
}

// parseHTML parses an HTML document (or fragment) leniently.
func parseHTML(s string) *html.Node {
	doc, err := html.Parse(strings.NewReader(s))
	if err != nil {
		// html.Parse only fails on reader errors; keep text.
		doc = &html.Node{Type: html.DocumentNode}
		doc.AppendChild(&html.Node{Type: html.TextNode, Data: s})
	}
	return doc
}

// sanitizeHTML blocks remote content in the parsed document, renders its
// body and runs the result through the bluemonday policy. It reports
// whether remote images were blocked.
func sanitizeHTML(doc *html.Node) (string, bool) {
	blocked := false
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			attrs := n.Attr[:0]
			for _, a := range n.Attr {
				key := strings.ToLower(a.Key)
				switch {
				case key == "src" && isRemoteURL(a.Val):
					if n.DataAtom == atom.Img {
						attrs = append(attrs, html.Attribute{Key: BlockedSrcAttr, Val: strings.TrimSpace(a.Val)})
					}
					blocked = true
					continue
				case key == BlockedSrcAttr:
					continue // never trust one the sender wrote
				case key == "srcset", key == "background", key == "poster", key == "lowsrc", key == "dynsrc":
					if strings.Contains(a.Val, "/") {
						blocked = true
					}
					continue
				case key == "style" && unsafeStyle(a.Val):
					continue
				}
				attrs = append(attrs, a)
			}
			n.Attr = attrs
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	var b strings.Builder
	body := findElement(doc, atom.Body)
	if body == nil {
		body = doc
	}
	for c := body.FirstChild; c != nil; c = c.NextSibling {
		if err := html.Render(&b, c); err != nil {
			break
		}
	}
	return strings.TrimSpace(htmlPolicy().Sanitize(b.String())), blocked
}

func isRemoteURL(u string) bool {
	u = strings.ToLower(strings.TrimSpace(u))
	return strings.HasPrefix(u, "http:") || strings.HasPrefix(u, "https:") || strings.HasPrefix(u, "//") ||
		strings.HasPrefix(u, "ftp:") || strings.HasPrefix(u, `\\`)
}

func unsafeStyle(s string) bool {
	l := strings.ToLower(s)
	return strings.Contains(l, "url(") || strings.Contains(l, "expression") || strings.Contains(l, "@import") ||
		strings.Contains(l, "behavior") || strings.Contains(l, "javascript:") || strings.Contains(l, "\\")
}

func findElement(n *html.Node, a atom.Atom) *html.Node {
	if n.Type == html.ElementNode && n.DataAtom == a {
		return n
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if f := findElement(c, a); f != nil {
			return f
		}
	}
	return nil
}

// htmlToText renders the readable text of an HTML document: block
// elements on their own lines, <br> as line breaks, list items with "- ",
// blockquotes prefixed with "> " so that SplitQuoted can fold them.
func htmlToText(doc *html.Node) string {
	t := &textWriter{}
	t.node(doc, false)
	return tidyText(t.b.String())
}

type textWriter struct {
	b        strings.Builder
	newlines int // trailing newlines already written
	space    bool
	quote    int
}

func (t *textWriter) write(s string) {
	if s == "" {
		return
	}
	if t.newlines > 0 && t.quote > 0 {
		t.b.WriteString(strings.Repeat("> ", t.quote))
	}
	t.b.WriteString(s)
	t.newlines = 0
}

func (t *textWriter) breakLine(n int) {
	if t.b.Len() == 0 {
		return
	}
	for t.newlines < n {
		t.b.WriteByte('\n')
		t.newlines++
	}
	t.space = false
}

func (t *textWriter) node(n *html.Node, pre bool) {
	switch n.Type {
	case html.TextNode:
		if pre {
			lines := strings.Split(n.Data, "\n")
			for i, l := range lines {
				if i > 0 {
					t.breakLine(t.newlines + 1)
				}
				t.write(l)
			}
			return
		}
		for i, w := range strings.Fields(n.Data) {
			if (i > 0 || startsWithSpace(n.Data) || t.space) && t.newlines == 0 && t.b.Len() > 0 {
				t.write(" ")
			}
			t.write(w)
			t.space = false
		}
		if endsWithSpace(n.Data) {
			t.space = true
		}
		return
	case html.ElementNode:
		switch n.DataAtom {
		case atom.Script, atom.Style, atom.Head, atom.Title, atom.Noscript, atom.Template, atom.Object, atom.Iframe:
			return
		case atom.Br:
			t.b.WriteByte('\n')
			t.newlines++
			t.space = false
			return
		case atom.Hr:
			t.breakLine(1)
			t.write("----")
			t.breakLine(1)
			return
		case atom.Td, atom.Th:
			if t.newlines == 0 && t.b.Len() > 0 {
				t.write(" ")
			}
		case atom.Li:
			t.breakLine(1)
			t.write("- ")
		case atom.Blockquote:
			t.breakLine(1)
			t.quote++
			defer func() { t.quote--; t.breakLine(1) }()
		case atom.P, atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6, atom.Pre, atom.Table, atom.Ul, atom.Ol, atom.Dl:
			t.breakLine(2)
			defer t.breakLine(2)
		case atom.Div, atom.Tr, atom.Section, atom.Article, atom.Header, atom.Footer, atom.Address, atom.Dt, atom.Dd,
			atom.Center, atom.Figure, atom.Figcaption, atom.Caption, atom.Details, atom.Summary:
			t.breakLine(1)
			defer t.breakLine(1)
		}
		if n.DataAtom == atom.Pre {
			pre = true
		}
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		t.node(c, pre)
	}
}

func startsWithSpace(s string) bool { return s != "" && strings.IndexByte(" \t\r\n\f", s[0]) >= 0 }

func endsWithSpace(s string) bool {
	return s != "" && strings.IndexByte(" \t\r\n\f", s[len(s)-1]) >= 0
}

// tidyText trims trailing blanks, drops NBSP runs, collapses more than one
// empty line and trims the whole text.
func tidyText(s string) string {
	s = strings.ReplaceAll(s, "\u00a0", " ")
	lines := strings.Split(s, "\n")
	out := lines[:0]
	empty := 0
	for _, l := range lines {
		l = strings.TrimRight(l, " \t\r")
		if l == "" {
			empty++
			if empty > 1 {
				continue
			}
		} else {
			empty = 0
		}
		out = append(out, l)
	}
	return strings.TrimSpace(strings.Join(out, "\n"))
}
