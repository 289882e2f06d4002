package engine_test

import (
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"jobflow"
	"jobflow/internal/testtier"
)

// span is when one job ran.
type span struct{ from, to time.Time }

// peakOverlap is the most spans going on at one moment: a sweep over
// starts and ends (an end before a start at the same instant).
func peakOverlap(spans []span) int {
	type edge struct {
		at    time.Time
		delta int
	}
	var edges []edge
	for _, s := range spans {
		edges = append(edges, edge{s.from, 1}, edge{s.to, -1})
	}
	slices.SortFunc(edges, func(a, b edge) int {
		if c := a.at.Compare(b.at); c != 0 {
			return c
		}
		return a.delta - b.delta
	})
	running, peak := 0, 0
	for _, ed := range edges {
		running += ed.delta
		peak = max(peak, running)
	}
	return peak
}

// concurrencyConfig limits a workflow's runs.
func concurrencyConfig(limit int, behavior string) map[string]any {
	return map[string]any{"concurrency": map[string]any{"limit": limit, "behavior": behavior}}
}

// startMany posts n manual runs at once and returns the answers' run ids
// and statuses by HTTP status.
func (e *env) startMany(wfID string, n int) map[int][]string {
	var (
		mu  sync.Mutex
		wg  sync.WaitGroup
		out = map[int][]string{}
	)
	for range n {
		wg.Go(func() {
			code, body := e.API.Do("POST", "/api/v1/workflows/"+wfID+"/runs", map[string]any{})
			mu.Lock()
			defer mu.Unlock()
			out[code] = append(out[code], string(body))
		})
	}
	wg.Wait()
	return out
}

// runID reads the run id of a 202 answer.
func runID(t *testing.T, body string) string {
	t.Helper()
	const key = `"runId":"`
	i := strings.Index(body, key)
	if i < 0 {
		t.Fatalf("no runId in %s", body)
	}
	rest := body[i+len(key):]
	return rest[:strings.IndexByte(rest, '"')]
}

// Twenty manual runs started at once under QUEUE with a limit of 2, through
// the REST API on a real Temporal server: all are accepted, the extra ones
// answer QUEUED and are seen QUEUED, every run succeeds, and at no moment
// did more than 2 of them run a job (docs/run-semantics.md#workflow-concurrency).
func TestEngine_Concurrency_Queue(t *testing.T) {
	testtier.Parallel(t)
	e := newEnv(t)
	wfID, ids := e.workflow("serial", []jobSpec{shell("a", "sleep 0.3")}, concurrencyConfig(2, "QUEUE"))
	answers := e.startMany(wfID, 20)
	if len(answers[202]) != 20 {
		t.Fatalf("answers by status: %v", answers)
	}
	queuedAnswers := 0
	var runIDs []string
	for _, b := range answers[202] {
		runIDs = append(runIDs, runID(t, b))
		if strings.Contains(b, `"status":"QUEUED"`) {
			queuedAnswers++
		}
	}
	if queuedAnswers < 18 {
		t.Errorf("%d answers said QUEUED, want at least 18", queuedAnswers)
	}
	var spans []span
	for _, id := range runIDs {
		r := e.waitFinished(id)
		if r.Status != jobflow.RunSuccess || len(r.Nodes) != 1 || r.Nodes[0].JobID != ids["a"] || r.Nodes[0].StartedAt == nil {
			t.Fatalf("run %s: %s, %d nodes", id, r.Status, len(r.Nodes))
		}
		spans = append(spans, span{*r.Nodes[0].StartedAt, *r.Nodes[0].EndedAt})
	}
	peak := peakOverlap(spans)
	if peak > 2 || peak < 1 {
		t.Fatalf("at most %d jobs ran at once, want at most 2 (the limit)", peak)
	}
}

// FAIL refuses what passes the limit with 409 and records nothing, for a
// manual run and for an invoke; SKIP records the run SKIPPED.
func TestEngine_Concurrency_FailAndSkip(t *testing.T) {
	testtier.Parallel(t)
	e := newEnv(t)
	cfg := concurrencyConfig(2, "FAIL")
	cfg["invoke"] = map[string]any{"enabled": true}
	wfID, _ := e.workflow("refusing", []jobSpec{shell("a", "sleep 2")}, cfg)
	answers := e.startMany(wfID, 20)
	if len(answers[202]) != 2 || len(answers[409]) != 18 {
		t.Fatalf("answers by status: %d × 202, %d × 409 (%v)", len(answers[202]), len(answers[409]), answers)
	}
	if !strings.Contains(answers[409][0], `"code":"CONFLICT"`) || !strings.Contains(answers[409][0], "allows 2 run(s) at once") {
		t.Fatalf("a refusal: %s", answers[409][0])
	}
	if l := e.runs(wfID, jobflow.TriggerManual); l.Total != 2 {
		t.Fatalf("%d runs recorded, want the 2 accepted", l.Total)
	}
	e.publish(wfID)
	var tok struct{ Token string }
	e.API.Must("POST", "/api/v1/workflows/"+wfID+"/invoke-tokens", nil, 201, &tok)
	resp, err := http.Post(e.Server.URL+"/workflow/open/invokeWorkflow", "application/json",
		strings.NewReader(`{"workflowId":"`+wfID+`","token":"`+tok.Token+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 409 {
		t.Fatalf("an invoke past the limit answered %d, want 409", resp.StatusCode)
	}
	if l := e.runs(wfID, jobflow.TriggerInvoke); l.Total != 0 {
		t.Fatalf("%d invoke runs recorded, want none", l.Total)
	}
	for _, b := range answers[202] {
		e.waitFinished(runID(t, b))
	}

	skipID, _ := e.workflow("skipping", []jobSpec{shell("a", "sleep 2")}, concurrencyConfig(1, "SKIP"))
	first := e.startMany(skipID, 1)[202]
	var second struct {
		RunID  string            `json:"runId"`
		Status jobflow.RunStatus `json:"status"`
	}
	e.API.Must("POST", "/api/v1/workflows/"+skipID+"/runs", map[string]any{}, 202, &second)
	if second.Status != jobflow.RunSkipped {
		t.Fatalf("the second run answered %s, want SKIPPED", second.Status)
	}
	if r := e.run(second.RunID); r.Status != jobflow.RunSkipped || r.EndedAt == nil || !strings.HasPrefix(r.Error, "skipped:") {
		t.Fatalf("skipped run: %s %q", r.Status, r.Error)
	}
	if r := e.waitFinished(runID(t, first[0])); r.Status != jobflow.RunSuccess {
		t.Fatalf("the first run: %s", r.Status)
	}
}

// A queued run can be aborted and ends at once; a holder terminated in
// Temporal behind jobflow's back leaks no slot: the reconciler settles it
// and the queued run behind it starts and succeeds.
func TestEngine_Concurrency_AbortAndTerminate(t *testing.T) {
	testtier.Parallel(t)
	e := newEnv(t)
	wfID, ids := e.workflow("one-at-a-time", []jobSpec{shell("a", "sleep 600")}, concurrencyConfig(1, "QUEUE"))
	var holder, queued, aborted struct {
		RunID  string            `json:"runId"`
		Status jobflow.RunStatus `json:"status"`
	}
	e.API.Must("POST", "/api/v1/workflows/"+wfID+"/runs", map[string]any{}, 202, &holder)
	e.API.Must("POST", "/api/v1/workflows/"+wfID+"/runs", map[string]any{}, 202, &aborted)
	if holder.Status != jobflow.RunRunning || aborted.Status != jobflow.RunQueued {
		t.Fatalf("answers %s, %s; want RUNNING, QUEUED", holder.Status, aborted.Status)
	}
	e.API.Fail("POST", "/api/v1/runs/"+aborted.RunID+"/pause", nil, 409)
	e.API.Must("POST", "/api/v1/runs/"+aborted.RunID+"/abort", nil, 202, nil)
	if r := e.waitFinished(aborted.RunID); r.Status != jobflow.RunAborted {
		t.Fatalf("aborted queued run: %s", r.Status)
	}

	// The next run queues behind the holder; the holder is terminated.
	e.API.Must("PATCH", "/api/v1/jobs/"+ids["a"], map[string]any{"config": map[string]any{"script": "echo next"}}, 200, nil)
	e.API.Must("POST", "/api/v1/workflows/"+wfID+"/runs", map[string]any{}, 202, &queued)
	if queued.Status != jobflow.RunQueued {
		t.Fatalf("the next run answered %s, want QUEUED", queued.Status)
	}
	e.eventually(30*time.Second, "the holder's job to run", func() bool {
		r := e.run(holder.RunID)
		return len(r.Nodes) == 1 && r.Nodes[0].Status == jobflow.NodeRunning
	})
	if err := e.Client.TerminateWorkflow(t.Context(), holder.RunID, "", "operator cleanup"); err != nil {
		t.Fatal(err)
	}
	e.Engine.RunGrace = time.Nanosecond
	if _, err := e.Engine.ReconcileRuns(t.Context(), nil); err != nil {
		t.Fatal(err)
	}
	if r := e.run(holder.RunID); r.Status != jobflow.RunAborted {
		t.Fatalf("terminated holder: %s", r.Status)
	}
	r := e.waitFinished(queued.RunID)
	if r.Status != jobflow.RunSuccess || !strings.Contains(e.log(queued.RunID, ids["a"]), "next") {
		t.Fatalf("the run behind the terminated holder: %s", r.Status)
	}
}

// The limit holds for every trigger: a backfill of three days started all
// at once and two SUBFLOW children, all of one workflow limited to one run
// at once, run one after the other and all succeed.
func TestEngine_Concurrency_BackfillAndSubflow(t *testing.T) {
	testtier.Parallel(t)
	e := newEnv(t)
	cfg := schedule("0 0 2 * * ?", "Asia/Shanghai", nil)
	cfg["concurrency"] = map[string]any{"limit": 1}
	wfID, ids := e.workflow("limited", []jobSpec{shell("a", "sleep 0.5")}, cfg)
	e.publish(wfID)
	parent, pjobs := e.workflow("caller", []jobSpec{{Name: "sub", Type: "SUBFLOW",
		Config: map[string]any{"workflowId": wfID}}}, nil)

	var bf struct {
		RunIDs []string `json:"runIds"`
	}
	e.API.Must("POST", "/api/v1/workflows/"+wfID+"/backfill",
		map[string]any{"start": "2026-11-01", "end": "2026-11-03", "overlap": "ALLOW_ALL", "maxConcurrent": 3}, 202, &bf)
	var parents []string
	for range 2 {
		var started struct{ RunID string }
		e.API.Must("POST", "/api/v1/workflows/"+parent+"/runs", map[string]any{}, 202, &started)
		parents = append(parents, started.RunID)
	}
	var spans []span
	for _, id := range append(slices.Clone(bf.RunIDs), parents[0]+"-"+pjobs["sub"]+"-1", parents[1]+"-"+pjobs["sub"]+"-1") {
		var r *jobflow.Run
		e.eventually(60*time.Second, "run "+id+" to finish", func() bool {
			code, _ := e.API.Do("GET", "/api/v1/runs/"+id, nil)
			if code != 200 {
				return false // a child not created yet
			}
			r = e.run(id)
			return r.Status.Finished()
		})
		if r.Status != jobflow.RunSuccess || len(r.Nodes) != 1 || r.Nodes[0].JobID != ids["a"] {
			t.Fatalf("run %s (%s): %s", id, r.Trigger, r.Status)
		}
		spans = append(spans, span{*r.Nodes[0].StartedAt, *r.Nodes[0].EndedAt})
	}
	if peak := peakOverlap(spans); peak != 1 {
		t.Fatalf("%d runs of the limited workflow ran at once, want 1", peak)
	}
	for _, p := range parents {
		if r := e.waitFinished(p); r.Status != jobflow.RunSuccess {
			t.Fatalf("parent %s: %s", p, r.Status)
		}
	}
}
