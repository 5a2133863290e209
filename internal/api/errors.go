package api

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/go-chi/chi/v5/middleware"

	"github.com/steward-desk/steward/internal/errs"
)

// apiError is an error with its HTTP form. Capability errors (errs.*) are
// turned into one by asAPIError.
type apiError struct {
	Status int
	// Code is stable and machine-readable: unauthenticated, forbidden,
	// bad_request, unknown_field, unknown_parameter, invalid, not_found,
	// conflict, too_large, unsupported_media_type, method_not_allowed, internal.
	Code string
	// Field names the offending input (JSON path or query parameter), if any.
	Field string
	// Reason refines an "invalid" error: required, too_long, invalid, type, null…
	Reason  string
	Message string
}

func (e *apiError) Error() string { return e.Code + ": " + e.Message }

// errorBody is the JSON form of every error response.
type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code      string `json:"code"`
	Field     string `json:"field,omitempty"`
	Reason    string `json:"reason,omitempty"`
	Message   string `json:"message"`
	RequestID string `json:"request_id,omitempty"`
}

// invalid is a 422 naming a field.
func invalid(field, reason, message string) *apiError {
	return &apiError{Status: http.StatusUnprocessableEntity, Code: "invalid", Field: field, Reason: reason, Message: message}
}

// notFound is the 404 for a missing object.
func notFound(what string) *apiError {
	return &apiError{Status: http.StatusNotFound, Code: "not_found", Message: what + " not found"}
}

// asAPIError maps any error to its HTTP form; ok is false for unexpected
// (internal) errors.
func asAPIError(err error) (*apiError, bool) {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae, true
	}
	if v, ok := errs.AsInvalid(err); ok {
		return invalid(v.Field, v.Code, v.Message), true
	}
	switch {
	case errors.Is(err, errs.ErrNotFound):
		return &apiError{Status: http.StatusNotFound, Code: "not_found", Message: "not found"}, true
	case errors.Is(err, errs.ErrConflict):
		msg := strings.TrimPrefix(err.Error(), errs.ErrConflict.Error()+": ")
		return &apiError{Status: http.StatusConflict, Code: "conflict", Message: msg}, true
	case errors.Is(err, errs.ErrForbidden):
		return &apiError{Status: http.StatusForbidden, Code: "forbidden", Message: "you may not do this"}, true
	}
	return &apiError{Status: http.StatusInternalServerError, Code: "internal",
		Message: "the server failed; quote the request id when reporting this"}, false
}

// fail writes err as a JSON error response, logging unexpected errors.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	ae, known := asAPIError(err)
	reqID := middleware.GetReqID(r.Context())
	if !known {
		if errors.Is(err, context.Canceled) {
			s.log.Info("api: request cancelled", "method", r.Method, "path", r.URL.Path, "request_id", reqID)
		} else {
			s.log.Error("api: request failed", "method", r.Method, "path", r.URL.Path, "request_id", reqID, "err", err)
		}
	}
	if ae.Status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="steward"`)
	}
	body := errorBody{Error: errorDetail{Code: ae.Code, Field: ae.Field, Reason: ae.Reason, Message: ae.Message}}
	if !known {
		body.Error.RequestID = reqID
	}
	writeJSON(w, ae.Status, body)
}

// writeJSON writes v with status. The encoder escapes <, > and & so no
// string a supporter wrote can be read as markup by a careless client.
func writeJSON(w http.ResponseWriter, status int, v any) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("X-Content-Type-Options", "nosniff")
	if h.Get("Cache-Control") == "" {
		h.Set("Cache-Control", "no-store")
	}
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(true)
	_ = enc.Encode(v)
}
