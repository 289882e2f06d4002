package vars

import (
	"encoding/json"
	"fmt"
)

// Budgets of one evaluation of a job's texts (ResolveScope, or every text
// of a Scope made WithCache). ${outputs.<job>.json('…')},
// ${outputs.<job>.<key>.json('…')}, ${qing.<id>.result_data} and
// #[[get_json_value(…)]] read JSON documents; a document is parsed once per
// evaluation, however many references read it, and at most
// MaxParsedJSONBytes of distinct documents are parsed. Variables may grow
// a text by at most MaxExpansionBytes (a thousand references to a 64 KiB
// output would otherwise make a 64 MiB script). Both are errors that fail
// the job naming the budget: "… exceeded its budget of …".
const (
	MaxParsedJSONBytes = 8 << 20
	MaxExpansionBytes  = 1 << 20
)

// docCache holds the JSON documents parsed in one evaluation, by their
// text, and the whole-outputs text of each upstream job.
type docCache struct {
	parsed  map[string]parsedDoc
	outputs map[*Upstream]string
	bytes   int // of distinct documents parsed
	parses  int // for tests
}

type parsedDoc struct {
	v   any
	err error
}

func newDocCache() *docCache {
	return &docCache{parsed: map[string]parsedDoc{}, outputs: map[*Upstream]string{}}
}

// WithCache returns s with a cache of parsed JSON documents shared by every
// text it resolves (one job's texts): each document is parsed once.
func (s Scope) WithCache() Scope {
	if s.docs == nil {
		s.docs = newDocCache()
	}
	return s
}

// doc parses the JSON text doc, or returns it parsed before.
func (c *docCache) doc(doc string) (any, error) {
	if d, ok := c.parsed[doc]; ok {
		return d.v, d.err
	}
	if c.bytes+len(doc) > MaxParsedJSONBytes {
		return nil, fmt.Errorf("JSON reading exceeded its budget of %d bytes of documents parsed in one job's texts", MaxParsedJSONBytes)
	}
	c.bytes += len(doc)
	c.parses++
	var v any
	var err error
	if json.Unmarshal([]byte(doc), &v) != nil {
		err = fmt.Errorf("the value is not JSON")
	}
	c.parsed[doc] = parsedDoc{v, err}
	return v, err
}

// outputsJSON is OutputsJSON(u.Outputs), made once per evaluation.
func (c *docCache) outputsJSON(u *Upstream) string {
	if c == nil {
		return OutputsJSON(u.Outputs)
	}
	if s, ok := c.outputs[u]; ok {
		return s
	}
	s := OutputsJSON(u.Outputs)
	c.outputs[u] = s
	return s
}

// jsonPath is JSONPath through the cache.
func (c *docCache) jsonPath(doc, path string) (string, error) {
	if c == nil {
		c = newDocCache()
	}
	v, err := c.doc(doc)
	if err != nil {
		return "", err
	}
	return jsonPathValue(v, path)
}
