package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"mime"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/go-chi/chi/v5"

	"github.com/steward-desk/steward/internal/db"
	"github.com/steward-desk/steward/internal/errs"
)

// MaxBodyBytes bounds a JSON request body.
const MaxBodyBytes = 1 << 20

// Optional is a field of a PATCH body, which must tell "absent" (leave as is)
// from "null" (clear) from a value.
type Optional[T any] struct {
	Set   bool // the field was present
	Null  bool // … and was JSON null
	Value T
}

// UnmarshalJSON records presence; encoding/json calls it for null too.
func (o *Optional[T]) UnmarshalJSON(b []byte) error {
	o.Set = true
	if string(b) == "null" {
		o.Null = true
		return nil
	}
	return json.Unmarshal(b, &o.Value)
}

// optionalElem lets the shape check see through Optional.
func (o *Optional[T]) optionalElem() reflect.Type { return reflect.TypeFor[T]() }

// Ptr returns the value's address when a value (not null) was given.
func (o Optional[T]) Ptr() *T {
	if !o.Set || o.Null {
		return nil
	}
	return &o.Value
}

// notNull rejects null for a field that cannot be cleared.
func (o Optional[T]) notNull(field string) error {
	if o.Set && o.Null {
		return invalid(field, "null", field+" cannot be null")
	}
	return nil
}

type optional interface{ optionalElem() reflect.Type }

// decode reads a JSON object body into dst (a pointer to a struct), strictly:
// JSON media type (415), at most MaxBodyBytes (413), valid UTF-8 JSON with
// nothing after the object (400), no fields dst does not name — matched
// exactly, not case-folded (400), every value of the right type and free of
// NUL characters (422).
func decode(w http.ResponseWriter, r *http.Request, dst any) error {
	if err := checkContentType(r.Header.Get("Content-Type")); err != nil {
		return err
	}
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return &apiError{Status: http.StatusRequestEntityTooLarge, Code: "too_large",
			Message: fmt.Sprintf("the request body exceeds %d bytes", MaxBodyBytes)}
	}
	if err != nil {
		return badRequest("the request body could not be read")
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return badRequest("the request body is empty; send a JSON object")
	}
	if !utf8.Valid(data) {
		return badRequest("the request body is not valid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var tree any
	if err := dec.Decode(&tree); err != nil {
		return badRequest("malformed JSON: " + jsonErrorText(err, data))
	}
	if _, err := dec.Token(); err != io.EOF {
		return badRequest("malformed JSON: unexpected data after the JSON object")
	}
	if _, ok := tree.(map[string]any); !ok {
		return badRequest("the request body must be a JSON object")
	}
	if err := checkShape(tree, reflect.TypeOf(dst).Elem(), ""); err != nil {
		return err
	}
	if err := json.Unmarshal(data, dst); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return invalid(te.Field, "type", fmt.Sprintf("%s must be %s", te.Field, describe(te.Type)))
		}
		return badRequest("malformed JSON: " + err.Error())
	}
	return nil
}

func badRequest(msg string) *apiError {
	return &apiError{Status: http.StatusBadRequest, Code: "bad_request", Message: msg}
}

func checkContentType(ct string) error {
	unsupported := &apiError{Status: http.StatusUnsupportedMediaType, Code: "unsupported_media_type",
		Message: "send the body as Content-Type: application/json"}
	if ct == "" {
		return unsupported
	}
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil || mt != "application/json" {
		return unsupported
	}
	if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") {
		unsupported.Message = "JSON bodies must be UTF-8"
		return unsupported
	}
	return nil
}

// jsonErrorText says where a syntax error is, as a byte offset and line.
func jsonErrorText(err error, data []byte) string {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		line := 1 + bytes.Count(data[:min(int(se.Offset), len(data))], []byte("\n"))
		return fmt.Sprintf("%s (line %d, byte %d)", se.Error(), line, se.Offset)
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return "the JSON ends early"
	}
	return err.Error()
}

// checkShape walks a decoded JSON value against the Go type it will be
// decoded into, so errors can name the exact field: a field t does not have
// (unknown_field, 400), a value of the wrong JSON type, an integer out of
// range, or a string holding NUL (invalid, 422). JSON null is accepted
// everywhere; handlers decide where null is meaningful (Optional).
func checkShape(v any, t reflect.Type, path string) error {
	if v == nil {
		return nil
	}
	if t.Kind() != reflect.Pointer {
		if o, ok := reflect.New(t).Interface().(optional); ok {
			return checkShape(v, o.optionalElem(), path)
		}
	}
	switch t.Kind() {
	case reflect.Pointer:
		return checkShape(v, t.Elem(), path)
	case reflect.String:
		s, ok := v.(string)
		if !ok {
			return wrongType(path, t)
		}
		if strings.ContainsRune(s, 0) {
			return invalid(path, "invalid", path+" must not contain NUL characters")
		}
	case reflect.Bool:
		if _, ok := v.(bool); !ok {
			return wrongType(path, t)
		}
	case reflect.Int, reflect.Int32, reflect.Int64:
		n, ok := v.(json.Number)
		if !ok {
			return wrongType(path, t)
		}
		i, err := strconv.ParseInt(n.String(), 10, 64)
		if err != nil || (t.Kind() == reflect.Int32 && (i > math.MaxInt32 || i < math.MinInt32)) {
			return invalid(path, "type", path+" must be a whole number in range")
		}
	case reflect.Slice:
		a, ok := v.([]any)
		if !ok {
			return wrongType(path, t)
		}
		for i, e := range a {
			if err := checkShape(e, t.Elem(), fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
	case reflect.Struct:
		m, ok := v.(map[string]any)
		if !ok {
			return wrongType(path, t)
		}
		fields := jsonFields(t)
		// Sorted, so the field reported among several is always the same one.
		for _, k := range slices.Sorted(maps.Keys(m)) {
			f, ok := fields[k]
			name := join(path, k)
			if !ok {
				return &apiError{Status: http.StatusBadRequest, Code: "unknown_field", Field: name,
					Message: fmt.Sprintf("unknown field %q", name)}
			}
			if err := checkShape(m[k], f, name); err != nil {
				return err
			}
		}
	case reflect.Interface:
		// any: accepted as is.
	default:
		return fmt.Errorf("api: checkShape: unsupported kind %s", t.Kind())
	}
	return nil
}

func join(path, k string) string {
	if path == "" {
		return k
	}
	return path + "." + k
}

// fieldsOf caches jsonFields by type: request types are few, and every
// request of a type needs the same map (read only).
var fieldsOf sync.Map // reflect.Type → map[string]reflect.Type

// jsonFields maps the exact JSON names of a struct's fields to their types.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	if m, ok := fieldsOf.Load(t); ok {
		return m.(map[string]reflect.Type)
	}
	out := map[string]reflect.Type{}
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		out[name] = f.Type
	}
	fieldsOf.Store(t, out)
	return out
}

func wrongType(path string, t reflect.Type) error {
	return invalid(path, "type", fmt.Sprintf("%s must be %s", path, describe(t)))
}

// describe names a Go type as JSON: "a string", "an array of strings"…
func describe(t reflect.Type) string {
	if t.Kind() != reflect.Pointer {
		if o, ok := reflect.New(t).Interface().(optional); ok {
			return describe(o.optionalElem())
		}
	}
	switch t.Kind() {
	case reflect.Pointer:
		return describe(t.Elem())
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int32, reflect.Int64:
		return "a whole number"
	case reflect.Slice:
		return "an array"
	case reflect.Struct:
		return "an object"
	}
	return "a JSON value"
}

// pathID reads a positive integer path parameter; anything else is a 404
// (there is no such object), named after what.
func pathID(r *http.Request, what string) (int64, error) {
	id, err := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, notFound(what)
	}
	return id, nil
}

// query reads the query string, refusing parameters the route does not
// define: a misspelt filter must not silently list everything.
func query(r *http.Request, allowed ...string) (map[string]string, error) {
	q := r.URL.Query()
	out := map[string]string{}
	for k, vs := range q {
		ok := false
		for _, a := range allowed {
			ok = ok || a == k
		}
		if !ok {
			return nil, &apiError{Status: http.StatusBadRequest, Code: "unknown_parameter", Field: k,
				Message: fmt.Sprintf("unknown query parameter %q; this endpoint takes %s", k, strings.Join(allowed, ", "))}
		}
		if len(vs) > 1 {
			return nil, invalid(k, "invalid", fmt.Sprintf("give %s once", k))
		}
		out[k] = vs[0]
	}
	return out, nil
}

// limitParam reads ?limit= (1–200, default 50).
func limitParam(q map[string]string) (int, error) {
	s, ok := q["limit"]
	if !ok || s == "" {
		return 50, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > 200 {
		return 0, invalid("limit", "invalid", "limit must be a whole number from 1 to 200")
	}
	return n, nil
}

// patched is the shared first half of PATCH handlers for configured objects
// (routing rules, automation rules, SLA policies): read the id from the
// path, decode the body, load the stored object (404 named what), and apply
// the body's fields to it. The caller validates and saves.
func patched[T any, B interface{ apply(*T) }](s *Server, w http.ResponseWriter, r *http.Request, what string,
	get func(context.Context, db.Querier, int64) (*T, error)) (*T, error) {
	id, err := pathID(r, what)
	if err != nil {
		return nil, err
	}
	var b B
	if err := decode(w, r, &b); err != nil {
		return nil, err
	}
	x, err := get(r.Context(), s.db.R, id)
	if errors.Is(err, errs.ErrNotFound) {
		return nil, notFound(what)
	}
	if err != nil {
		return nil, err
	}
	b.apply(x)
	return x, nil
}
