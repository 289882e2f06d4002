package activities

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"jobflow"
	"jobflow/internal/jobdir"
	"jobflow/store"
)

// TestRunJob_RetryAfterRecordedSuccess: a retried attempt whose previous
// attempt recorded SUCCESS (its worker died before reporting to Temporal)
// answers that outcome and does not run the job again; after a recorded
// FAIL the retry runs it. On both stores.
func TestRunJob_RetryAfterRecordedSuccess(t *testing.T) {
	for _, dialect := range []string{store.DialectPostgres, store.DialectSQLite} {
		t.Run(dialect, func(t *testing.T) {
			e := newTestEnv(t, dialect)
			ctx := context.Background()
			dir := jobdir.New(t)

			for _, tc := range []struct {
				name        string
				prev        jobflow.NodeStatus
				wantRunning bool
			}{
				{"AfterSuccess", jobflow.NodeSuccess, false},
				{"AfterFail", jobflow.NodeFail, true},
			} {
				t.Run(tc.name, func(t *testing.T) {
					marks := filepath.Join(dir, tc.name)
					j := e.job(jobflow.JobShell, jobflow.ShellConfig{Script: fmt.Sprintf("echo ran >> %s; echo 'x=2' >> $JOBFLOW_OUTPUT", marks)})
					started, ended := time.Now().UTC().Add(-time.Minute), time.Now().UTC().Add(-50*time.Second)
					zero := 0
					prev := &jobflow.NodeRun{RunID: e.run.ID, TenantID: e.run.TenantID, JobID: j.ID, JobName: j.Name, JobType: j.Type,
						Status: tc.prev, Attempt: 1, StartedAt: &started, EndedAt: &ended, ExitCode: &zero, Outputs: map[string]string{"x": "1"}}
					if err := e.s.UpsertNodeRun(ctx, prev); err != nil {
						t.Fatal(err)
					}
					res, err := e.a.runJob(ctx, e.input(j, nil), 2)
					if err != nil {
						t.Fatalf("runJob attempt 2: %v", err)
					}
					b, _ := os.ReadFile(marks)
					n := e.node(t, j.ID)
					if !tc.wantRunning {
						if len(b) != 0 {
							t.Errorf("the job ran again after a recorded SUCCESS: %q", b)
						}
						if res.Outputs["x"] != "1" || res.ExitCode == nil || *res.ExitCode != 0 {
							t.Errorf("result %+v, want attempt 1's (x=1, exit 0)", res)
						}
						if n.Status != jobflow.NodeSuccess || n.Attempt != 1 || n.Outputs["x"] != "1" {
							t.Errorf("node run %+v, want attempt 1's SUCCESS kept", n)
						}
						if log := e.log(t, j.ID); !strings.Contains(log, "attempt 2 "+fmt.Sprintf(MsgAdopted, 1)) {
							t.Errorf("log %q does not say why attempt 2 did not run", log)
						}
						return
					}
					if string(b) != "ran\n" {
						t.Errorf("side effect %q, want one run", b)
					}
					if res.Outputs["x"] != "2" || n.Status != jobflow.NodeSuccess || n.Attempt != 2 {
						t.Errorf("result %+v node %+v, want attempt 2 run and SUCCESS with x=2", res, n)
					}
				})
			}
		})
	}
}
