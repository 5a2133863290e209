package auth_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/steward-desk/steward/internal/auth"
	"github.com/steward-desk/steward/internal/db"
	"github.com/steward-desk/steward/internal/db/dbtest"
	"github.com/steward-desk/steward/internal/staff"
)

func TestPasswordHash(t *testing.T) {
	h, err := auth.HashPassword("正しいパスワード1234")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("hash format %q", h)
	}
	if ok, _ := auth.CheckPassword(h, "正しいパスワード1234"); !ok {
		t.Fatal("right password refused")
	}
	if ok, _ := auth.CheckPassword(h, "正しいパスワード1235"); ok {
		t.Fatal("wrong password accepted")
	}
	if _, err := auth.CheckPassword("$argon2id$garbage", "x"); err == nil {
		t.Fatal("malformed hash accepted")
	}
	if _, err := auth.HashPassword("short"); err == nil {
		t.Fatal("short password accepted")
	}
}

func seedUser(t *testing.T, d *db.DB, email string, active bool) staff.User {
	t.Helper()
	h, _ := auth.HashPassword("correct horse battery")
	u, err := staff.CreateUser(context.Background(), d.W, staff.NewUser{Email: email, Name: "王芳", Role: staff.Agent, PasswordHash: h})
	if err != nil {
		t.Fatal(err)
	}
	if !active {
		f := false
		staff.UpdateUser(context.Background(), d.W, u.ID, staff.UserPatch{Active: &f})
	}
	return u
}

func TestLoginSessionsAndThrottle(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		u := seedUser(t, d, "wang@example.org", true)
		seedUser(t, d, "gone@example.org", false)

		got, err := auth.Login(ctx, d, "WANG@example.org", "correct horse battery", "10.0.0.1")
		if err != nil || got.ID != u.ID {
			t.Fatalf("login: %v", err)
		}
		if _, err := auth.Login(ctx, d, "gone@example.org", "correct horse battery", "10.0.0.1"); !errors.Is(err, auth.ErrBadCredentials) {
			t.Fatalf("inactive user logged in: %v", err)
		}
		if _, err := auth.Login(ctx, d, "nobody@example.org", "whatever", "10.0.0.1"); !errors.Is(err, auth.ErrBadCredentials) {
			t.Fatalf("unknown user: %v", err)
		}
		tok, err := auth.CreateSession(ctx, d.W, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		if su, err := auth.UserBySession(ctx, d, tok); err != nil || su.ID != u.ID {
			t.Fatalf("session: %v", err)
		}
		if _, err := auth.UserBySession(ctx, d, tok+"x"); !errors.Is(err, auth.ErrUnauthenticated) {
			t.Fatalf("forged session: %v", err)
		}
		auth.DeleteSession(ctx, d.W, tok)
		if _, err := auth.UserBySession(ctx, d, tok); !errors.Is(err, auth.ErrUnauthenticated) {
			t.Fatalf("session after logout: %v", err)
		}

		for i := 0; i < auth.MaxEmailFailures; i++ {
			if _, err := auth.Login(ctx, d, "wang@example.org", "wrong", "10.0.0.2"); !errors.Is(err, auth.ErrBadCredentials) {
				t.Fatalf("attempt %d: %v", i, err)
			}
		}
		// Locked out even with the right password.
		if _, err := auth.Login(ctx, d, "wang@example.org", "correct horse battery", "10.0.0.3"); !errors.Is(err, auth.ErrThrottled) {
			t.Fatalf("after %d failures: %v", auth.MaxEmailFailures, err)
		}
	})
}

func TestAPITokens(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		u := seedUser(t, d, "api@example.org", true)
		tok, err := auth.CreateAPIToken(ctx, d.W, u.ID, "CRM sync")
		if err != nil || !strings.HasPrefix(tok, "stw_") {
			t.Fatalf("token %q %v", tok, err)
		}
		var stored []byte
		d.R.QueryRowContext(ctx, "SELECT token_hash FROM api_tokens").Scan(&stored)
		if len(stored) != 32 || strings.Contains(string(stored), tok) {
			t.Fatal("token not stored as a SHA-256")
		}
		if got, err := auth.UserByAPIToken(ctx, d, tok); err != nil || got.ID != u.ID {
			t.Fatalf("lookup: %v", err)
		}
		for _, bad := range []string{"", "stw_", tok[:len(tok)-1], "Bearer " + tok, "' OR 1=1 --"} {
			if _, err := auth.UserByAPIToken(ctx, d, bad); !errors.Is(err, auth.ErrUnauthenticated) {
				t.Fatalf("token %q: %v", bad, err)
			}
		}
	})
}
