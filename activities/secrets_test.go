package activities

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"jobflow"
	"jobflow/jobtypes"
	"jobflow/store/storetest"
)

// TestSecretMasker_Stream: a secret cut across writes is still masked, and
// text that only starts like one comes out unchanged.
func TestSecretMasker_Stream(t *testing.T) {
	m := newSecretMasker(map[string]string{"a": "hunter2", "b": `q"x`})
	var out []byte
	for _, chunk := range []string{"pass=hun", "ter2; hunt", "ing; q\"x and ", `q\"x`, " end hun"} {
		out = append(out, m.mask([]byte(chunk))...)
	}
	out = append(out, m.rest()...)
	want := "pass=******; hunting; ****** and ****** end hun"
	if string(out) != want {
		t.Fatalf("masked stream = %q, want %q", out, want)
	}
	if newSecretMasker(map[string]string{"empty": ""}) != nil {
		t.Fatal("an empty secret must not mask everything")
	}
}

// TestRunJob_TenantVariables: ${global.NAME} with params winning, and a
// secret used by a job that shows as ****** in the log, error, result and
// outputs, while the job itself received the real value.
func TestRunJob_TenantVariables(t *testing.T) {
	e := newTestEnv(t, storetest.Primary())
	e.a.Variables = e.s
	ctx := context.Background()
	for _, v := range []*jobflow.Variable{
		{TenantID: e.run.TenantID, Name: "region", Value: "eu"},
		{TenantID: e.run.TenantID, Name: "shared", Value: "from-tenant"},
		{TenantID: e.run.TenantID, Name: "TOKEN", Value: "tok-Zq81x", Secret: true},
	} {
		if err := e.s.CreateVariable(ctx, v); err != nil {
			t.Fatal(err)
		}
	}

	t.Run("GlobalsAndPrecedence", func(t *testing.T) {
		j := e.job(jobflow.JobShell, jobtypes.ShellConfig{Script: `echo "r=${global.region} s=${global.shared} p=${params.region}"`})
		if _, err := e.a.RunJob(ctx, e.input(j, map[string]string{"shared": "from-run"})); err != nil {
			t.Fatal(err)
		}
		if log := e.log(t, j.ID); !strings.Contains(log, "r=eu s=from-run p=eu") {
			t.Errorf("log %q", log)
		}
	})

	t.Run("SecretMasked", func(t *testing.T) {
		var got string
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			got = r.Header.Get("Authorization")
			w.Write([]byte(`{"echo":"` + got + `"}`))
		}))
		defer srv.Close()
		e.allowServer(t, srv.URL)
		j := e.job(jobflow.JobHTTP, jobtypes.HTTPConfig{URL: srv.URL + "/?t=${{ secret.TOKEN }}", Headers: map[string]string{"Authorization": "Bearer ${{ secret.TOKEN }}"}})
		res, err := e.a.RunJob(ctx, e.input(j, nil))
		if err != nil {
			t.Fatal(err)
		}
		if got != "Bearer tok-Zq81x" {
			t.Fatalf("the server got %q, want the real secret", got)
		}
		n := e.node(t, j.ID)
		raw, _ := json.Marshal(n)
		resRaw, _ := json.Marshal(res)
		for what, text := range map[string]string{"log": e.log(t, j.ID), "node": string(raw), "result": string(resRaw)} {
			if strings.Contains(text, "tok-Zq81x") {
				t.Errorf("%s holds the secret: %s", what, text)
			}
		}
		if n.Outputs["body"] != `{"echo":"Bearer ******"}` {
			t.Errorf("body output %q, want the secret masked", n.Outputs["body"])
		}

		sh := e.job(jobflow.JobShell, jobtypes.ShellConfig{Script: `echo '${setValue(k=${{ secret.TOKEN }})}'; printf 'tok-'; printf 'Zq81x\n'; echo "bad ${{ secret.TOKEN }}" >&2; exit 4`})
		_, err = e.a.RunJob(ctx, e.input(sh, nil))
		if err == nil {
			t.Fatal("want exit 4")
		}
		n = e.node(t, sh.ID)
		raw, _ = json.Marshal(n)
		if log := e.log(t, sh.ID); strings.Contains(log, "Zq81x") || strings.Count(log, Mask) < 3 || strings.Contains(string(raw), "Zq81x") {
			t.Errorf("secret shows: log %q node %s", log, raw)
		}
	})

	t.Run("UnknownSecretFails", func(t *testing.T) {
		j := e.job(jobflow.JobShell, jobtypes.ShellConfig{Script: `echo ${{ secret.NOPE }}`})
		_, err := e.a.RunJob(ctx, e.input(j, nil))
		if ae := appError(t, err); !strings.Contains(ae.Message(), "unknown secret NOPE") || !ae.NonRetryable() {
			t.Fatalf("error %q nonRetryable %v", ae.Message(), ae.NonRetryable())
		}
	})
}
