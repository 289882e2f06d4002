package httpapi

import (
	"jobflow/internal/testtier"

	"encoding/json"
	"strings"
	"testing"
)

// TestOpenAPI_CoversEveryRoute walks the routes Echo really has and fails
// for any that the document lacks, and checks every $ref resolves.
func TestOpenAPI_CoversEveryRoute(t *testing.T) {
	testtier.Parallel(t)
	s := New(Config{JWTSecret: []byte("x")}, Deps{})
	b, err := s.openapiDoc()
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Paths      map[string]map[string]json.RawMessage `json:"paths"`
		Components struct {
			Schemas map[string]json.RawMessage `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	routes := s.echo.Routes()
	if len(routes) < 40 {
		t.Fatalf("only %d routes registered", len(routes))
	}
	for _, r := range routes {
		if doc.Paths[openapiPath(r.Path)][strings.ToLower(r.Method)] == nil {
			t.Errorf("route %s %s is not in the OpenAPI document", r.Method, r.Path)
		}
	}
	ops := 0
	for _, p := range doc.Paths {
		ops += len(p)
	}
	if ops != len(routes) {
		t.Errorf("document has %d operations, Echo %d routes", ops, len(routes))
	}
	for _, m := range refRE(string(b)) {
		name := strings.TrimPrefix(m, "#/components/schemas/")
		if name != m && doc.Components.Schemas[name] == nil {
			t.Errorf("dangling $ref %s", m)
		}
	}
}

func refRE(s string) []string {
	var out []string
	for {
		i := strings.Index(s, `"$ref": "`)
		if i < 0 {
			return out
		}
		s = s[i+len(`"$ref": "`):]
		j := strings.Index(s, `"`)
		out = append(out, s[:j])
		s = s[j:]
	}
}
