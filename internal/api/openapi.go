package api

import (
	_ "embed"
	"net/http"

	"github.com/steward-desk/steward/internal/staff"
)

// openAPIDoc is the OpenAPI 3.1 description of this API, the one source of
// truth for clients; TestOpenAPIMatchesRoutes keeps it in step with routes().
//
//go:embed openapi.json
var openAPIDoc []byte

// OpenAPI returns the embedded OpenAPI document.
func OpenAPI() []byte { return openAPIDoc }

func (s *Server) openAPI(w http.ResponseWriter, _ *http.Request, _ staff.User) error {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "public, max-age=300")
	h.Set("Access-Control-Allow-Origin", "*")
	_, err := w.Write(openAPIDoc)
	return err
}
