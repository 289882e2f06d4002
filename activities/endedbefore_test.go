package activities

import (
	"context"
	"testing"
	"time"

	"jobflow"
	"jobflow/jobtypes"
	"jobflow/store/storetest"
)

// TestRunJob_EndedBefore: a retry of a job whose earlier attempt is
// recorded SUCCESS (its worker died before reporting it) gets that outcome
// and does not run; an earlier FAIL, a first attempt, another job's SUCCESS
// and a RUNNING record leave the job to run.
func TestRunJob_EndedBefore(t *testing.T) {
	for _, dialect := range storetest.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			e := newTestEnv(t, dialect)
			ctx := context.Background()
			job := func() jobflow.Job { return e.job(jobflow.JobShell, jobtypes.ShellConfig{Script: "true"}) }
			done, failed, running, other := job(), job(), job(), job()
			ended := time.Now().UTC()
			exit := 0
			for _, n := range []*jobflow.NodeRun{
				{JobID: done.ID, JobName: done.Name, Status: jobflow.NodeSuccess, Attempt: 1, ExitCode: &exit, Outputs: map[string]string{"k": "v"}},
				{JobID: failed.ID, JobName: failed.Name, Status: jobflow.NodeFail, Attempt: 1, ExitCode: &exit},
				{JobID: running.ID, JobName: running.Name, Status: jobflow.NodeRunning, Attempt: 1},
			} {
				n.RunID, n.TenantID, n.JobType, n.StartedAt, n.EndedAt = e.run.ID, e.run.TenantID, jobflow.JobShell, &ended, &ended
				if err := e.s.UpsertNodeRun(ctx, n); err != nil {
					t.Fatal(err)
				}
			}
			prev := e.a.endedBefore(ctx, e.input(done, nil), 2)
			if prev == nil || prev.Attempt != 1 || prev.Outputs["k"] != "v" || prev.ExitCode == nil {
				t.Fatalf("attempt 2 after a recorded SUCCESS: %+v, want attempt 1's outcome", prev)
			}
			if prev := e.a.endedBefore(ctx, e.input(done, nil), 1); prev != nil {
				t.Errorf("attempt 1 found an earlier end: %+v", prev)
			}
			if prev := e.a.endedBefore(ctx, e.input(failed, nil), 2); prev != nil {
				t.Errorf("a FAIL counted as an end: %+v", prev)
			}
			if prev := e.a.endedBefore(ctx, e.input(running, nil), 2); prev != nil {
				t.Errorf("a RUNNING record counted as an end: %+v", prev)
			}
			if prev := e.a.endedBefore(ctx, e.input(other, nil), 2); prev != nil {
				t.Errorf("another job's SUCCESS counted: %+v", prev)
			}
		})
	}
}
