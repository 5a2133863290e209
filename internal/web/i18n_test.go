package web

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/steward-desk/steward/internal/i18n"
	"github.com/steward-desk/steward/internal/staff"
	"github.com/steward-desk/steward/internal/ticket"
)

// Every message id the UI uses — literal ids in templates and Go, and ids
// built from statuses, channels, roles and validation codes — exists in
// every language.
func TestUIMessagesExist(t *testing.T) {
	ids := map[string]bool{}
	literal := regexp.MustCompile(`\.T "([a-z0-9_.-]+)"`)
	fs.WalkDir(templateFS, "templates", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, _ := fs.ReadFile(templateFS, p)
		for _, m := range literal.FindAllStringSubmatch(string(b), -1) {
			ids[m[1]] = true
		}
		return nil
	})
	goIDs := regexp.MustCompile(`"((?:login|error|validation|view|admin\.[a-z]+|supporters)\.[a-z0-9_.]+)"`)
	files, _ := filepath.Glob("*.go")
	for _, f := range files {
		b, _ := os.ReadFile(f)
		for _, m := range goIDs.FindAllStringSubmatch(string(b), -1) {
			ids[m[1]] = true
		}
	}
	for _, s := range ticket.Statuses {
		ids["status."+string(s)] = true
	}
	for _, c := range ticket.Channels {
		ids["channel."+c] = true
	}
	for _, p := range ticket.Priorities {
		ids["priority."+p] = true
	}
	for _, ty := range ticket.Types {
		ids["type."+ty] = true
	}
	for _, v := range ticket.Views {
		ids[viewLabels[v]] = true
	}
	for _, r := range []staff.Role{staff.Admin, staff.Supervisor, staff.Agent} {
		ids["role."+string(r)] = true
	}
	for _, d := range []ticket.Direction{ticket.In, ticket.Out, ticket.Note} {
		ids["message.dir."+string(d)] = true
	}
	for _, k := range []string{"email", "phone", "handle"} {
		ids["identity."+k] = true
	}
	// Codes the capability packages return in errs.Invalid.
	for _, c := range []string{"required", "too_long", "invalid", "too_many", "too_short", "self", "not_offered"} {
		ids["validation."+c] = true
	}
	if len(ids) < 150 {
		t.Fatalf("found only %d ids; is the scan broken?", len(ids))
	}
	for _, lang := range i18n.Languages {
		lc := i18n.For(lang)
		for id := range ids {
			if !lc.Has(id) {
				t.Errorf("%s: no message %q", lang, id)
			}
		}
	}
}
