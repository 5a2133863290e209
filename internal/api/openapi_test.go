package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"
)

var (
	docOnce   sync.Once
	parsedDoc map[string]any
	docErr    error
)

// doc is the embedded OpenAPI document, parsed (once; callers must not change it).
func doc(t testing.TB) map[string]any {
	t.Helper()
	docOnce.Do(func() { docErr = json.Unmarshal(openAPIDoc, &parsedDoc) })
	if docErr != nil {
		t.Fatalf("openapi.json is not valid JSON: %v", docErr)
	}
	return parsedDoc
}

var httpMethods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

// TestOpenAPIMatchesRoutes walks the router and the document: every route
// must be documented with the same least role, and every documented
// operation must have a route.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	s := New(Deps{})
	d := doc(t)
	if d["openapi"] != "3.1.0" {
		t.Errorf("openapi = %v, want 3.1.0", d["openapi"])
	}
	roles := map[string]string{}
	for _, rt := range s.routes() {
		role := string(rt.role)
		if rt.role == public {
			role = "public"
		}
		roles[rt.method+" "+rt.pattern] = role
	}
	routed := map[string]bool{}
	err := chi.Walk(s.mux, func(method, route string, _ http.Handler, _ ...func(http.Handler) http.Handler) error {
		routed[method+" "+route] = true
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(routed) != len(roles) {
		t.Errorf("router has %d routes, route table %d", len(routed), len(roles))
	}
	documented := map[string]bool{}
	opIDs := map[string]string{}
	paths := d["paths"].(map[string]any)
	for path, item := range paths {
		for method, o := range item.(map[string]any) {
			if !slices.Contains(httpMethods, method) {
				continue
			}
			key := strings.ToUpper(method) + " " + path
			documented[key] = true
			op := o.(map[string]any)
			if !routed[key] {
				t.Errorf("documented %s has no route", key)
			}
			if got := op["x-min-role"]; got != roles[key] {
				t.Errorf("%s: x-min-role %v, route table says %q", key, got, roles[key])
			}
			id, _ := op["operationId"].(string)
			if id == "" {
				t.Errorf("%s has no operationId", key)
			} else if other, dup := opIDs[id]; dup {
				t.Errorf("operationId %s used by %s and %s", id, other, key)
			}
			opIDs[id] = key
			responses, _ := op["responses"].(map[string]any)
			if len(responses) == 0 {
				t.Errorf("%s documents no responses", key)
			}
			if roles[key] != "public" && responses["401"] == nil {
				t.Errorf("%s needs a token but does not document 401", key)
			}
			if roles[key] != "public" && roles[key] != "agent" && responses["403"] == nil {
				t.Errorf("%s needs role %s but does not document 403", key, roles[key])
			}
			if op["requestBody"] != nil {
				for _, code := range []string{"400", "413", "415", "422"} {
					if responses[code] == nil {
						t.Errorf("%s takes a body but does not document %s", key, code)
					}
				}
			}
			if roles[key] == "public" {
				if sec, ok := op["security"].([]any); !ok || len(sec) != 0 {
					t.Errorf("%s is public but its security is not []", key)
				}
			}
		}
	}
	for key := range routed {
		if !documented[key] {
			t.Errorf("route %s is not documented in openapi.json", key)
		}
	}
	// Every $ref must resolve.
	var walk func(v any, at string)
	walk = func(v any, at string) {
		switch x := v.(type) {
		case map[string]any:
			if r, ok := x["$ref"].(string); ok {
				if _, err := resolve(d, r); err != nil {
					t.Errorf("%s: %v", at, err)
				}
			}
			for k, e := range x {
				walk(e, at+"/"+k)
			}
		case []any:
			for i, e := range x {
				walk(e, fmt.Sprintf("%s/%d", at, i))
			}
		}
	}
	walk(d, "#")
	// Examples must match their schemas too.
	for path, item := range paths {
		for method, o := range item.(map[string]any) {
			op, ok := o.(map[string]any)
			if !ok {
				continue
			}
			if rb, ok := op["requestBody"].(map[string]any); ok {
				c := rb["content"].(map[string]any)["application/json"].(map[string]any)
				for name, ex := range asMap(c["examples"]) {
					if err := validate(d, c["schema"], asMap(ex)["value"], "body", true); err != nil {
						t.Errorf("%s %s example %s: %v", method, path, name, err)
					}
				}
			}
			for code, r := range asMap(op["responses"]) {
				c := asMap(asMap(asMap(deref(d, r))["content"])["application/json"])
				if ex, ok := c["example"]; ok {
					if err := validate(d, c["schema"], ex, "response", false); err != nil {
						t.Errorf("%s %s %s example: %v", method, path, code, err)
					}
				}
			}
		}
	}
}

func TestOpenAPIServedWithoutToken(t *testing.T) {
	s := New(Deps{})
	r := chi.NewRouter()
	r.Mount("/api/v1", s.Handler())
	rec := newRecorder(r, "GET", "/api/v1/openapi.json")
	if rec.Code != 200 || string(rec.Body.Bytes()) != string(openAPIDoc) {
		t.Fatalf("GET /openapi.json: %d", rec.Code)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q", ct)
	}
}

func asMap(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

// resolve follows a local JSON pointer ("#/components/schemas/Ticket").
func resolve(d map[string]any, ref string) (any, error) {
	if !strings.HasPrefix(ref, "#/") {
		return nil, fmt.Errorf("non-local $ref %s", ref)
	}
	var cur any = d
	for _, part := range strings.Split(ref[2:], "/") {
		m, ok := cur.(map[string]any)
		if !ok || m[part] == nil {
			return nil, fmt.Errorf("unresolved $ref %s", ref)
		}
		cur = m[part]
	}
	return cur, nil
}

func deref(d map[string]any, v any) any {
	for {
		m, ok := v.(map[string]any)
		if !ok {
			return v
		}
		r, ok := m["$ref"].(string)
		if !ok {
			return v
		}
		v, _ = resolve(d, r)
	}
}

// validate checks a JSON value against the subset of JSON Schema the
// document uses: $ref, allOf, type (or a list of types), enum, properties,
// required, items, format date-time. Objects may not carry properties the
// schema does not name, even without additionalProperties: false — the test
// of "no undocumented fields". closed says whether that rule applies to
// request examples as well (they declare additionalProperties: false).
func validate(d map[string]any, schema any, v any, at string, closed bool) error {
	sch := asMap(deref(d, schema))
	if sch == nil {
		return fmt.Errorf("%s: no schema", at)
	}
	if all, ok := sch["allOf"].([]any); ok {
		merged := map[string]any{"type": "object", "properties": map[string]any{}, "required": []any{}}
		for _, part := range all {
			p := asMap(deref(d, part))
			for k, e := range asMap(p["properties"]) {
				merged["properties"].(map[string]any)[k] = e
			}
			req, _ := p["required"].([]any)
			merged["required"] = append(merged["required"].([]any), req...)
		}
		return validate(d, merged, v, at, closed)
	}
	if types := schemaTypes(sch["type"]); len(types) > 0 {
		got := jsonType(v)
		if !slices.Contains(types, got) && !(got == "integer" && slices.Contains(types, "number")) {
			return fmt.Errorf("%s: %s, want %v", at, got, types)
		}
	}
	if enum, ok := sch["enum"].([]any); ok && !slices.ContainsFunc(enum, func(e any) bool { return fmt.Sprint(e) == fmt.Sprint(v) }) {
		return fmt.Errorf("%s: %v is not one of %v", at, v, enum)
	}
	switch x := v.(type) {
	case string:
		if sch["format"] == "date-time" {
			if _, err := time.Parse(time.RFC3339Nano, x); err != nil || !strings.HasSuffix(x, "Z") {
				return fmt.Errorf("%s: %q is not an RFC 3339 UTC time", at, x)
			}
		}
	case []any:
		for i, e := range x {
			if err := validate(d, sch["items"], e, fmt.Sprintf("%s[%d]", at, i), closed); err != nil {
				return err
			}
		}
	case map[string]any:
		props := asMap(sch["properties"])
		if props == nil {
			return nil // a free-form object
		}
		for _, r := range asSlice(sch["required"]) {
			if _, ok := x[r.(string)]; !ok {
				return fmt.Errorf("%s: required %s missing", at, r)
			}
		}
		for k, e := range x {
			ps, ok := props[k]
			if !ok {
				return fmt.Errorf("%s: property %q is not documented", at, k)
			}
			if err := validate(d, ps, e, at+"."+k, closed); err != nil {
				return err
			}
		}
	}
	return nil
}

func asSlice(v any) []any {
	s, _ := v.([]any)
	return s
}

func schemaTypes(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		var out []string
		for _, e := range x {
			out = append(out, e.(string))
		}
		return out
	}
	return nil
}

func jsonType(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case string:
		return "string"
	case float64:
		if x == float64(int64(x)) {
			return "integer"
		}
		return "number"
	case json.Number:
		if _, err := strconv.ParseInt(string(x), 10, 64); err == nil {
			return "integer"
		}
		return "number"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", v)
}

// checkAgainstDoc fails the test when a response's status is not documented
// for its operation, or its JSON body does not match the documented schema.
func checkAgainstDoc(t *testing.T, s *Server, method, path string, res *response) {
	t.Helper()
	pattern := s.mux.Find(chi.NewRouteContext(), method, path)
	if pattern == "" {
		return // unrouted (404/405): the generic error shape is checked by the caller
	}
	d := doc(t)
	op := asMap(asMap(asMap(d["paths"])[pattern])[strings.ToLower(method)])
	if op == nil {
		t.Errorf("%s %s: operation not documented", method, pattern)
		return
	}
	r := asMap(deref(d, asMap(op["responses"])[strconv.Itoa(res.Code)]))
	if r == nil {
		t.Errorf("%s %s: status %d is not documented (body %s)", method, pattern, res.Code, res.Body)
		return
	}
	c := asMap(asMap(r["content"])["application/json"])
	if c == nil {
		return
	}
	var v any
	if err := json.Unmarshal(res.Body, &v); err != nil {
		t.Errorf("%s %s %d: body is not JSON: %v", method, pattern, res.Code, err)
		return
	}
	if err := validate(d, c["schema"], v, "response", false); err != nil {
		t.Errorf("%s %s %d: %v\n%s", method, pattern, res.Code, err, res.Body)
	}
}
