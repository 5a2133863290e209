// Package errs holds the typed errors that capability packages return. Only
// the HTTP layers turn them into status codes and translated messages.
package errs

import (
	"errors"
	"fmt"
)

// ErrNotFound means the thing asked for does not exist (or may not be seen).
var ErrNotFound = errors.New("not found")

// ErrForbidden means the actor may not do this.
var ErrForbidden = errors.New("forbidden")

// ErrConflict means the request clashes with the current state (e.g. a duplicate).
var ErrConflict = errors.New("conflict")

// Invalid says which field of an input is wrong and why. Code is a stable,
// machine-readable reason ("required", "too_long", "invalid", "unknown") that
// UIs translate; Message is an English fallback.
type Invalid struct {
	Field   string
	Code    string
	Message string
}

func (e *Invalid) Error() string { return fmt.Sprintf("%s: %s", e.Field, e.Message) }

// Field returns an *Invalid error.
func Field(field, code, format string, args ...any) error {
	return &Invalid{Field: field, Code: code, Message: fmt.Sprintf(format, args...)}
}

// AsInvalid unwraps an *Invalid.
func AsInvalid(err error) (*Invalid, bool) {
	var v *Invalid
	ok := errors.As(err, &v)
	return v, ok
}
