package vars

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// JSONPath evaluates the small JSONPath subset that job texts use on
// outputs: `$`, then any number of `.name`, `['name']` or `["name"]` and
// `[N]` steps (N from 0; negative counts from the end). doc is JSON text. A
// string result is returned as is, anything else as compact JSON, so
// `$.id` of {"id":"x"} is x and `$.a` of {"a":[1]} is [1].
func JSONPath(doc, path string) (string, error) {
	var v any
	if err := json.Unmarshal([]byte(doc), &v); err != nil {
		return "", fmt.Errorf("the value is not JSON")
	}
	return jsonPathValue(v, path)
}

func jsonPathValue(v any, path string) (string, error) {
	p := strings.TrimSpace(path)
	if !strings.HasPrefix(p, "$") {
		return "", fmt.Errorf("path %q must start with $", path)
	}
	p = p[1:]
	for p != "" {
		switch {
		case p[0] == '.':
			end := strings.IndexAny(p[1:], ".[")
			if end < 0 {
				end = len(p) - 1
			}
			key := p[1 : 1+end]
			if key == "" {
				return "", fmt.Errorf("path %q: empty name", path)
			}
			obj, ok := v.(map[string]any)
			if !ok {
				return "", fmt.Errorf("path %q: .%s of a value that is not an object", path, key)
			}
			if v, ok = obj[key]; !ok {
				return "", fmt.Errorf("path %q: no key %q", path, key)
			}
			p = p[1+end:]
		case p[0] == '[':
			end := strings.IndexByte(p, ']')
			if end < 0 {
				return "", fmt.Errorf("path %q: missing ]", path)
			}
			sel := strings.TrimSpace(p[1:end])
			p = p[end+1:]
			if len(sel) >= 2 && (sel[0] == '\'' || sel[0] == '"') && sel[len(sel)-1] == sel[0] {
				key := sel[1 : len(sel)-1]
				obj, ok := v.(map[string]any)
				if !ok {
					return "", fmt.Errorf("path %q: [%s] of a value that is not an object", path, sel)
				}
				if v, ok = obj[key]; !ok {
					return "", fmt.Errorf("path %q: no key %q", path, key)
				}
				continue
			}
			n, err := strconv.Atoi(sel)
			if err != nil {
				return "", fmt.Errorf("path %q: [%s] is neither an index nor a quoted name", path, sel)
			}
			arr, ok := v.([]any)
			if !ok {
				return "", fmt.Errorf("path %q: [%d] of a value that is not an array", path, n)
			}
			if n < 0 {
				n += len(arr)
			}
			if n < 0 || n >= len(arr) {
				return "", fmt.Errorf("path %q: index %s out of range (length %d)", path, sel, len(arr))
			}
			v = arr[n]
		default:
			return "", fmt.Errorf("path %q: unexpected %q", path, p[:1])
		}
	}
	if s, ok := v.(string); ok {
		return s, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	return string(b), nil
}

// OutputsJSON is a job's outputs as one JSON object, the form that
// ${qing.<jobId>.result_data} and ${outputs.<job>.json(...)} read: a value
// that is itself JSON (a number, an object, true) is embedded as JSON, any
// other value as a string. Keys are sorted (encoding/json), so the text is
// the same on every evaluation.
func OutputsJSON(outputs map[string]string) string {
	m := make(map[string]any, len(outputs))
	for k, v := range outputs {
		m[k] = embedded(v)
	}
	b, _ := json.Marshal(m)
	return string(b)
}

// embedded is v as JSON if it is JSON, else as a string.
func embedded(v string) any {
	t := strings.TrimSpace(v)
	if t != "" && json.Valid([]byte(t)) {
		return json.RawMessage(t)
	}
	return v
}
