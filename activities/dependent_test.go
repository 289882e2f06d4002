package activities

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"go.temporal.io/api/serviceerror"

	"jobflow"
	"jobflow/jobtypes"
	"jobflow/store"
	"jobflow/store/storetest"
	"jobflow/workflows"
)

// signals records the signals RecordRun sends (the Temporal client's part,
// which the end-to-end test exercises for real); ended waiters answer
// NotFound as Temporal does.
type signals struct {
	mu    sync.Mutex
	sent  []string // workflow ids
	args  []workflows.DependentSignal
	ended map[string]bool
}

func (s *signals) SignalWorkflow(_ context.Context, workflowID, _, name string, arg any) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if name != workflows.SignalDependent {
		return errors.New("unexpected signal " + name)
	}
	if s.ended[workflowID] {
		return serviceerror.NewNotFound("workflow execution already completed")
	}
	s.sent = append(s.sent, workflowID)
	s.args = append(s.args, arg.(workflows.DependentSignal))
	return nil
}

// TestCheckDependent: windows from the waiting run's logical time in its
// zone, SUCCESS and FAIL runs per item, waits registered by the check and
// forgotten after; RecordRun's final record signals each waiter once.
func TestCheckDependent(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		e := newTestEnvOn(t, s)
		sig := &signals{ended: map[string]bool{"tw-ended": true}}
		e.a.Dependents, e.a.Signaller = s, sig
		ctx := context.Background()
		tenant := e.run.TenantID
		up := &jobflow.Workflow{TenantID: tenant, Name: "upstream", Config: jobflow.DefaultConfig()}
		if err := s.CreateWorkflow(ctx, up, 10); err != nil {
			t.Fatal(err)
		}
		// e.run's logical time is 2026-11-25 02:00 in Shanghai: yesterday
		// there is 11-24, i.e. [11-23 16:00, 11-24 16:00) UTC.
		in := workflows.CheckDependentInput{TenantID: tenant, RunID: e.run.ID, JobID: "dep", TemporalWorkflowID: "tw-waiter",
			LogicalTime: logicalTime, Timezone: "Asia/Shanghai", Config: jobtypes.DependentConfig{
				Items:    []jobtypes.DependentItem{{WorkflowID: up.ID, Window: "yesterday"}, {WorkflowID: up.ID, JobID: "load", Window: "today"}},
				Relation: jobtypes.RelationAnd, OnUpstreamFail: jobtypes.OnUpstreamFailFail}}
		check := func(in workflows.CheckDependentInput) workflows.CheckDependentResult {
			t.Helper()
			res, err := e.a.CheckDependent(ctx, in)
			if err != nil {
				t.Fatal(err)
			}
			return res
		}
		upRun := func(logical time.Time, st jobflow.RunStatus, load jobflow.NodeStatus) *jobflow.Run {
			t.Helper()
			r := &jobflow.Run{ID: jobflow.NewID(jobflow.PrefixRun), TenantID: tenant, WorkflowID: up.ID, Trigger: jobflow.TriggerBackfill,
				Status: jobflow.RunRunning, LogicalTime: logical, StartedAt: time.Now().UTC()}
			if err := s.UpsertRun(ctx, r); err != nil {
				t.Fatal(err)
			}
			end := time.Now().UTC()
			r.Status, r.EndedAt = st, &end
			err := e.a.RecordRun(ctx, workflows.RecordRunInput{Run: *r, Nodes: []jobflow.NodeRun{{JobID: "load", JobName: "load", Status: load, Attempt: 1}}})
			if err != nil {
				t.Fatal(err)
			}
			return r
		}

		res := check(in)
		if len(res.Items) != 2 || len(res.Texts) != 2 || res.Items[0].Met || res.Items[1].Met || res.Items[0].Failed {
			t.Fatalf("nothing ran yet: %+v", res)
		}
		it := res.Items[0]
		if !it.From.Equal(time.Date(2026, 11, 23, 16, 0, 0, 0, time.UTC)) || !it.To.Equal(time.Date(2026, 11, 24, 16, 0, 0, 0, time.UTC)) ||
			it.WorkflowName != "upstream" {
			t.Fatalf("yesterday's window: %+v", it)
		}
		if res.Texts[0] != `workflow "upstream" (window yesterday: logical time in [2026-11-24 00:00 CST, 2026-11-25 00:00 CST))` ||
			!strings.HasPrefix(res.Texts[1], `job "load" of workflow "upstream" (window today: `) {
			t.Errorf("texts %q", res.Texts)
		}
		if w, _ := s.FindDependentWaiters(ctx, tenant, up.ID); len(w) != 1 || w[0].TemporalWorkflowID != "tw-waiter" || w[0].JobID != "dep" {
			t.Fatalf("registered waits: %+v", w)
		}
		// Another waiter on the same workflow, and one that has ended.
		if err := s.AddDependentWaits(ctx, []jobflow.DependentWait{
			{TenantID: tenant, RunID: e.run.ID, JobID: "dep2", UpstreamWorkflowID: up.ID, TemporalWorkflowID: "tw-waiter"},
			{TenantID: tenant, RunID: e.run.ID, JobID: "dep3", UpstreamWorkflowID: up.ID, TemporalWorkflowID: "tw-ended"},
		}); err != nil {
			t.Fatal(err)
		}

		// A SUCCESS run of today's logical date (in Shanghai) meets the
		// today item, not yesterday's; its final record signals the waiter
		// once (two of its nodes wait there) and the ended one harmlessly.
		today := upRun(time.Date(2026, 11, 24, 17, 0, 0, 0, time.UTC), jobflow.RunSuccess, jobflow.NodeSuccess)
		if len(sig.sent) != 1 || sig.sent[0] != "tw-waiter" || sig.args[0].RunID != today.ID || sig.args[0].WorkflowID != up.ID ||
			sig.args[0].Status != jobflow.RunSuccess {
			t.Fatalf("signals after today's run: %v %+v", sig.sent, sig.args)
		}
		res = check(in)
		if res.Items[0].Met || !res.Items[1].Met || res.Items[1].RunID != today.ID {
			t.Fatalf("after today's run: %+v", res)
		}

		// Yesterday's run failed: the item says so, with the run.
		failed := upRun(time.Date(2026, 11, 24, 1, 0, 0, 0, time.UTC), jobflow.RunFail, jobflow.NodeFail)
		res = check(in)
		if res.Items[0].Met || !res.Items[0].Failed || res.Items[0].RunID != failed.ID {
			t.Fatalf("after yesterday's failure: %+v", res)
		}
		// A backfilled SUCCESS of yesterday meets it.
		ok := upRun(time.Date(2026, 11, 24, 1, 0, 0, 0, time.UTC), jobflow.RunSuccess, jobflow.NodeSuccess)
		res = check(in)
		if !res.Items[0].Met || res.Items[0].Failed || res.Items[0].RunID != ok.ID || !res.Items[1].Met {
			t.Fatalf("after the backfill: %+v", res)
		}
		if err := e.a.ForgetDependent(ctx, workflows.ForgetDependentInput{RunID: e.run.ID, JobID: "dep2"}); err != nil {
			t.Fatal(err)
		}
		if w, _ := s.FindDependentWaiters(ctx, tenant, up.ID); len(w) != 2 || w[0].JobID != "dep" || w[1].JobID != "dep3" {
			t.Fatalf("waits after forgetting dep2: %+v", w)
		}

		// The waiting run's own final record removes its waits.
		end := time.Now().UTC()
		fin := *e.run
		fin.Status, fin.EndedAt = jobflow.RunSuccess, &end
		if err := e.a.RecordRun(ctx, workflows.RecordRunInput{Run: fin}); err != nil {
			t.Fatal(err)
		}
		if w, _ := s.FindDependentWaiters(ctx, tenant, up.ID); len(w) != 0 {
			t.Fatalf("waits after the waiting run ended: %+v", w)
		}
		if _, err := e.a.CheckDependent(ctx, workflows.CheckDependentInput{TenantID: tenant, RunID: e.run.ID, JobID: "x",
			TemporalWorkflowID: "tw", Timezone: "Mars/Olympus", Config: in.Config}); err == nil {
			t.Fatal("an unknown zone was accepted")
		}
	})
}
