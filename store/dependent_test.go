package store_test

import (
	"encoding/json"
	"testing"
	"time"

	"jobflow"
	"jobflow/jobtypes"
	"jobflow/store"
	"jobflow/store/storetest"
)

// TestDependentService_Waits: waits are registered idempotently, listed by
// upstream workflow within the tenant, and removed per node or per run;
// deleting the run drops them too.
func TestDependentService_Waits(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		f := newRunFixture(t, s)
		up := mustWorkflow(t, s, f.tenant.ID, "upstream", "")
		up2 := mustWorkflow(t, s, f.tenant.ID, "upstream2", "")
		r := f.run(jobflow.TriggerManual, time.Now())
		if err := s.UpsertRun(ctx, r); err != nil {
			t.Fatal(err)
		}
		waits := []jobflow.DependentWait{
			{TenantID: f.tenant.ID, RunID: r.ID, JobID: "j1", UpstreamWorkflowID: up.ID, TemporalWorkflowID: "tw-1"},
			{TenantID: f.tenant.ID, RunID: r.ID, JobID: "j1", UpstreamWorkflowID: up2.ID, TemporalWorkflowID: "tw-1"},
			{TenantID: f.tenant.ID, RunID: r.ID, JobID: "j2", UpstreamWorkflowID: up.ID, TemporalWorkflowID: "tw-1"},
		}
		for range 2 { // the second time changes nothing
			if err := s.AddDependentWaits(ctx, waits); err != nil {
				t.Fatal(err)
			}
		}
		got, err := s.FindDependentWaiters(ctx, f.tenant.ID, up.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0].JobID != "j1" || got[1].JobID != "j2" || got[0].TemporalWorkflowID != "tw-1" || got[0].RunID != r.ID {
			t.Fatalf("waiters of upstream: %+v", got)
		}
		if other, err := s.FindDependentWaiters(ctx, f.other.ID, up.ID); err != nil || len(other) != 0 {
			t.Fatalf("another tenant sees %+v, %v", other, err)
		}
		// A wait of a run that does not exist is refused.
		err = s.AddDependentWaits(ctx, []jobflow.DependentWait{{TenantID: f.tenant.ID, RunID: "ru_missing", JobID: "j", UpstreamWorkflowID: up.ID, TemporalWorkflowID: "x"}})
		wantCode(t, err, jobflow.ENOTFOUND)
		wantCode(t, s.AddDependentWaits(ctx, []jobflow.DependentWait{{RunID: r.ID}}), jobflow.EINVALID)

		if err := s.RemoveDependentWaits(ctx, r.ID, "j1"); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.FindDependentWaiters(ctx, f.tenant.ID, up.ID); len(got) != 1 || got[0].JobID != "j2" {
			t.Fatalf("after removing j1: %+v", got)
		}
		if got, _ := s.FindDependentWaiters(ctx, f.tenant.ID, up2.ID); len(got) != 0 {
			t.Fatalf("j1's other wait is still there: %+v", got)
		}
		if err := s.RemoveDependentWaits(ctx, r.ID, ""); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.FindDependentWaiters(ctx, f.tenant.ID, up.ID); len(got) != 0 {
			t.Fatalf("after removing the run's waits: %+v", got)
		}
	})
}

// TestDependentService_Match: only runs whose logical time is in the
// window count, whatever their start; SUCCESS meets, the newest FAIL (or a
// job's FAIL/UPSTREAM_FAILED) reports a failure.
func TestDependentService_Match(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		f := newRunFixture(t, s)
		day := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
		from, to := day, day.Add(24*time.Hour)
		put := func(logical, started time.Time, st jobflow.RunStatus, nodes ...jobflow.NodeRun) *jobflow.Run {
			t.Helper()
			r := f.run(jobflow.TriggerBackfill, started)
			r.LogicalTime = logical
			if err := s.UpsertRun(ctx, r); err != nil {
				t.Fatal(err)
			}
			for _, n := range nodes {
				n.RunID = r.ID
				if err := s.UpsertNodeRun(ctx, &n); err != nil {
					t.Fatal(err)
				}
			}
			if st != jobflow.RunRunning {
				end := started.Add(time.Minute)
				r.Status, r.EndedAt = st, &end
				if err := s.UpsertRun(ctx, r); err != nil {
					t.Fatal(err)
				}
			}
			return r
		}
		match := func(jobID string) jobflow.DependentMatch {
			t.Helper()
			m, err := s.MatchDependent(ctx, f.tenant.ID, f.wf.ID, jobID, from, to)
			if err != nil {
				t.Fatal(err)
			}
			return m
		}
		node := func(job string, st jobflow.NodeStatus) jobflow.NodeRun {
			return jobflow.NodeRun{JobID: job, Status: st, Attempt: 1}
		}

		if m := match(""); m != (jobflow.DependentMatch{WorkflowName: "flow"}) {
			t.Fatalf("no runs: %+v", m)
		}
		// SUCCESS runs outside the window: at its end (exclusive), before its
		// start, and one of today's logical time started inside yesterday.
		put(to, from.Add(time.Hour), jobflow.RunSuccess, node("load", jobflow.NodeSuccess))
		put(from.Add(-time.Second), from.Add(2*time.Hour), jobflow.RunSuccess, node("load", jobflow.NodeSuccess))
		if m := match(""); m.SuccessRunID != "" || m.NewestRunID != "" {
			t.Fatalf("runs outside the window matched: %+v", m)
		}
		// A failed run in the window, started long after it.
		failed := put(from.Add(2*time.Hour), to.Add(48*time.Hour), jobflow.RunFail,
			node("load", jobflow.NodeFail), node("report", jobflow.NodeUpstreamFailed), node("extract", jobflow.NodeSuccess))
		if m := match(""); m.SuccessRunID != "" || m.NewestRunID != failed.ID || !m.NewestFailed {
			t.Fatalf("after a failed run: %+v", m)
		}
		if m := match("report"); m.SuccessRunID != "" || m.NewestRunID != failed.ID || !m.NewestFailed {
			t.Fatalf("an UPSTREAM_FAILED job: %+v", m)
		}
		// The run failed, but the job waited for succeeded in it.
		if m := match("extract"); m.SuccessRunID != failed.ID || m.NewestFailed || m.JobName != "" {
			t.Fatalf("a job that succeeded in a failed run: %+v", m)
		}
		// A rerun still running is the newest: not failed any more.
		rerun := put(from.Add(2*time.Hour), to.Add(49*time.Hour), jobflow.RunRunning, node("load", jobflow.NodeRunning))
		if m := match(""); m.SuccessRunID != "" || m.NewestRunID != rerun.ID || m.NewestFailed {
			t.Fatalf("with a rerun running: %+v", m)
		}
		if m := match("load"); m.NewestRunID != rerun.ID || m.NewestFailed {
			t.Fatalf("job with a rerun running: %+v", m)
		}
		// A SUCCESS run of the window's last instant meets it, and wins over
		// a newer failure.
		ok := put(to.Add(-time.Microsecond), from.Add(-72*time.Hour), jobflow.RunSuccess, node("load", jobflow.NodeSuccess))
		put(from, to.Add(50*time.Hour), jobflow.RunFail, node("load", jobflow.NodeFail))
		if m := match(""); m.SuccessRunID != ok.ID || !m.NewestFailed {
			t.Fatalf("with a SUCCESS run: %+v", m)
		}
		if m := match("load"); m.SuccessRunID != ok.ID {
			t.Fatalf("job with a SUCCESS node: %+v", m)
		}
		// A DRY_RUN calendar's off day: the run succeeded with every job
		// SKIPPED ("not a calendar day"); a job waited for is met by it.
		dry := put(from.Add(3*time.Hour), to.Add(51*time.Hour), jobflow.RunSuccess, node("publish", jobflow.NodeSkipped))
		if m := match("publish"); m.SuccessRunID != dry.ID || m.NewestFailed {
			t.Fatalf("job SKIPPED in a dry run: %+v", m)
		}
		// A job marked succeeded by hand, or disabled, meets it too.
		forced := put(from.Add(4*time.Hour), to.Add(52*time.Hour), jobflow.RunSuccess,
			node("fixed", jobflow.NodeForcedSuccess), node("off", jobflow.NodeDisabled))
		if m := match("fixed"); m.SuccessRunID != forced.ID || m.NewestFailed {
			t.Fatalf("job FORCED_SUCCESS: %+v", m)
		}
		if m := match("off"); m.SuccessRunID != forced.ID || m.NewestFailed {
			t.Fatalf("job DISABLED: %+v", m)
		}
		// Another tenant's id sees nothing.
		if m, err := s.MatchDependent(ctx, f.other.ID, f.wf.ID, "", from, to); err != nil || m != (jobflow.DependentMatch{}) {
			t.Fatalf("other tenant: %+v %v", m, err)
		}
	})
}

// TestDependentJob_Targets: a DEPENDENT job must name workflows (and jobs
// in them) of its own tenant, on create and on update.
func TestDependentJob_Targets(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		f := newRunFixture(t, s)
		up := mustWorkflow(t, s, f.tenant.ID, "upstream", "")
		load := mustShellJob(t, s, f.tenant.ID, up.ID, "load")
		foreign := mustWorkflow(t, s, f.other.ID, "theirs", "")
		foreignJob := mustShellJob(t, s, f.other.ID, foreign.ID, "x")
		cfg := func(wf, job string) json.RawMessage {
			b, _ := json.Marshal(jobtypes.DependentConfig{Items: []jobtypes.DependentItem{
				{WorkflowID: up.ID, Window: "today"}, {WorkflowID: wf, JobID: job, Window: "yesterday"}}})
			return b
		}
		bad := []struct {
			config json.RawMessage
			field  string
		}{
			{cfg("wf_missing", ""), "config.items[1].workflowId"},
			{cfg(foreign.ID, ""), "config.items[1].workflowId"},
			{cfg(up.ID, "jb_missing"), "config.items[1].jobId"},
			{cfg(up.ID, foreignJob.ID), "config.items[1].jobId"},
			{cfg(f.wf.ID, load.ID), "config.items[1].jobId"}, // a job of another workflow
		}
		for _, b := range bad {
			j := &jobflow.Job{TenantID: f.tenant.ID, WorkflowID: f.wf.ID, Name: "wait", Type: jobflow.JobDependent, Config: b.config}
			err := s.CreateJob(ctx, j)
			wantCode(t, err, jobflow.EINVALID)
			if e, _ := err.(*jobflow.Error); e == nil || e.Details.(map[string]string)["field"] != b.field {
				t.Errorf("%s: %v, want the field %s", b.config, err, b.field)
			}
		}
		if jobs, _ := s.FindJobs(ctx, f.tenant.ID, f.wf.ID); len(jobs) != 0 {
			t.Fatalf("a refused job was stored: %d jobs", len(jobs))
		}
		j := &jobflow.Job{TenantID: f.tenant.ID, WorkflowID: f.wf.ID, Name: "wait", Type: jobflow.JobDependent, Config: cfg(up.ID, load.ID)}
		if err := s.CreateJob(ctx, j); err != nil {
			t.Fatal(err)
		}
		// Waiting on its own workflow (yesterday's run of it) is fine.
		self := json.RawMessage(cfg(f.wf.ID, ""))
		if _, err := s.UpdateJob(ctx, f.tenant.ID, j.ID, jobflow.JobUpdate{Config: &self}); err != nil {
			t.Fatal(err)
		}
		bogus := json.RawMessage(cfg(foreign.ID, ""))
		_, err := s.UpdateJob(ctx, f.tenant.ID, j.ID, jobflow.JobUpdate{Config: &bogus})
		wantCode(t, err, jobflow.EINVALID)
		got, _ := s.FindJobByID(ctx, f.tenant.ID, j.ID)
		if c, _ := jobtypes.ParseDependentConfig(got.Config); c.Items[1].WorkflowID != f.wf.ID {
			t.Fatalf("a refused update changed the job: %s", got.Config)
		}
	})
}
