package workflows

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"jobflow"
)

// snapshot builds a snapshot from node ids ("a b c") and edges ("a>b b>c").
// Job i has id and name from the list, type SHELL.
func snapshot(nodes, edges string) jobflow.Snapshot {
	s := jobflow.Snapshot{TenantID: "t1", WorkflowID: "wf1", WorkflowName: "flow", Config: jobflow.DefaultConfig()}
	for _, id := range strings.Fields(nodes) {
		s.Canvas.Nodes = append(s.Canvas.Nodes, jobflow.CanvasNode{JobID: id})
		s.Jobs = append(s.Jobs, jobflow.Job{ID: id, Name: "job " + id, Type: jobflow.JobShell, Config: []byte(`{"script":"true"}`)})
	}
	for _, e := range strings.Fields(edges) {
		from, to, _ := strings.Cut(e, ">")
		s.Canvas.Edges = append(s.Canvas.Edges, jobflow.Edge{From: from, To: to})
	}
	return s
}

func input(s jobflow.Snapshot) FlowRunInput {
	return FlowRunInput{
		RunID:       "run1",
		Snapshot:    s,
		Params:      map[string]string{},
		LogicalTime: time.Date(2026, 11, 25, 2, 0, 0, 0, time.UTC),
		Trigger:     jobflow.TriggerManual,
		TaskQueue:   DefaultTaskQueue,
	}
}

// stub stands in for package activities: RunJob does what the test says
// per job id (success by default) and counts calls and concurrency;
// RecordRun keeps what it was given.
type stub struct {
	behave map[string]func(ctx context.Context) (RunJobResult, error) // set before the run

	mu       sync.Mutex
	calls    []string // job ids in start order
	infos    []activity.Info
	running  int
	peak     int
	attempts map[string]int
	inputs   map[string]RunJobInput // the last input per job id
	records  []RecordRunInput
	globals  map[string]string // the tenant's plain variables, for LoadVariables
	runsAt   map[int64]bool    // logical times (Unix) with a run, for RunAt
}

func newStub() *stub {
	return &stub{behave: map[string]func(context.Context) (RunJobResult, error){}, attempts: map[string]int{}, inputs: map[string]RunJobInput{}}
}

func (s *stub) runJob(ctx context.Context, in RunJobInput) (RunJobResult, error) {
	s.mu.Lock()
	s.calls = append(s.calls, in.Job.ID)
	s.infos = append(s.infos, activity.GetInfo(ctx))
	s.attempts[in.Job.ID]++
	s.inputs[in.Job.ID] = in
	s.running++
	s.peak = max(s.peak, s.running)
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.running--
		s.mu.Unlock()
	}()
	if f := s.behave[in.Job.ID]; f != nil {
		return f(ctx)
	}
	return RunJobResult{}, nil
}

func (s *stub) recordRun(_ context.Context, in RecordRunInput) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.records = append(s.records, in)
	return nil
}

func (s *stub) loadVariables(_ context.Context, in LoadVariablesInput) (map[string]string, error) {
	out := map[string]string{}
	for _, n := range in.Names {
		if v, ok := s.globals[n]; ok {
			out[n] = v
		}
	}
	return out, nil
}

func (s *stub) runAt(_ context.Context, in RunAtInput) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.runsAt[in.LogicalTime.Unix()], nil
}

func (s *stub) callCount(id string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.attempts[id]
}

func (s *stub) lastRecord(t *testing.T) RecordRunInput {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.records) == 0 {
		t.Fatal("RecordRun was never called")
	}
	return s.records[len(s.records)-1]
}

// Behaviours of stub jobs.
func fails(msg string) func(context.Context) (RunJobResult, error) {
	return func(context.Context) (RunJobResult, error) {
		return RunJobResult{}, temporal.NewApplicationError(msg, "JobFailed")
	}
}

func sleeps(d time.Duration) func(context.Context) (RunJobResult, error) {
	return func(ctx context.Context) (RunJobResult, error) {
		select {
		case <-time.After(d):
			return RunJobResult{}, nil
		case <-ctx.Done():
			return RunJobResult{}, ctx.Err()
		}
	}
}

// blocks runs until cancelled, heartbeating as RunJob does.
func blocks() func(context.Context) (RunJobResult, error) {
	return func(ctx context.Context) (RunJobResult, error) {
		for {
			activity.RecordHeartbeat(ctx)
			select {
			case <-time.After(20 * time.Millisecond):
			case <-ctx.Done():
				return RunJobResult{}, ctx.Err()
			}
		}
	}
}

func newEnv(t *testing.T, s *stub) *testsuite.TestWorkflowEnvironment {
	t.Helper()
	var suite testsuite.WorkflowTestSuite
	env := suite.NewTestWorkflowEnvironment()
	env.RegisterWorkflowWithOptions(FlowRun, workflow.RegisterOptions{Name: FlowRunName})
	env.RegisterActivityWithOptions(s.runJob, activity.RegisterOptions{Name: RunJobActivity})
	env.RegisterActivityWithOptions(s.recordRun, activity.RegisterOptions{Name: RecordRunActivity})
	env.RegisterActivityWithOptions(s.loadVariables, activity.RegisterOptions{Name: LoadVariablesActivity})
	env.RegisterActivityWithOptions(s.runAt, activity.RegisterOptions{Name: RunAtActivity})
	env.SetTestTimeout(2 * time.Minute)
	// The workers' own bound (bigdag.go): the SDK's default second is
	// taken by a first workflow task on a machine busy with other builds.
	env.SetWorkerOptions(worker.Options{DeadlockDetectionTimeout: DeadlockDetectionTimeout})
	return env
}

// run executes FlowRun to its end and returns its result, whichever way
// it ended (completed, failed with RunFailed, canceled).
func run(t *testing.T, env *testsuite.TestWorkflowEnvironment, in FlowRunInput) (FlowRunResult, error) {
	t.Helper()
	env.ExecuteWorkflow(FlowRunName, in)
	if !env.IsWorkflowCompleted() {
		t.Fatal("FlowRun did not complete")
	}
	var res FlowRunResult
	err := env.GetWorkflowError()
	if err == nil {
		if err := env.GetWorkflowResult(&res); err != nil {
			t.Fatal(err)
		}
		return res, nil
	}
	var appErr *temporal.ApplicationError
	var canceled *temporal.CanceledError
	switch {
	case errors.As(err, &appErr) && appErr.HasDetails():
		if err := appErr.Details(&res); err != nil {
			t.Fatal(err)
		}
	case errors.As(err, &canceled) && canceled.HasDetails():
		if err := canceled.Details(&res); err != nil {
			t.Fatal(err)
		}
	}
	return res, err
}

// statuses maps job id to status, for assertions.
func statuses(nodes []jobflow.NodeRun) map[string]jobflow.NodeStatus {
	m := make(map[string]jobflow.NodeStatus, len(nodes))
	for _, n := range nodes {
		m[n.JobID] = n.Status
	}
	return m
}

func wantStatuses(t *testing.T, nodes []jobflow.NodeRun, want map[string]jobflow.NodeStatus) {
	t.Helper()
	got := statuses(nodes)
	for id, st := range want {
		if got[id] != st {
			t.Errorf("node %s: status %s, want %s (all: %v)", id, got[id], st, got)
		}
	}
	if len(got) != len(want) {
		t.Errorf("got %d nodes, want %d: %v", len(got), len(want), got)
	}
}

func node(t *testing.T, nodes []jobflow.NodeRun, id string) jobflow.NodeRun {
	t.Helper()
	for _, n := range nodes {
		if n.JobID == id {
			return n
		}
	}
	t.Fatalf("no node %s", id)
	return jobflow.NodeRun{}
}

// queryNodes reads the live node states through the nodes query.
func queryNodes(t *testing.T, env *testsuite.TestWorkflowEnvironment) []jobflow.NodeRun {
	t.Helper()
	v, err := env.QueryWorkflow(QueryNodes)
	if err != nil {
		t.Fatal(err)
	}
	var nodes []jobflow.NodeRun
	if err := v.Get(&nodes); err != nil {
		t.Fatal(err)
	}
	return nodes
}
