package store_test

import (
	"fmt"
	"testing"
	"time"

	"jobflow"
	"jobflow/store"
	"jobflow/store/storetest"
)

// FindRunGrid answers the draft canvas's jobs in canvas order and the last
// runs newest first, each with its cells; limit bounds the runs, a foreign
// workflow is NOT_FOUND and a bad limit INVALID naming it.
func TestRunService_FindRunGrid(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		tn := mustTenant(t, s, "acme")
		other := mustTenant(t, s, "other")
		w := mustWorkflow(t, s, tn.ID, "etl", "")
		a, b, c := mustShellJob(t, s, tn.ID, w.ID, "a"), mustShellJob(t, s, tn.ID, w.ID, "b"), mustShellJob(t, s, tn.ID, w.ID, "c")
		canvas := jobflow.Canvas{Nodes: []jobflow.CanvasNode{{JobID: c.ID}, {JobID: a.ID}, {JobID: b.ID}},
			Edges: []jobflow.Edge{{From: c.ID, To: a.ID}}}
		if _, err := s.SaveCanvas(ctx, tn.ID, w.ID, canvas, w.Revision, "us_test"); err != nil {
			t.Fatal(err)
		}
		empty, err := s.FindRunGrid(ctx, tn.ID, w.ID, 25)
		if err != nil || len(empty.Runs) != 0 || len(empty.Jobs) != 3 {
			t.Fatalf("no runs: %+v, %v", empty, err)
		}
		base := time.Now().UTC().Truncate(time.Second).Add(-time.Hour)
		for i := range 4 {
			start := base.Add(time.Duration(i) * time.Minute)
			r := &jobflow.Run{ID: fmt.Sprintf("grid-%d", i), TenantID: tn.ID, WorkflowID: w.ID, Trigger: jobflow.TriggerManual,
				StartedAt: start}
			if err := s.CreateRun(ctx, r, &jobflow.Snapshot{}); err != nil {
				t.Fatal(err)
			}
			end := start.Add(1500 * time.Millisecond)
			nodes := []jobflow.NodeRun{
				{RunID: r.ID, JobID: a.ID, Status: jobflow.NodeSuccess, Attempt: 1, StartedAt: &start, EndedAt: &end},
				{RunID: r.ID, JobID: b.ID, Status: jobflow.NodeRunning, Attempt: 2, StartedAt: &start},
			}
			if err := s.UpsertNodeRuns(ctx, nodes); err != nil {
				t.Fatal(err)
			}
		}
		g, err := s.FindRunGrid(ctx, tn.ID, w.ID, 3)
		if err != nil {
			t.Fatal(err)
		}
		if len(g.Jobs) != 3 || g.Jobs[0].ID != c.ID || g.Jobs[1].ID != a.ID || g.Jobs[2].ID != b.ID ||
			g.Jobs[0].Name != "c" || g.Jobs[0].Type != jobflow.JobShell {
			t.Fatalf("jobs %+v", g.Jobs)
		}
		if len(g.Runs) != 3 || g.Runs[0].ID != "grid-3" || g.Runs[2].ID != "grid-1" {
			t.Fatalf("runs %+v", g.Runs)
		}
		for _, r := range g.Runs {
			ca, cb := r.Cells[a.ID], r.Cells[b.ID]
			if len(r.Cells) != 2 || ca.Status != jobflow.NodeSuccess || ca.DurationMs == nil || *ca.DurationMs != 1500 ||
				cb.Status != jobflow.NodeRunning || cb.DurationMs != nil || cb.Attempt != 2 || r.Status != jobflow.RunRunning {
				t.Fatalf("run %s: %+v", r.ID, r)
			}
		}
		_, err = s.FindRunGrid(ctx, other.ID, w.ID, 25)
		wantCode(t, err, jobflow.ENOTFOUND)
		for _, bad := range []int{0, -1, 101} {
			_, err = s.FindRunGrid(ctx, tn.ID, w.ID, bad)
			wantCode(t, err, jobflow.EINVALID)
		}
	})
}
