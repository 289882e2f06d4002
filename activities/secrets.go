package activities

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"slices"
	"strings"

	"jobflow/workflows"
)

// Tenant variables and secrets (docs/run-semantics.md#tenant-variables-and-secrets) are read here, inside the
// activity, so a secret's value is never in a workflow's input or history.
// Every text a job run leaves behind (its log, error, result and outputs)
// has the secret values it could have seen replaced by ******.

// Mask replaces a secret value wherever it would show.
const Mask = "******"

// tenantVars loads the tenant's variables when the job's config can name
// them (${global.…}, ${{ secret.… }}, or ${params.…}, which falls back to
// tenant variables).
func (a *Activities) tenantVars(ctx context.Context, in workflows.RunJobInput) (plain, secret map[string]string, err error) {
	if a.Variables == nil {
		return nil, nil, nil
	}
	cfg := string(in.Job.Config)
	if !strings.Contains(cfg, "${global.") && !strings.Contains(cfg, "${{") && !strings.Contains(cfg, "${params.") {
		return nil, nil, nil
	}
	plain, secret, err = a.Variables.VariableValues(ctx, in.TenantID)
	if err != nil {
		a.logger().Error("load tenant variables", "tenant", in.TenantID, "err", err)
		return nil, nil, failf("cannot load the tenant's variables")
	}
	return plain, secret, nil
}

// secretMasker replaces secret values in text, also as they appear escaped
// in JSON and in URLs. It masks a stream too: mask holds back a tail that
// may be the start of a secret until the next write (or rest) decides.
type secretMasker struct {
	forms  []string // longest first, so a secret inside another is not half-masked
	maxLen int
	held   []byte
}

// newSecretMasker returns nil when there is nothing to mask.
func newSecretMasker(secrets map[string]string) *secretMasker {
	seen := map[string]bool{}
	m := &secretMasker{}
	for _, v := range secrets {
		if v == "" {
			continue
		}
		j, _ := json.Marshal(v)
		for _, f := range []string{v, string(j[1 : len(j)-1]), url.QueryEscape(v), url.PathEscape(v)} {
			if !seen[f] {
				seen[f] = true
				m.forms = append(m.forms, f)
				m.maxLen = max(m.maxLen, len(f))
			}
		}
	}
	if len(m.forms) == 0 {
		return nil
	}
	slices.SortFunc(m.forms, func(a, b string) int { return len(b) - len(a) })
	return m
}

// String masks a whole text.
func (m *secretMasker) String(s string) string {
	if m == nil {
		return s
	}
	for _, f := range m.forms {
		s = strings.ReplaceAll(s, f, Mask)
	}
	return s
}

// mask masks the next chunk of a stream.
func (m *secretMasker) mask(p []byte) []byte {
	buf := append(m.held, p...)
	var out bytes.Buffer
	i := 0
scan:
	for i < len(buf) {
		for _, f := range m.forms {
			if bytes.HasPrefix(buf[i:], []byte(f)) {
				out.WriteString(Mask)
				i += len(f)
				continue scan
			}
		}
		if len(buf)-i < m.maxLen && m.prefixOfSecret(buf[i:]) {
			break // may be a secret cut by the write: decide with the next one
		}
		out.WriteByte(buf[i])
		i++
	}
	m.held = append([]byte(nil), buf[i:]...)
	return out.Bytes()
}

func (m *secretMasker) prefixOfSecret(tail []byte) bool {
	for _, f := range m.forms {
		if len(tail) < len(f) && strings.HasPrefix(f, string(tail)) {
			return true
		}
	}
	return false
}

// rest is what the stream held back, at its end.
func (m *secretMasker) rest() []byte {
	out := m.held
	m.held = nil
	return out
}

// outcome masks an executor's outcome and error.
func (m *secretMasker) outcome(out outcome, err error) (outcome, error) {
	if m == nil {
		return out, err
	}
	if len(out.Result) > 0 {
		out.Result = json.RawMessage(m.String(string(out.Result)))
		if !json.Valid(out.Result) {
			out.Result = nil
		}
	}
	if out.Outputs != nil {
		masked := make(map[string]string, len(out.Outputs))
		for k, v := range out.Outputs {
			masked[m.String(k)] = m.String(v)
		}
		out.Outputs = masked
	}
	var je *jobError
	if errors.As(err, &je) {
		err = &jobError{Msg: m.String(je.Msg), Config: je.Config}
	}
	return out, err
}
