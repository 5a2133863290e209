package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/steward-desk/steward/internal/app"
	"github.com/steward-desk/steward/internal/audit"
	"github.com/steward-desk/steward/internal/auth"
	"github.com/steward-desk/steward/internal/demo"
	"github.com/steward-desk/steward/internal/search"
	"github.com/steward-desk/steward/internal/staff"
)

func newFlags(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("steward "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

func serve(ctx context.Context, args []string, stderr io.Writer) error {
	var cfg app.Config
	fs := newFlags("serve", stderr)
	cfg.ServeFlags(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	a, err := app.Open(ctx, cfg, app.Options{Work: true})
	if err != nil {
		return err
	}
	defer a.Close()
	return a.Serve(ctx, nil)
}

func migrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var cfg app.Config
	fs := newFlags("migrate", stderr)
	cfg.StorageFlags(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	a, err := app.Open(ctx, cfg, app.Options{}) // Open migrates
	if err != nil {
		return err
	}
	defer a.Close()
	v, err := a.DB.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "database (%s) at schema version %d\n", a.DB.Engine, v)
	return nil
}

func demoCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var cfg app.Config
	fs := newFlags("demo", stderr)
	cfg.ServeFlags(fs)
	tickets := fs.Int("tickets", 0, "how many tickets to generate (default about 1,000; large numbers use the bulk generator)")
	supporters := fs.Int("supporters", 0, "how many supporters to generate (default about 200)")
	seedOnly := fs.Bool("seed-only", false, "generate and exit without serving")
	if err := fs.Parse(args); err != nil {
		return err
	}
	a, err := app.Open(ctx, cfg, app.Options{Work: !*seedOnly})
	if err != nil {
		return err
	}
	defer a.Close()
	res, err := demo.Seed(ctx, a.DB, demo.Options{Tickets: *tickets, Supporters: *supporters, Progress: stderr, Hooks: a.DerivedHooks})
	switch {
	case errors.Is(err, demo.ErrNotEmpty):
		// Already seeded: give the first admin a fresh password so the printed login works.
		email, pw, rerr := resetAdminPassword(ctx, a)
		if rerr != nil {
			return fmt.Errorf("the database already has data and no admin: %w", rerr)
		}
		res = demo.Result{AdminEmail: email, Password: pw}
	case err != nil:
		return err
	case res.Bulk:
		// The bulk generator writes rows directly; index them in one pass.
		if _, err := search.Reindex(ctx, a.DB, func(format string, args ...any) { fmt.Fprintf(stderr, format+"\n", args...) }); err != nil {
			return fmt.Errorf("index the demo data: %w", err)
		}
	}
	fmt.Fprintf(stdout, "\nSteward demo is ready.\n  Open:     http://%s/\n  Email:    %s\n  Password: %s\n\n", cfg.Addr, res.AdminEmail, res.Password)
	if *seedOnly {
		return nil
	}
	return a.Serve(ctx, nil)
}

func userCreate(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	var cfg app.Config
	fs := newFlags("user create", stderr)
	cfg.StorageFlags(fs)
	email := fs.String("email", "", "email address (required)")
	name := fs.String("name", "", "display name (required)")
	role := fs.String("role", "agent", "admin, supervisor or agent")
	lang := fs.String("language", "", "UI language: en, ja or zh (default: from the browser)")
	pwStdin := fs.Bool("password-stdin", false, "read the password from the first line of standard input")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if !*pwStdin {
		return errors.New("--password-stdin is required (passwords never go on the command line)")
	}
	pw, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	pw = strings.TrimRight(pw, "\r\n")
	hash, err := auth.HashPassword(pw)
	if err != nil {
		return err
	}
	a, err := app.Open(ctx, cfg, app.Options{})
	if err != nil {
		return err
	}
	defer a.Close()
	var u staff.User
	err = a.DB.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		if u, err = staff.CreateUser(ctx, tx, staff.NewUser{Email: *email, Name: *name, Role: staff.Role(*role), PasswordHash: hash, Language: *lang}); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Actor{Name: "cli"}, "user.create", "user", u.ID, map[string]any{"email": u.Email, "role": u.Role})
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "created %s user %s (id %d)\n", u.Role, u.Email, u.ID)
	return nil
}

func tokenCreate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var cfg app.Config
	fs := newFlags("token create", stderr)
	cfg.StorageFlags(fs)
	email := fs.String("email", "", "the user the token acts as (required)")
	label := fs.String("name", "", "a label for the token, e.g. the integration using it (required)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	a, err := app.Open(ctx, cfg, app.Options{})
	if err != nil {
		return err
	}
	defer a.Close()
	u, err := staff.GetUserByEmail(ctx, a.DB.R, *email)
	if err != nil {
		return fmt.Errorf("user %q: %w", *email, err)
	}
	var tok string
	err = a.DB.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		if tok, err = auth.CreateAPIToken(ctx, tx, u.ID, *label); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Actor{Name: "cli"}, "token.create", "user", u.ID, map[string]any{"name": *label})
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "API token for %s (%s); it is shown only once:\n%s\n", u.Email, *label, tok)
	return nil
}

// resetAdminPassword gives the first admin a new random password.
func resetAdminPassword(ctx context.Context, a *app.App) (string, string, error) {
	var id int64
	var email string
	err := a.DB.R.QueryRowContext(ctx, "SELECT id, email FROM users WHERE role = 'admin' AND active = $1 ORDER BY id LIMIT 1", true).Scan(&id, &email)
	if err != nil {
		return "", "", err
	}
	b := make([]byte, 12)
	rand.Read(b)
	pw := base64.RawURLEncoding.EncodeToString(b)
	hash, err := auth.HashPassword(pw)
	if err != nil {
		return "", "", err
	}
	err = a.DB.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := staff.UpdateUser(ctx, tx, id, staff.UserPatch{PasswordHash: &hash}); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Actor{Name: "cli"}, "user.password_reset", "user", id, map[string]any{"by": "steward demo"})
	})
	return email, pw, err
}
