package activities

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"jobflow"
	"jobflow/store"
	"jobflow/store/storetest"
	"jobflow/workflows"
)

// The data date of the baseline tests: 2026-12-01 in UTC, finishBy 07:00,
// margin 60 minutes (warnAt 06:00). Past dates ran job "a" from 02:00.
var blDay = time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)

func blAt(h, m int) time.Time {
	return blDay.Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute)
}

type blFixture struct {
	s        *store.Store
	tenantID string
	wf       *jobflow.Workflow
}

func newBLFixture(t *testing.T, s *store.Store) *blFixture {
	ctx := context.Background()
	tn := &jobflow.Tenant{Name: "acme", MaxWorkflows: 100}
	if err := s.CreateTenant(ctx, tn); err != nil {
		t.Fatal(err)
	}
	wf := &jobflow.Workflow{TenantID: tn.ID, Name: "nightly", Config: jobflow.DefaultConfig()}
	if err := s.CreateWorkflow(ctx, wf, 10); err != nil {
		t.Fatal(err)
	}
	return &blFixture{s: s, tenantID: tn.ID, wf: wf}
}

// run stores a run of the fixture's workflow on the date of logical with
// one job "a" started at start; a nil end leaves both RUNNING.
func (f *blFixture) run(t *testing.T, logical, start time.Time, end *time.Time) *jobflow.Run {
	ctx := context.Background()
	r := &jobflow.Run{ID: jobflow.NewID(jobflow.PrefixRun), TenantID: f.tenantID, WorkflowID: f.wf.ID, WorkflowName: f.wf.Name,
		Trigger: jobflow.TriggerSchedule, Status: jobflow.RunRunning, LogicalTime: logical, Params: map[string]string{}, StartedAt: start}
	if err := f.s.UpsertRun(ctx, r); err != nil {
		t.Fatal(err)
	}
	n := &jobflow.NodeRun{RunID: r.ID, TenantID: f.tenantID, JobID: "a", JobName: "a", JobType: jobflow.JobShell,
		Status: jobflow.NodeRunning, Attempt: 1, StartedAt: &start}
	if err := f.s.UpsertNodeRun(ctx, n); err != nil {
		t.Fatal(err)
	}
	if end != nil {
		f.end(t, r, *end)
	}
	return r
}

func (f *blFixture) end(t *testing.T, r *jobflow.Run, end time.Time) {
	ctx := context.Background()
	n := &jobflow.NodeRun{RunID: r.ID, TenantID: f.tenantID, JobID: "a", JobName: "a", JobType: jobflow.JobShell,
		Status: jobflow.NodeSuccess, Attempt: 1, StartedAt: &r.StartedAt, EndedAt: &end}
	if err := f.s.UpsertNodeRun(ctx, n); err != nil {
		t.Fatal(err)
	}
	r.Status, r.EndedAt = jobflow.RunSuccess, &end
	if err := f.s.UpsertRun(ctx, r); err != nil {
		t.Fatal(err)
	}
}

// history stores three past dates whose job "a" ran from 02:00 for d.
func (f *blFixture) history(t *testing.T, d time.Duration) {
	for i := 1; i <= 3; i++ {
		start := blAt(2, 0).AddDate(0, 0, -i)
		end := start.Add(d)
		f.run(t, start, start, &end)
	}
}

// watch runs the Baseline workflow over the date from 01:00 with time
// skipping; at each given time its callback changes the store. It
// returns the alarm events sent, in order, and the final instance.
func (f *blFixture) watch(t *testing.T, changes map[time.Duration]func()) ([]jobflow.AlarmEvent, *jobflow.BaselineInstance) {
	events, _, in := f.watchTargets(t, []jobflow.BaselineTarget{{WorkflowID: f.wf.ID}}, changes)
	return events, in
}

// watchTargets is watch over other targets; it also returns when each
// alarm was sent.
func (f *blFixture) watchTargets(t *testing.T, targets []jobflow.BaselineTarget, changes map[time.Duration]func()) ([]jobflow.AlarmEvent, []time.Time, *jobflow.BaselineInstance) {
	ctx := context.Background()
	b := &jobflow.Baseline{TenantID: f.tenantID, Name: "ready by 07:00", Targets: targets,
		FinishBy: "07:00", Timezone: "UTC", MarginMinutes: 60}
	if err := f.s.CreateBaseline(ctx, b); err != nil {
		t.Fatal(err)
	}
	var suite testsuite.WorkflowTestSuite
	env := suite.NewTestWorkflowEnvironment()
	env.SetStartTime(blAt(1, 0))
	a := &Activities{Runs: f.s, Baselines: f.s}
	env.RegisterWorkflowWithOptions(workflows.Baseline, workflow.RegisterOptions{Name: workflows.BaselineName})
	env.RegisterActivityWithOptions(a.EvaluateBaseline, activity.RegisterOptions{Name: workflows.EvaluateBaselineActivity})
	var events []jobflow.AlarmEvent
	var when []time.Time
	env.RegisterActivityWithOptions(func(_ context.Context, in workflows.SendBaselineAlarmInput) error {
		events = append(events, in.Event)
		when = append(when, env.Now().UTC())
		return nil
	}, activity.RegisterOptions{Name: workflows.SendBaselineAlarmActivity})
	for after, fn := range changes {
		env.RegisterDelayedCallback(fn, after)
	}
	env.ExecuteWorkflow(workflows.BaselineName, workflows.BaselineInput{TenantID: f.tenantID, BaselineID: b.ID, Date: "2026-12-01"})
	var can *workflow.ContinueAsNewError
	if err := env.GetWorkflowError(); !errors.As(err, &can) {
		t.Fatalf("the date never settled: %v", err)
	}
	in, err := f.s.FindBaselineInstance(ctx, f.tenantID, b.ID, "2026-12-01")
	if err != nil {
		t.Fatal(err)
	}
	return events, when, in
}

func TestBaseline_Met(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		f := newBLFixture(t, s)
		f.history(t, 2*time.Hour)
		var r *jobflow.Run
		events, in := f.watch(t, map[time.Duration]func(){
			time.Hour:     func() { r = f.run(t, blAt(2, 0), blAt(2, 0), nil) },
			3 * time.Hour: func() { f.end(t, r, blAt(4, 0)) },
		})
		if in.Status != jobflow.BaselineMet || len(events) != 0 || in.FinishedAt == nil || !in.FinishedAt.Equal(blAt(4, 0)) {
			t.Fatalf("status %s, events %v, finished %v; want MET at 04:00 with no alarm", in.Status, events, in.FinishedAt)
		}
		if len(in.Targets) != 1 || in.Targets[0].RunID != r.ID || in.Targets[0].Status != jobflow.TargetSuccess {
			t.Fatalf("targets %+v", in.Targets)
		}
	})
}

func TestBaseline_WarningThenMet(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		f := newBLFixture(t, s)
		f.history(t, 4*time.Hour+30*time.Minute) // usually ends 06:30: past warnAt 06:00
		var r *jobflow.Run
		events, in := f.watch(t, map[time.Duration]func(){
			time.Hour:     func() { r = f.run(t, blAt(2, 0), blAt(2, 0), nil) },
			4 * time.Hour: func() { f.end(t, r, blAt(5, 0)) },
		})
		want := []jobflow.AlarmEvent{jobflow.EventBaselineWarning, jobflow.EventBaselineRecovered}
		if in.Status != jobflow.BaselineMet || !slices.Equal(events, want) {
			t.Fatalf("status %s, events %v; want MET after %v", in.Status, events, want)
		}
	})
}

func TestBaseline_BreachedTooSlow(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		f := newBLFixture(t, s)
		f.history(t, 2*time.Hour)
		var r *jobflow.Run
		events, in := f.watch(t, map[time.Duration]func(){
			time.Hour: func() { r = f.run(t, blAt(2, 0), blAt(2, 0), nil) }, // and it never ends
		})
		want := []jobflow.AlarmEvent{jobflow.EventBaselineWarning, jobflow.EventBaselineBreached}
		if in.Status != jobflow.BaselineBreached || !slices.Equal(events, want) || in.Targets[0].RunID != r.ID {
			t.Fatalf("status %s, events %v, targets %+v; want BREACHED after %v", in.Status, events, in.Targets, want)
		}
		if !in.CheckedAt.Equal(blAt(7, 0)) {
			t.Fatalf("breached seen at %v, want at the deadline 07:00", in.CheckedAt)
		}
	})
}

func TestBaseline_BreachedScheduleNeverFired(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		f := newBLFixture(t, s)
		f.history(t, 2*time.Hour)
		events, in := f.watch(t, nil)
		want := []jobflow.AlarmEvent{jobflow.EventBaselineWarning, jobflow.EventBaselineBreached}
		if in.Status != jobflow.BaselineBreached || !slices.Equal(events, want) {
			t.Fatalf("status %s, events %v; want BREACHED after %v", in.Status, events, want)
		}
		if in.Targets[0].Status != jobflow.TargetNotStarted || in.Targets[0].RunID != "" {
			t.Fatalf("target %+v, want NOT_STARTED", in.Targets[0])
		}
	})
}

// A target whose DEPENDENT job waits for an upstream workflow of the same
// date is late when the upstream is: the upstream's schedule never fired
// today, so the target (which usually starts at 05:00 and ends at 05:10)
// goes WARNING as soon as the upstream's predicted finish plus the
// target's usual 9 minutes after its DEPENDENT job passes 06:00 — about
// 03:51, long before the target itself would start; judged by its own
// history alone it would warn only at 05:50.
func TestBaseline_LateUpstreamWarnsBeforeTargetStarts(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		f := newBLFixture(t, s)
		f.history(t, 2*time.Hour) // the upstream: 02:00 → 04:00
		down := &jobflow.Workflow{TenantID: f.tenantID, Name: "report", Config: jobflow.DefaultConfig()}
		if err := s.CreateWorkflow(ctx, down, 10); err != nil {
			t.Fatal(err)
		}
		dep := &jobflow.Job{TenantID: f.tenantID, WorkflowID: down.ID, Name: "wait-etl", Type: jobflow.JobDependent,
			Config: []byte(`{"items":[{"workflowId":"` + f.wf.ID + `","window":"today"}]}`)}
		if err := s.CreateJob(ctx, dep); err != nil {
			t.Fatal(err)
		}
		for i := 1; i <= 3; i++ {
			start := blAt(5, 0).AddDate(0, 0, -i)
			depEnd, end := start.Add(time.Minute), start.Add(10*time.Minute)
			r := &jobflow.Run{ID: jobflow.NewID(jobflow.PrefixRun), TenantID: f.tenantID, WorkflowID: down.ID, WorkflowName: down.Name,
				Trigger: jobflow.TriggerSchedule, Status: jobflow.RunSuccess, LogicalTime: start, Params: map[string]string{}, StartedAt: start, EndedAt: &end}
			if err := s.UpsertRun(ctx, r); err != nil {
				t.Fatal(err)
			}
			if err := s.UpsertNodeRun(ctx, &jobflow.NodeRun{RunID: r.ID, TenantID: f.tenantID, JobID: dep.ID, JobName: dep.Name,
				JobType: jobflow.JobDependent, Status: jobflow.NodeSuccess, Attempt: 1, StartedAt: &start, EndedAt: &depEnd}); err != nil {
				t.Fatal(err)
			}
		}
		events, when, in := f.watchTargets(t, []jobflow.BaselineTarget{{WorkflowID: down.ID}}, nil)
		want := []jobflow.AlarmEvent{jobflow.EventBaselineWarning, jobflow.EventBaselineBreached}
		if in.Status != jobflow.BaselineBreached || !slices.Equal(events, want) {
			t.Fatalf("status %s, events %v; want %v", in.Status, events, want)
		}
		if when[0].Before(blAt(3, 51)) || when[0].After(blAt(4, 30)) {
			t.Fatalf("WARNING at %s, want between 03:51 and 04:30 (the upstream's lateness)", when[0].Format("15:04"))
		}
	})
}

// signalLog records the signals an activity sends.
type signalLog struct {
	ids  []string
	args []any
}

func (s *signalLog) SignalWorkflow(_ context.Context, workflowID, _, name string, arg any) error {
	if name == workflows.SignalBoost {
		s.ids, s.args = append(s.ids, workflowID), append(s.args, arg)
	}
	return nil
}

// While a date is WARNING, a check boosts the key path of each live
// target run at the baseline's priority; a SAFE check boosts nothing.
func TestEvaluateBaseline_BoostsKeyPathWhileWarning(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		f := newBLFixture(t, s)
		f.history(t, 2*time.Hour)
		r := f.run(t, blAt(2, 0), blAt(2, 0), nil)
		r.TemporalWorkflowID = "flowrun-" + r.ID
		if err := s.UpsertRun(ctx, r); err != nil {
			t.Fatal(err)
		}
		b := &jobflow.Baseline{TenantID: f.tenantID, Name: "by 7", Targets: []jobflow.BaselineTarget{{WorkflowID: f.wf.ID}},
			FinishBy: "07:00", Timezone: "UTC", MarginMinutes: 60, Priority: 2}
		if err := s.CreateBaseline(ctx, b); err != nil {
			t.Fatal(err)
		}
		sig := &signalLog{}
		a := &Activities{Runs: s, Baselines: s, Signaller: sig}
		check := func(at time.Time) jobflow.BaselineStatus {
			res, err := a.EvaluateBaseline(ctx, workflows.EvaluateBaselineInput{TenantID: f.tenantID, BaselineID: b.ID, Date: "2026-12-01", Now: at})
			if err != nil {
				t.Fatal(err)
			}
			return res.Status
		}
		if st := check(blAt(3, 0)); st != jobflow.BaselineSafe || len(sig.ids) != 0 {
			t.Fatalf("03:00: %s, boosts %v; want SAFE and none", st, sig.ids)
		}
		if st := check(blAt(6, 10)); st != jobflow.BaselineWarning {
			t.Fatalf("06:10: %s, want WARNING", st)
		}
		if len(sig.ids) != 1 || sig.ids[0] != r.TemporalWorkflowID {
			t.Fatalf("boosted %v, want the target's FlowRun %s", sig.ids, r.TemporalWorkflowID)
		}
		if bo := sig.args[0].(workflows.Boost); bo.PriorityKey != 2 || !slices.Equal(bo.JobIDs, []string{"a"}) {
			t.Fatalf("boost %+v, want job a at priority 2", bo)
		}
	})
}

// countingBaselines counts a check's target-run reads.
type countingBaselines struct {
	BaselineStore
	reads int
}

func (c *countingBaselines) FindTargetRun(ctx context.Context, tenantID, workflowID string, from, to time.Time) (*jobflow.Run, error) {
	c.reads++
	return c.BaselineStore.FindTargetRun(ctx, tenantID, workflowID, from, to)
}

// A workflow's DEPENDENT items are written by anyone who edits it: a
// target naming 60 upstreams, one of them from 20 more jobs, costs one
// check at most 50 upstream judgements, each upstream judged once.
func TestEvaluateBaseline_UpstreamWalkBounded(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		f := newBLFixture(t, s)
		var ups []string
		for i := 0; i < 60; i++ {
			u := &jobflow.Workflow{TenantID: f.tenantID, Name: fmt.Sprintf("up-%02d", i), Config: jobflow.DefaultConfig()}
			if err := s.CreateWorkflow(ctx, u, 100); err != nil {
				t.Fatal(err)
			}
			ups = append(ups, u.ID)
		}
		dep := func(name string, ids []string) {
			var items []string
			for _, id := range ids {
				items = append(items, `{"workflowId":"`+id+`","window":"today"}`)
			}
			j := &jobflow.Job{TenantID: f.tenantID, WorkflowID: f.wf.ID, Name: name, Type: jobflow.JobDependent,
				Config: []byte(`{"items":[` + strings.Join(items, ",") + `]}`)}
			if err := s.CreateJob(ctx, j); err != nil {
				t.Fatal(err)
			}
		}
		for k := 0; k < 3; k++ {
			dep(fmt.Sprintf("wait-%d", k), ups[k*20:(k+1)*20])
		}
		for k := 0; k < 20; k++ {
			dep(fmt.Sprintf("again-%d", k), ups[:1])
		}
		b := &jobflow.Baseline{TenantID: f.tenantID, Name: "by 7", Targets: []jobflow.BaselineTarget{{WorkflowID: f.wf.ID}},
			FinishBy: "07:00", Timezone: "UTC", MarginMinutes: 60}
		if err := s.CreateBaseline(ctx, b); err != nil {
			t.Fatal(err)
		}
		cs := &countingBaselines{BaselineStore: s}
		a := &Activities{Runs: s, Baselines: cs}
		if _, err := a.EvaluateBaseline(ctx, workflows.EvaluateBaselineInput{TenantID: f.tenantID, BaselineID: b.ID, Date: "2026-12-01", Now: blAt(3, 0)}); err != nil {
			t.Fatal(err)
		}
		if want := 1 + maxUpstreamLookups; cs.reads != want {
			t.Fatalf("%d target-run reads for one check, want %d (the target and %d upstreams)", cs.reads, want, maxUpstreamLookups)
		}
	})
}
