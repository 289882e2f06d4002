package engine_test

import (
	"context"
	"strings"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"

	"jobflow"
	"jobflow/internal/testtier"
	"jobflow/workflows"
)

// A workflow whose snapshot is over workflows.InlineSnapshotMax (two jobs
// with 200 KB scripts) runs by reference, through the real store and the
// real LoadSnapshot: a manual run of the draft (the run's snapshot row)
// and a backfill and a scheduled run of the published version (the
// version's snapshot).
func TestEngine_LargeSnapshotByReference(t *testing.T) {
	testtier.Parallel(t)
	e := newEnv(t)
	pad := "# " + strings.Repeat("x", 200<<10) + "\n"
	wfID, jobs := e.workflow("big", []jobSpec{shell("a", pad+"echo A-ran"), shell("b", pad+"echo B-ran")},
		schedule("0 0 2 * * ?", "Asia/Shanghai", nil))

	check := func(t *testing.T, runID string, jobs map[string]string) {
		t.Helper()
		r := e.waitFinished(runID)
		if r.Status != jobflow.RunSuccess || len(r.Nodes) != 2 {
			t.Fatalf("run %s: %s with %d nodes (%s)", runID, r.Status, len(r.Nodes), r.Error)
		}
		if log := e.log(runID, jobs["b"]); !contains(log, "B-ran") {
			t.Errorf("b's log = %q", log)
		}
		// FlowRun's input named the snapshot instead of holding it.
		it := e.Client.GetWorkflowHistory(context.Background(), r.TemporalWorkflowID, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
		first, err := it.Next()
		if err != nil {
			t.Fatal(err)
		}
		in := first.GetWorkflowExecutionStartedEventAttributes().GetInput()
		if size := in.Size(); size > 16<<10 {
			t.Errorf("FlowRun's input is %d bytes: the snapshot went inline", size)
		}
		markers := 0
		for it.HasNext() {
			ev, err := it.Next()
			if err != nil {
				t.Fatal(err)
			}
			if a := ev.GetMarkerRecordedEventAttributes(); a != nil && strings.Contains(a.String(), workflows.LoadSnapshotActivity) {
				markers++
			}
		}
		if markers == 0 {
			t.Error("no LoadSnapshot in the run's history")
		}
	}

	t.Run("Manual", func(t *testing.T) {
		var started struct {
			RunID string `json:"runId"`
		}
		e.API.Must("POST", "/api/v1/workflows/"+wfID+"/runs", map[string]any{}, 202, &started)
		check(t, started.RunID, jobs)
	})
	t.Run("BackfillOfTheVersion", func(t *testing.T) {
		e.publish(wfID)
		var out struct {
			RunIDs []string `json:"runIds"`
		}
		e.API.Must("POST", "/api/v1/workflows/"+wfID+"/backfill", map[string]string{"start": "2026-11-01", "end": "2026-11-01"}, 202, &out)
		if len(out.RunIDs) != 1 {
			t.Fatalf("backfill started %v", out.RunIDs)
		}
		check(t, out.RunIDs[0], jobs)
	})
	t.Run("Scheduled", func(t *testing.T) {
		// A Temporal Schedule's action names the version's snapshot.
		id, ids := e.workflow("big-every-second", []jobSpec{shell("a", pad+"echo A-ran"), shell("b", pad+"echo B-ran")},
			schedule("* * * * * ?", "UTC", nil))
		e.publish(id)
		var done string
		e.eventually(60*time.Second, "a SCHEDULE run to succeed", func() bool {
			for _, r := range e.runs(id, jobflow.TriggerSchedule).Items {
				if r.Status.Finished() {
					done = r.ID
					return true
				}
			}
			return false
		})
		e.API.Must("POST", "/api/v1/workflows/"+id+"/offline", nil, 200, nil)
		check(t, done, ids)
	})
}
