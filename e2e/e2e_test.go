// Package e2e drives the real agent UI in Debian's Chromium with chromedp:
// the server runs in-process on a loopback port over a fresh SQLite database.
//
//	STEWARD_TEST_CHROMIUM   browser binary (default /usr/bin/chromium)
//	STEWARD_TEST_REQUIRE_ALL=1  fail instead of skipping when it is missing
//	STEWARD_SCREENSHOT=1    also write docs/screenshot.png (1366×768)
package e2e

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/steward-desk/steward/internal/audit"
	"github.com/steward-desk/steward/internal/auth"
	"github.com/steward-desk/steward/internal/blob"
	"github.com/steward-desk/steward/internal/db"
	"github.com/steward-desk/steward/internal/db/dbtest"
	"github.com/steward-desk/steward/internal/live"
	"github.com/steward-desk/steward/internal/org"
	"github.com/steward-desk/steward/internal/staff"
	"github.com/steward-desk/steward/internal/supporter"
	"github.com/steward-desk/steward/internal/ticket"
	"github.com/steward-desk/steward/internal/web"
)

const password = "e2e password 1234"

// desk is a running Steward UI with seeded data.
type desk struct {
	url     string
	db      *db.DB
	tickets *ticket.Service
	jaID    int64
}

func startDesk(t *testing.T) *desk {
	t.Helper()
	ctx := context.Background()
	d := dbtest.OpenSQLite(t)
	if err := org.Update(ctx, d.W, org.Settings{Name: "こころ基金 Kokoro Foundation", TimeZone: "Asia/Tokyo", Languages: []string{"ja", "zh", "en"},
		DefaultLanguage: "en", FirstReplyMinutes: 1440}); err != nil {
		t.Fatal(err)
	}
	hash, err := auth.HashPassword(password)
	if err != nil {
		t.Fatal(err)
	}
	dept, _ := staff.CreateDepartment(ctx, d.W, "寄付者サポート", "")
	if _, err := staff.CreateUser(ctx, d.W, staff.NewUser{Email: "admin@example.org", Name: "Ada Admin", Role: staff.Admin, PasswordHash: hash}); err != nil {
		t.Fatal(err)
	}
	if _, err := staff.CreateUser(ctx, d.W, staff.NewUser{Email: "aiko@example.org", Name: "鈴木 愛子", Role: staff.Agent, PasswordHash: hash,
		DepartmentIDs: []int64{dept.ID}}); err != nil {
		t.Fatal(err)
	}
	broker := live.NewLocal()
	svc := &ticket.Service{DB: d, Live: broker}
	blobs, err := blob.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	k := &desk{db: d, tickets: svc}
	seed := []struct {
		subject, body, name, email, lang, channel string
		years                                     int
	}{
		{"Gift Aid declaration for my monthly gift", "Could you confirm you have my Gift Aid declaration on file?", "Emily Clarke", "emily@example.org", "en", "email", 3},
		{"年末のチャリティーイベントについて", "12月のチャリティーイベントに家族4人で参加できますか。車椅子での入場は可能でしょうか。", "山田 太郎", "yamada@example.jp", "ja", "form", 2},
		{"捐款收据什么时候寄出？", "您好，我上个月通过银行转账捐了500元，请问收据什么时候寄出？谢谢。", "王 芳", "wangfang@example.cn", "zh", "email", 4},
		{"志愿者培训的时间安排", "请问下个月的志愿者培训是在周末吗？我工作日要上班。", "李 伟", "liwei@example.cn", "zh", "chat", 1},
		{"寄付の領収書が届きません", "先月、オンラインで1万円を寄付しましたが、領収書がまだ届いていません。確定申告に必要なので、再発行をお願いできますか。", "佐藤 花子", "sato@example.jp", "ja", "email", 6},
	}
	for _, s := range seed {
		tk, err := svc.Create(ctx, audit.System, ticket.CreateInput{
			NewTicket: ticket.NewTicket{Subject: s.subject, Body: s.body, Channel: s.channel, Language: s.lang},
			Supporter: supporter.NewSupporter{Name: s.name, Email: s.email, Language: s.lang, SupporterSince: time.Now().AddDate(-s.years, -1, 0)},
		})
		if err != nil {
			t.Fatal(err)
		}
		if s.lang == "ja" {
			k.jaID = tk.ID
		}
	}
	ui := web.New(web.Deps{DB: d, Tickets: svc, Live: broker, Blobs: blobs, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	// A short WriteTimeout proves the event stream extends its own deadline.
	srv := &http.Server{Handler: ui.Handler(), ReadHeaderTimeout: 5 * time.Second, WriteTimeout: 3 * time.Second}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	k.url = "http://" + ln.Addr().String()
	return k
}

func chromium(t *testing.T) string {
	path := os.Getenv("STEWARD_TEST_CHROMIUM")
	if path == "" {
		path = "/usr/bin/chromium"
	}
	if _, err := os.Stat(path); err != nil {
		if os.Getenv("STEWARD_TEST_REQUIRE_ALL") == "1" {
			t.Fatalf("Chromium not found at %s (install chromium, or set STEWARD_TEST_CHROMIUM)", path)
		}
		t.Skipf("Chromium not found at %s; skipping browser tests", path)
	}
	return path
}

// browser starts a headless Chromium with a fresh profile at 1366×768.
func browser(t *testing.T) context.Context {
	path := chromium(t)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path), chromedp.NoSandbox, chromedp.Headless, chromedp.DisableGPU,
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1366, 768),
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("lang", "en-GB"),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	// The first Run starts the browser; no timeout on it (a timeout would
	// later kill the browser with it).
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1366, 768)); err != nil {
		t.Fatal(err)
	}
	return ctx
}

// step runs actions with a deadline.
func step(t *testing.T, ctx context.Context, what string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(sctx, actions...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// eval evaluates a JavaScript expression.
func eval[T any](t *testing.T, ctx context.Context, expr string) T {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	v, err := chromedp.Run(sctx, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("eval %s: %v", expr, err)
	}
	return v
}

// waitJS waits until a JavaScript expression is truthy; evaluation errors
// while the page navigates are retried.
func waitJS(t *testing.T, ctx context.Context, what, expr string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	var last error
	for time.Now().Before(deadline) {
		sctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		ok, err := chromedp.Run(sctx, chromedp.Evaluate[bool]("!!("+expr+")"))
		cancel()
		if err == nil && ok {
			return
		}
		last = err
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("waiting for %s: timed out (last error: %v)", what, last)
}

// press types keys the way a keyboard does: one keyDown carrying the text,
// then keyUp, so a handler that cancels keydown also stops the character
// (chromedp's KeyEvent sends a separate char event that cannot be cancelled).
func press(keys string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		for _, r := range keys {
			evs := kb.Encode(r)
			var text, unmodified string
			for _, e := range evs {
				if e.Type == kb.KeyChar {
					text, unmodified = e.Text, e.UnmodifiedText
				}
			}
			for _, e := range evs {
				if e.Type == kb.KeyChar {
					continue
				}
				if e.Type == kb.KeyDown {
					e.Text, e.UnmodifiedText = text, unmodified
				}
				if _, err := cdp.Call(ctx, t, input.DispatchKeyEvent, *e); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

func TestAgentWorkflow(t *testing.T) {
	ctx := browser(t)
	k := startDesk(t)

	// Log in.
	step(t, ctx, "login",
		chromedp.Navigate(k.url+"/inbox?view=open"),
		chromedp.WaitVisible(chromedp.CSS("#email")),
		chromedp.SendKeys(chromedp.CSS("#email"), "aiko@example.org"),
		chromedp.SendKeys(chromedp.CSS("#password"), password),
		chromedp.Submit(chromedp.CSS("#password")),
		chromedp.WaitVisible(chromedp.CSS("#list .row")),
	)
	if n := eval[int](t, ctx, `document.querySelectorAll("#list .row").length`); n != 5 {
		t.Fatalf("open view shows %d tickets, want 5", n)
	}

	// Keyboard: j selects the first row, ? opens the help, Esc closes it.
	step(t, ctx, "keys j and ?", press("j"), press("?"))
	if !eval[bool](t, ctx, `document.querySelector("#list .row").classList.contains("is-selected") && document.querySelector("#help").open`) {
		t.Error("j did not select a row or ? did not open the help")
	}
	step(t, ctx, "close help", chromedp.KeyEvent(kb.Escape))

	// Open the Japanese ticket.
	step(t, ctx, "open ticket",
		chromedp.Navigate(fmt.Sprintf("%s/tickets/%d?view=open", k.url, k.jaID)),
		chromedp.WaitVisible(chromedp.CSS("#composer textarea")),
	)
	eval[bool](t, ctx, `window.__csp = []; document.addEventListener("securitypolicyviolation", e => __csp.push(e.violatedDirective + " " + e.blockedURI)); true`)
	if lang := eval[string](t, ctx, `document.querySelector("#thread .msg-body").lang`); lang != "ja" {
		t.Errorf("message lang = %q, want ja", lang)
	}

	// Plain Enter never sends; Ctrl+Enter does, and the reply appears without a reload.
	step(t, ctx, "type reply",
		chromedp.Click(chromedp.CSS("#body")),
		chromedp.SendKeys(chromedp.CSS("#body"), "佐藤様"),
		chromedp.KeyEvent("\r"),
		chromedp.SendKeys(chromedp.CSS("#body"), "領収書を再発行いたしました。"),
	)
	eval[bool](t, ctx, `window.__marker = true`)
	time.Sleep(300 * time.Millisecond)
	if n := eval[int](t, ctx, `document.querySelectorAll("#thread .msg").length`); n != 1 {
		t.Fatalf("plain Enter sent the reply (%d messages)", n)
	}
	step(t, ctx, "ctrl+enter", chromedp.KeyEvent("\r", chromedp.KeyModifiers(chromedp.ModifierCtrl)))
	waitJS(t, ctx, "reply in the conversation",
		`[...document.querySelectorAll("#thread .msg-out")].some(m => m.textContent.includes("領収書を再発行いたしました。"))`)
	if !eval[bool](t, ctx, `window.__marker === true && document.querySelector("#body").value === ""`) {
		t.Error("the page reloaded or the composer was not cleared")
	}
	if !eval[bool](t, ctx, `document.querySelector("#thread .msg-out .msg-body").textContent.includes("佐藤様\n")`) {
		t.Error("the line break from plain Enter is missing")
	}

	// Internal note: the composer turns yellow and says so; the note is styled as one.
	replyBG := eval[string](t, ctx, `getComputedStyle(document.querySelector("#composer")).backgroundColor`)
	// Focus is back in the composer after sending, where single keys type
	// text; Esc leaves it (keeping the draft) and n switches to a note.
	step(t, ctx, "switch to note", press(kb.Escape), press("n"))
	if !eval[bool](t, ctx, `document.activeElement.id === "body" && document.querySelector("#body").value === ""`) {
		t.Errorf("n did not focus an empty note composer: %s", eval[string](t, ctx, `document.activeElement.id + "|" + document.querySelector("#body").value`))
	}
	noteBG := eval[string](t, ctx, `getComputedStyle(document.querySelector("#composer")).backgroundColor`)
	if noteBG == replyBG {
		t.Errorf("composer colour did not change for a note (%s)", noteBG)
	}
	if !eval[bool](t, ctx, `getComputedStyle(document.querySelector(".note-warning")).display !== "none" && document.querySelector(".note-warning").textContent.includes("the supporter won't see this")`) {
		t.Error("note warning not shown")
	}
	step(t, ctx, "write note",
		chromedp.SendKeys(chromedp.CSS("#body"), "経理に確認済み。"),
		chromedp.Click(chromedp.CSS("#composer button[type=submit]")),
	)
	waitJS(t, ctx, "note in the conversation", `[...document.querySelectorAll("#thread .msg-note")].some(m => m.textContent.includes("経理に確認済み。"))`)
	if bg := eval[string](t, ctx, `getComputedStyle(document.querySelector("#thread .msg-note")).backgroundColor`); bg != noteBG {
		t.Errorf("note background %s, want the note colour %s", bg, noteBG)
	}
	if !eval[bool](t, ctx, `document.querySelector("#thread .msg-note .note-badge svg") !== null`) {
		t.Error("note has no lock icon")
	}

	// Saving the properties sends only the changed field: a status change made
	// meanwhile by someone else survives a priority change here.
	other := ticket.StatusPending
	if _, _, err := k.tickets.Update(context.Background(), audit.System, k.jaID, ticket.Patch{Status: &other}); err != nil {
		t.Fatal(err)
	}
	waitJS(t, ctx, "someone else's status change shown live", `document.querySelector("#p-status").value === "pending"`)
	step(t, ctx, "change priority", chromedp.SetValue(chromedp.CSS("#p-priority"), "high"))
	step(t, ctx, "save properties", chromedp.Click(chromedp.CSS(".props-form button[type=submit]")))
	waitJS(t, ctx, "saved notice", `document.querySelector("#ticket-props .saved").textContent.trim() !== ""`)
	if tk, _ := ticket.Get(context.Background(), k.db.R, k.jaID); tk.Priority != "high" || tk.Status != ticket.StatusPending {
		t.Errorf("after saving properties: priority %s status %s, want high and pending", tk.Priority, tk.Status)
	}

	// A ticket created elsewhere (intake, API) appears without a reload, and so
	// does a supporter's new message in the open conversation.
	if _, err := k.tickets.Create(context.Background(), audit.System, ticket.CreateInput{
		NewTicket: ticket.NewTicket{Subject: "チャリティーランの申し込み", Body: "申し込み方法を教えてください。", Language: "ja"},
		Supporter: supporter.NewSupporter{Name: "高橋 健", Email: "takahashi@example.jp"},
	}); err != nil {
		t.Fatal(err)
	}
	waitJS(t, ctx, "new ticket in the list via SSE", `document.querySelector("#list").textContent.includes("チャリティーランの申し込み")`)
	if err := k.db.Tx(context.Background(), func(tx *sqlTx) error {
		tk, err := ticket.Get(context.Background(), tx, k.jaID)
		if err != nil {
			return err
		}
		_, err = ticket.AddMessage(context.Background(), tx, ticket.NewMessage{TicketID: k.jaID, Direction: ticket.In,
			AuthorSupporterID: &tk.SupporterID, BodyText: "ありがとうございます！", Language: "ja"})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	k.tickets.Live.Publish(context.Background(), live.Event{Type: "message.created", TicketID: k.jaID})
	waitJS(t, ctx, "supporter message appended via SSE", `document.querySelector("#thread").textContent.includes("ありがとうございます！")`)
	if !eval[bool](t, ctx, `window.__marker === true`) {
		t.Error("the page reloaded")
	}

	if v := eval[string](t, ctx, `window.__csp.join(", ")`); v != "" {
		t.Errorf("Content-Security-Policy violations: %s", v)
	}

	// Switch the UI to Japanese from the header menu.
	step(t, ctx, "language menu",
		chromedp.Click(chromedp.CSS("#lang-menu summary")),
		chromedp.Click(chromedp.CSS(`#lang-menu button[value="ja"]`)),
	)
	waitJS(t, ctx, "Japanese UI", `document.documentElement.lang === "ja"`)
	step(t, ctx, "wait composer", chromedp.WaitVisible(chromedp.CSS("#composer")))
	for _, want := range []string{"受信箱", "支援者", "すべての未対応", "内部メモ", "返信を送信", "ご支援 6 年"} {
		if !eval[bool](t, ctx, fmt.Sprintf(`document.body.textContent.includes(%q)`, want)) {
			t.Errorf("Japanese UI lacks %q", want)
		}
	}
	if !eval[bool](t, ctx, `getComputedStyle(document.body).fontFamily.includes("Noto Sans CJK JP")`) {
		t.Error("Japanese font stack not applied")
	}

	if os.Getenv("STEWARD_SCREENSHOT") == "1" {
		screenshot(t, ctx, k)
	}
}

// screenshot saves the Japanese inbox with Japanese and Chinese tickets and
// a conversation open, at 1366×768.
func screenshot(t *testing.T, ctx context.Context, k *desk) {
	step(t, ctx, "screenshot page",
		chromedp.Navigate(fmt.Sprintf("%s/tickets/%d?view=open", k.url, k.jaID)),
		chromedp.WaitVisible(chromedp.CSS("#composer")),
		chromedp.Sleep(500*time.Millisecond),
	)
	sctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	png, err := chromedp.Run(sctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join("..", "docs", "screenshot.png")
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(out, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %s (%d bytes)", out, len(png))
}

func TestAgentCannotOpenAdmin(t *testing.T) {
	ctx := browser(t)
	k := startDesk(t)
	step(t, ctx, "login",
		chromedp.Navigate(k.url+"/admin/users"),
		chromedp.WaitVisible(chromedp.CSS("#email")),
		chromedp.SendKeys(chromedp.CSS("#email"), "aiko@example.org"),
		chromedp.SendKeys(chromedp.CSS("#password"), password),
		chromedp.Submit(chromedp.CSS("#password")),
		chromedp.WaitVisible(chromedp.CSS(".error-page")),
	)
	if got := eval[string](t, ctx, `document.querySelector(".error-code").textContent`); strings.TrimSpace(got) != "403" {
		t.Errorf("agent on /admin/users sees %q, want 403", got)
	}
}

// sqlTx keeps database/sql out of the test bodies.
type sqlTx = sql.Tx
