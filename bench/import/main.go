// Command import measures `steward import`: it writes a supporters file and
// a donations file in Steward's native CSV format (Japanese, Chinese and
// English names; Shift_JIS for the supporters by default, as Excel in Japan
// saves them), imports both into a fresh database through the same
// csvimport.Parse + Apply the CLI uses, imports them again (which must
// change nothing), and prints the timings.
//
//	go run ./bench/import                       # 100,000 supporters, 500,000 donations, SQLite
//	go run ./bench/import --db postgres://…     # the same on PostgreSQL
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime/pprof"
	"syscall"
	"time"

	"golang.org/x/text/encoding/japanese"

	"github.com/steward-desk/steward/internal/audit"
	"github.com/steward-desk/steward/internal/csvimport"
	"github.com/steward-desk/steward/internal/db"
)

func main() {
	var (
		dsn        = flag.String("db", "", "database DSN; empty: a fresh SQLite file in a temp directory")
		supporters = flag.Int("supporters", 100_000, "supporter rows")
		donations  = flag.Int("donations", 500_000, "donation rows")
		sjis       = flag.Bool("sjis", true, "write the supporters file in Shift_JIS")
		cpuprofile = flag.String("cpuprofile", "", "write a CPU profile here")
	)
	flag.Parse()
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err == nil && pprof.StartCPUProfile(f) == nil {
			defer pprof.StopCPUProfile()
		}
	}
	if err := run(*dsn, *supporters, *donations, *sjis); err != nil {
		pprof.StopCPUProfile()
		fmt.Fprintln(os.Stderr, "bench/import:", err)
		os.Exit(1)
	}
}

var (
	family = []string{"佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "王", "李", "張", "劉", "陳", "Smith", "Garcia", "Nguyen"}
	given  = []string{"花子", "一郎", "ゆかり", "健", "美咲", "偉", "娜", "静", "強", "Jane", "Omar", "Mia"}
	camps  = []string{"年末募金", "春季助学", "Winter appeal", "災害支援", "", ""}
	curs   = []string{"JPY", "JPY", "JPY", "CNY", "TWD", "USD"}
)

func files(n, m int) (sup, don []byte) {
	r := rand.New(rand.NewPCG(1, 2))
	var b bytes.Buffer
	b.WriteString("external_id,family_name,given_name,email,phone,language,tags,supporter_since\r\n")
	for i := range n {
		f, g := family[r.IntN(len(family))], given[r.IntN(len(given))]
		lang := "ja"
		if f == "王" || f == "李" || f == "張" || f == "劉" || f == "陳" {
			lang = "zh"
		} else if f[0] < 0x80 {
			lang = "en"
		}
		tag := ""
		if r.IntN(10) == 0 {
			tag = "volunteer"
		}
		since := ""
		if r.IntN(3) == 0 {
			since = fmt.Sprintf("%d-%02d-01", 2005+r.IntN(20), 1+r.IntN(12))
		}
		fmt.Fprintf(&b, "S%d,%s,%s,user%d@example.org,+81 90-%04d-%04d,%s,%s,%s\r\n", i, f, g, i, i/10000, i%10000, lang, tag, since)
	}
	sup = append([]byte(nil), b.Bytes()...)
	b.Reset()
	b.WriteString("external_id,supporter_external_id,amount,currency,date,campaign,recurring,payment_method\r\n")
	for i := range m {
		c := curs[r.IntN(len(curs))]
		amt := fmt.Sprint(1000 * (1 + r.IntN(30)))
		if c != "JPY" && c != "TWD" {
			amt = fmt.Sprintf("%d.%02d", 10+r.IntN(500), r.IntN(100))
		}
		fmt.Fprintf(&b, "G%d,S%d,%s,%s,%d-%02d-%02d,%s,%d,card\r\n", i, r.IntN(n), amt, c, 2010+r.IntN(17), 1+r.IntN(12), 1+r.IntN(28),
			camps[r.IntN(len(camps))], r.IntN(4)/3)
	}
	return sup, b.Bytes()
}

func run(dsn string, n, m int, sjis bool) error {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "steward-bench-import-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	sup, don := files(n, m)
	if sjis {
		if sup, err = japanese.ShiftJIS.NewEncoder().Bytes(sup); err != nil {
			return err
		}
	}
	os.WriteFile(filepath.Join(dir, "supporters.csv"), sup, 0o644)
	d, err := db.Open(ctx, db.Options{DSN: dsn, DataDir: dir})
	if err != nil {
		return err
	}
	defer d.Close()
	if _, err := d.Migrate(ctx); err != nil {
		return err
	}
	fmt.Printf("engine %s; supporters.csv %.1f MB, donations.csv %.1f MB\n", d.Engine, float64(len(sup))/1e6, float64(len(don))/1e6)
	var total, totalCPU time.Duration
	for round := 1; round <= 2; round++ {
		for _, f := range []struct {
			kind string
			data []byte
		}{{csvimport.KindSupporters, sup}, {csvimport.KindDonations, don}} {
			start, cpu0 := time.Now(), cpuTime()
			p, err := csvimport.Parse(f.data, csvimport.Options{Kind: f.kind})
			if err != nil {
				return err
			}
			parsed := time.Since(start)
			res, err := csvimport.Apply(ctx, d, p, audit.System, f.kind+".csv")
			if err != nil {
				return fmt.Errorf("%s: %w (%v)", f.kind, err, p.Errors[:min(3, len(p.Errors))])
			}
			el, cpu := time.Since(start), cpuTime()-cpu0
			if round == 1 {
				total += el
				totalCPU += cpu
			}
			fmt.Printf("round %d %-10s %7d rows (%s) parse %6s, total %6s (CPU %6s): created %d updated %d unchanged %d donations %d already present %d\n",
				round, f.kind, res.Rows, p.Encoding, parsed.Round(time.Millisecond), el.Round(time.Millisecond), cpu.Round(time.Millisecond),
				res.Created, res.Updated, res.Unchanged, res.Donations, res.Duplicates)
		}
	}
	fmt.Printf("first import of both files: %s wall, %s CPU (load average %s)\n", total.Round(time.Millisecond), totalCPU.Round(time.Millisecond), loadavg())
	return nil
}

// cpuTime is the process's user+system CPU time: on a busy shared machine
// it says more than the wall clock.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func loadavg() string {
	b, _ := os.ReadFile("/proc/loadavg")
	f := bytes.Fields(b)
	if len(f) == 0 {
		return "?"
	}
	return string(f[0])
}
