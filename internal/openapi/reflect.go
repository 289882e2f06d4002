// Package openapi builds OpenAPI 3.0 component schemas from the Go types
// the HTTP handlers decode and answer, by reflection over their json tags,
// so the document cannot drift from the wire format (docs/api.md).
//
// A struct field becomes a property named by its json tag; omitempty makes
// it optional, a pointer makes it nullable (and optional), every other
// field of a type that is only answered (never decoded) is required, and a
// field tagged required:"true" always is. time.Time is a date-time
// string, json.RawMessage and interfaces are any value, maps have
// additionalProperties, embedded structs are flattened as encoding/json
// does. Descriptions and enums come from the struct tags doc:"…" and
// enum:"A,B", or from the Extra side table; a field whose schema reflection
// cannot see (a union, a raw config) takes a hand-supplied one from Fields.
package openapi

import (
	"encoding/json"
	"reflect"
	"sort"
	"strings"
	"time"
)

// Schema is one JSON schema object of the document.
type Schema = map[string]any

// Reflector turns Go types into component schemas. Set the hooks, call Ref
// for every request and response type, then Components.
type Reflector struct {
	// Name is the component name of a named struct type; "" inlines it.
	// Nil: the Go type name.
	Name func(t reflect.Type) string
	// Types are the schemas of types reflection must not look into (types
	// with their own JSON encoding), by type.
	Types map[reflect.Type]Schema
	// Enums are the values of named string types.
	Enums map[reflect.Type][]string
	// Fields replace the schema of one property: "Component.prop" (the
	// path of nested inline objects joined by dots).
	Fields map[string]Schema
	// Extra adds keywords (description, minimum, format, …) to a component
	// ("Component") or one of its properties ("Component.prop").
	Extra map[string]Schema

	comps map[string]*component
}

type component struct {
	t            reflect.Type
	schema       Schema
	request      bool // reached from a request body
	response     bool // reached from an answer
	required     []string
	tagRequired  []string
	requiredDone bool
}

// Ref is the schema of a request body (request true) or an answer: a $ref
// for a named component, an inline schema otherwise.
func (r *Reflector) Ref(t reflect.Type, request bool) Schema {
	if r.comps == nil {
		r.comps = map[string]*component{}
	}
	return r.schema(t, request, "")
}

// Components are the component schemas of every type seen so far.
func (r *Reflector) Components() map[string]Schema {
	out := map[string]Schema{}
	for name, c := range r.comps {
		s := c.schema
		// A type that is also decoded from requests takes partial bodies,
		// so only the fields tagged required are required there.
		req := c.tagRequired
		if c.response && !c.request {
			req = c.required
		}
		if len(req) > 0 {
			s["required"] = req
		} else {
			delete(s, "required")
		}
		out[name] = s
	}
	return out
}

func (r *Reflector) name(t reflect.Type) string {
	if r.Name != nil {
		return r.Name(t)
	}
	return t.Name()
}

var (
	timeType = reflect.TypeFor[time.Time]()
	rawType  = reflect.TypeFor[json.RawMessage]()
)

// schema reflects t; path is the Extra/Fields key of the place it is at.
func (r *Reflector) schema(t reflect.Type, request bool, path string) Schema {
	if s, ok := r.Types[t]; ok {
		return clone(s)
	}
	switch t {
	case timeType:
		return Schema{"type": "string", "format": "date-time"}
	case rawType:
		return Schema{}
	}
	switch t.Kind() {
	case reflect.Pointer:
		return r.schema(t.Elem(), request, path)
	case reflect.Bool:
		return Schema{"type": "boolean"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return Schema{"type": "integer"}
	case reflect.Float32, reflect.Float64:
		return Schema{"type": "number"}
	case reflect.String:
		s := Schema{"type": "string"}
		if e := r.Enums[t]; len(e) > 0 {
			s["enum"] = e
		}
		return s
	case reflect.Interface:
		return Schema{}
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			return Schema{"type": "string", "format": "byte"}
		}
		return Schema{"type": "array", "items": r.schema(t.Elem(), request, path+"[]")}
	case reflect.Map:
		return Schema{"type": "object", "additionalProperties": r.schema(t.Elem(), request, path+"{}")}
	case reflect.Struct:
		name := ""
		if t.Name() != "" {
			name = r.name(t)
		}
		if name == "" {
			return r.object(t, request, path, nil)
		}
		c := r.comps[name]
		if c != nil && c.t != t {
			panic("openapi: component " + name + " names both " + c.t.String() + " and " + t.String())
		}
		if c == nil {
			c = &component{t: t}
			r.comps[name] = c
		}
		if (request && !c.request) || (!request && !c.response) {
			if request {
				c.request = true
			} else {
				c.response = true
			}
			c.schema = r.object(t, request, name, c)
			if d := r.Extra[name]; d != nil {
				merge(c.schema, d)
			}
		}
		return Schema{"$ref": "#/components/schemas/" + name}
	}
	panic("openapi: cannot reflect " + t.String())
}

// object is the schema of a struct; c collects the required properties of
// a component.
func (r *Reflector) object(t reflect.Type, request bool, path string, c *component) Schema {
	props := Schema{}
	var required, tagRequired []string
	for _, f := range fields(t) {
		key := path + "." + f.name
		var p Schema
		if h, ok := r.Fields[key]; ok {
			p = clone(h)
		} else {
			p = r.schema(f.typ, request, key)
		}
		// A pointer decoded from a request is "absent" when nil: it is
		// documented as optional, null only where the type is answered.
		if f.nullable && (!request || (c != nil && c.response)) {
			p = nullable(p)
		}
		if doc := f.tag.Get("doc"); doc != "" {
			p = withKeywords(p, Schema{"description": doc})
		}
		if enum := f.tag.Get("enum"); enum != "" {
			p["enum"] = strings.Split(enum, ",")
		}
		if d := r.Extra[key]; d != nil {
			p = withKeywords(p, d)
		}
		props[f.name] = p
		if !f.optional || f.tag.Get("required") == "true" {
			required = append(required, f.name)
		}
		if f.tag.Get("required") == "true" {
			tagRequired = append(tagRequired, f.name)
		}
	}
	s := Schema{"type": "object", "properties": props}
	if c != nil {
		c.required, c.tagRequired = required, tagRequired
	} else if len(required) > 0 && !request {
		s["required"] = required
	} else if len(tagRequired) > 0 {
		s["required"] = tagRequired
	}
	return s
}

type field struct {
	name     string
	typ      reflect.Type
	tag      reflect.StructTag
	optional bool
	nullable bool
}

// fields are the JSON properties of a struct in declaration order,
// embedded structs flattened as encoding/json does (outer fields win).
func fields(t reflect.Type) []field {
	var out []field
	seen := map[string]bool{}
	var walk func(t reflect.Type, depth int)
	var embedded []reflect.Type
	walk = func(t reflect.Type, depth int) {
		for i := 0; i < t.NumField(); i++ {
			sf := t.Field(i)
			tag := sf.Tag.Get("json")
			if tag == "-" {
				continue
			}
			name, opts, _ := strings.Cut(tag, ",")
			ft := sf.Type
			if sf.Anonymous && name == "" {
				et := ft
				if et.Kind() == reflect.Pointer {
					et = et.Elem()
				}
				if et.Kind() == reflect.Struct {
					embedded = append(embedded, et)
					continue
				}
			}
			if !sf.IsExported() {
				continue
			}
			if name == "" {
				name = sf.Name
			}
			if seen[name] {
				continue
			}
			seen[name] = true
			omit := strings.Contains(","+opts+",", ",omitempty,") || strings.Contains(","+opts+",", ",omitzero,")
			ptr := ft.Kind() == reflect.Pointer
			out = append(out, field{name: name, typ: ft, tag: sf.Tag,
				optional: omit || ptr || sf.Tag.Get("optional") == "true",
				nullable: ptr && !omit && sf.Tag.Get("nonnull") != "true"})
		}
	}
	walk(t, 0)
	for len(embedded) > 0 {
		e := embedded[0]
		embedded = embedded[1:]
		walk(e, 1)
	}
	return out
}

// nullable lets p be null: OpenAPI 3.0 wants nullable next to a type, so
// a $ref is wrapped in allOf under type object.
func nullable(p Schema) Schema {
	if ref, ok := p["$ref"]; ok {
		return Schema{"type": "object", "nullable": true, "allOf": []any{Schema{"$ref": ref}}}
	}
	if _, ok := p["type"]; !ok {
		return p // any value: null included
	}
	p["nullable"] = true
	return p
}

// withKeywords adds keywords to p; a bare $ref takes none beside it, so it
// is wrapped in allOf first.
func withKeywords(p, kw Schema) Schema {
	if ref, ok := p["$ref"]; ok && len(p) == 1 {
		p = Schema{"allOf": []any{Schema{"$ref": ref}}}
	}
	merge(p, kw)
	return p
}

func merge(dst, src Schema) {
	for k, v := range src {
		dst[k] = v
	}
}

func clone(s Schema) Schema {
	b, _ := json.Marshal(s)
	var out Schema
	_ = json.Unmarshal(b, &out)
	return out
}

// Sorted is the names of a component map in order (for stable output).
func Sorted(m map[string]Schema) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
