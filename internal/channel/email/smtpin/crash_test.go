package smtpin_test

import (
	"context"
	"fmt"
	"net"
	"net/smtp"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/steward-desk/steward/internal/channel/email/mailin/mailintest"
	"github.com/steward-desk/steward/internal/db"
	"github.com/steward-desk/steward/internal/db/dbtest"
)

// TestKill9WhileMailArrives builds the real binary, runs `steward serve`
// with its SMTP listener and an IMAP mailbox, and kills it with SIGKILL
// twice while 1,000 messages arrive (500 by SMTP from senders that retry
// like an MTA until they get a 250, 500 dropped into the IMAP folder).
// After a final restart every message is stored exactly once.
func TestKill9WhileMailArrives(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	mailintest.Need(t, "STEWARD_TEST_IMAP_ADDR")
	bin := filepath.Join(t.TempDir(), "steward")
	build := exec.Command("go", "build", "-o", bin, "github.com/steward-desk/steward/cmd/steward")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	t.Run("sqlite", func(t *testing.T) { crash(t, bin, "") })
	t.Run("postgres", func(t *testing.T) { crash(t, bin, dbtest.NewPostgresDatabase(t)) })
}

const perPath = 500

func crash(t *testing.T, bin, dsn string) {
	ctx := context.Background()
	data := t.TempDir()
	storage := []string{"--data", data, "--log-level", "warn"}
	if dsn != "" {
		storage = append(storage, "--db", dsn)
	}
	u := mailintest.NewIMAPUser(t)
	add := exec.Command(bin, append(append([]string{"mailbox", "add"}, storage...), "--address", "support@crash.example.org", "--imap-url", u.URL())...)
	if out, err := add.CombinedOutput(); err != nil {
		t.Fatalf("mailbox add: %v\n%s", err, out)
	}
	smtpAddr := freeAddr(t)
	logPath := filepath.Join(data, "serve.log")
	logf, _ := os.Create(logPath)
	defer logf.Close()
	serveArgs := append(append([]string{"serve"}, storage...), "--addr", "127.0.0.1:0", "--smtp-addr", smtpAddr,
		"--imap-poll-interval", "1s", "--smtp-relay", "smtp://"+freeAddr(t), "--shutdown-timeout", "5s")
	var proc *exec.Cmd
	start := func() {
		t.Helper()
		proc = exec.Command(bin, serveArgs...)
		proc.Stdout, proc.Stderr = logf, logf
		if err := proc.Start(); err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 300; i++ {
			if c, err := net.Dial("tcp", smtpAddr); err == nil {
				c.Close()
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
		t.Fatalf("steward serve did not listen on %s; log:\n%s", smtpAddr, readFile(logPath))
	}
	kill := func() {
		proc.Process.Signal(syscall.SIGKILL)
		proc.Wait()
	}
	start()
	defer func() {
		if proc.ProcessState == nil {
			kill()
		}
	}()

	// SMTP senders: like an MTA, retry every message until it gets a 250.
	var acked atomic.Int64
	var wg sync.WaitGroup
	queue := make(chan int, perPath)
	for i := 0; i < perPath; i++ {
		queue <- i
	}
	for w := 0; w < 4; w++ {
		wg.Go(func() {
			for i := range queue {
				raw := fmt.Sprintf("From: smtp%d@sender.example.net\r\nTo: support@crash.example.org\r\nMessage-ID: <smtp-%d@crash.test>\r\n"+
					"Subject: crash test %d\r\n\r\nmessage %d by SMTP\r\n", i, i, i, i)
				for smtp.SendMail(smtpAddr, nil, fmt.Sprintf("smtp%d@sender.example.net", i), []string{"support@crash.example.org"}, []byte(raw)) != nil {
					time.Sleep(50 * time.Millisecond)
				}
				if acked.Add(1) == perPath {
					close(queue)
				}
			}
		})
	}
	// IMAP: 500 messages dropped into the folder over about two seconds.
	wg.Go(func() {
		for i := 0; i < perPath; i++ {
			u.Deliver(t, fmt.Sprintf("From: imap%d@sender.example.net\r\nTo: support@crash.example.org\r\nMessage-ID: <imap-%d@crash.test>\r\n"+
				"Subject: crash test imap %d\r\n\r\nmessage %d by IMAP\r\n", i, i, i, i), false)
			if i%25 == 24 {
				time.Sleep(100 * time.Millisecond)
			}
		}
	})
	began := time.Now()
	for round := 0; round < 2; round++ {
		time.Sleep(1200 * time.Millisecond)
		kill()
		t.Logf("kill -9 after %v: %d SMTP messages acknowledged", time.Since(began).Round(time.Millisecond), acked.Load())
		start()
	}
	wg.Wait()

	check, err := db.Open(ctx, db.Options{DSN: dsn, DataDir: data})
	if err != nil {
		t.Fatal(err)
	}
	defer check.Close()
	count := func(q string) int {
		var n int
		if err := check.R.QueryRowContext(ctx, q).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	deadline := time.Now().Add(40 * time.Second)
	for count("SELECT COUNT(*) FROM inbound_keys WHERE source_key LIKE '%@crash.test'") < 2*perPath && time.Now().Before(deadline) {
		time.Sleep(200 * time.Millisecond)
	}
	proc.Process.Signal(syscall.SIGTERM)
	proc.Wait()
	t.Logf("all %d messages stored %v after the start", 2*perPath, time.Since(began).Round(time.Millisecond))

	if n := count("SELECT COUNT(*) FROM inbound_keys WHERE source_key LIKE '%@crash.test' AND message_id IS NOT NULL"); n != 2*perPath {
		t.Fatalf("%d of %d messages stored; log:\n%s", n, 2*perPath, readFile(logPath))
	}
	if n := count("SELECT COUNT(*) FROM messages WHERE direction = 'in'"); n != 2*perPath {
		t.Fatalf("%d incoming messages for %d Message-IDs", n, 2*perPath)
	}
	if n := count("SELECT COUNT(DISTINCT message_id) FROM inbound_keys WHERE source_key LIKE '%@crash.test'"); n != 2*perPath {
		t.Fatalf("%d distinct messages for %d Message-IDs", n, 2*perPath)
	}
	if n := count("SELECT COUNT(*) FROM tickets"); n != 2*perPath {
		t.Fatalf("%d tickets, want %d", n, 2*perPath)
	}
	if n := count("SELECT COUNT(*) FROM quarantine"); n != 0 {
		t.Fatalf("%d messages quarantined", n)
	}
}

func freeAddr(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func readFile(p string) string {
	b, _ := os.ReadFile(p)
	if len(b) > 20000 {
		b = b[len(b)-20000:]
	}
	return string(b)
}
