package httpapi_test

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	"jobflow"
	"jobflow/internal/testtier"
)

// TestRunDelta_PredictedJobs: a live run with history has a predicted bar
// per job not yet ended; the whole answer carries them, a since= answer
// only with predictedJobs=true (2,000 of them are ~280 KB, too much for
// every poll), keeping the finish and the critical path either way.
func TestRunDelta_PredictedJobs(t *testing.T) {
	testtier.Parallel(t)
	forEach(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		w := e.workflow("predicted")
		const n = 100
		var edges []jobflow.Edge
		for i := 1; i < n; i++ {
			edges = append(edges, jobflow.Edge{From: fmt.Sprintf("job_%04d", i-1), To: fmt.Sprintf("job_%04d", i)})
		}
		snap := &jobflow.Snapshot{Canvas: jobflow.Canvas{Edges: edges}}
		// One finished run: each job's duration.
		start := time.Now().UTC().Add(-time.Hour)
		end := start.Add(10 * time.Minute)
		hist := &jobflow.Run{ID: "run-hist", TenantID: e.tenantID, WorkflowID: w.ID, Trigger: jobflow.TriggerManual,
			Status: jobflow.RunSuccess, StartedAt: start, EndedAt: &end, LogicalTime: start}
		if err := e.st.CreateRun(ctx, hist, snap); err != nil {
			t.Fatal(err)
		}
		live := &jobflow.Run{ID: "run-live", TenantID: e.tenantID, WorkflowID: w.ID, Trigger: jobflow.TriggerManual,
			Status: jobflow.RunRunning, StartedAt: time.Now().UTC(), LogicalTime: time.Now().UTC()}
		if err := e.st.CreateRun(ctx, live, snap); err != nil {
			t.Fatal(err)
		}
		var nodes []jobflow.NodeRun
		for i := 0; i < n; i++ {
			s, f := start.Add(time.Duration(i)*5*time.Second), start.Add(time.Duration(i+1)*5*time.Second)
			id := fmt.Sprintf("job_%04d", i)
			nodes = append(nodes,
				jobflow.NodeRun{RunID: hist.ID, JobID: id, JobName: id, JobType: jobflow.JobShell, Status: jobflow.NodeSuccess, Attempt: 1, StartedAt: &s, EndedAt: &f},
				jobflow.NodeRun{RunID: live.ID, JobID: id, JobName: id, JobType: jobflow.JobShell, Status: jobflow.NodePending})
		}
		if err := e.st.UpsertNodeRuns(ctx, nodes); err != nil {
			t.Fatal(err)
		}
		type answer struct {
			Version    int64 `json:"version"`
			Prediction *struct {
				FinishAt     *time.Time           `json:"finishAt"`
				CriticalPath []string             `json:"criticalPath"`
				Jobs         []predictedJobAnswer `json:"jobs"`
			} `json:"prediction"`
		}
		var whole answer
		e.ok(e.as("GET", "/api/v1/runs/"+live.ID, nil), 200, &whole)
		if whole.Prediction == nil || len(whole.Prediction.Jobs) != n || whole.Prediction.FinishAt == nil {
			t.Fatalf("whole run: prediction %+v (want %d predicted jobs)", whole.Prediction, n)
		}
		since := "/api/v1/runs/" + live.ID + "?since=" + strconv.FormatInt(whole.Version, 10)
		var poll answer
		r := e.as("GET", since, nil)
		e.ok(r, 200, &poll)
		if poll.Prediction == nil || len(poll.Prediction.Jobs) != 0 || poll.Prediction.FinishAt == nil || len(poll.Prediction.CriticalPath) != n {
			t.Fatalf("a since answer: prediction %+v (want the finish and the critical path, no jobs)", poll.Prediction)
		}
		var with answer
		e.ok(e.as("GET", since+"&predictedJobs=true", nil), 200, &with)
		if with.Prediction == nil || len(with.Prediction.Jobs) != n {
			t.Fatalf("predictedJobs=true: prediction %+v (want %d jobs)", with.Prediction, n)
		}
		e.ok(e.as("GET", since+"&predictedJobs=false", nil), 200, &poll)
		if len(poll.Prediction.Jobs) != 0 {
			t.Fatalf("predictedJobs=false: %d jobs", len(poll.Prediction.Jobs))
		}
		for _, bad := range []string{"yes", "1", "TRUE"} {
			er := e.fail(e.as("GET", since+"&predictedJobs="+bad, nil), 400, jobflow.EINVALID)
			if er.Details["field"] != "predictedJobs" {
				t.Fatalf("predictedJobs=%s: details %v", bad, er.Details)
			}
		}
	})
}

type predictedJobAnswer struct {
	JobID string `json:"jobId"`
}
