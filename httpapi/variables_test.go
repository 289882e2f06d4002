package httpapi_test

import (
	"strings"
	"testing"

	"jobflow"
	"jobflow/internal/testtier"
)

func TestVariables_CRUD(t *testing.T) {
	testtier.Parallel(t)
	forEach(t, func(t *testing.T, e *env) {
		const secretValue = "tv-s3cr3t-81b2"
		var plain, secret jobflow.Variable
		e.ok(e.as("POST", "/api/v1/variables", map[string]any{"name": "region", "value": "eu", "remark": "where"}), 201, &plain)
		r := e.as("POST", "/api/v1/variables", map[string]any{"name": "TOKEN", "value": secretValue, "secret": true})
		e.ok(r, 201, &secret)
		if !secret.Secret || !secret.HasValue || secret.Value != "" || plain.Value != "eu" {
			t.Fatalf("created %+v / %+v", plain, secret)
		}
		_, member := e.user("mia", jobflow.RoleMember)
		answers := []resp{r, e.as("GET", "/api/v1/variables", nil), e.as("GET", "/api/v1/variables/TOKEN", nil),
			e.do("GET", "/api/v1/variables/TOKEN", member, e.tenantID, nil)}
		remark := e.as("PATCH", "/api/v1/variables/TOKEN", map[string]any{"remark": "rotated"})
		e.ok(remark, 200, nil)
		answers = append(answers, remark)
		for _, a := range answers {
			if strings.Contains(string(a.body), secretValue) {
				t.Fatalf("an answer shows the secret: %s", a.body)
			}
		}
		var l jobflow.List[jobflow.Variable]
		e.ok(e.do("GET", "/api/v1/variables?search=reg", member, e.tenantID, nil), 200, &l)
		if l.Total != 1 || l.Items[0].Value != "eu" {
			t.Fatalf("member search = %+v", l)
		}

		// Bad input and wrong roles change nothing.
		e.fail(e.as("POST", "/api/v1/variables", map[string]any{"name": "bad-name", "value": "x"}), 400, jobflow.EINVALID)
		e.fail(e.as("POST", "/api/v1/variables", map[string]any{"name": "novalue"}), 400, jobflow.EINVALID)
		e.fail(e.as("POST", "/api/v1/variables", map[string]any{"name": "big", "value": strings.Repeat("x", 65<<10)}), 400, jobflow.EINVALID)
		e.fail(e.as("POST", "/api/v1/variables", map[string]any{"name": "region", "value": "us"}), 409, jobflow.ECONFLICT)
		e.fail(e.as("PATCH", "/api/v1/variables/TOKEN", map[string]any{"secret": false}), 400, jobflow.EINVALID)
		e.fail(e.as("PATCH", "/api/v1/variables/region", map[string]any{"name": "other"}), 400, jobflow.EINVALID)
		e.fail(e.as("PATCH", "/api/v1/variables/region", map[string]any{"value": 5}), 400, jobflow.EINVALID)
		e.fail(e.do("POST", "/api/v1/variables", member, e.tenantID, map[string]any{"name": "m", "value": "x"}), 403, jobflow.EFORBIDDEN)
		e.fail(e.do("PATCH", "/api/v1/variables/region", member, e.tenantID, map[string]any{"value": "us"}), 403, jobflow.EFORBIDDEN)
		e.fail(e.do("DELETE", "/api/v1/variables/region", member, e.tenantID, nil), 403, jobflow.EFORBIDDEN)
		var got jobflow.Variable
		e.ok(e.as("GET", "/api/v1/variables/region", nil), 200, &got)
		if got.Value != "eu" || got.Remark != "where" {
			t.Fatalf("refused edits changed the variable: %+v", got)
		}
		e.ok(e.as("GET", "/api/v1/variables", nil), 200, &l)
		if l.Total != 2 {
			t.Fatalf("refused creates added variables: %+v", l)
		}

		other := e.tenant("other", 5)
		e.fail(e.do("GET", "/api/v1/variables/region", e.admin, other, nil), 404, jobflow.ENOTFOUND)
		e.fail(e.do("DELETE", "/api/v1/variables/region", e.admin, other, nil), 404, jobflow.ENOTFOUND)
		e.ok(e.as("DELETE", "/api/v1/variables/region", nil), 204, nil)
		e.fail(e.as("GET", "/api/v1/variables/region", nil), 404, jobflow.ENOTFOUND)
	})
}
