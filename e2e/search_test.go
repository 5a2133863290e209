package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/steward-desk/steward/internal/search"
)

// Search as you type with a Japanese IME, then the query saved and opened
// as an inbox view.
func TestSearchAsYouTypeAndSavedView(t *testing.T) {
	ctx := browser(t)
	k := startDesk(t)
	if _, err := search.Reindex(context.Background(), k.db, nil); err != nil {
		t.Fatal(err)
	}
	step(t, ctx, "login",
		chromedp.Navigate(k.url+"/inbox?view=open"),
		chromedp.WaitVisible(chromedp.CSS("#email")),
		chromedp.SendKeys(chromedp.CSS("#email"), "aiko@example.org"),
		chromedp.SendKeys(chromedp.CSS("#password"), password),
		chromedp.Submit(chromedp.CSS("#password")),
		chromedp.WaitVisible(chromedp.CSS("#list .row")),
	)
	eval[bool](t, ctx, `window.__instant = 0; document.body.addEventListener("htmx:beforeRequest", e => { if (e.detail.elt.id === "q") __instant++; }); true`)

	// The agent types りょうしゅう with an IME and converts it to 領収: while
	// composing, nothing is asked.
	step(t, ctx, "compose", chromedp.Click(chromedp.CSS("#q")), chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		for _, s := range []string{"り", "りょ", "りょう", "りょうしゅう", "領収"} {
			n := int64(len([]rune(s)))
			if _, err := cdp.Call(ctx, tg, input.ImeSetComposition, input.ImeSetCompositionParams{Text: s, SelectionStart: n, SelectionEnd: n}); err != nil {
				return err
			}
			time.Sleep(120 * time.Millisecond)
		}
		return nil
	}))
	time.Sleep(500 * time.Millisecond)
	if n := eval[int](t, ctx, `__instant`); n != 0 {
		t.Fatalf("%d instant searches during IME composition, want none", n)
	}
	if !eval[bool](t, ctx, `document.querySelector("#q-results").hidden`) {
		t.Error("results shown during composition")
	}
	// Committing the conversion searches once, and the results appear.
	step(t, ctx, "commit", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, input.InsertText, input.InsertTextParams{Text: "領収"})
		return err
	}))
	waitJS(t, ctx, "instant results", `!document.querySelector("#q-results").hidden && document.querySelector("#q-results .instant-hit mark")`)
	if got := eval[string](t, ctx, `document.querySelector("#q").value`); got != "領収" {
		t.Errorf("box holds %q", got)
	}
	if n := eval[int](t, ctx, `__instant`); n != 1 {
		t.Errorf("%d instant searches for one committed word, want 1", n)
	}
	if m := eval[string](t, ctx, `document.querySelector("#q-results .instant-hit mark").textContent`); m != "領収" {
		t.Errorf("highlight %q", m)
	}
	if !eval[bool](t, ctx, `document.querySelector("#q").getAttribute("aria-expanded") === "true"`) {
		t.Error("combobox not expanded")
	}

	// Esc closes the list and keeps the text; ↓ opens it again, ↓ picks the
	// first hit, Enter opens it.
	step(t, ctx, "esc", chromedp.KeyEvent(kb.Escape))
	if !eval[bool](t, ctx, `document.querySelector("#q-results").hidden && document.activeElement.id === "q" && document.querySelector("#q").value === "領収"`) {
		t.Error("Esc did not close the list, or lost the text or the focus")
	}
	step(t, ctx, "arrow down", chromedp.KeyEvent(kb.ArrowDown))
	waitJS(t, ctx, "results again", `!document.querySelector("#q-results").hidden`)
	step(t, ctx, "pick", chromedp.KeyEvent(kb.ArrowDown))
	if id := eval[string](t, ctx, `document.querySelector("#q").getAttribute("aria-activedescendant") || ""`); id != "qo-0" {
		t.Errorf("active option %q, want qo-0", id)
	}
	// (press: the key's text rides on keyDown, so cancelling it stops the
	// form's implicit submission, as with a real keyboard.)
	step(t, ctx, "open", press("\r"))
	waitJS(t, ctx, "ticket page", fmt.Sprintf(`location.pathname === "/tickets/%d"`, k.jaID))

	// The full results page: filters as chips that remove themselves.
	step(t, ctx, "results page",
		chromedp.Navigate(k.url+"/search?q="+"%E9%A0%98%E5%8F%8E%20status%3Anew"),
		chromedp.WaitVisible(chromedp.CSS(".chip-remove")),
		chromedp.Click(chromedp.CSS(".chip-remove")),
	)
	waitJS(t, ctx, "chip removed", `location.search === "?q=%E9%A0%98%E5%8F%8E" && !document.querySelector(".chip")`)

	// Save it; it opens as an inbox view with its count.
	step(t, ctx, "save",
		chromedp.Click(chromedp.CSS(".save-search summary")),
		chromedp.WaitVisible(chromedp.CSS("#saved-name")),
	)
	eval[bool](t, ctx, `document.querySelector("#saved-name").value = ""; true`)
	step(t, ctx, "name and submit",
		chromedp.SendKeys(chromedp.CSS("#saved-name"), "領収書の問い合わせ"),
		chromedp.Submit(chromedp.CSS("#saved-name")),
	)
	waitJS(t, ctx, "saved view", `location.search.startsWith("?search=") && document.querySelector("#list .row")`)
	if h := eval[string](t, ctx, `document.querySelector("#list-h").textContent`); h != "領収書の問い合わせ" {
		t.Errorf("list heading %q", h)
	}
	rows := eval[[]string](t, ctx, `Array.from(document.querySelectorAll("#list .row-subject")).map(e => e.textContent)`)
	if len(rows) != 1 || !strings.Contains(rows[0], "領収書") {
		t.Errorf("saved view lists %v", rows)
	}
	if c := eval[string](t, ctx, `document.querySelector('.saved-view a[aria-current="page"] .count').textContent`); c != "1" {
		t.Errorf("saved view count %q", c)
	}
}
