package store_test

import (
	"testing"
	"time"

	"jobflow"
	"jobflow/store"
	"jobflow/store/storetest"
)

// FindRuns' console filters (from/to on startedAt, q over id and params
// with % and _ literal) and FindNodeRunsList's task instances across runs.
func TestRunService_ConsoleFilters(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		tn := mustTenant(t, s, "acme")
		other := mustTenant(t, s, "other")
		w1 := mustWorkflow(t, s, tn.ID, "etl", "")
		w2 := mustWorkflow(t, s, tn.ID, "report", "")
		base := time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC)
		mk := func(id string, w *jobflow.Workflow, hour int, params map[string]string) *jobflow.Run {
			start := base.Add(time.Duration(hour) * time.Hour)
			r := &jobflow.Run{ID: id, TenantID: tn.ID, WorkflowID: w.ID, Trigger: jobflow.TriggerManual, StartedAt: start, Params: params}
			if err := s.CreateRun(ctx, r, &jobflow.Snapshot{}); err != nil {
				t.Fatal(err)
			}
			return r
		}
		mk("run-a", w1, 0, map[string]string{"day": "2026-11-01", "pct": "50%"})
		mk("run-b", w1, 1, map[string]string{"day": "2026-11-02", "name": "x_y"})
		c := mk("run-c", w2, 2, map[string]string{"day": "2026-11-03"})
		end := c.StartedAt.Add(2500 * time.Millisecond)
		c.Status, c.EndedAt = jobflow.RunSuccess, &end
		if err := s.UpsertRun(ctx, c); err != nil {
			t.Fatal(err)
		}
		ids := func(f jobflow.RunFilter) string {
			t.Helper()
			runs, _, err := s.FindRuns(ctx, tn.ID, f)
			if err != nil {
				t.Fatal(err)
			}
			var out string
			for _, r := range runs {
				out += r.ID + " "
			}
			return out
		}
		at := func(h int) *time.Time { t := base.Add(time.Duration(h) * time.Hour); return &t }
		for _, tc := range []struct {
			f    jobflow.RunFilter
			want string
		}{
			{jobflow.RunFilter{}, "run-c run-b run-a "},
			{jobflow.RunFilter{From: at(1)}, "run-c run-b "},
			{jobflow.RunFilter{To: at(1)}, "run-b run-a "},
			{jobflow.RunFilter{From: at(1), To: at(1)}, "run-b "},
			{jobflow.RunFilter{Q: "11-02"}, "run-b "},
			{jobflow.RunFilter{Q: "RUN-C"}, "run-c "},
			{jobflow.RunFilter{Q: "%"}, "run-a "},   // literal %, not "anything"
			{jobflow.RunFilter{Q: "x_y"}, "run-b "}, // literal _
			{jobflow.RunFilter{Q: "_"}, "run-b "},
			{jobflow.RunFilter{Q: "day", WorkflowID: w2.ID}, "run-c "},
		} {
			if got := ids(tc.f); got != tc.want {
				t.Errorf("%+v: %q, want %q", tc.f, got, tc.want)
			}
		}
		runs, _, _ := s.FindRuns(ctx, tn.ID, jobflow.RunFilter{Q: "run-c"})
		if len(runs) != 1 || runs[0].DurationMs == nil || *runs[0].DurationMs != 2500 || runs[0].Trigger != jobflow.TriggerManual {
			t.Fatalf("run-c item %+v", runs)
		}
		_, _, err := s.FindRuns(ctx, tn.ID, jobflow.RunFilter{From: at(2), To: at(1)})
		wantCode(t, err, jobflow.EINVALID)

		// Task instances across runs.
		for i, r := range []string{"run-a", "run-b", "run-c"} {
			start := base.Add(time.Duration(i)*time.Hour + time.Minute)
			end := start.Add(time.Second)
			nodes := []jobflow.NodeRun{
				{RunID: r, JobID: "job_x", JobName: "x", JobType: jobflow.JobShell, Status: jobflow.NodeSuccess, Attempt: 1, StartedAt: &start, EndedAt: &end},
				{RunID: r, JobID: "job_y", JobName: "y", JobType: jobflow.JobSQL, Status: jobflow.NodePending},
			}
			if i == 1 {
				nodes[0].Status, nodes[0].Error = jobflow.NodeFail, "exit 1"
			}
			if err := s.UpsertNodeRuns(ctx, nodes); err != nil {
				t.Fatal(err)
			}
		}
		list := func(f jobflow.NodeRunFilter) (string, int) {
			t.Helper()
			items, total, err := s.FindNodeRunsList(ctx, tn.ID, f)
			if err != nil {
				t.Fatal(err)
			}
			var out string
			for _, n := range items {
				out += n.RunID + "/" + n.JobID + " "
			}
			return out, total
		}
		if got, total := list(jobflow.NodeRunFilter{}); got != "run-c/job_x run-b/job_x run-a/job_x run-c/job_y run-b/job_y run-a/job_y " || total != 6 {
			t.Errorf("all: %q %d", got, total)
		}
		for _, tc := range []struct {
			f    jobflow.NodeRunFilter
			want string
		}{
			{jobflow.NodeRunFilter{WorkflowID: w2.ID}, "run-c/job_x run-c/job_y "},
			{jobflow.NodeRunFilter{JobID: "job_x", Status: jobflow.NodeFail}, "run-b/job_x "},
			{jobflow.NodeRunFilter{From: at(1), To: at(2)}, "run-b/job_x "},
			{jobflow.NodeRunFilter{Status: jobflow.NodePending, PageSize: 1, Page: 2}, "run-b/job_y "},
		} {
			if got, _ := list(tc.f); got != tc.want {
				t.Errorf("%+v: %q, want %q", tc.f, got, tc.want)
			}
		}
		items, _, _ := s.FindNodeRunsList(ctx, tn.ID, jobflow.NodeRunFilter{Status: jobflow.NodeFail})
		if n := items[0]; n.WorkflowID != w1.ID || n.WorkflowName != "" && n.WorkflowName != "etl" || n.JobName != "x" ||
			n.JobType != jobflow.JobShell || n.Error != "exit 1" || n.DurationMs == nil || *n.DurationMs != 1000 || n.Attempt != 1 {
			t.Fatalf("item %+v", n)
		}
		if got, total := list(jobflow.NodeRunFilter{WorkflowID: "wf_none"}); got != "" || total != 0 {
			t.Fatalf("unknown workflow: %q", got)
		}
		if items, _, _ := s.FindNodeRunsList(ctx, other.ID, jobflow.NodeRunFilter{}); len(items) != 0 {
			t.Fatalf("other tenant sees %d", len(items))
		}
		_, _, err = s.FindNodeRunsList(ctx, tn.ID, jobflow.NodeRunFilter{Status: "NOPE"})
		wantCode(t, err, jobflow.EINVALID)
		_, _, err = s.FindNodeRunsList(ctx, tn.ID, jobflow.NodeRunFilter{From: at(2), To: at(1)})
		wantCode(t, err, jobflow.EINVALID)
	})
}
