package httpapi_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"jobflow"
	"jobflow/internal/testtier"
)

// keyed sends a request with an Idempotency-Key; it is safe to call from
// many goroutines (it never fails the test itself).
func (e *runEnv) keyed(method, path, key, body string) (int, http.Header, []byte, error) {
	req, err := http.NewRequest(method, e.srv.URL+path, strings.NewReader(body))
	if err != nil {
		return 0, nil, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+e.admin)
	req.Header.Set("X-Tenant-ID", e.tenantID)
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, nil, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return res.StatusCode, res.Header, b, err
}

// concurrently sends n identical keyed requests at once and returns the
// distinct 2xx bodies and how many were replays; any other answer fails.
func (e *runEnv) concurrently(t *testing.T, n int, method, path, key, body string) (bodies map[string]int, replayed int) {
	t.Helper()
	var mu sync.Mutex
	var wg sync.WaitGroup
	bodies = map[string]int{}
	start := make(chan struct{})
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			code, h, b, err := e.keyed(method, path, key, body)
			mu.Lock()
			defer mu.Unlock()
			if err != nil || code != http.StatusAccepted {
				t.Errorf("%s %s = %d %s (%v)", method, path, code, b, err)
				return
			}
			bodies[string(b)]++
			if h.Get("Idempotent-Replayed") == "true" {
				replayed++
			}
		}()
	}
	close(start)
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	return bodies, replayed
}

// triggerCount is the number of runs of a workflow with trigger in the store.
func (e *runEnv) triggerCount(wfID string, trigger jobflow.Trigger) int {
	e.t.Helper()
	_, n, err := e.st.FindRuns(context.Background(), e.tenantID, jobflow.RunFilter{WorkflowID: wfID, Trigger: trigger})
	if err != nil {
		e.t.Fatal(err)
	}
	return n
}

func TestIdempotencyKey_Starts(t *testing.T) {
	testtier.Parallel(t)
	e := newRunEnv(t)
	w := e.flow("idem", nil, "true")
	runs := "/api/v1/workflows/" + w.ID + "/runs"

	t.Run("Run", func(t *testing.T) {
		bodies, replayed := e.concurrently(t, 50, "POST", runs, "run-key-1", `{"params":{"day":"1"}}`)
		if len(bodies) != 1 || replayed != 49 {
			t.Fatalf("50 concurrent starts answered %d distinct bodies (%v), %d replays; want 1 and 49", len(bodies), bodies, replayed)
		}
		if n := e.triggerCount(w.ID, jobflow.TriggerManual); n != 1 {
			t.Fatalf("50 concurrent starts with one key made %d runs, want 1", n)
		}
		var first struct{ RunID string }
		for b := range bodies {
			json.Unmarshal([]byte(b), &first)
		}
		// Whitespace does not make another body; the answer is the same run.
		code, _, b, _ := e.keyed("POST", runs, "run-key-1", "{ \"params\" : {\"day\":\"1\"} }")
		if code != 202 || !strings.Contains(string(b), first.RunID) {
			t.Fatalf("repeat = %d %s, want 202 with %s", code, b, first.RunID)
		}
		// Another body with the same key is 409 and starts nothing.
		code, _, b, _ = e.keyed("POST", runs, "run-key-1", `{"params":{"day":"2"}}`)
		if code != 409 || !strings.Contains(string(b), `"CONFLICT"`) {
			t.Fatalf("other body, same key = %d %s; want 409 CONFLICT", code, b)
		}
		// The same key on another workflow's path is another request too.
		w2 := e.flow("idem-2", nil, "true")
		if code, _, b, _ := e.keyed("POST", "/api/v1/workflows/"+w2.ID+"/runs", "run-key-1", `{"params":{"day":"1"}}`); code != 409 {
			t.Fatalf("same key, other workflow = %d %s; want 409", code, b)
		}
		if n := e.triggerCount(w.ID, jobflow.TriggerManual); n != 1 {
			t.Fatalf("after the conflicts: %d runs, want 1", n)
		}
		// Another key, and no key at all, start new runs.
		if code, _, b, _ := e.keyed("POST", runs, "run-key-2", `{"params":{"day":"1"}}`); code != 202 || strings.Contains(string(b), first.RunID) {
			t.Fatalf("another key = %d %s; want a new run", code, b)
		}
		e.keyed("POST", runs, "", `{}`)
		e.keyed("POST", runs, "", `{}`)
		if n := e.triggerCount(w.ID, jobflow.TriggerManual); n != 4 {
			t.Fatalf("runs = %d, want 4 (one keyed, one with another key, two without)", n)
		}
		e.waitRun(first.RunID, 60e9)
	})

	t.Run("FailureReleasesTheKey", func(t *testing.T) {
		empty := e.workflow("idem-empty") // no canvas: the start is a 400
		path := "/api/v1/workflows/" + empty.ID + "/runs"
		if code, _, b, _ := e.keyed("POST", path, "fix-then-retry", `{}`); code != 400 {
			t.Fatalf("start of an empty canvas = %d %s, want 400", code, b)
		}
		// The failed request started nothing and kept no answer: the key is
		// free for the corrected retry, even with another path and body.
		if code, _, b, _ := e.keyed("POST", runs, "fix-then-retry", `{"params":{"x":"1"}}`); code != 202 {
			t.Fatalf("retry with the key of a failed start = %d %s, want 202", code, b)
		}
		if code, _, b, _ := e.keyed("POST", runs, "fix-then-retry", `{"params":{"x":"1"}}`); code != 202 || b == nil {
			t.Fatalf("repeat of the retry = %d %s", code, b)
		}
		if n := e.triggerCount(w.ID, jobflow.TriggerManual); n != 5 {
			t.Fatalf("runs = %d, want 5 (the retry once)", n)
		}
	})

	t.Run("BadKey", func(t *testing.T) {
		for _, key := range []string{strings.Repeat("k", 256), "tab\there"} {
			code, _, b, _ := e.keyed("POST", runs, key, `{}`)
			if code != 400 || !strings.Contains(string(b), "Idempotency-Key") {
				t.Fatalf("key %q = %d %s; want 400 naming the header", key, code, b)
			}
		}
		if n := e.triggerCount(w.ID, jobflow.TriggerManual); n != 5 {
			t.Fatalf("bad keys started runs: %d, want 5", n)
		}
	})

	t.Run("Rerun", func(t *testing.T) {
		runID := e.runManual(w.ID)
		e.waitRun(runID, 60e9)
		path := "/api/v1/runs/" + runID + "/rerun"
		bodies, _ := e.concurrently(t, 50, "POST", path, "rerun-key", `{"mode":"ALL"}`)
		if len(bodies) != 1 {
			t.Fatalf("50 concurrent reruns answered %d distinct bodies: %v", len(bodies), bodies)
		}
		if n := e.triggerCount(w.ID, jobflow.TriggerRerun); n != 1 {
			t.Fatalf("50 concurrent reruns with one key made %d runs, want 1", n)
		}
		if code, _, b, _ := e.keyed("POST", path, "rerun-key", `{"mode":"FAILED"}`); code != 409 {
			t.Fatalf("rerun, same key, other mode = %d %s; want 409", code, b)
		}
	})

	t.Run("Backfill", func(t *testing.T) {
		cfg := map[string]any{"schedule": map[string]any{"mode": "SINGLE", "cron": "0 0 2 * * ?", "timezone": "UTC", "enabled": true}}
		bw := e.flow("idem-backfill", cfg, "true")
		e.ok(e.as("POST", "/api/v1/workflows/"+bw.ID+"/publish", nil), 200, nil)
		path := "/api/v1/workflows/" + bw.ID + "/backfill"
		body := `{"start":"2026-11-20","end":"2026-11-22"}`
		bodies, _ := e.concurrently(t, 50, "POST", path, "backfill-key", body)
		if len(bodies) != 1 {
			t.Fatalf("50 concurrent backfills answered %d distinct bodies: %v", len(bodies), bodies)
		}
		var out struct {
			BackfillID string   `json:"backfillId"`
			RunIDs     []string `json:"runIds"`
		}
		for b := range bodies {
			json.Unmarshal([]byte(b), &out)
		}
		if len(out.RunIDs) != 3 {
			t.Fatalf("backfill answered %+v, want 3 runs", out)
		}
		if n := e.triggerCount(bw.ID, jobflow.TriggerBackfill); n != 3 {
			t.Fatalf("50 concurrent backfills with one key made %d runs, want 3 (one backfill)", n)
		}
		for _, id := range out.RunIDs {
			e.waitRun(id, 60e9)
		}
		if code, _, b, _ := e.keyed("POST", path, "backfill-key", `{"start":"2026-11-20","end":"2026-11-21"}`); code != 409 {
			t.Fatalf("backfill, same key, other range = %d %s; want 409", code, b)
		}
	})
}
