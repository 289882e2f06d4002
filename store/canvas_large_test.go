package store_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"jobflow"
	"jobflow/store"
	"jobflow/store/storetest"
)

// A canvas of MaxCanvasNodes (10,000) jobs with about two edges each is
// saved and read back whole, one node more is refused and changes nothing,
// and a run's snapshot of that size is kept and read back for LoadSnapshot.
func TestSaveCanvas_MaxNodes(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		tn := mustTenant(t, s, "acme")
		n := jobflow.MaxCanvasNodes
		if n != 10000 {
			t.Fatalf("MaxCanvasNodes is %d, want 10000", n)
		}
		jobs := make([]*jobflow.Job, n)
		for i := range jobs {
			jobs[i] = &jobflow.Job{ID: jobflow.NewID(jobflow.PrefixJob), Name: fmt.Sprintf("j%05d", i), Type: jobflow.JobShell,
				Config: []byte(`{"script":"true"}`)}
		}
		ws, err := s.ImportDrafts(ctx, tn.ID, []*jobflow.DraftImport{{Name: "big", Jobs: jobs, Config: jobflow.DefaultConfig()}}, 10, "us_test")
		if err != nil {
			t.Fatal(err)
		}
		w := ws[0]
		var c jobflow.Canvas
		for i, j := range jobs {
			c.Nodes = append(c.Nodes, jobflow.CanvasNode{JobID: j.ID, X: float64(i % 100 * 200), Y: float64(i / 100 * 80)})
			if i >= 100 {
				c.Edges = append(c.Edges, jobflow.Edge{From: jobs[i-100].ID, To: j.ID})
			}
			if i%100 != 0 {
				c.Edges = append(c.Edges, jobflow.Edge{From: jobs[i-1].ID, To: j.ID})
			}
		}
		start := time.Now()
		saved, err := s.SaveCanvas(ctx, tn.ID, w.ID, c, w.Revision, "us_test")
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("saved a canvas of %d nodes and %d edges in %s", len(c.Nodes), len(c.Edges), time.Since(start).Round(time.Millisecond))
		if len(saved.Canvas.Nodes) != n || len(saved.Canvas.Edges) != len(c.Edges) || saved.Revision != w.Revision+1 ||
			saved.Canvas.Nodes[n-1].JobID != jobs[n-1].ID || saved.Canvas.Edges[len(c.Edges)-1] != c.Edges[len(c.Edges)-1] {
			t.Fatalf("read back %d nodes, %d edges (want %d, %d), revision %d", len(saved.Canvas.Nodes), len(saved.Canvas.Edges), n, len(c.Edges), saved.Revision)
		}

		over := c
		over.Nodes = append(append([]jobflow.CanvasNode{}, c.Nodes...), jobflow.CanvasNode{JobID: jobs[0].ID})
		_, err = s.SaveCanvas(ctx, tn.ID, w.ID, over, saved.Revision, "us_test")
		wantCode(t, err, jobflow.EINVALID)
		if !strings.Contains(jobflow.ErrorMessage(err), "at most 10000 nodes") {
			t.Errorf("10,001 nodes: %q", jobflow.ErrorMessage(err))
		}
		if got, _ := s.FindWorkflowByID(ctx, tn.ID, w.ID); got.Revision != saved.Revision || len(got.Canvas.Nodes) != n {
			t.Errorf("the refused canvas changed the workflow: revision %d, %d nodes", got.Revision, len(got.Canvas.Nodes))
		}

		snap := &jobflow.Snapshot{TenantID: tn.ID, WorkflowID: w.ID, WorkflowName: w.Name, Canvas: saved.Canvas, Config: saved.Config}
		for _, j := range saved.Jobs {
			snap.Jobs = append(snap.Jobs, *j)
		}
		run := &jobflow.Run{ID: jobflow.NewID(jobflow.PrefixRun), TenantID: tn.ID, WorkflowID: w.ID, WorkflowName: w.Name,
			Trigger: jobflow.TriggerManual, Status: jobflow.RunRunning, LogicalTime: time.Now().Truncate(time.Second), StartedAt: time.Now()}
		if err := s.CreateRun(ctx, run, snap); err != nil {
			t.Fatal(err)
		}
		got, err := s.FindRunSnapshot(ctx, tn.ID, run.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Jobs) != n || len(got.Canvas.Edges) != len(c.Edges) || got.Jobs[n-1].Name != snap.Jobs[n-1].Name {
			t.Fatalf("run snapshot read back with %d jobs, %d edges", len(got.Jobs), len(got.Canvas.Edges))
		}
	})
}
