package console_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"jobflow"
	"jobflow/httpapi"
	"jobflow/internal/testtier"
	"jobflow/store/storetest"
)

// runGet is one GET /api/v1/runs/{id} the server answered, as the
// recorder saw it: the since asked, the status and what the body held.
type runGet struct {
	Since  string
	Status int
	Bytes  int
	Nodes  []string // the job ids of the nodes in the answer
	Edges  bool     // the answer has an edges field
}

// runGets records the server's answers to GET /api/v1/runs/{id}.
type runGets struct {
	mu   sync.Mutex
	list []runGet
}

var runPath = regexp.MustCompile(`^/api/v1/runs/[^/]+$`)

func (g *runGets) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet || !runPath.MatchString(r.URL.Path) {
			h.ServeHTTP(w, r)
			return
		}
		cw := &captureWriter{ResponseWriter: w, status: http.StatusOK}
		h.ServeHTTP(cw, r)
		got := runGet{Since: r.URL.Query().Get("since"), Status: cw.status, Bytes: cw.body.Len()}
		if cw.status == http.StatusOK {
			var body struct {
				Nodes []struct {
					JobID string `json:"jobId"`
				} `json:"nodes"`
				Edges json.RawMessage `json:"edges"`
			}
			if err := json.Unmarshal(cw.body.Bytes(), &body); err == nil {
				for _, n := range body.Nodes {
					got.Nodes = append(got.Nodes, n.JobID)
				}
				got.Edges = body.Edges != nil
			}
		}
		g.mu.Lock()
		g.list = append(g.list, got)
		g.mu.Unlock()
	})
}

// since answers the recorded GETs from the n-th on.
func (g *runGets) since(n int) []runGet {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]runGet(nil), g.list[min(n, len(g.list)):]...)
}

type captureWriter struct {
	http.ResponseWriter
	status int
	body   bytes.Buffer
}

func (w *captureWriter) WriteHeader(code int) { w.status = code; w.ResponseWriter.WriteHeader(code) }
func (w *captureWriter) Write(p []byte) (int, error) {
	w.body.Write(p)
	return w.ResponseWriter.Write(p)
}

// TestConsoleLarge opens a running 2,000-job run (40 columns × 50; the
// first 39 columns started, the last PENDING) in the console: the run view
// polls only what changed and shows it, the Gantt keeps a bounded number
// of rows in the page while all 1,950 are reachable, and a fitted canvas
// draws its 2,000 jobs and edges in one canvas layer (no React Flow
// node or edge) whose pixels are the jobs' status colours, and zooming in
// brings the nodes back with their text; saving after that stores the
// same canvas.
func TestConsoleLarge(t *testing.T) {
	testtier.Long(t, "chromium and PostgreSQL (a 2,000-job run in a browser)")
	ctx := context.Background()
	st, _ := storetest.OpenPostgres(t)
	deps := httpapi.NewDeps(st)
	const password = "large-admin-password"
	if _, err := httpapi.Bootstrap(ctx, deps, password); err != nil {
		t.Fatal(err)
	}
	gets := &runGets{}
	srv := httptest.NewServer(gets.wrap(httpapi.New(httpapi.Config{JWTSecret: []byte("large-secret-large-secret-large-secret")}, deps).Handler()))
	t.Cleanup(srv.Close)
	tenants, _, err := st.FindTenants(ctx, jobflow.ListParams{Page: 1, PageSize: 10})
	if err != nil || len(tenants) == 0 {
		t.Fatalf("tenants: %v", err)
	}
	tenantID := tenants[0].ID
	const n, started = 2000, 1950
	statuses := []jobflow.NodeStatus{jobflow.NodeSuccess, jobflow.NodeRunning, jobflow.NodeFail}
	wfID, runID, jobs := seedDAG(t, st, tenantID, "large-test", n, func(i int) jobflow.NodeStatus {
		if i >= started {
			return jobflow.NodePending
		}
		return statuses[(i/dagRows)%len(statuses)]
	})
	alloc := newAllocator(t)
	b := newBrowser(t, alloc, srv.URL)
	b.login("admin", password)
	b.visible("workflow-table")

	t.Run("DeltaPolling", func(t *testing.T) {
		b.t = t
		from := len(gets.since(0))
		b.open("/runs/" + runID)
		b.waitFor("run view", `document.querySelectorAll('[data-testid="run-canvas"] .react-flow__node').length > 0 && !!document.querySelector('[data-testid="node-table"]')`, 60*time.Second)
		// The first GET reads the whole run; the polls after it ask since
		// its version and, nothing having changed, carry no node.
		deadline := time.Now().Add(30 * time.Second)
		for len(gets.since(from)) < 3 && time.Now().Before(deadline) {
			time.Sleep(200 * time.Millisecond)
		}
		seen := gets.since(from)
		if len(seen) < 3 {
			t.Fatalf("the run view read the run %d times in 30 s: %+v", len(seen), seen)
		}
		if seen[0].Since != "" || len(seen[0].Nodes) != n || !seen[0].Edges {
			t.Fatalf("the first read is not the whole run: since %q, %d nodes, edges %v", seen[0].Since, len(seen[0].Nodes), seen[0].Edges)
		}
		for _, g := range seen[1:] {
			if g.Since == "" || len(g.Nodes) != 0 || g.Edges {
				t.Fatalf("a poll of an unchanged run: since %q, status %d, %d nodes, edges %v", g.Since, g.Status, len(g.Nodes), g.Edges)
			}
		}
		var edgesBefore int
		b.eval(`document.querySelectorAll('[data-testid="run-canvas"] .react-flow__edge').length`, &edgesBefore)

		// One node changes in the store: the next poll carries exactly it,
		// and the canvas shows its new status.
		changed := jobs[dagRows] // column 1, row 0: RUNNING and on screen
		mark := len(gets.since(0))
		ended := time.Now().UTC()
		startedAt := ended.Add(-time.Second)
		if err := st.UpsertNodeRun(ctx, &jobflow.NodeRun{RunID: runID, TenantID: tenantID, JobID: changed.ID, JobName: changed.Name,
			JobType: changed.Type, Status: jobflow.NodeSuccess, Attempt: 1, StartedAt: &startedAt, EndedAt: &ended}); err != nil {
			t.Fatal(err)
		}
		b.waitFor("the changed node shown", nodeStatusJS(changed.Name, "SUCCESS"), 30*time.Second)
		var carried *runGet
		for _, g := range gets.since(mark) {
			if g.Status == http.StatusOK && len(g.Nodes) > 0 {
				carried = &g
				break
			}
		}
		if carried == nil || carried.Since == "" || len(carried.Nodes) != 1 || carried.Nodes[0] != changed.ID || carried.Edges {
			t.Fatalf("the poll after one node changed: %+v (want since=…, exactly node %s, no edges)", carried, changed.ID)
		}
		if carried.Bytes > seen[0].Bytes/100 {
			t.Fatalf("the poll carrying one node is %d bytes, the whole run %d", carried.Bytes, seen[0].Bytes)
		}
		t.Logf("whole run %d bytes; the poll with the changed node %d bytes", seen[0].Bytes, carried.Bytes)
		// The merged run keeps the others: the same edges on the canvas,
		// all the started nodes in the Gantt.
		var edgesAfter int
		b.eval(`document.querySelectorAll('[data-testid="run-canvas"] .react-flow__edge').length`, &edgesAfter)
		if edgesBefore == 0 || edgesAfter != edgesBefore {
			t.Fatalf("canvas edges before the change %d, after %d", edgesBefore, edgesAfter)
		}
		b.click("tab-gantt")
		b.waitFor("the Gantt of all started nodes", fmt.Sprintf(`document.querySelector('[data-testid="gantt-rows"]')?.dataset.count === '%d'`, started), stepTimeout)
		b.shot("delta-poll")
	})

	t.Run("GanttVirtualized", func(t *testing.T) {
		b.t = t
		// The Gantt tab of the run view above: 1,950 rows, a bounded few in
		// the page.
		b.visible("gantt-scroll")
		const bound = 320/20 + 2*10 + 1 // the rows in view and the overscan
		rowsInPage := func() (n int) {
			b.eval(`document.querySelectorAll('[data-testid="gantt-rows"] > [data-testid^="gantt-row-"]').length`, &n)
			return n
		}
		if c := rowsInPage(); c < 10 || c > bound {
			t.Fatalf("%d Gantt rows in the page (want 10…%d of %d)", c, bound, started)
		}
		b.visible("gantt-row-job-0000")
		// The 1,900th row, scrolled to, shows its job and bar in view.
		target := jobs[1899].Name
		b.eval(`(() => { const s = document.querySelector('[data-testid="gantt-scroll"]'); s.scrollTop = 1899 * 20 - 100; return s.scrollTop })()`, nil)
		b.waitFor("row 1,900 in view", fmt.Sprintf(`(() => {
			const s = document.querySelector('[data-testid="gantt-scroll"]').getBoundingClientRect();
			const r = document.querySelector('[data-testid="gantt-row-%s"]');
			if (!r || r.dataset.index !== '1899' || !r.querySelector('[data-testid="gantt-bar-%s"]')) return false;
			const e = r.getBoundingClientRect();
			return e.top >= s.top && e.bottom <= s.bottom && r.innerText.includes(%q) })()`, target, target, target), stepTimeout)
		if c := rowsInPage(); c < 10 || c > bound {
			t.Fatalf("%d Gantt rows in the page after scrolling (want 10…%d)", c, bound)
		}
		var firstGone bool
		b.eval(`!document.querySelector('[data-testid="gantt-row-job-0000"]')`, &firstGone)
		if !firstGone {
			t.Fatal("the first row is still in the page after scrolling to row 1,900")
		}
		b.shot("gantt-row-1900")
		// The last row is reachable too.
		b.eval(`(() => { const s = document.querySelector('[data-testid="gantt-scroll"]'); s.scrollTop = s.scrollHeight; return true })()`, nil)
		b.visible(fmt.Sprintf("gantt-bar-%s", jobs[started-1].Name))
	})

	t.Run("FitDrawsFarLayer", func(t *testing.T) {
		b.t = t
		// The run view at 100 % draws no handles (nothing to connect).
		var handles, edges int
		b.eval(`document.querySelectorAll('[data-testid="run-canvas"] .react-flow__handle').length`, &handles)
		b.eval(`document.querySelectorAll('[data-testid="run-canvas"] .react-flow__edge').length`, &edges)
		if handles != 0 || edges == 0 {
			t.Fatalf("the run view draws %d handles and %d edges (want none, and edges)", handles, edges)
		}
		// Fitted, the run is one canvas layer in status colours, and React
		// Flow draws no node or edge.
		rf := b.fit("run-canvas", `[data-testid="run-canvas"] .react-flow__controls-fitview`)
		t.Logf("run view fit: %+v", rf)
		if s := b.farState("run-canvas"); !s.Layer || s.Role != "img" || !strings.Contains(s.Label, "2,000") || s.Nodes > 5 || s.Edges != 0 || rf.Zoom >= 0.5 {
			t.Fatalf("the fitted run view: %+v, zoom %.2f (want the far layer as an image, at most 5 nodes, no edges)", s, rf.Zoom)
		}
		for _, c := range []struct {
			col, row int
			status   string
			hex      string
		}{{0, 5, "SUCCESS", "#237804"}, {4, 3, "RUNNING", "#0958d9"}, {2, 10, "FAIL", "#cf1322"}, {39, 49, "PENDING", "#595959"}} {
			if p := b.jobAt("run-canvas", c.col, c.row); !colourIs(p.RGBA, c.hex) {
				b.shot("run-far-colour")
				t.Fatalf("the far layer at job %d (%s): %v, want %s", c.col*dagRows+c.row, c.status, p.RGBA, c.hex)
			}
		}
		// An edge is a line between the boxes: the gap after job 5 is not
		// blank on its row (transparent or white).
		if p := b.jobAt("run-canvas", 0, 5); p.Edge[3] == 0 || (p.Edge[0] > 245 && p.Edge[1] > 245 && p.Edge[2] > 245) {
			t.Fatalf("the far layer draws no edge after job 5: %v", p.Edge)
		}
		b.shot("run-far")
		// A click on a box zooms to 100 % on it: its node is back, with text.
		p := b.jobAt("run-canvas", 0, 5)
		b.clickAt(p.X, p.Y)
		b.waitFor("the run view zoomed in on the job clicked", fmt.Sprintf(`(() => { const n = document.querySelector('[data-testid="run-canvas"] [data-testid="node-%s"]');
			return !!n && !n.classList.contains('jf-node-far') && !document.querySelector('[data-testid="run-canvas"] [data-testid="far-canvas"]') })()`, jobs[5].Name), stepTimeout)
		b.shot("run-far-clicked")

		b.open("/workflows/" + wfID)
		b.waitFor("editor", `document.querySelectorAll('[data-testid="canvas"] .react-flow__node').length > 0`, 60*time.Second)
		before, err := st.FindWorkflowByID(ctx, tenantID, wfID)
		if err != nil {
			t.Fatal(err)
		}
		var at100 fitResult
		b.eval(`({Nodes: document.querySelectorAll('[data-testid="canvas"] .react-flow__node').length, Far: document.querySelectorAll('.jf-node-far').length,
			Handle: document.querySelectorAll('[data-testid="canvas"] .react-flow__handle').length})`, &at100)
		if at100.Nodes == 0 || at100.Nodes >= n || at100.Far != 0 || at100.Handle != 2*at100.Nodes {
			t.Fatalf("the editor at 100 %%: %+v (want the nodes on screen, each with its text and two handles)", at100)
		}
		if s := b.farState("canvas"); s.Layer {
			t.Fatalf("the editor at 100 %% has the far layer: %+v", s)
		}
		time.Sleep(time.Second) // the canvas settles after its first nodes
		f := b.fit("canvas", `[data-testid="tb-fit"]`)
		t.Logf("fit: %+v", f)
		s := b.farState("canvas")
		if f.Zoom >= 0.5 || f.Nodes > 5 || f.Handle != 0 || !s.Layer || s.Role != "img" || !strings.Contains(s.Label, "2,000") || s.Edges != 0 {
			t.Fatalf("after Fit: %+v, %+v (want the far layer, at most 5 React Flow nodes, no edges)", f, s)
		}
		// Fit fits every job: the first and the last are inside the canvas.
		box := b.rect(`[data-testid="canvas"] .react-flow`)
		for _, c := range [][2]int{{0, 0}, {39, 49}} {
			p := b.jobAt("canvas", c[0], c[1])
			if p.X < box.X || p.X > box.X+box.W || p.Y < box.Y || p.Y > box.Y+box.H || !colourIs(p.RGBA, "#adc6ff") {
				t.Fatalf("after Fit the job at column %d row %d is at %.0f,%.0f with %v (want inside %+v, #adc6ff)", c[0], c[1], p.X, p.Y, p.RGBA, box)
			}
		}
		var far bool
		b.eval(`document.querySelector('[data-testid="canvas"] .react-flow').classList.contains('jf-far')`, &far)
		if !far {
			t.Fatal("a fitted canvas has no jf-far class (edge animations, background)")
		}
		b.shot("fitted")
		steps := b.zoomSteps("canvas", []string{"in", "in", "in", "in", "in", "in", "in", "in", "in", "in", "in", "in"})
		t.Logf("zoom steps in: %+v", steps)
		checkHandover(t, steps, f.Zoom)
		last := steps[len(steps)-1]
		if last.Zoom < 0.5 || last.Far != 0 || last.Nodes == 0 || last.Nodes >= n || last.Handle == 0 {
			t.Fatalf("zoomed in past 0.5: %+v (want detailed nodes, only those on screen)", last)
		}
		if s := b.farState("canvas"); s.Layer || s.Edges == 0 {
			t.Fatalf("zoomed in past 0.5: %+v (want no far layer, edges back)", s)
		}
		b.eval(`document.querySelector('[data-testid="canvas"] .react-flow').classList.contains('jf-far')`, &far)
		if far {
			t.Fatal("the canvas keeps jf-far zoomed in")
		}
		b.shot("zoomed-in")
		// Going far and back changed nothing: not dirty, and a save stores
		// the same canvas.
		var dirty bool
		b.eval(`!!document.querySelector('[data-testid="editor-dirty"]')`, &dirty)
		if dirty {
			t.Fatal("the editor is dirty after zooming out and in")
		}
		b.click("tb-save")
		deadline := time.Now().Add(stepTimeout)
		after := before
		for after.Revision == before.Revision && time.Now().Before(deadline) {
			time.Sleep(200 * time.Millisecond)
			if after, err = st.FindWorkflowByID(ctx, tenantID, wfID); err != nil {
				t.Fatal(err)
			}
		}
		was, _ := json.Marshal(before.Canvas)
		now, _ := json.Marshal(after.Canvas)
		if after.Revision == before.Revision || !bytes.Equal(was, now) {
			t.Fatalf("saved after zooming out and in: revision %d → %d, canvas the same %v (%d → %d bytes)", before.Revision, after.Revision, bytes.Equal(was, now), len(was), len(now))
		}
	})
}

// checkHandover checks the step of steps that zoomed in past 0.5 from a
// view at zoom z0 (web/src/features/editor/useShownNodes.ts): the nodes
// on screen came back at most a batch (25) per frame, the far layer stayed
// drawn while they came, and there were more than one batch of them, or
// the check proves nothing. (The caller checks the end: all of them back,
// the far layer gone; how many frames that takes depends on the machine.)
func checkHandover(t *testing.T, steps []zoomStep, z0 float64) {
	t.Helper()
	const batch = 25
	for i, s := range steps {
		if z0 >= 0.5 || s.Zoom < 0.5 {
			z0 = s.Zoom
			continue
		}
		if s.Nodes <= batch {
			t.Fatalf("zooming in past 0.5 shows %d nodes: too few to see them come back in batches (%+v)", s.Nodes, s)
		}
		prev := 0
		for _, f := range s.Frames {
			if f.Nodes-prev > batch {
				t.Fatalf("step %d (zoom %.2f → %.2f): %d nodes came back in one frame, want at most %d: %+v", i, z0, s.Zoom, f.Nodes-prev, batch, s.Frames)
			}
			if f.Nodes > prev && !f.Layer && f.Nodes < s.Nodes {
				t.Fatalf("step %d: the far layer went away before the last nodes came back: %+v", i, s.Frames)
			}
			prev = f.Nodes
		}
		if len(s.Frames) == 0 || s.Frames[0].Nodes > batch {
			t.Fatalf("step %d: the first frame after the click shows more than a batch: %+v", i, s.Frames)
		}
		return
	}
	t.Fatalf("no step zoomed in past 0.5 from %.2f: %+v", z0, steps)
}
