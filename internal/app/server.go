package app

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/steward-desk/steward/internal/api"
	"github.com/steward-desk/steward/internal/db"
	"github.com/steward-desk/steward/internal/stripehook"
	"github.com/steward-desk/steward/internal/web"
)

var (
	httpRequests = promauto.NewCounterVec(prometheus.CounterOpts{
		Name: "steward_http_requests_total", Help: "HTTP requests by route pattern, method and status code.",
	}, []string{"route", "method", "code"})
	httpDuration = promauto.NewHistogramVec(prometheus.HistogramOpts{
		Name: "steward_http_request_duration_seconds", Help: "HTTP request latency by route pattern.",
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
	}, []string{"route", "method"})
)

// metricsDB is the database whose group-commit counters /metrics reports
// (the last one opened: a process serves one).
var metricsDB atomic.Pointer[db.DB]

func init() {
	stat := func(f func(db.GroupCommitStats) float64) func() float64 {
		return func() float64 {
			d := metricsDB.Load()
			if d == nil {
				return 0
			}
			return f(d.GroupCommitStats())
		}
	}
	prometheus.MustRegister(
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "steward_db_group_commits_total",
			Help: "SQLite COMMITs run by the group committer (0 on PostgreSQL)."},
			stat(func(s db.GroupCommitStats) float64 { return float64(s.Commits) })),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "steward_db_group_committed_transactions_total",
			Help: "Write transactions those COMMITs carried; divided by the commits, the mean batch size."},
			stat(func(s db.GroupCommitStats) float64 { return float64(s.Transactions) })),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "steward_db_writer_busy_seconds_total",
			Help: "Time SQLite's one writer spent running write transactions; its rate near 1 means writes queue (0 on PostgreSQL)."},
			stat(func(s db.GroupCommitStats) float64 { return s.Busy.Seconds() })),
	)
}

// Handler is Steward's whole HTTP surface.
func (a *App) Handler() http.Handler {
	r := chi.NewRouter()
	// Open has validated the list already.
	proxies, _ := parseProxies(a.Cfg.TrustedProxies)
	r.Use(clientAddr(proxies), middleware.RequestID, a.observe, middleware.Recoverer)
	r.Get("/healthz", a.healthz)
	r.Handle("/metrics", promhttp.Handler())
	// Stripe signs its webhooks; the secret is STEWARD_STRIPE_WEBHOOK_SECRET or the admin setting.
	r.Handle("/webhooks/stripe", stripehook.Handler(a.DB, os.Getenv("STEWARD_STRIPE_WEBHOOK_SECRET"), a.Log))
	r.Mount("/api/v1", api.New(api.Deps{DB: a.DB, Tickets: a.Tickets, Blobs: a.Blobs, Log: a.Log, SLA: a.SLA, Routing: a.Routing, Mailboxes: a.Email.Mailboxes, MailboxesChanged: a.Email.Poller.Refresh, Search: a.Search}).Handler())
	r.Mount("/", web.New(web.Deps{DB: a.DB, Tickets: a.Tickets, Live: a.Live, Blobs: a.Blobs, Log: a.Log, SecureCookies: a.Cfg.SecureCookies, SLA: a.SLA, Mailboxes: a.Email.Mailboxes, MailboxesChanged: a.Email.Poller.Refresh, Search: a.Search}).Handler())
	return r
}

// healthz answers 200 when the database answers within two seconds.
func (a *App) healthz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if err := a.DB.Ping(ctx); err != nil {
		a.Log.Error("health check failed", "err", err)
		w.WriteHeader(http.StatusServiceUnavailable)
		w.Write([]byte("database unavailable\n"))
		return
	}
	w.Write([]byte("ok\n"))
}

// observe logs each request and records its metrics under the route
// pattern (never the raw path, which would explode the label set).
func (a *App) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		ww := middleware.NewWrapResponseWriter(w, r.ProtoMajor)
		next.ServeHTTP(ww, r)
		route := "unmatched"
		if rc := chi.RouteContext(r.Context()); rc != nil && rc.RoutePattern() != "" {
			route = rc.RoutePattern()
		}
		d := time.Since(start)
		code := ww.Status()
		if code == 0 {
			code = http.StatusOK
		}
		httpRequests.WithLabelValues(route, r.Method, strconv.Itoa(code)).Inc()
		httpDuration.WithLabelValues(route, r.Method).Observe(d.Seconds())
		level := slog.LevelDebug
		if code >= 500 {
			level = slog.LevelError
		}
		a.Log.Log(r.Context(), level, "http", "method", r.Method, "path", r.URL.Path, "status", code,
			"duration_ms", d.Milliseconds(), "request_id", middleware.GetReqID(r.Context()))
	})
}

// Serve runs the HTTP server and job workers until ctx ends (SIGTERM), then
// stops accepting, lets in-flight requests and jobs finish within the
// shutdown timeout, and returns.
func (a *App) Serve(ctx context.Context, ready func(addr string)) error {
	ln, err := net.Listen("tcp", a.Cfg.Addr)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           a.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      60 * time.Second, // SSE extends its own deadline
		IdleTimeout:       2 * time.Minute,
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	if err := a.Jobs.Start(ctx); err != nil {
		ln.Close()
		return err
	}
	stopEmail, err := a.Email.Start(ctx, a)
	if err != nil {
		ln.Close()
		return err
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	a.Log.Info("steward serving", "addr", ln.Addr().String(), "engine", a.DB.Engine)
	if ready != nil {
		ready(ln.Addr().String())
	}
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	a.Log.Info("shutting down", "timeout", a.Cfg.ShutdownTimeout)
	sctx, cancel := context.WithTimeout(context.Background(), a.Cfg.ShutdownTimeout)
	defer cancel()
	// End SSE streams (they never go idle) so Shutdown waits only for real requests.
	a.Live.Close()
	herr := srv.Shutdown(sctx)
	eerr := stopEmail(sctx)
	jerr := a.Jobs.Stop(sctx)
	if errors.Is(herr, http.ErrServerClosed) {
		herr = nil
	}
	return errors.Join(herr, eerr, jerr)
}
