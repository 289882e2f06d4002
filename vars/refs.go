package vars

import (
	"fmt"
	"strings"
	"time"
)

// Scope is what a job text may name besides the logical time.
type Scope struct {
	// Params are the run's parameters, the caller's already merged over the
	// workflow's defaults.
	Params map[string]string
	// Globals are the tenant's plain variables; a param of the same name wins.
	Globals map[string]string
	// Secrets are the tenant's secret variables, named ${{ secret.NAME }}.
	Secrets map[string]string
	// Upstream are the outputs of the ancestor jobs the text may name.
	Upstream []Upstream

	docs *docCache // see WithCache; ResolveScope makes one if nil
}

// Upstream is one ancestor job's outputs.
type Upstream struct {
	ID      string            `json:"id"`
	Name    string            `json:"name"`
	Outputs map[string]string `json:"outputs"`
}

func (s Scope) upstreamByID(id string) *Upstream {
	for i := range s.Upstream {
		if s.Upstream[i].ID == id {
			return &s.Upstream[i]
		}
	}
	return nil
}

// secret resolves ${{ secret.NAME }} at the start of rest. ok is false when
// the ${{ … }} is not a secret reference (left for the script).
func (s Scope) secret(rest string) (v string, n int, ok bool, err error) {
	end := strings.Index(rest, "}}")
	if end < 0 {
		inner := strings.TrimSpace(rest[3:])
		if strings.HasPrefix(inner, "secret.") {
			return "", 0, false, fmt.Errorf("unterminated variable %s (missing }})", clip(rest))
		}
		return "", 0, false, nil
	}
	inner := strings.TrimSpace(rest[3:end])
	name, isSecret := strings.CutPrefix(inner, "secret.")
	if !isSecret {
		return "", 0, false, nil
	}
	v, found := s.Secrets[name]
	if !found {
		return "", 0, false, fmt.Errorf("unknown secret %s", name)
	}
	return v, end + 2, true, nil
}

// scanOutputsRef reads ${outputs.…} at the start of rest, skipping the
// quoted path of a json('…') call (it may hold $ and brackets). inner is
// the text after "outputs.", n the length of the whole placeholder.
func scanOutputsRef(rest string) (inner string, n int, err error) {
	const pre = "${outputs."
	i := len(pre)
	for i < len(rest) {
		switch {
		case strings.HasPrefix(rest[i:], "('"):
			end := strings.Index(rest[i+2:], "')")
			if end < 0 {
				return "", 0, fmt.Errorf("unterminated variable %s (missing ')…)", clip(rest))
			}
			i += 2 + end + 2
			continue
		case rest[i] == '}':
			return rest[len(pre):i], i + 1, nil
		case rest[i] == '\n' || rest[i] == '\r':
			i = len(rest)
			continue
		}
		i++
	}
	return "", 0, fmt.Errorf("unterminated variable %s (missing })", clip(rest))
}

// OutputRef is one reference to another job's outputs in a text.
type OutputRef struct {
	Text string // as written, for messages
	Job  string // the job named: a name (${outputs.…}) or an id (ByID)
	Key  string // "" when the whole outputs object is read with json(…)
	Path string // the json('…') path, if any
	ByID bool   // ${qing.<jobId>.result_data}
}

// parseOutputsRef splits the inner text of ${outputs.INNER}. Job names may
// hold dots: isJob says which names exist, and the longest existing name
// that fits wins; with no match the job is the text up to the first dot.
func parseOutputsRef(inner string, isJob func(string) bool) (OutputRef, error) {
	ref := OutputRef{Text: "${outputs." + inner + "}"}
	head := inner
	if i := strings.Index(inner, ".json('"); i >= 0 {
		if !strings.HasSuffix(inner, "')") {
			return ref, fmt.Errorf("%s: json('…') must end the variable", ref.Text)
		}
		head, ref.Path = inner[:i], inner[i+len(".json('"):len(inner)-2]
	}
	if head == "" {
		return ref, fmt.Errorf("%s names no job", ref.Text)
	}
	if ref.Path != "" && isJob(head) {
		ref.Job = head
		return ref, nil
	}
	best := -1
	for i := len(head) - 1; i > 0; i-- {
		if head[i] == '.' && isJob(head[:i]) {
			best = i
			break
		}
	}
	if best < 0 {
		best = strings.IndexByte(head, '.')
	}
	if best < 0 {
		if ref.Path != "" {
			ref.Job = head
			return ref, nil
		}
		return ref, fmt.Errorf("%s names no output key (${outputs.<job>.<key>})", ref.Text)
	}
	ref.Job, ref.Key = head[:best], head[best+1:]
	if ref.Key == "" {
		return ref, fmt.Errorf("%s names no output key", ref.Text)
	}
	return ref, nil
}

// output resolves the inner text of ${outputs.INNER}.
func (s Scope) output(inner string) (string, error) {
	byName := func(name string) *Upstream {
		for i := range s.Upstream {
			if s.Upstream[i].Name == name {
				return &s.Upstream[i]
			}
		}
		return nil
	}
	ref, err := parseOutputsRef(inner, func(n string) bool { return byName(n) != nil })
	if err != nil {
		return "", err
	}
	u := byName(ref.Job)
	if u == nil {
		return "", fmt.Errorf("%s: job %q is not an upstream job of this one", ref.Text, ref.Job)
	}
	if ref.Key == "" {
		v, err := s.docs.jsonPath(s.docs.outputsJSON(u), ref.Path)
		if err != nil {
			return "", fmt.Errorf("%s: %v", ref.Text, err)
		}
		return v, nil
	}
	v, ok := u.Outputs[ref.Key]
	if !ok {
		return "", fmt.Errorf("%s: job %q has no output %q", ref.Text, ref.Job, ref.Key)
	}
	if ref.Path == "" {
		return v, nil
	}
	v, err = s.docs.jsonPath(v, ref.Path)
	if err != nil {
		return "", fmt.Errorf("%s: output %q: %v", ref.Text, ref.Key, err)
	}
	return v, nil
}

const getJSONValuePrefix = "#[[get_json_value('"

// getJSONValue evaluates #[[get_json_value('TEXT','PATH')]] at the start of
// rest (the original product's form): TEXT is resolved first, then PATH
// applied to it as JSON. Any other #… is plain text.
func (s Scope) getJSONValue(rest string, t time.Time, depth int) (string, int, error) {
	if !strings.HasPrefix(rest, getJSONValuePrefix) {
		return "#", 1, nil
	}
	body := rest[len(getJSONValuePrefix):]
	sep := strings.Index(body, "','")
	end := strings.Index(body, "')]]")
	if sep < 0 || end < 0 || end < sep {
		return "", 0, fmt.Errorf("malformed %s (want #[[get_json_value('<json>','<path>')]])", clip(rest))
	}
	if depth > 2 {
		return "", 0, fmt.Errorf("get_json_value nested too deep")
	}
	doc, err := s.resolve(body[:sep], t, depth+1)
	if err != nil {
		return "", 0, err
	}
	v, err := s.docs.jsonPath(doc, body[sep+3:end])
	if err != nil {
		return "", 0, fmt.Errorf("get_json_value: %v", err)
	}
	return v, len(getJSONValuePrefix) + end + len("')]]"), nil
}

// Refs lists the references to other jobs' outputs in text: every
// ${outputs.…} (isJob settles job names that hold dots) and every
// ${qing.<jobId>.result_data}. Malformed references are errors.
func Refs(text string, isJob func(string) bool) ([]OutputRef, error) {
	var out []OutputRef
	for {
		i := strings.Index(text, "${")
		if i < 0 {
			return out, nil
		}
		rest := text[i:]
		switch {
		case strings.HasPrefix(rest, "${outputs."):
			inner, n, err := scanOutputsRef(rest)
			if err != nil {
				return nil, err
			}
			ref, err := parseOutputsRef(inner, isJob)
			if err != nil {
				return nil, err
			}
			out = append(out, ref)
			text = rest[n:]
			continue
		case strings.HasPrefix(rest, "${qing."):
			if end := strings.IndexByte(rest, '}'); end > 0 {
				if id, ok := strings.CutSuffix(rest[len("${qing."):end], ".result_data"); ok && id != "" {
					out = append(out, OutputRef{Text: rest[:end+1], Job: id, ByID: true})
				}
			}
		}
		text = rest[2:]
	}
}
