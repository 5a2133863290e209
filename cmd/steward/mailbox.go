package main

import (
	"bufio"
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/steward-desk/steward/internal/app"
	"github.com/steward-desk/steward/internal/audit"
	"github.com/steward-desk/steward/internal/errs"
	"github.com/steward-desk/steward/internal/mailbox"
	"github.com/steward-desk/steward/internal/staff"
)

const mailboxUsage = `Usage:
  steward mailbox add --address A [--name N] [--imap-url URL] [--smtp-url URL] [--department D] [--password-stdin]
  steward mailbox list

URLs: imap://user:pass@host:143/INBOX (STARTTLS when offered), imaps://…:993/INBOX,
smtp://user:pass@host:587 (STARTTLS when offered), smtps://…:465; add ?starttls=required
to insist on STARTTLS. Percent-encode @ : / ? # in user names and passwords
(support%40example.org). With --password-stdin, the URLs hold only the user name and the
password is read from standard input, so it stays out of the shell history.
`

func mailboxCmd(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) > 0 {
		switch args[0] {
		case "add":
			return mailboxAdd(ctx, args[1:], stdin, stdout, stderr)
		case "list":
			return mailboxList(ctx, args[1:], stdout, stderr)
		}
	}
	fmt.Fprint(stderr, mailboxUsage)
	return errors.New(`unknown mailbox command; try "steward mailbox add -h"`)
}

func mailboxAdd(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	var cfg app.Config
	fs := newFlags("mailbox add", stderr)
	cfg.StorageFlags(fs)
	address := fs.String("address", "", "the support address, e.g. support@example.org (required)")
	name := fs.String("name", "", "the name replies are sent under (default: the organisation's name)")
	imapURL := fs.String("imap-url", "", "where to fetch the mail: imap:// or imaps://user:password@host[:port]/FOLDER")
	smtpURL := fs.String("smtp-url", "", "the relay replies leave through: smtp:// or smtps://[user:password@]host[:port] (default: --smtp-relay of serve)")
	dept := fs.String("department", "", "department name or id its tickets go to")
	pwStdin := fs.Bool("password-stdin", false, "read the password for the URLs' user from the first line of standard input")
	fs.Usage = func() { fmt.Fprint(stderr, mailboxUsage); fs.PrintDefaults() }
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *pwStdin {
		pw, err := bufio.NewReader(stdin).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return err
		}
		pw = strings.TrimRight(pw, "\r\n")
		*imapURL = withPassword(*imapURL, pw)
		*smtpURL = withPassword(*smtpURL, pw)
	}
	a, err := app.Open(ctx, cfg, app.Options{})
	if err != nil {
		return err
	}
	defer a.Close()
	in := mailbox.Input{Address: *address, Name: *name, IMAPURL: *imapURL, SMTPURL: *smtpURL}
	if *dept != "" {
		id, err := departmentID(ctx, a, *dept)
		if err != nil {
			return err
		}
		in.DepartmentID = &id
	}
	var m mailbox.Mailbox
	err = a.DB.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		if m, err = a.Email.Mailboxes.Create(ctx, tx, in); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Actor{Name: "cli"}, "mailbox.create", "mailbox", m.ID,
			map[string]any{"address": m.Address, "imap_url": m.IMAPURL, "smtp_url": m.SMTPURL})
	})
	if inv, ok := errs.AsInvalid(err); ok {
		return fmt.Errorf("--%s: %s", strings.ReplaceAll(inv.Field, "_", "-"), inv.Message)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "created mailbox %s (id %d)\n", m.Address, m.ID)
	if m.IMAPURL != "" {
		fmt.Fprintf(stdout, "  fetching from %s (a running serve picks it up within --imap-poll-interval)\n", m.IMAPURL)
	}
	if m.SMTPURL != "" {
		fmt.Fprintf(stdout, "  replies through %s\n", m.SMTPURL)
	}
	return nil
}

// withPassword puts pw into a URL that names a user; URLs without one stay.
func withPassword(raw, pw string) string {
	scheme, rest, ok := strings.Cut(raw, "://")
	if !ok {
		return raw
	}
	userinfo, host, ok := strings.Cut(rest, "@")
	if !ok || strings.Contains(host, "@") {
		return raw
	}
	user, _, _ := strings.Cut(userinfo, ":")
	return scheme + "://" + user + ":" + urlEscape(pw) + "@" + host
}

// urlEscape percent-encodes a password for the userinfo of a URL.
func urlEscape(s string) string {
	var b strings.Builder
	for _, c := range []byte(s) {
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("-._~", c) >= 0 {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

func departmentID(ctx context.Context, a *app.App, nameOrID string) (int64, error) {
	if id, err := strconv.ParseInt(nameOrID, 10, 64); err == nil {
		return id, nil
	}
	d, err := staff.GetDepartmentByName(ctx, a.DB.R, nameOrID)
	if err != nil {
		return 0, fmt.Errorf("--department %q: %w", nameOrID, err)
	}
	return d.ID, nil
}

func mailboxList(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var cfg app.Config
	fs := newFlags("mailbox list", stderr)
	cfg.StorageFlags(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return flag.ErrHelp
	}
	a, err := app.Open(ctx, cfg, app.Options{})
	if err != nil {
		return err
	}
	defer a.Close()
	list, err := a.Email.Mailboxes.List(ctx, a.DB.R)
	if err != nil {
		return err
	}
	if len(list) == 0 {
		fmt.Fprintln(stdout, `no mailboxes; add one with "steward mailbox add --address …"`)
		return nil
	}
	w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "ID\tADDRESS\tNAME\tDEPARTMENT\tIMAP\tSMTP\tLAST FETCH\tSTATUS")
	for _, m := range list {
		dept := "-"
		if m.DepartmentID != nil {
			dept = strconv.FormatInt(*m.DepartmentID, 10)
		}
		fetched := "never"
		if m.Health.LastFetchAt != nil {
			fetched = m.Health.LastFetchAt.Local().Format(time.DateTime)
		}
		status := "ok"
		switch {
		case m.CredentialsError != "":
			status = "error: " + m.CredentialsError
		case !m.Health.OK:
			status = "error: " + m.Health.LastError
		}
		fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", m.ID, m.Address, orDash(m.Name), dept, orDash(m.IMAPURL), orDash(m.SMTPURL), fetched, status)
	}
	return w.Flush()
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
