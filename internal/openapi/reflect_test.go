package openapi

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"
)

type base struct {
	ID string `json:"id"`
}

type kind string

type inner struct {
	N int `json:"n"`
}

type sample struct {
	base
	Name    string            `json:"name" doc:"the name" required:"true"`
	Note    string            `json:"note,omitempty"`
	When    time.Time         `json:"when"`
	Maybe   *time.Time        `json:"maybe"`
	Raw     json.RawMessage   `json:"raw"`
	Labels  map[string]string `json:"labels"`
	Kind    kind              `json:"kind"`
	Mode    string            `json:"mode" enum:"A,B"`
	Inner   *inner            `json:"inner"`
	Items   []inner           `json:"items"`
	Config  json.RawMessage   `json:"config"`
	Skipped string            `json:"-"`
}

func TestReflect(t *testing.T) {
	r := &Reflector{
		Enums:  map[reflect.Type][]string{reflect.TypeFor[kind](): {"X", "Y"}},
		Fields: map[string]Schema{"sample.config": {"type": "object"}},
		Extra:  map[string]Schema{"sample.note": {"maxLength": 10}, "inner": {"description": "an inner"}},
	}
	if got := r.Ref(reflect.TypeFor[sample](), false); got["$ref"] != "#/components/schemas/sample" {
		t.Fatalf("ref %v", got)
	}
	got, _ := json.Marshal(r.Components())
	want := `{"inner":{"description":"an inner","properties":{"n":{"type":"integer"}},"required":["n"],"type":"object"},` +
		`"sample":{"properties":{"config":{"type":"object"},"id":{"type":"string"},"inner":{"allOf":[{"$ref":"#/components/schemas/inner"}],"nullable":true,"type":"object"},` +
		`"items":{"items":{"$ref":"#/components/schemas/inner"},"type":"array"},"kind":{"enum":["X","Y"],"type":"string"},"labels":{"additionalProperties":{"type":"string"},"type":"object"},` +
		`"maybe":{"format":"date-time","nullable":true,"type":"string"},"mode":{"enum":["A","B"],"type":"string"},"name":{"description":"the name","type":"string"},` +
		`"note":{"maxLength":10,"type":"string"},"raw":{},"when":{"format":"date-time","type":"string"}},` +
		`"required":["name","when","raw","labels","kind","mode","items","config","id"],"type":"object"}}`
	if string(got) != want {
		t.Errorf("answered:\n got %s\nwant %s", got, want)
	}

	// Reached only from a request body, only the fields tagged required
	// are required.
	in := &Reflector{}
	in.Ref(reflect.TypeFor[sample](), true)
	if req := in.Components()["sample"]["required"]; !reflect.DeepEqual(req, []string{"name"}) {
		t.Errorf("request required = %v, want [name]", req)
	}
}
