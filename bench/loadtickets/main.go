// Command loadtickets is a load generator for POST /api/v1/tickets: N
// concurrent clients on keep-alive connections post realistic English,
// Japanese and Chinese requests (internal/demo's vocabulary, from a pool of
// supporters so some write again) with a bearer token to a running
// `steward serve`, then report throughput and latency percentiles.
//
//	go run ./bench/loadtickets --url http://127.0.0.1:8080 --token stw_… -c 16 -d 30s
//
// bench/loadtickets.sh sets up a database, a user and a token, starts the
// server and runs this against it.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/steward-desk/steward/internal/demo"
)

func main() {
	var (
		base       = flag.String("url", "http://127.0.0.1:8080", "Steward's base URL")
		token      = flag.String("token", os.Getenv("STEWARD_TOKEN"), "API token (or STEWARD_TOKEN)")
		conc       = flag.Int("c", 16, "concurrent clients")
		duration   = flag.Duration("d", 30*time.Second, "how long to measure")
		warmup     = flag.Duration("warmup", 3*time.Second, "load before measuring starts")
		supporters = flag.Int("supporters", 20000, "distinct supporters the requests come from")
		prepared   = flag.Int("bodies", 20000, "request bodies to prepare in advance (cycled)")
		seed       = flag.Int64("seed", 1, "seed of the requests")
		minRate    = flag.Float64("min-rate", 0, "exit 1 when fewer tickets/s than this were created")
	)
	flag.Parse()
	if *token == "" {
		fmt.Fprintln(os.Stderr, "loadtickets: --token (or STEWARD_TOKEN) is required")
		os.Exit(2)
	}
	rate, err := run(*base, *token, *conc, *duration, *warmup, *supporters, *prepared, *seed)
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadtickets:", err)
		os.Exit(1)
	}
	if *minRate > 0 && rate < *minRate {
		fmt.Printf("FAIL: %.0f tickets/s is below the target of %.0f\n", rate, *minRate)
		os.Exit(1)
	}
}

type result struct {
	lat    time.Duration
	status int
	at     time.Time
}

func run(base, token string, conc int, duration, warmup time.Duration, supporters, prepared int, seed int64) (float64, error) {
	url := strings.TrimRight(base, "/") + "/api/v1/tickets"
	// Bodies are made before the clock starts so the generator's own work is
	// not part of what is measured.
	gen := demo.NewRequests(seed, supporters)
	bodies := make([][]byte, prepared)
	langs := map[string]int{}
	for i := range bodies {
		in := gen.Next()
		langs[in.Language]++
		b, err := json.Marshal(map[string]any{
			"subject": in.Subject, "body": in.Body, "channel": in.Channel,
			"supporter": map[string]any{"email": in.Email, "name": in.Name, "language": in.Language},
		})
		if err != nil {
			return 0, err
		}
		bodies[i] = b
	}

	tr := &http.Transport{
		Proxy:               nil,
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        conc,
		MaxIdleConnsPerHost: conc,
		MaxConnsPerHost:     conc,
		IdleConnTimeout:     90 * time.Second,
	}
	client := &http.Client{Transport: tr, Timeout: 30 * time.Second}

	// One request first: fail fast with the server's answer when it is not 201.
	if status, body, err := post(client, url, token, bodies[0]); err != nil {
		return 0, err
	} else if status != http.StatusCreated {
		return 0, fmt.Errorf("POST %s: %d %s", url, status, body)
	}

	ctx, cancel := context.WithTimeout(context.Background(), warmup+duration)
	defer cancel()
	start := time.Now()
	measureFrom := start.Add(warmup)
	var next atomic.Int64
	results := make([][]result, conc)
	var firstErr atomic.Value
	var wg sync.WaitGroup
	for w := range conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var rs []result
			for ctx.Err() == nil {
				b := bodies[int(next.Add(1))%len(bodies)]
				t := time.Now()
				status, body, err := post(client, url, token, b)
				if err != nil {
					if ctx.Err() == nil {
						firstErr.CompareAndSwap(nil, err)
						rs = append(rs, result{status: -1, at: t})
					}
					continue
				}
				if status != http.StatusCreated {
					firstErr.CompareAndSwap(nil, fmt.Errorf("%d %s", status, body))
				}
				rs = append(rs, result{lat: time.Since(t), status: status, at: t})
			}
			results[w] = rs
		}()
	}
	wg.Wait()
	end := time.Now()

	var lats []time.Duration
	statuses := map[int]int{}
	for _, rs := range results {
		for _, r := range rs {
			if r.at.Before(measureFrom) {
				continue
			}
			statuses[r.status]++
			if r.status == http.StatusCreated {
				lats = append(lats, r.lat)
			}
		}
	}
	secs := end.Sub(measureFrom).Seconds()
	rate := float64(len(lats)) / secs
	sort.Slice(lats, func(i, j int) bool { return lats[i] < lats[j] })
	fmt.Printf("POST %s\n", url)
	fmt.Printf("clients %d (keep-alive), warm-up %s, measured %.1fs, %d prepared bodies (en %d, ja %d, zh %d), GOMAXPROCS %d\n",
		conc, warmup, secs, len(bodies), langs["en"], langs["ja"], langs["zh"], runtime.GOMAXPROCS(0))
	fmt.Printf("created %d tickets: %.0f tickets/s\n", len(lats), rate)
	total := 1 // the first, checking request
	for _, rs := range results {
		total += len(rs)
	}
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	cpu := time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	fmt.Printf("sent %d requests in all; this client used %.1f s CPU (%.2f ms a request)\n", total, cpu.Seconds(), ms(cpu)/float64(total))
	fmt.Printf("latency p50 %s  p90 %s  p99 %s  max %s\n", pct(lats, 50), pct(lats, 90), pct(lats, 99), pct(lats, 100))
	var other []string
	for s, n := range statuses {
		if s != http.StatusCreated {
			other = append(other, fmt.Sprintf("%d×%d", n, s))
		}
	}
	if len(other) > 0 {
		fmt.Printf("other answers: %s (first: %v)\n", strings.Join(other, ", "), firstErr.Load())
	}
	return rate, nil
}

func post(c *http.Client, url, token string, body []byte) (int, string, error) {
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, "", err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body) // read to the end so the connection is reused
	msg := ""
	if resp.StatusCode != http.StatusCreated {
		msg = string(b)
	}
	return resp.StatusCode, msg, nil
}

func pct(d []time.Duration, p float64) string {
	if len(d) == 0 {
		return "-"
	}
	i := int(float64(len(d))*p/100+0.999999) - 1
	i = max(0, min(i, len(d)-1))
	return fmt.Sprintf("%.2fms", float64(d[i].Microseconds())/1000)
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
