package httpapi

import (
	"jobflow/internal/testtier"

	"bytes"
	"os"
	"testing"
)

// TestOpenAPI_WebCopy checks that web/openapi.json, which the console's API
// types are generated from (npm run gen:api), is the document the server
// serves. JOBFLOW_WRITE_OPENAPI=1 writes it (make web does).
func TestOpenAPI_WebCopy(t *testing.T) {
	testtier.Parallel(t)
	s := New(Config{JWTSecret: []byte("x")}, Deps{})
	doc, err := s.openapiDoc()
	if err != nil {
		t.Fatal(err)
	}
	doc = append(doc, '\n')
	const path = "../web/openapi.json"
	if os.Getenv("JOBFLOW_WRITE_OPENAPI") == "1" {
		if err := os.WriteFile(path, doc, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(path)
	if err != nil || !bytes.Equal(got, doc) {
		t.Fatalf("web/openapi.json differs from the served OpenAPI document (%v): run `make web` to rewrite it, regenerate the console's API types and rebuild the console", err)
	}
}
