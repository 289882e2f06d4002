package engine_test

import (
	"context"
	"encoding/json"
	"errors"
	"go.temporal.io/api/serviceerror"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"jobflow"
	"jobflow/engine"
	"jobflow/internal/testrig"
	"jobflow/internal/testtier"
	"jobflow/internal/testwait"
	"jobflow/store"
	"jobflow/store/storetest"
	"jobflow/workflows"
)

// Stand-ins for FlowRun that end the way a real execution can end without
// FlowRun recording it: they run on a queue of their own under a run's
// workflow id, so the reconciler meets a real closed execution.
const standInQueue = "reconcile-stand-ins"

func standInFails(ctx workflow.Context) error {
	return temporal.NewNonRetryableApplicationError("the worker ran out of memory", "Boom", nil)
}

func standInSleeps(ctx workflow.Context) error { return workflow.Sleep(ctx, time.Hour) }

func standInCompletes(ctx workflow.Context, jobID string) (workflows.FlowRunResult, error) {
	return workflows.FlowRunResult{Status: jobflow.RunSuccess, Nodes: []jobflow.NodeRun{{JobID: jobID, Status: jobflow.NodeSuccess}}}, nil
}

// hookReceiver counts the webhook alarms it receives, per run and event.
type hookReceiver struct {
	mu  sync.Mutex
	got map[string]int // runId/event
	srv *httptest.Server
}

func newHookReceiver(t *testing.T) *hookReceiver {
	h := &hookReceiver{got: map[string]int{}}
	h.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var b struct{ RunID, Event string }
		json.NewDecoder(r.Body).Decode(&b)
		h.mu.Lock()
		h.got[b.RunID+"/"+b.Event]++
		h.mu.Unlock()
	}))
	t.Cleanup(h.srv.Close)
	return h
}

func (h *hookReceiver) count(runID, event string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.got[runID+"/"+event]
}

func TestEngine_ReconcileRuns(t *testing.T) {
	testtier.Parallel(t)
	for _, dialect := range storetest.Dialects() {
		t.Run(dialect, func(t *testing.T) { testReconcileRuns(t, dialect) })
	}
}

func testReconcileRuns(t *testing.T, dialect string) {
	r := testrig.New(t, testrig.Options{SQLite: dialect == store.DialectSQLite})
	e := &env{Rig: r, t: t, tenant: r.API.Tenant}
	ctx := context.Background()
	r.Engine.RunGrace = time.Nanosecond
	r.Temporal.NewWorker(standInQueue, func(reg worker.Registry) {
		reg.RegisterWorkflowWithOptions(standInFails, workflow.RegisterOptions{Name: "StandInFails"})
		reg.RegisterWorkflowWithOptions(standInSleeps, workflow.RegisterOptions{Name: "StandInSleeps"})
		reg.RegisterWorkflowWithOptions(standInCompletes, workflow.RegisterOptions{Name: "StandInCompletes"})
	})
	wfID, jobs := e.workflow("stuck", []jobSpec{shell("a", "sleep 600"), shell("b", "true")}, nil)
	w, err := r.Store.FindWorkflowByID(ctx, e.tenant, wfID)
	if err != nil {
		t.Fatal(err)
	}
	snap, err := jobflow.TakeSnapshot(w, "")
	if err != nil {
		t.Fatal(err)
	}

	pass := func(t *testing.T) engine.RunReconcileReport {
		t.Helper()
		rep, err := r.Engine.ReconcileRuns(ctx, nil)
		if err != nil {
			t.Fatalf("ReconcileRuns: %v (report %+v)", err, rep)
		}
		return rep
	}
	// recorded is a run as the engine records it, with node a RUNNING.
	recorded := func(t *testing.T, status jobflow.RunStatus) *jobflow.Run {
		t.Helper()
		run := &jobflow.Run{ID: jobflow.NewID(jobflow.PrefixRun), TenantID: e.tenant, WorkflowID: wfID, WorkflowName: w.Name,
			Trigger: jobflow.TriggerManual, Status: status, StartedAt: time.Now().Add(-time.Minute)}
		run.TemporalWorkflowID = run.ID
		if err := r.Store.CreateRun(ctx, run, snap); err != nil {
			t.Fatal(err)
		}
		now := time.Now()
		if err := r.Store.UpsertNodeRun(ctx, &jobflow.NodeRun{RunID: run.ID, JobID: jobs["a"], JobName: "a",
			Status: jobflow.NodeRunning, Attempt: 1, StartedAt: &now}); err != nil {
			t.Fatal(err)
		}
		return run
	}
	// closed waits until the execution of workflow id has closed.
	closed := func(t *testing.T, id string) enumspb.WorkflowExecutionStatus {
		t.Helper()
		var st enumspb.WorkflowExecutionStatus
		e.eventually(30*time.Second, id+" to close", func() bool {
			d, err := r.Client.DescribeWorkflowExecution(ctx, id, "")
			st = d.GetWorkflowExecutionInfo().GetStatus()
			return err == nil && st != enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING
		})
		return st
	}
	// settled checks the run's final status and error, and that no node
	// is left unfinished.
	settled := func(t *testing.T, runID string, status jobflow.RunStatus, errPrefix string) *jobflow.Run {
		t.Helper()
		got := e.run(runID)
		if got.Status != status || !strings.HasPrefix(got.Error, errPrefix) || got.EndedAt == nil {
			t.Fatalf("run = %s %q (ended %v), want %s %q…", got.Status, got.Error, got.EndedAt, status, errPrefix)
		}
		for _, n := range got.Nodes {
			if !n.Status.Done() || n.EndedAt == nil {
				t.Fatalf("node %s left %s after the run was settled", n.JobName, n.Status)
			}
		}
		return got
	}

	t.Run("TerminatedFlowRun", func(t *testing.T) {
		hook := newHookReceiver(t)
		e.API.AllowEgress("127.0.0.1") // the receiver (docs/security.md)
		var ch jobflow.AlarmChannel
		e.API.Must("POST", "/api/v1/alarm-channels", map[string]any{"name": "hook-" + dialect, "type": "WEBHOOK",
			"config": map[string]any{"url": hook.srv.URL}}, 201, &ch)
		aw, aj := e.workflow("terminated", []jobSpec{shell("a", "sleep 600"), shell("b", "true")}, map[string]any{
			"alarms": []map[string]any{{"events": []string{"RUN_START", "RUN_END", "RUN_FAIL", "RUN_SUCCESS"}, "channelIds": []string{ch.ID}}}})
		var started struct{ RunID string }
		e.API.Must("POST", "/api/v1/workflows/"+aw+"/runs", map[string]any{}, 202, &started)
		id := started.RunID
		e.eventually(30*time.Second, "job a to run", func() bool {
			for _, n := range e.run(id).Nodes {
				if n.JobID == aj["a"] && n.Status == jobflow.NodeRunning {
					return true
				}
			}
			return false
		})
		// A live execution is left alone.
		pass(t)
		if got := e.run(id); got.Status != jobflow.RunRunning {
			t.Fatalf("a live run was settled: %s %q", got.Status, got.Error)
		}

		if err := r.Client.TerminateWorkflow(ctx, id, "", "stuck, said the operator"); err != nil {
			t.Fatal(err)
		}
		closed(t, id)
		rep := pass(t)
		if rep.Settled != 1 {
			t.Fatalf("report %+v, want one run settled", rep)
		}
		got := settled(t, id, jobflow.RunAborted, "terminated in Temporal: stuck, said the operator")
		if len(got.Nodes) != 2 {
			t.Fatalf("nodes = %+v, want a and b", got.Nodes)
		}
		// The end alarm goes out once, and the alarm workflow ends now,
		// not after its 31-day wait.
		e.eventually(30*time.Second, "RUN_END alarm", func() bool { return hook.count(id, "RUN_END") > 0 })
		if st := closed(t, workflows.AlarmsWorkflowID(id)); st != enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED {
			t.Fatalf("alarm workflow %s, want COMPLETED", st)
		}
		if rep := pass(t); rep.Settled != 0 {
			t.Fatalf("second pass settled %+v again", rep)
		}
		if n := audited(t, r.Store, "run.reconcile", id); n != 1 {
			t.Fatalf("%d audit rows of the settled run, want 1", n)
		}
		if n, s := hook.count(id, "RUN_END"), hook.count(id, "RUN_SUCCESS")+hook.count(id, "RUN_FAIL"); n != 1 || s != 0 {
			t.Fatalf("RUN_END sent %d times, RUN_SUCCESS/RUN_FAIL %d; want 1 and 0 (an aborted run)", n, s)
		}
	})

	t.Run("TimedOut", func(t *testing.T) {
		run := recorded(t, jobflow.RunRunning)
		if _, err := r.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: run.ID, TaskQueue: standInQueue,
			WorkflowExecutionTimeout: time.Second}, "StandInSleeps"); err != nil {
			t.Fatal(err)
		}
		if st := closed(t, run.ID); st != enumspb.WORKFLOW_EXECUTION_STATUS_TIMED_OUT {
			t.Fatalf("stand-in closed %s", st)
		}
		pass(t)
		got := settled(t, run.ID, jobflow.RunFail, "timed out in Temporal")
		if got.Nodes[0].Status != jobflow.NodeFail || !strings.Contains(got.Nodes[0].Error, "timed out") {
			t.Fatalf("running node = %s %q, want FAIL saying the run timed out", got.Nodes[0].Status, got.Nodes[0].Error)
		}
	})

	t.Run("Failed", func(t *testing.T) {
		run := recorded(t, jobflow.RunRunning)
		if _, err := r.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: run.ID, TaskQueue: standInQueue}, "StandInFails"); err != nil {
			t.Fatal(err)
		}
		closed(t, run.ID)
		pass(t)
		settled(t, run.ID, jobflow.RunFail, "failed in Temporal: the worker ran out of memory")
	})

	t.Run("CancelledWhileAborting", func(t *testing.T) {
		run := recorded(t, jobflow.RunAborting)
		if _, err := r.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: run.ID, TaskQueue: standInQueue}, "StandInSleeps"); err != nil {
			t.Fatal(err)
		}
		if err := r.Client.CancelWorkflow(ctx, run.ID, ""); err != nil {
			t.Fatal(err)
		}
		if st := closed(t, run.ID); st != enumspb.WORKFLOW_EXECUTION_STATUS_CANCELED {
			t.Fatalf("stand-in closed %s", st)
		}
		pass(t)
		got := settled(t, run.ID, jobflow.RunAborted, "cancelled in Temporal")
		if got.Nodes[0].Status != jobflow.NodeAborted {
			t.Fatalf("running node of a cancelled run = %s, want ABORTED", got.Nodes[0].Status)
		}
	})

	t.Run("CompletedTakesItsResult", func(t *testing.T) {
		run := recorded(t, jobflow.RunRunning)
		if _, err := r.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: run.ID, TaskQueue: standInQueue}, "StandInCompletes", jobs["a"]); err != nil {
			t.Fatal(err)
		}
		closed(t, run.ID)
		pass(t)
		got := settled(t, run.ID, jobflow.RunSuccess, "")
		if got.Nodes[0].Status != jobflow.NodeSuccess {
			t.Fatalf("node = %s, want the SUCCESS of the execution's result", got.Nodes[0].Status)
		}
	})

	t.Run("NeverStarted", func(t *testing.T) {
		run := recorded(t, jobflow.RunRunning)
		// Within the grace period the start may still be on its way.
		r.Engine.RunGrace = time.Hour
		if rep := pass(t); rep.Checked != 0 {
			t.Fatalf("a run inside the grace period was checked: %+v", rep)
		}
		r.Engine.RunGrace = time.Nanosecond
		pass(t)
		settled(t, run.ID, jobflow.RunFail, engine.MsgNeverStarted)
	})

	t.Run("QueuedBackfillRun", func(t *testing.T) {
		bw, _ := e.workflow("backfilled", []jobSpec{shell("a", "sleep 600")}, schedule("0 0 2 * * ?", "UTC", nil))
		e.publish(bw)
		var out engine.Backfilled
		e.API.Must("POST", "/api/v1/workflows/"+bw+"/backfill", map[string]string{"start": "2026-11-20", "end": "2026-11-21"}, 202, &out)
		// The second run waits for the first: no execution yet, and its
		// backfill is running, so it is left alone.
		e.eventually(30*time.Second, "the backfill to be visible", func() bool {
			resp, err := r.Client.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{Query: "WorkflowType = 'Backfill' AND ExecutionStatus = 'Running'"})
			return err == nil && len(resp.GetExecutions()) > 0
		})
		pass(t)
		if got := e.run(out.RunIDs[1]); got.Status != jobflow.RunRunning {
			t.Fatalf("a run queued in a running backfill was settled: %s %q", got.Status, got.Error)
		}
		// Its backfill is terminated: the queued run will never start.
		if err := r.Client.TerminateWorkflow(ctx, out.BackfillID, "", "cleanup"); err != nil {
			t.Fatal(err)
		}
		// On a loaded machine the backfill may not have started its first
		// run yet; with the backfill gone it never will (and is settled as
		// never started below), so NotFound is fine.
		var nf *serviceerror.NotFound
		firstStarted := true
		if err := r.Client.TerminateWorkflow(ctx, out.RunIDs[0], "", "cleanup"); err != nil {
			if !errors.As(err, &nf) {
				t.Fatal(err)
			}
			firstStarted = false
		}
		closed(t, out.BackfillID)
		e.eventually(30*time.Second, "the backfill to leave the running list", func() bool {
			pass(t)
			return e.run(out.RunIDs[1]).Status.Finished()
		})
		if firstStarted {
			settled(t, out.RunIDs[0], jobflow.RunAborted, "terminated in Temporal: cleanup")
		} else {
			settled(t, out.RunIDs[0], jobflow.RunFail, engine.MsgNeverStarted)
		}
		settled(t, out.RunIDs[1], jobflow.RunFail, engine.MsgNeverStarted)
	})

	t.Run("BoundedPasses", func(t *testing.T) {
		var ids []string
		for range 5 {
			ids = append(ids, recorded(t, jobflow.RunRunning).ID)
		}
		r.Engine.RunBatch = 2
		defer func() { r.Engine.RunBatch = 0 }()
		var checked []int
		for range 3 {
			checked = append(checked, pass(t).Checked)
		}
		if checked[0] != 2 || checked[1] != 2 || checked[2] != 1 {
			t.Fatalf("runs checked per pass = %v, want [2 2 1]", checked)
		}
		for _, id := range ids {
			settled(t, id, jobflow.RunFail, engine.MsgNeverStarted)
		}
	})

	// A backlog of stuck runs bigger than a batch is walked through pass
	// after pass, not one batch per interval.
	t.Run("BacklogWithoutWaitingTheInterval", func(t *testing.T) {
		var ids []string
		for range 5 {
			ids = append(ids, recorded(t, jobflow.RunRunning).ID)
		}
		r.Engine.RunBatch = 2
		defer func() { r.Engine.RunBatch = 0 }()
		rctx, cancel := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() { defer close(done); r.Engine.RunReconciler(rctx, time.Hour, nil) }()
		defer func() { cancel(); <-done }()
		// The reconciler's interval is an hour: only a reconciler that goes
		// on at once with a backlog settles them all within the minute.
		deadline := time.Now().Add(time.Minute)
		for _, id := range ids {
			testwait.For(t, time.Until(deadline), "run "+id+" settled by the reconciler", func() bool { return e.run(id).Status.Finished() })
			settled(t, id, jobflow.RunFail, engine.MsgNeverStarted)
		}
	})
}
