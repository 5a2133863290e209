package web

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/steward-desk/steward/internal/auth"
)

// events streams live.Events to a signed-in agent as Server-Sent Events.
// Each write pushes the connection's write deadline forward, so the stream
// outlives http.Server.WriteTimeout; a comment every heartbeat keeps proxies
// from closing an idle stream, and each heartbeat re-checks the session so a
// logged-out or deactivated agent's stream ends.
func (s *Server) events(w http.ResponseWriter, r *http.Request) {
	if s.live == nil {
		http.Error(w, "live updates are not configured", http.StatusServiceUnavailable)
		return
	}
	rc := http.NewResponseController(w)
	h := w.Header()
	h.Set("Content-Type", "text/event-stream; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no") // nginx: do not buffer the stream
	ch, unsubscribe := s.live.Subscribe()
	defer unsubscribe()

	write := func(chunk string) error {
		// Errors here mean the writer has no deadline to set (tests); fine.
		_ = rc.SetWriteDeadline(time.Now().Add(s.heartbeat + 30*time.Second))
		if _, err := io.WriteString(w, chunk); err != nil {
			return err
		}
		return rc.Flush()
	}
	w.WriteHeader(http.StatusOK)
	if err := write("retry: 3000\n: connected\n\n"); err != nil {
		return
	}
	tick := time.NewTicker(s.heartbeat)
	defer tick.Stop()
	token := currentSession(r).token
	for {
		select {
		case <-r.Context().Done():
			return
		case e, ok := <-ch:
			if !ok {
				return
			}
			// The browser re-reads the chips when told; make sure this node
			// knows what it is telling (applying twice changes nothing).
			s.presence.Apply(e)
			b, err := json.Marshal(e)
			if err != nil {
				continue
			}
			if write(fmt.Sprintf("data: %s\n\n", b)) != nil {
				return
			}
		case <-tick.C:
			if _, err := auth.UserBySession(r.Context(), s.db, token); err != nil {
				return
			}
			if write(": ping\n\n") != nil {
				return
			}
		}
	}
}
