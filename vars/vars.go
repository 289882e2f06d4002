// Package vars resolves the variables of job scripts, SQL, URLs, headers and
// bodies (docs/contract.md#variables) from a run's logical time and parameters.
//
// Three kinds of placeholders belong to jobflow:
//
//   - ${qing.NAME}: built-in values of the logical time, see builtins
//     (${qing.current_date} is 2026-11-25, ${qing.current_date1} 20261125,
//     ${qing.current_datetime} 2026-11-25 02:00:00, ${qing.current_year}
//     2026, ${qing.current_month} 11, ${qing.current_day} 25).
//   - ${params.NAME}: a run parameter.
//   - $[PATTERN], $[PATTERN+N], $[PATTERN-N] and $[FUNC(PATTERN,N)]: the
//     logical time formatted with a DolphinScheduler-style date pattern,
//     optionally shifted (see timeexpr.go).
//
// Every other ${...} is left untouched, because shell scripts use ${HOME}
// and the like legitimately; likewise $[...] whose content does not start
// with a letter ($[0] in a JSONPath, bash's old $[1+2]) is left alone. An
// unknown ${qing.*} or ${params.*}, or a malformed $[...] that starts with a
// letter, is an error naming it, so the node fails instead of running with a
// wrong value.
//
// Replacement is a single pass: a parameter value that itself contains
// ${...} is inserted as is and not expanded again. Everything is evaluated
// in the given location (the schedule's time zone), so a rerun or backfill
// with the same logical time reproduces the same text. Resolve is pure.
package vars

import (
	"fmt"
	"strings"
	"time"
)

// Resolve replaces the jobflow variables in text (see the package
// documentation) with only run parameters in scope. loc nil means UTC.
func Resolve(text string, logicalTime time.Time, loc *time.Location, params map[string]string) (string, error) {
	return ResolveScope(text, logicalTime, loc, Scope{Params: params})
}

// ResolveScope replaces the jobflow variables in text, reading names from s.
func ResolveScope(text string, logicalTime time.Time, loc *time.Location, s Scope) (string, error) {
	if !strings.ContainsAny(text, "$#") {
		return text, nil
	}
	if loc == nil {
		loc = time.UTC
	}
	s = s.WithCache()
	out, err := s.resolve(text, logicalTime.In(loc), 0)
	if err == nil && len(out) > len(text)+MaxExpansionBytes {
		return "", fmt.Errorf("variables exceeded their budget of %d bytes of expansion (the text grew from %d to %d bytes)", MaxExpansionBytes, len(text), len(out))
	}
	return out, err
}

func (s Scope) resolve(text string, t time.Time, depth int) (string, error) {
	var b strings.Builder
	limit := len(text) + MaxExpansionBytes
	for {
		if b.Len() > limit {
			return "", fmt.Errorf("variables exceeded their budget of %d bytes of expansion (the text grew past %d bytes)", MaxExpansionBytes, b.Len())
		}
		i := nextPlaceholder(text)
		if i < 0 || i == len(text)-1 {
			b.WriteString(text)
			return b.String(), nil
		}
		b.WriteString(text[:i])
		rest := text[i:]
		if rest[0] == '#' { // #[[get_json_value('…','$.path')]]
			v, n, err := s.getJSONValue(rest, t, depth)
			if err != nil {
				return "", err
			}
			b.WriteString(v)
			text = rest[n:]
			continue
		}
		switch rest[1] {
		case '{':
			if strings.HasPrefix(rest, "${{") {
				v, n, ok, err := s.secret(rest)
				if err != nil {
					return "", err
				}
				if !ok {
					b.WriteString("${{") // not ours
					text = rest[3:]
					continue
				}
				b.WriteString(v)
				text = rest[n:]
				continue
			}
			if strings.HasPrefix(rest, "${outputs.") {
				inner, n, err := scanOutputsRef(rest)
				if err != nil {
					return "", err
				}
				v, err := s.output(inner)
				if err != nil {
					return "", err
				}
				b.WriteString(v)
				text = rest[n:]
				continue
			}
			end := strings.IndexByte(rest, '}')
			name := ""
			if end >= 0 {
				name = rest[2:end]
			}
			if !ours(rest) {
				b.WriteString("${") // not ours: leave it for the shell
				text = rest[2:]
				continue
			}
			if end < 0 || strings.ContainsAny(name, " \t\r\n${") {
				return "", fmt.Errorf("unterminated variable %s (missing })", clip(rest))
			}
			v, ok, err := s.lookup(name, t)
			if err != nil {
				return "", err
			}
			if !ok {
				return "", fmt.Errorf("unknown variable ${%s}", name)
			}
			b.WriteString(v)
			text = rest[end+1:]
		case '[':
			end := strings.IndexByte(rest, ']')
			if len(rest) < 3 || !isLetter(rest[2]) || end < 0 {
				if len(rest) >= 3 && isLetter(rest[2]) && end < 0 {
					return "", fmt.Errorf("unterminated variable %s (missing ])", clip(rest))
				}
				b.WriteString("$[")
				text = rest[2:]
				continue
			}
			v, err := timeExpr(rest[2:end], t)
			if err != nil {
				return "", fmt.Errorf("invalid variable $[%s]: %v", rest[2:end], err)
			}
			b.WriteString(v)
			text = rest[end+1:]
		default:
			b.WriteByte('$')
			text = rest[1:]
		}
	}
}

// ours reports whether a ${ placeholder at the start of rest is jobflow's.
func ours(rest string) bool {
	for _, p := range []string{"${qing.", "${params.", "${global."} {
		if strings.HasPrefix(rest, p) {
			return true
		}
	}
	return false
}

// nextPlaceholder is the index of the next '$' or get_json_value call.
func nextPlaceholder(text string) int {
	i := strings.IndexByte(text, '$')
	if j := strings.Index(text, getJSONValuePrefix); j >= 0 && (i < 0 || j < i) {
		return j
	}
	return i
}

// builtins are the ${qing.*} values of the logical time t.
var builtins = map[string]func(t time.Time) string{
	"current_date":     func(t time.Time) string { return t.Format("2006-01-02") },
	"current_date1":    func(t time.Time) string { return t.Format("20060102") },
	"current_datetime": func(t time.Time) string { return t.Format("2006-01-02 15:04:05") },
	"current_year":     func(t time.Time) string { return t.Format("2006") },
	"current_month":    func(t time.Time) string { return t.Format("01") },
	"current_day":      func(t time.Time) string { return t.Format("02") },
}

// lookup resolves a ${…} name: params and global names share one chain,
// run params > workflow params (both in Params) > tenant variables.
func (s Scope) lookup(name string, t time.Time) (string, bool, error) {
	if p, ok := strings.CutPrefix(name, "params."); ok {
		v, ok := s.param(p)
		return v, ok, nil
	}
	if p, ok := strings.CutPrefix(name, "global."); ok {
		v, ok := s.param(p)
		return v, ok, nil
	}
	if q, ok := strings.CutPrefix(name, "qing."); ok {
		if f, ok := builtins[q]; ok {
			return f(t), true, nil
		}
		if id, ok := strings.CutSuffix(q, ".result_data"); ok {
			u := s.upstreamByID(id)
			if u == nil {
				return "", false, fmt.Errorf("${qing.%s.result_data}: job %s is not an upstream job of this one", id, id)
			}
			return s.docs.outputsJSON(u), true, nil
		}
	}
	return "", false, nil
}

func (s Scope) param(name string) (string, bool) {
	if v, ok := s.Params[name]; ok {
		return v, true
	}
	v, ok := s.Globals[name]
	return v, ok
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// clip shortens s for an error message.
func clip(s string) string {
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		s = s[:i]
	}
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}

// Render replaces ${NAME} in template with values[NAME] for every NAME in
// values (for alarm templates: ${qing.workflow_name} and so on). Unknown
// placeholders stay as they are, so a template never fails to render.
func Render(template string, values map[string]string) string {
	var b strings.Builder
	for {
		i := strings.Index(template, "${")
		if i < 0 {
			b.WriteString(template)
			return b.String()
		}
		b.WriteString(template[:i])
		end := strings.IndexByte(template[i:], '}')
		if end < 0 {
			b.WriteString(template[i:])
			return b.String()
		}
		if v, ok := values[template[i+2:i+end]]; ok {
			b.WriteString(v)
		} else {
			b.WriteString(template[i : i+end+1])
		}
		template = template[i+end+1:]
	}
}
