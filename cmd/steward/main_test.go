package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/steward-desk/steward/internal/db/dbtest"
)

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func waitHealthy(t *testing.T, addr string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get("http://" + addr + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal("steward serve never became healthy")
}

// TestCommandsBesideServe runs serve, then user create and token create on
// the same data while it runs, uses the token, and stops serve the way
// SIGTERM does — with a request still in flight, which must complete.
func TestCommandsBesideServe(t *testing.T) {
	engines := map[string]func(t *testing.T) []string{
		"sqlite": func(t *testing.T) []string { return []string{"--data", t.TempDir()} },
		"postgres": func(t *testing.T) []string {
			return []string{"--data", t.TempDir(), "--db", dbtest.NewPostgresDatabase(t)}
		},
	}
	for name, storage := range engines {
		t.Run(name, func(t *testing.T) {
			store := storage(t)
			addr := freeAddr(t)
			ctx, stop := context.WithCancel(context.Background())
			defer stop()
			served := make(chan error, 1)
			go func() {
				served <- run(ctx, append([]string{"serve", "--addr", addr, "--log-level", "warn"}, store...), nil, io.Discard, io.Discard)
			}()
			waitHealthy(t, addr)

			var out bytes.Buffer
			err := run(context.Background(), append([]string{"user", "create", "--email", "Chen.Jing@example.org", "--name", "陈静", "--role", "admin", "--password-stdin"}, store...),
				strings.NewReader("长城长城长城长城长城长城\n"), &out, io.Discard)
			if err != nil {
				t.Fatalf("user create: %v", err)
			}
			// A second user with the same email is refused.
			if err := run(context.Background(), append([]string{"user", "create", "--email", "chen.jing@example.org", "--name", "x", "--password-stdin"}, store...),
				strings.NewReader("another long password\n"), io.Discard, io.Discard); err == nil {
				t.Fatal("duplicate user accepted")
			}
			out.Reset()
			if err := run(context.Background(), append([]string{"token", "create", "--email", "chen.jing@example.org", "--name", "test"}, store...), nil, &out, io.Discard); err != nil {
				t.Fatalf("token create: %v", err)
			}
			lines := strings.Split(strings.TrimSpace(out.String()), "\n")
			token := lines[len(lines)-1]
			if !strings.HasPrefix(token, "stw_") {
				t.Fatalf("last line is not a token: %q", out.String())
			}

			// Start a POST whose body arrives slowly, then ask serve to stop.
			pr, pw := io.Pipe()
			req, _ := http.NewRequest("POST", "http://"+addr+"/api/v1/tickets", pr)
			req.Header.Set("Authorization", "Bearer "+token)
			req.Header.Set("Content-Type", "application/json")
			type result struct {
				code int
				err  error
			}
			done := make(chan result, 1)
			go func() {
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					done <- result{0, err}
					return
				}
				resp.Body.Close()
				done <- result{resp.StatusCode, nil}
			}()
			body := `{"subject":"活动报名","body":"我想报名参加十二月的志愿者活动。","channel":"web","supporter":{"email":"li@example.cn","name":"李娜"}}`
			pw.Write([]byte(body[:20]))
			time.Sleep(200 * time.Millisecond)
			stop() // what SIGTERM does via signal.NotifyContext
			time.Sleep(300 * time.Millisecond)
			pw.Write([]byte(body[20:]))
			pw.Close()
			r := <-done
			if r.err != nil || r.code != http.StatusCreated {
				t.Fatalf("in-flight request during shutdown: code %d, err %v", r.code, r.err)
			}
			select {
			case err := <-served:
				if err != nil {
					t.Fatalf("serve returned %v", err)
				}
			case <-time.After(25 * time.Second):
				t.Fatal("serve did not stop")
			}
			if _, err := http.Get("http://" + addr + "/healthz"); err == nil {
				t.Fatal("still serving after shutdown")
			}
		})
	}
}

func TestVersionAndUsage(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), []string{"version"}, nil, &out, io.Discard); err != nil || !strings.HasPrefix(out.String(), "steward ") {
		t.Fatalf("version: %q %v", out.String(), err)
	}
	if err := run(context.Background(), []string{"bogus"}, nil, io.Discard, io.Discard); err == nil {
		t.Fatal("unknown command accepted")
	}
	if err := run(context.Background(), []string{"user", "create", "--email", "a@b.org", "--name", "x"}, nil, io.Discard, io.Discard); err == nil || !strings.Contains(err.Error(), "password-stdin") {
		t.Fatalf("user create without --password-stdin: %v", err)
	}
}
