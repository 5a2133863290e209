// Command steward is the Steward supporter care desk: one binary that serves
// the agent UI and API, runs migrations, and manages users and tokens.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

const usage = `Steward — the supporter care desk for nonprofits.

Usage:
  steward serve           serve the desk (HTTP UI and API, background jobs)
  steward demo            fill an empty database with a demo nonprofit, print a login, serve
  steward migrate         apply database migrations and exit
  steward reindex         rebuild the search index from the database
  steward import supporters|donations FILE   import a CSV file (docs/import.md)
  steward mailbox add     add a support address (--address --imap-url --smtp-url --department)
  steward mailbox list    list support addresses and how their mail fetching is going
  steward user create     add a staff user (--email --name --role --password-stdin)
  steward token create    create an API token for a user (--email --name); prints it last
  steward version         print the version

Every command that touches the database takes --data DIR and --db DSN
(or STEWARD_DATA, STEWARD_DB). Run "steward COMMAND -h" for a command's flags.
`

// gcPercent is Steward's default for GOGC. A request allocates ~60 KB that
// dies with it, against a live heap of a few tens of MB, so at the default
// of 100 the collector ran every ~15 ms under load; at 200 a created
// ticket costs 8-13 % less CPU (BENCHMARKS.md, section 3) for a heap that
// may grow to three times the live data instead of two. The GOGC
// environment variable still overrides it.
const gcPercent = 200

func main() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "steward:", err)
		}
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errors.New("no command given")
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "serve":
		return serve(ctx, rest, stderr)
	case "demo":
		return demoCmd(ctx, rest, stdout, stderr)
	case "migrate":
		return migrate(ctx, rest, stdout, stderr)
	case "reindex":
		return reindex(ctx, rest, stdout, stderr)
	case "import":
		return importCmd(ctx, rest, stdout, stderr)
	case "mailbox":
		return mailboxCmd(ctx, rest, stdin, stdout, stderr)
	case "user":
		if len(rest) > 0 && rest[0] == "create" {
			return userCreate(ctx, rest[1:], stdin, stdout, stderr)
		}
		return errors.New(`unknown user command; try "steward user create -h"`)
	case "token":
		if len(rest) > 0 && rest[0] == "create" {
			return tokenCreate(ctx, rest[1:], stdout, stderr)
		}
		return errors.New(`unknown token command; try "steward token create -h"`)
	case "version", "--version", "-version":
		fmt.Fprintln(stdout, "steward", buildVersion())
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", cmd)
}

func buildVersion() string {
	if version != "dev" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				return "dev-" + s.Value[:12]
			}
		}
	}
	return version
}
