package e2e

import (
	"context"
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/steward-desk/steward/internal/auth"
	"github.com/steward-desk/steward/internal/staff"
)

// login signs an agent in within a browser context and opens a ticket.
func loginAndOpen(t *testing.T, ctx context.Context, k *desk, email string) {
	t.Helper()
	step(t, ctx, "login "+email,
		chromedp.Navigate(fmt.Sprintf("%s/tickets/%d?view=open", k.url, k.jaID)),
		chromedp.WaitVisible(chromedp.CSS("#email")),
		chromedp.SendKeys(chromedp.CSS("#email"), email),
		chromedp.SendKeys(chromedp.CSS("#password"), password),
		chromedp.Submit(chromedp.CSS("#password")),
		chromedp.WaitVisible(chromedp.CSS("#composer textarea")),
	)
}

// Two agents in two separate browser contexts (separate sessions) open the
// same ticket: each sees the other viewing; when one types a reply — also
// through an IME composition — the other sees "is replying"; when one
// leaves, the name goes.
func TestPresenceTwoAgents(t *testing.T) {
	first := browser(t)
	k := startDesk(t)
	hash, err := auth.HashPassword(password)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := staff.CreateUser(context.Background(), k.db.W, staff.NewUser{Email: "yamada@example.org", Name: "山田 太郎", Role: staff.Agent,
		PasswordHash: hash, Language: "ja"}); err != nil {
		t.Fatal(err)
	}
	// A second, isolated browser context: its own cookies, so its own session.
	second, cancel := chromedp.NewContext(first, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	if err := chromedp.Do(second, chromedp.EmulateViewport(1366, 768)); err != nil {
		t.Fatal(err)
	}

	loginAndOpen(t, first, k, "aiko@example.org")
	loginAndOpen(t, second, k, "yamada@example.org")

	waitJS(t, first, "Aiko sees Yamada viewing", `document.querySelector("#presence").textContent.includes("山田 太郎 is viewing")`)
	waitJS(t, second, "Yamada sees Aiko viewing (in Japanese)", `document.querySelector("#presence").textContent.includes("鈴木 愛子さんが閲覧中")`)
	if eval[bool](t, first, `document.querySelector("#presence").textContent.includes("鈴木 愛子")`) {
		t.Error("Aiko sees herself")
	}

	// Yamada composes with an IME: nothing is sent while composing; the
	// committed text makes him "replying" for Aiko.
	eval[bool](t, second, `(() => {
		const b = document.querySelector("#body");
		b.focus();
		window.__beats = 0;
		const orig = window.fetch;
		window.fetch = function (url, opts) { if (String(url).endsWith("/presence")) window.__beats++; return orig.apply(this, arguments); };
		b.dispatchEvent(new CompositionEvent("compositionstart", { bubbles: true }));
		for (const s of ["r", "ry", "りょう", "領収"]) {
			b.value = s;
			b.dispatchEvent(new InputEvent("input", { bubbles: true, isComposing: true, data: s }));
		}
		return true;
	})()`)
	if n := eval[int](t, second, `window.__beats`); n != 0 {
		t.Errorf("%d heartbeats during IME composition, want 0", n)
	}
	eval[bool](t, second, `(() => {
		const b = document.querySelector("#body");
		b.value = "領収書";
		b.dispatchEvent(new CompositionEvent("compositionend", { bubbles: true, data: "領収書" }));
		return true;
	})()`)
	waitJS(t, first, "Aiko sees Yamada replying", `document.querySelector("#presence").textContent.includes("山田 太郎 is replying")`)
	if n := eval[int](t, second, `window.__beats`); n != 1 {
		t.Errorf("%d heartbeats after committing the composition, want 1", n)
	}

	// Yamada sends: his composer is empty again, so Aiko sees him viewing;
	// his reply reaches her conversation live.
	step(t, second, "Yamada sends", chromedp.Click(chromedp.CSS("#composer button[type=submit]")))
	waitJS(t, first, "Yamada's reply appears for Aiko", `[...document.querySelectorAll("#thread .msg-out")].some(m => m.textContent.includes("領収書"))`)
	waitJS(t, first, "Yamada back to viewing", `document.querySelector("#presence").textContent.includes("山田 太郎 is viewing")`)

	// Yamada leaves the ticket: the chip goes at once (not after the expiry).
	step(t, second, "Yamada leaves", chromedp.Navigate(k.url+"/inbox?view=open"), chromedp.WaitVisible(chromedp.CSS("#list .row")))
	waitJS(t, first, "Yamada gone", `!document.querySelector("#presence").textContent.includes("山田")`)
}
