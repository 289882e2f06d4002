package workflows

import (
	"context"
	"errors"
	"testing"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/testsuite"

	"jobflow"
)

// A one-job run's end is written by RunJob when its job succeeds; FlowRun
// then makes no final record, and makes it whenever RunJob did not.
func TestFlowRun_OneJobEndRecordedByRunJob(t *testing.T) {
	cases := []struct {
		name      string
		snap      func() jobflow.Snapshot
		recorded  bool // what RunJob answers
		fail      bool // the job fails
		wantFinal bool // FinalRun is in RunJob's input
		records   int  // RecordRun calls
		wantEnd   jobflow.RunStatus
	}{
		{"recorded by RunJob", func() jobflow.Snapshot { return snapshot("a", "") }, true, false, true, 1, ""},
		{"store away in RunJob", func() jobflow.Snapshot { return snapshot("a", "") }, false, false, true, 2, jobflow.RunSuccess},
		{"job failed", func() jobflow.Snapshot { return snapshot("a", "") }, false, true, true, 2, jobflow.RunFail},
		{"two jobs", func() jobflow.Snapshot { return snapshot("a b", "a>b") }, true, false, false, 2, jobflow.RunSuccess},
		{"a pooled job", func() jobflow.Snapshot {
			s := snapshot("a", "")
			s.Jobs[0].Pool = "etl"
			return s
		}, true, false, false, 2, jobflow.RunSuccess},
		{"maximum duration", func() jobflow.Snapshot {
			s := snapshot("a", "")
			s.Config.MaxDurationSeconds = 3600
			return s
		}, true, false, false, 2, jobflow.RunSuccess},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := newStub()
			env := newEnv(t, s)
			registerGrantingPool(env)
			for _, id := range []string{"a", "b"} {
				s.behave[id] = func(context.Context) (RunJobResult, error) {
					if c.fail {
						return RunJobResult{}, errors.New("exit status 1")
					}
					// What the real RunJob answers for the input it got.
					return RunJobResult{RunRecorded: c.recorded && s.inputs[id].FinalRun != nil}, nil
				}
			}
			in := input(c.snap())
			if c.fail {
				in.Snapshot.Jobs[0].Retry.MaxAttempts = 1
			}
			res, err := run(t, env, in)
			want := jobflow.RunSuccess
			if c.fail {
				want = jobflow.RunFail
			}
			if res.Status != want {
				t.Fatalf("status %s, want %s (%v)", res.Status, want, err)
			}
			fr := s.inputs["a"].FinalRun
			if (fr != nil) != c.wantFinal {
				t.Fatalf("RunJob's FinalRun = %+v, want set: %v", fr, c.wantFinal)
			}
			if fr != nil && (fr.ID != "run1" || fr.TenantID != "t1" || fr.WorkflowID != "wf1" || fr.Status != jobflow.RunSuccess || fr.Trigger != jobflow.TriggerManual) {
				t.Errorf("FinalRun = %+v, want run1's row as SUCCESS", fr)
			}
			if len(s.records) != c.records {
				t.Fatalf("RecordRun called %d times, want %d", len(s.records), c.records)
			}
			if s.records[0].Run.Status != jobflow.RunRunning {
				t.Errorf("first record %s, want the start (RUNNING)", s.records[0].Run.Status)
			}
			if c.records == 2 {
				if last := s.records[1].Run; last.Status != c.wantEnd || last.EndedAt == nil {
					t.Errorf("final record %s (ended %v), want %s with an end", last.Status, last.EndedAt, c.wantEnd)
				}
			}
		})
	}
}

// A one-job run the engine created (FlowRunInput.Created) leaves its start
// record to RunJob too; anything that can come before the job's start
// keeps FlowRun's own.
func TestFlowRun_OneJobStartRecordedByRunJob(t *testing.T) {
	cases := []struct {
		name    string
		in      func() FlowRunInput
		inJob   bool // StartRun in RunJob's input, no start record of FlowRun
		records int
	}{
		{"created", func() FlowRunInput { in := input(snapshot("a", "")); in.Created = true; return in }, true, 0},
		{"not created (a schedule's)", func() FlowRunInput { return input(snapshot("a", "")) }, false, 1},
		{"two jobs", func() FlowRunInput { in := input(snapshot("a b", "a>b")); in.Created = true; return in }, false, 1},
		{"a rerun's plan", func() FlowRunInput {
			in := input(snapshot("a", ""))
			in.Created, in.Plan = true, &RerunPlan{Mode: jobflow.RerunAll}
			return in
		}, false, 1},
		{"a pooled job", func() FlowRunInput {
			in := input(snapshot("a", ""))
			in.Created, in.Snapshot.Jobs[0].Pool = true, "etl"
			return in
		}, false, 1},
		{"a disabled node", func() FlowRunInput {
			in := input(snapshot("a", ""))
			in.Created, in.Snapshot.Canvas.Nodes[0].Disabled = true, true
			return in
		}, false, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := newStub()
			env := newEnv(t, s)
			registerGrantingPool(env)
			s.behave["a"] = func(context.Context) (RunJobResult, error) {
				return RunJobResult{RunRecorded: s.inputs["a"].FinalRun != nil}, nil
			}
			res, err := run(t, env, c.in())
			if err != nil || res.Status != jobflow.RunSuccess {
				t.Fatalf("status %s (%v), want SUCCESS", res.Status, err)
			}
			sr, ran := s.inputs["a"].StartRun, s.callCount("a") > 0
			if c.inJob && (sr == nil || sr.ID != "run1" || sr.Status != jobflow.RunRunning) {
				t.Errorf("RunJob's StartRun = %+v, want run1 RUNNING", sr)
			}
			if !c.inJob && sr != nil {
				t.Errorf("RunJob's StartRun = %+v, want none", sr)
			}
			if c.name != "a disabled node" && !ran {
				t.Fatal("job a did not run")
			}
			starts := 0
			for _, r := range s.records {
				if r.Run.Status == jobflow.RunRunning {
					starts++
				}
			}
			if starts != c.records {
				t.Errorf("%d start records of FlowRun's, want %d (records %+v)", starts, c.records, s.records)
			}
		})
	}
}

// registerGrantingPool registers pool activities that grant every request.
func registerGrantingPool(env *testsuite.TestWorkflowEnvironment) {
	env.RegisterActivityWithOptions(func(context.Context, jobflow.PoolRequest) (jobflow.PoolGrant, error) {
		return jobflow.PoolGrant{Granted: true, Used: 1, Slots: 1}, nil
	}, activity.RegisterOptions{Name: AcquirePoolActivity})
	env.RegisterActivityWithOptions(func(context.Context, ReleasePoolInput) error { return nil },
		activity.RegisterOptions{Name: ReleasePoolActivity})
}
