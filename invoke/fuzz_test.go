package invoke_test

import (
	"errors"
	"strings"
	"testing"

	"jobflow"
	"jobflow/invoke"
)

// FuzzVerify: whatever the text, Verify never panics, refuses with the one
// generic 401, and anything it accepts is an invoke token for the asked
// workflow (only tokens from the seed corpus, signed with the secret, can be).
func FuzzVerify(f *testing.F) {
	good, _, err := invoke.Issue(secret, tenantA, workflowA, now)
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{good, seedToken, "", "a.b.c", "eyJhbGciOiJub25lIn0.e30.", good[:len(good)-1]} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, token string) {
		c, err := invoke.Verify(secret, token, workflowA, now)
		if err != nil {
			if !errors.Is(err, invoke.ErrInvalidToken) || jobflow.ErrorCode(err) != jobflow.EUNAUTHORIZED {
				t.Fatalf("refusal %v is not the generic 401", err)
			}
			return
		}
		if c.WorkflowID != workflowA || c.Type != invoke.TokenType || c.TenantID == "" || c.ID == "" {
			t.Fatalf("accepted %q as %+v", token, c)
		}
	})
}

// FuzzDecodeRequest: any body is either a request that passes Validate or
// a 400/413 application error, never a panic or an internal error.
func FuzzDecodeRequest(f *testing.F) {
	for _, s := range []string{
		`{"workflowId":"wf_1","token":"t"}`,
		`{"workflowId":"wf_1","token":"t","params":{"a":"b"},"requestId":"r-1"}`,
		`{"workflowId":1}`, `[]`, `null`, `{`, `{"params":{"1":2}}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		r, err := invoke.DecodeRequest(strings.NewReader(body))
		if err != nil {
			if code := jobflow.ErrorCode(err); code != jobflow.EINVALID && code != jobflow.ETOOLARGE {
				t.Fatalf("code %s for %q: %v", code, body, err)
			}
			return
		}
		if err := r.Validate(); err != nil || r.WorkflowID == "" || r.Token == "" {
			t.Fatalf("decoded an invalid request %+v from %q (%v)", r, body, err)
		}
	})
}
