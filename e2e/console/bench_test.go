package console_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"jobflow"
	"jobflow/httpapi"
	"jobflow/store"
	"jobflow/store/storetest"
)

// largeDAG is the size of the workflow of BenchmarkConsole_LargeDAG.
const largeDAG = 2000

// BenchmarkConsole_LargeDAG measures, in headless chromium on this machine,
// the time from navigation to the first render of the editor and of the run
// view of a 2,000-job workflow (40 columns × 50 rows, each job feeding the
// next column), with saved positions and a run whose nodes have mixed
// states; then Fit and ten zoom steps in and out on each (the time to a
// settled Fit, the longest frame of any step), and the bytes of the run
// view's polls of the running run. The figures are in docs/benchmarks.md:
//
//	go test ./e2e/console -run '^$' -bench LargeDAG -benchtime 3x
//
// With JOBFLOW_CONSOLE_CPUPROFILE=<dir> it also writes the page's JavaScript
// CPU profile of each first render there (open it in Chrome's DevTools, or
// summarize it with web/scripts/profile.mjs); build web/ unminified first
// (npx vite build --minify false) for readable names.
func BenchmarkConsole_LargeDAG(b *testing.B) {
	ctx := context.Background()
	st, _ := storetest.OpenPostgres(b)
	deps := httpapi.NewDeps(st)
	const password = "bench-admin-password"
	if _, err := httpapi.Bootstrap(ctx, deps, password); err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(httpapi.New(httpapi.Config{JWTSecret: []byte("bench-secret-bench-secret-bench-secret")}, deps).Handler())
	b.Cleanup(srv.Close)
	tenants, _, err := st.FindTenants(ctx, jobflow.ListParams{Page: 1, PageSize: 10})
	if err != nil || len(tenants) == 0 {
		b.Fatalf("tenants: %v", err)
	}
	wfID, runID, jobs := seedLargeDAG(b, st, tenants[0].ID)

	br := newBrowser(b, newAllocator(b), srv.URL)
	br.login("admin", password)
	br.visible("workflow-table")

	profiles := os.Getenv("JOBFLOW_CONSOLE_CPUPROFILE")
	measure := func(path, ready string) (ms float64, rendered int) {
		if profiles != "" {
			br.startProfile()
		}
		br.open(path)
		br.waitFor("first render of "+path, ready, 60*time.Second)
		if profiles != "" {
			br.stopProfile(filepath.Join(profiles, sanitize(path)+".cpuprofile"))
		}
		br.eval(`performance.now()`, &ms)
		br.eval(`document.querySelectorAll('.react-flow__node').length`, &rendered)
		if testing.Verbose() {
			var timing any
			br.eval(`({res: performance.getEntriesByType('resource').filter(r => r.name.includes('/api/') || r.name.includes('.js')).map(r => [r.name.split('/').slice(-2).join('/'), Math.round(r.startTime), Math.round(r.responseEnd)]),
				dcl: Math.round(performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd)})`, &timing)
			b.Logf("%s: %.0f ms, %d nodes rendered; %v", path, ms, rendered, timing)
		}
		return ms, rendered
	}
	var editor, run, fitMs, zoomWorst, runFitMs, runZoomWorst float64
	var renderedEditor, renderedRun int
	var fitted, runFitted fitResult
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		ms, n := measure("/workflows/"+wfID, `document.querySelectorAll('[data-testid="canvas"] .react-flow__node').length > 0`)
		editor, renderedEditor = editor+ms, n
		// Fit (the toolbar's button: all 2,000 jobs at a small zoom), then
		// ten zoom steps in (past FAR, where nodes get their text back) and
		// ten out, each step's longest frame.
		time.Sleep(time.Second) // the canvas settles after its first nodes
		fitted = br.fit("canvas", `[data-testid="tb-fit"]`)
		if profiles != "" {
			br.startProfile()
		}
		steps := br.zoomSteps("canvas", zoomDirs)
		if profiles != "" {
			br.stopProfile(filepath.Join(profiles, "editor-zoom.cpuprofile"))
		}
		fitMs, zoomWorst = fitMs+fitted.Ms, max(zoomWorst, worst(steps))
		if testing.Verbose() {
			b.Logf("editor fit: %+v; zoom steps: %+v", fitted, steps)
		}
		ms, n = measure("/runs/"+runID, `document.querySelectorAll('[data-testid="run-canvas"] .react-flow__node').length > 0 && !!document.querySelector('[data-testid="node-table"]')`)
		run, renderedRun = run+ms, n
		if i < b.N-1 { // the last run view is measured after the update below
			time.Sleep(time.Second)
			f := br.fit("run-canvas", `[data-testid="run-canvas"] .react-flow__controls-fitview`)
			steps = br.zoomSteps("run-canvas", zoomDirs)
			runFitMs, runZoomWorst, runFitted = runFitMs+f.Ms, max(runZoomWorst, worst(steps)), f
			if testing.Verbose() {
				b.Logf("run view fit: %+v; zoom steps: %+v", f, steps)
			}
		}
	}
	b.StopTimer()
	// A status change of one node reaches the page by the next poll; only
	// that node's element may change (the others keep their objects).
	br.eval(`(() => { window.__jfChanged = new Set(); window.__jfNodeRenders = 0;
		new MutationObserver((ms) => { for (const m of ms) { const e = m.target.nodeType === 1 ? m.target : m.target.parentElement;
			const n = e && e.closest('.react-flow__node'); if (n) window.__jfChanged.add(n.dataset.id) } })
		.observe(document.querySelector('[data-testid="run-canvas"]'), {subtree: true, attributes: true, childList: true, characterData: true});
		return true })()`, nil)
	changed := jobs[2*50] // column 2, row 0: PENDING and on screen
	if err := st.UpsertNodeRun(ctx, &jobflow.NodeRun{RunID: runID, TenantID: tenants[0].ID, JobID: changed.ID, JobName: changed.Name,
		JobType: changed.Type, Status: jobflow.NodeSuccess, Attempt: 1}); err != nil {
		b.Fatal(err)
	}
	br.waitFor("the changed node shown", nodeStatusJS(changed.Name, "SUCCESS"), 30*time.Second)
	var mutated []string
	var renders int
	br.eval(`[...window.__jfChanged]`, &mutated)
	br.eval(`window.__jfNodeRenders`, &renders)
	b.ReportMetric(float64(len(mutated)), "runview-update-nodes-changed")
	b.ReportMetric(float64(renders), "runview-update-node-renders")
	if len(mutated) != 1 || mutated[0] != changed.ID || renders != 1 {
		b.Fatalf("one node's status changed; the page changed the elements of %d nodes (%v) and rendered nodes %d times", len(mutated), mutated, renders)
	}
	// What the polls of this running run transferred (Resource Timing):
	// the first GET reads the whole run, each poll after it only what
	// changed; one of them carried the changed node.
	time.Sleep(3 * time.Second) // a poll or two more with nothing changed
	polls := br.runPolls(runID)
	if len(polls) < 3 {
		b.Fatalf("the run view polled the run %d times: %+v", len(polls), polls)
	}
	var pollMax, pollSum float64
	for _, p := range polls[1:] {
		pollMax, pollSum = max(pollMax, p.Transfer), pollSum+p.Transfer
	}
	if testing.Verbose() {
		b.Logf("run GETs: %+v", polls)
	}
	b.ReportMetric(polls[0].Transfer, "runview-load-bytes")
	b.ReportMetric(pollMax, "runview-poll-max-bytes")
	b.ReportMetric(pollSum/float64(len(polls)-1), "runview-poll-mean-bytes")
	f := br.fit("run-canvas", `[data-testid="run-canvas"] .react-flow__controls-fitview`)
	steps := br.zoomSteps("run-canvas", zoomDirs)
	runFitMs, runZoomWorst, runFitted = runFitMs+f.Ms, max(runZoomWorst, worst(steps)), f
	if testing.Verbose() {
		b.Logf("run view fit: %+v; zoom steps: %+v", f, steps)
	}
	b.ReportMetric(fitMs/float64(b.N), "editor-fit-ms")
	b.ReportMetric(zoomWorst, "editor-zoom-worst-frame-ms")
	b.ReportMetric(float64(fitted.Nodes), "editor-fit-nodes-rendered")
	b.ReportMetric(runFitMs/float64(b.N), "runview-fit-ms")
	b.ReportMetric(runZoomWorst, "runview-zoom-worst-frame-ms")
	b.ReportMetric(float64(runFitted.Nodes), "runview-fit-nodes-rendered")
	// Wall time from navigation start (page load, API calls, first render)
	// to the first rendered nodes.
	b.ReportMetric(editor/float64(b.N), "editor-ms")
	b.ReportMetric(run/float64(b.N), "runview-ms")
	b.ReportMetric(float64(renderedEditor), "editor-nodes-rendered")
	b.ReportMetric(float64(renderedRun), "runview-nodes-rendered")
	if renderedEditor >= largeDAG || renderedRun >= largeDAG {
		b.Fatalf("off-screen nodes were rendered: %d in the editor, %d in the run view, of %d", renderedEditor, renderedRun, largeDAG)
	}
	br.shot("large-dag-run")
}

// seedLargeDAG writes the 2,000-job workflow, its canvas and one run with
// node runs straight into the store (running 2,000 jobs is not what is
// measured): column by column SUCCESS, RUNNING, PENDING, FAIL.
func seedLargeDAG(b *testing.B, st *store.Store, tenantID string) (wfID, runID string, jobs []jobflow.Job) {
	statuses := []jobflow.NodeStatus{jobflow.NodeSuccess, jobflow.NodeRunning, jobflow.NodePending, jobflow.NodeFail}
	return seedDAG(b, st, tenantID, "large-dag", largeDAG, func(i int) jobflow.NodeStatus { return statuses[(i/dagRows)%len(statuses)] })
}

// dagRows is the number of jobs per column of seedDAG's workflows.
const dagRows = 50

// seedDAG writes a workflow of n SHELL jobs job-0000 … in columns of
// dagRows (240 × 70 px apart, each job feeding the one in its row of the
// next column), its canvas, and a RUNNING run whose node i has status(i);
// a node not PENDING started at the run's start plus its column in
// seconds, so the Gantt lists the started nodes in job order.
func seedDAG(tb testing.TB, st *store.Store, tenantID, name string, n int, status func(i int) jobflow.NodeStatus) (wfID, runID string, jobs []jobflow.Job) {
	tb.Helper()
	ctx := context.Background()
	w := &jobflow.Workflow{TenantID: tenantID, Name: name, CreatedBy: "bench"}
	if err := st.CreateWorkflow(ctx, w, 1000); err != nil {
		tb.Fatal(err)
	}
	const rows = dagRows
	var canvas jobflow.Canvas
	jobs = make([]jobflow.Job, 0, n)
	for i := 0; i < n; i++ {
		j := &jobflow.Job{TenantID: tenantID, WorkflowID: w.ID, Name: fmt.Sprintf("job-%04d", i), Type: jobflow.JobShell,
			Config: []byte(`{"script":"true"}`), Retry: jobflow.RetryPolicy{MaxAttempts: 1, Backoff: 1}}
		if err := st.CreateJob(ctx, j); err != nil {
			tb.Fatal(err)
		}
		jobs = append(jobs, *j)
		col, row := i/rows, i%rows
		canvas.Nodes = append(canvas.Nodes, jobflow.CanvasNode{JobID: j.ID, X: float64(col * 240), Y: float64(row * 70)})
		if col > 0 {
			canvas.Edges = append(canvas.Edges, jobflow.Edge{From: jobs[i-rows].ID, To: j.ID})
		}
	}
	saved, err := st.SaveCanvas(ctx, tenantID, w.ID, canvas, w.Revision, "bench")
	if err != nil {
		tb.Fatal(err)
	}
	now := time.Now().UTC()
	r := &jobflow.Run{ID: jobflow.NewID("run"), TenantID: tenantID, WorkflowID: w.ID, WorkflowName: w.Name, Trigger: jobflow.TriggerManual,
		Status: jobflow.RunRunning, LogicalTime: now, StartedAt: now, CreatedBy: "bench"}
	snap := &jobflow.Snapshot{TenantID: tenantID, WorkflowID: w.ID, WorkflowName: w.Name, Canvas: saved.Canvas, Jobs: jobs}
	if err := st.CreateRun(ctx, r, snap); err != nil {
		tb.Fatal(err)
	}
	for i, j := range jobs {
		nr := &jobflow.NodeRun{RunID: r.ID, TenantID: tenantID, JobID: j.ID, JobName: j.Name, JobType: j.Type, Status: status(i), Attempt: 1}
		if nr.Status != jobflow.NodePending {
			t := now.Add(time.Duration(i/rows) * time.Second)
			nr.StartedAt = &t
		}
		if err := st.UpsertNodeRun(ctx, nr); err != nil {
			tb.Fatal(err)
		}
	}
	return w.ID, r.ID, jobs
}
