package httpapi_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"go.temporal.io/api/workflowservice/v1"

	"jobflow"
	"jobflow/internal/testtier"
	"jobflow/invoke"
)

// invokeConfig is a config with invoke on and a default param.
var invokeConfig = map[string]any{"invoke": map[string]any{"enabled": true}, "params": map[string]string{"NAME": "default"}}

type issued struct {
	Token     string    `json:"token"`
	JTI       string    `json:"jti"`
	ExpiresAt time.Time `json:"expiresAt"`
	Curl      string    `json:"curl"`
}

func (e *runEnv) publish(wfID string) {
	e.t.Helper()
	e.ok(e.as("POST", "/api/v1/workflows/"+wfID+"/publish", nil), 200, nil)
}

func (e *runEnv) token(wfID string) issued {
	e.t.Helper()
	var tok issued
	e.ok(e.as("POST", "/api/v1/workflows/"+wfID+"/invoke-tokens", nil), 201, &tok)
	return tok
}

// invoke calls the public endpoint without any login.
func (e *runEnv) invoke(body any) resp {
	e.t.Helper()
	return e.do("POST", invoke.Path, "", "", body)
}

// runCount is the number of run rows of a workflow in the store.
func (e *runEnv) runCount(wfID string) int {
	e.t.Helper()
	_, n, err := e.st.FindRuns(context.Background(), e.tenantID, jobflow.RunFilter{Page: 1, PageSize: 1, WorkflowID: wfID})
	if err != nil {
		e.t.Fatal(err)
	}
	return n
}

// settledExecutions is executions after giving visibility a moment to
// catch up: a count that must stay (no second execution, none at all) can
// only be shown by letting time pass.
func (e *runEnv) settledExecutions(wfID string) int64 {
	e.t.Helper()
	time.Sleep(1500 * time.Millisecond)
	return e.executions(wfID)
}

// executions is the number of FlowRun executions of a workflow Temporal's
// visibility shows now.
func (e *runEnv) executions(wfID string) int64 {
	e.t.Helper()
	res, err := e.client.CountWorkflow(context.Background(), &workflowservice.CountWorkflowExecutionsRequest{
		Namespace: e.ts.GetDefaultNamespace(),
		Query:     fmt.Sprintf("WorkflowType = 'FlowRun' AND JobflowWorkflowId = '%s'", wfID),
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return res.GetCount()
}

func (e *runEnv) nodeLogs(runID string) string {
	e.t.Helper()
	r, err := e.st.FindRunByID(context.Background(), e.tenantID, runID)
	if err != nil {
		e.t.Fatal(err)
	}
	var all strings.Builder
	for _, n := range r.Nodes {
		l, err := e.st.FindNodeLog(context.Background(), e.tenantID, runID, n.JobID)
		if err != nil {
			e.t.Fatal(err)
		}
		all.WriteString(l)
	}
	return all.String()
}

func TestInvokeWorkflow(t *testing.T) {
	testtier.Parallel(t)
	testtier.Long(t, "many real invoked runs")
	e := newRunEnv(t)
	w := e.flow("invokable", invokeConfig, `echo "hello ${params.NAME}"`)
	e.publish(w.ID)
	tok := e.token(w.ID)

	t.Run("TokenShape", func(t *testing.T) {
		if tok.Token == "" || tok.JTI == "" || !strings.Contains(tok.Curl, invoke.Path) || !strings.Contains(tok.Curl, tok.Token) {
			t.Fatalf("issued = %+v", tok)
		}
		if d := time.Until(tok.ExpiresAt) - invoke.TokenLifetime; d > time.Minute || d < -time.Minute {
			t.Fatalf("expiresAt %s is not a year ahead", tok.ExpiresAt)
		}
		r := e.as("GET", "/api/v1/workflows/"+w.ID+"/invoke-tokens", nil)
		e.ok(r, 200, nil)
		if strings.Contains(string(r.body), tok.Token) || strings.Contains(string(r.body), `"token"`) || !strings.Contains(string(r.body), tok.JTI) {
			t.Fatalf("token list = %s", r.body)
		}
	})

	t.Run("CurlAsPrinted", func(t *testing.T) {
		out, err := exec.Command("bash", "-c", tok.Curl).Output()
		if err != nil {
			t.Fatalf("curl: %v\n%s", err, tok.Curl)
		}
		var got struct {
			RunID string `json:"runId"`
		}
		if err := json.Unmarshal(out, &got); err != nil || got.RunID == "" {
			t.Fatalf("curl answered %q", out)
		}
		run := e.waitRun(got.RunID, 60*time.Second)
		if run.Status != jobflow.RunSuccess || run.Trigger != jobflow.TriggerInvoke || run.VersionID == "" {
			t.Fatalf("run = %+v", run)
		}
		if l := e.nodeLogs(run.ID); !strings.Contains(l, "hello default") {
			t.Fatalf("log = %q, want the default param", l)
		}
	})

	t.Run("Params", func(t *testing.T) {
		var got struct {
			RunID string `json:"runId"`
		}
		e.ok(e.invoke(map[string]any{"workflowId": w.ID, "token": tok.Token, "params": map[string]string{"NAME": "world"}}), 200, &got)
		run := e.waitRun(got.RunID, 60*time.Second)
		if l := e.nodeLogs(run.ID); run.Status != jobflow.RunSuccess || !strings.Contains(l, "hello world") {
			t.Fatalf("run %s log = %q", run.Status, l)
		}
	})

	t.Run("BadTokensRefused", func(t *testing.T) {
		other := e.flow("other", invokeConfig, "true")
		e.publish(other.ID)
		otherTok := e.token(other.ID)
		revoked := e.token(w.ID)
		e.ok(e.as("DELETE", "/api/v1/workflows/"+w.ID+"/invoke-tokens/"+revoked.JTI, nil), 204, nil)
		expired, claims, err := invoke.Issue(testSecret, e.tenantID, w.ID, time.Now().Add(-invoke.TokenLifetime-time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if err := e.st.CreateInvokeToken(context.Background(), &jobflow.InvokeToken{JTI: claims.ID, TenantID: e.tenantID, WorkflowID: w.ID, ExpiresAt: claims.ExpiresAt}); err != nil {
			t.Fatal(err)
		}
		foreign, _, _ := invoke.Issue(testSecret, "tn_someoneelse", w.ID, time.Now())
		parts := strings.Split(tok.Token, ".")
		var payload map[string]any
		raw, _ := base64.RawURLEncoding.DecodeString(parts[1])
		_ = json.Unmarshal(raw, &payload)
		none := b64json(map[string]string{"alg": "none", "typ": "JWT"}) + "." + parts[1] + "."
		payload["sub"] = other.ID
		tampered := parts[0] + "." + b64json(payload) + "." + parts[2]
		before := e.runCount(w.ID)
		for name, token := range map[string]string{
			"AlgNone": none, "LoginToken": e.admin, "OtherWorkflow": otherTok.Token, "Tampered": tampered,
			"Expired": expired, "Revoked": revoked.Token, "OtherTenant": foreign, "Garbage": "not.a.jwt",
		} {
			t.Run(name, func(t *testing.T) {
				ae := e.fail(e.invoke(map[string]any{"workflowId": w.ID, "token": token}), 401, jobflow.EUNAUTHORIZED)
				if ae.Message != jobflow.ErrorMessage(invoke.ErrInvalidToken) {
					t.Fatalf("message %q tells more than the generic one", ae.Message)
				}
			})
		}
		if after := e.runCount(w.ID); after != before {
			t.Fatalf("refused tokens started %d runs", after-before)
		}
		// A token whose workflow does not exist in its tenant is the same 401.
		e.fail(e.invoke(map[string]any{"workflowId": "wf_nope", "token": tok.Token}), 401, jobflow.EUNAUTHORIZED)
	})

	t.Run("BadBody", func(t *testing.T) {
		e.fail(e.invoke("not json"), 400, jobflow.EINVALID)
		e.fail(e.invoke(map[string]any{"workflowId": w.ID}), 400, jobflow.EINVALID)
		e.fail(e.invoke(map[string]any{"workflowId": w.ID, "token": tok.Token, "params": map[string]any{"NAME": 1}}), 400, jobflow.EINVALID)
	})

	t.Run("SameRequestIDOneRun", func(t *testing.T) {
		// Three tokens, so 50 calls stay within each token's burst.
		toks := []issued{e.token(w.ID), e.token(w.ID), e.token(w.ID)}
		before := e.runCount(w.ID)
		beforeExec := e.settledExecutions(w.ID)
		ids := make([]string, 50)
		statuses := make([]int, 50)
		var wg sync.WaitGroup
		for i := range ids {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r := e.invoke(map[string]any{"workflowId": w.ID, "token": toks[i%3].Token, "requestId": "order-42"})
				statuses[i] = r.status
				var got struct {
					RunID string `json:"runId"`
				}
				_ = json.Unmarshal(r.body, &got)
				ids[i] = got.RunID
			}()
		}
		wg.Wait()
		for i := range ids {
			if statuses[i] != 200 || ids[i] != ids[0] || ids[0] == "" {
				t.Fatalf("call %d: %d %q, call 0: %q", i, statuses[i], ids[i], ids[0])
			}
		}
		e.waitRun(ids[0], 60*time.Second)
		if n := e.runCount(w.ID) - before; n != 1 {
			t.Fatalf("store: %d new runs, want 1", n)
		}
		// Visibility lags: wait for the one execution, then check no second shows up.
		eventually(t, 15*time.Second, "the execution in Temporal's visibility", func() bool { return e.executions(w.ID)-beforeExec >= 1 })
		if n := e.settledExecutions(w.ID) - beforeExec; n != 1 {
			t.Fatalf("temporal: %d new FlowRun executions, want 1", n)
		}
		// A repeat after the run ended answers the same run, starts nothing.
		var again struct {
			RunID string `json:"runId"`
		}
		e.ok(e.invoke(map[string]any{"workflowId": w.ID, "token": toks[0].Token, "requestId": "order-42"}), 200, &again)
		if again.RunID != ids[0] || e.runCount(w.ID)-before != 1 {
			t.Fatalf("repeat after the end: %q, %d runs", again.RunID, e.runCount(w.ID)-before)
		}
	})

	t.Run("RateLimited", func(t *testing.T) {
		lim := e.token(w.ID)
		limited := 0
		for i := 0; i < invoke.DefaultBurst+5; i++ {
			r := e.invoke(map[string]any{"workflowId": w.ID, "token": lim.Token, "requestId": "limit-test"})
			if r.status == 429 {
				e.fail(r, 429, jobflow.ETOOMANY)
				if r.header.Get("Retry-After") == "" {
					t.Fatal("429 without Retry-After")
				}
				limited++
			}
		}
		if limited == 0 {
			t.Fatalf("%d rapid calls with one token: none refused", invoke.DefaultBurst+5)
		}
	})

	t.Run("DisabledInPublishedVersion", func(t *testing.T) {
		d := e.flow("disabled", nil, "true")
		e.publish(d.ID)
		dt := e.token(d.ID)
		// Enabling it in the draft only takes effect at the next publish.
		e.ok(e.as("PUT", "/api/v1/workflows/"+d.ID+"/config", invokeConfig), 200, nil)
		e.fail(e.invoke(map[string]any{"workflowId": d.ID, "token": dt.Token}), 403, jobflow.EFORBIDDEN)
		if n := e.runCount(d.ID); n != 0 {
			t.Fatalf("%d runs started", n)
		}
		e.publish(d.ID)
		e.ok(e.invoke(map[string]any{"workflowId": d.ID, "token": dt.Token}), 200, nil)
	})

	t.Run("NotPublished", func(t *testing.T) {
		draft := e.flow("draft", invokeConfig, "true")
		dt := e.token(draft.ID)
		e.fail(e.invoke(map[string]any{"workflowId": draft.ID, "token": dt.Token}), 409, jobflow.ECONFLICT)

		off := e.flow("offline", invokeConfig, "true")
		e.publish(off.ID)
		ot := e.token(off.ID)
		e.ok(e.as("POST", "/api/v1/workflows/"+off.ID+"/offline", nil), 200, nil)
		e.fail(e.invoke(map[string]any{"workflowId": off.ID, "token": ot.Token, "requestId": "x1"}), 409, jobflow.ECONFLICT)
		if n, x := e.runCount(off.ID)+e.runCount(draft.ID), e.settledExecutions(off.ID)+e.executions(draft.ID); n != 0 || x != 0 {
			t.Fatalf("refused invokes started %d runs, %d executions", n, x)
		}
	})

	t.Run("TokenRoutesScoped", func(t *testing.T) {
		e.fail(e.as("DELETE", "/api/v1/workflows/"+w.ID+"/invoke-tokens/nope", nil), 404, jobflow.ENOTFOUND)
		e.fail(e.as("POST", "/api/v1/workflows/wf_nope/invoke-tokens", nil), 404, jobflow.ENOTFOUND)
		e.fail(e.do("POST", "/api/v1/workflows/"+w.ID+"/invoke-tokens", "", e.tenantID, nil), 401, jobflow.EUNAUTHORIZED)
	})
}

func b64json(v any) string {
	b, _ := json.Marshal(v)
	return base64.RawURLEncoding.EncodeToString(b)
}
