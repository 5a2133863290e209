package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/steward-desk/steward/internal/app"
)

func TestMailboxAddAndList(t *testing.T) {
	ctx := context.Background()
	data := t.TempDir()
	var out, errb bytes.Buffer
	err := run(ctx, []string{"mailbox", "add", "--data", data, "--address", "Help@Example.org", "--name", "Hope Bridge",
		"--imap-url", "imap://help%40example.org@127.0.0.1:1143/Support", "--smtp-url", "smtp://help%40example.org@127.0.0.1:1587",
		"--password-stdin"}, strings.NewReader("p@ss:w/rd#1\n"), &out, &errb)
	if err != nil {
		t.Fatalf("%v\n%s", err, errb.String())
	}
	if !strings.Contains(out.String(), "created mailbox help@example.org") || strings.Contains(out.String(), "p@ss") {
		t.Fatalf("add printed %q", out.String())
	}
	a, err := app.Open(ctx, app.Config{DataDir: data, LogLevel: "error"}, app.Options{})
	if err != nil {
		t.Fatal(err)
	}
	m, err := a.Email.Mailboxes.ByAddress(ctx, a.DB.R, "help@example.org")
	a.Close()
	if err != nil {
		t.Fatal(err)
	}
	if e, _ := m.IMAP(); e.Password != "p@ss:w/rd#1" || e.Folder != "Support" {
		t.Fatalf("IMAP endpoint %+v", e)
	}
	if e, _ := m.SMTP(); e.Password != "p@ss:w/rd#1" || e.Port != 1587 {
		t.Fatalf("SMTP endpoint %+v", e)
	}
	out.Reset()
	if err := run(ctx, []string{"mailbox", "list", "--data", data}, nil, &out, &errb); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "help@example.org") || !strings.Contains(out.String(), "xxxxx") || strings.Contains(out.String(), "p@ss") {
		t.Fatalf("list printed %q", out.String())
	}
	// A bad URL names the flag.
	err = run(ctx, []string{"mailbox", "add", "--data", data, "--address", "x@example.org", "--smtp-url", "ftp://x"}, nil, &out, &errb)
	if err == nil || !strings.HasPrefix(err.Error(), "--smtp-url:") {
		t.Fatalf("bad URL: %v", err)
	}
}
