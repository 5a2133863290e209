package tone_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/steward-desk/steward/internal/audit"
	"github.com/steward-desk/steward/internal/db"
	"github.com/steward-desk/steward/internal/db/dbtest"
	"github.com/steward-desk/steward/internal/supporter"
	"github.com/steward-desk/steward/internal/ticket"
	"github.com/steward-desk/steward/internal/tone"
)

func TestAnalyze(t *testing.T) {
	cases := []struct {
		text     string
		contacts int
		want     bool
	}{
		{"Thank you so much for the lovely newsletter!", 1, false},
		{"Could you send me last year's receipt, please?", 1, false},
		{"This is unacceptable. I am still waiting for my receipt!!", 1, true},
		{"WHY HAS NOBODY ANSWERED MY EMAIL", 1, true},
		{"Where is my receipt?", 4, false},
		{"Where is my receipt? Still not here.", 4, true},
		{"領収書がまだ届きません。何度も連絡しているのに返信がないのは納得できません。", 1, true},
		{"いつもありがとうございます。住所が変わりました。", 1, false},
		{"我已经多次联系你们，一直没有人回复，太让人失望了！", 1, true},
		{"请问怎么开具捐款收据？谢谢。", 1, false},
		{"募金の件、いい加減にしてください！！", 1, true},
	}
	for _, c := range cases {
		r := tone.Analyze(c.text, tone.Signals{RecentContacts: c.contacts})
		if r.Frustrated != c.want {
			t.Errorf("%q: frustrated %v (score %d, cues %v), want %v", c.text, r.Frustrated, r.Score, r.Cues, c.want)
		}
	}
}

func TestHookRaisesPriority(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		svc := &ticket.Service{DB: d, Hooks: []ticket.Hook{tone.Hook}}
		calm, err := svc.Create(ctx, audit.Actor{Name: "test"}, ticket.CreateInput{
			NewTicket: ticket.NewTicket{Subject: "住所変更", Body: "引っ越しました。よろしくお願いします。", Language: "ja"},
			Supporter: supporter.NewSupporter{Email: "a@example.jp"}})
		if err != nil {
			t.Fatal(err)
		}
		if calm.Priority != "normal" || slices.Contains(calm.Tags, tone.Tag) {
			t.Fatalf("calm: %+v", calm)
		}
		angry, err := svc.Create(ctx, audit.Actor{Name: "test"}, ticket.CreateInput{
			NewTicket: ticket.NewTicket{Subject: "收据", Body: "我已经多次联系你们，一直没有人回复，无法接受！", Language: "zh"},
			Supporter: supporter.NewSupporter{Email: "b@example.cn"}})
		if err != nil {
			t.Fatal(err)
		}
		if angry.Priority != "high" || !slices.Contains(angry.Tags, tone.Tag) {
			t.Fatalf("angry: %+v", angry)
		}
		entries, _ := audit.ListFor(ctx, d.R, "ticket", angry.ID)
		if entries[len(entries)-1].Action != "tone.frustrated" {
			t.Fatalf("audit: %+v", entries[len(entries)-1])
		}
	})
}

// A text scored by Warm before its transaction gives the hook the same
// outcome, and the hook takes the score (nothing is left behind).
func TestWarmedMessages(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		svc := &ticket.Service{DB: d, Hooks: []ticket.Hook{tone.Hook}, Warm: []ticket.Warmer{tone.Warm}}
		// Staff replies are not scored; a supporter's message is.
		tone.Warm(ticket.Texts{Body: "最悪の対応です", Direction: ticket.Out})
		if n := tone.Warmed(); n != 0 {
			t.Fatalf("a staff reply was scored (%d)", n)
		}
		if tone.Warm(ticket.Texts{Body: "最悪の対応です", Direction: ticket.In}); tone.Warmed() != 1 {
			t.Fatalf("a supporter's message was not scored")
		}
		if _, err := svc.Create(ctx, audit.Actor{Name: "test"}, ticket.CreateInput{
			NewTicket: ticket.NewTicket{Subject: "件名", Body: "最悪の対応です", Language: "ja"},
			Supporter: supporter.NewSupporter{Email: "first@example.jp"}}); err != nil {
			t.Fatal(err)
		}
		taken := tone.WarmedTaken()
		for _, c := range []struct {
			body, lang string
			frustrated bool
		}{
			{"引っ越しました。よろしくお願いします。", "ja", false},
			{"何度も問い合わせているのに返事がない。納得できません！！", "ja", true},
			{"我已经多次联系你们，一直没有人回复，无法接受！", "zh", true},
			{"Thank you for the lovely newsletter.", "en", false},
		} {
			tk, err := svc.Create(ctx, audit.Actor{Name: "test"}, ticket.CreateInput{
				NewTicket: ticket.NewTicket{Subject: "件名", Body: c.body, Language: c.lang},
				Supporter: supporter.NewSupporter{Email: c.lang + "@example.org"}})
			if err != nil {
				t.Fatal(err)
			}
			if got := slices.Contains(tk.Tags, tone.Tag); got != c.frustrated {
				t.Errorf("%q: frustrated = %v, want %v", c.body, got, c.frustrated)
			}
		}
		if n := tone.Warmed(); n != 0 {
			t.Errorf("%d warmed scores were never taken", n)
		}
		// Each of the four messages (direction left to its default, from
		// the supporter) was scored ahead and the score used.
		if n := tone.WarmedTaken() - taken; n != 4 {
			t.Errorf("the hook used %d warmed scores, want 4", n)
		}
	})
}

// The one-pass matcher scores exactly like checking every phrase in turn,
// on the seed documents' real Japanese and Chinese and on angry mixes.
func TestTextScoreMatchesEveryPhraseCheck(t *testing.T) {
	texts := []string{
		"This is UNACCEPTABLE and ridiculous — still waiting, still not fixed, how many times?",
		"何度も何度も連絡しているのに返事がない。最悪です。いい加減にしてください！",
		"我已经多次联系你们，一直没有人回复，无法接受，我要投诉，还要退款！",
		"Frustrated, frustrating, FRUSTRATED: third time I complain about my complaint.",
		"",
	}
	for _, f := range []string{"../../../shared/seeds"} {
		entries, _ := os.ReadDir(f)
		for _, e := range entries {
			b, err := os.ReadFile(filepath.Join(f, e.Name()))
			if err == nil {
				texts = append(texts, string(b))
			}
		}
	}
	for _, text := range texts {
		lower := strings.ToLower(text)
		want, cues := 0, map[string]bool{}
		for phrase, w := range tone.Lexicon() {
			if strings.Contains(lower, phrase) {
				want += w
				cues[phrase] = true
			}
		}
		got := tone.TextScore(text)
		text := []rune(text)
		text = text[:min(len(text), 30)]
		lexical := 0
		for _, c := range got.Cues {
			if w, ok := tone.Lexicon()[c]; ok {
				lexical += w
				if !cues[c] {
					t.Errorf("%q…: cue %q not in the text", string(text), c)
				}
				delete(cues, c)
			}
		}
		if lexical != want || len(cues) != 0 {
			t.Errorf("%q…: lexicon score %d, want %d; missed %v", string(text), lexical, want, cues)
		}
	}
}

func BenchmarkTextScore(b *testing.B) {
	text := "いつもお世話になっております。昨年の寄付金の領収書がまだ届いていません。何度も問い合わせていますが、返事がないので困っています。" +
		" I have written three times now and I am still waiting for my receipt. 我已经多次联系你们，请尽快回复。"
	for b.Loop() {
		tone.TextScore(text)
	}
}
