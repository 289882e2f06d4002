package engine_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"go.temporal.io/api/serviceerror"

	"jobflow"
	"jobflow/internal/testtier"
	"jobflow/workflows"
)

func TestEngine_Publish(t *testing.T) {
	testtier.Parallel(t)
	testtier.Long(t, "minutes of schedule fires (the fast tier keeps TestEngine_Publish_Invalid)")
	e := newEnv(t)
	ctx := context.Background()

	t.Run("ScheduledRunsThenOffline", func(t *testing.T) {
		wfID, jobs := e.workflow("every-second", []jobSpec{shell("a", "echo day ${qing.current_date}")},
			schedule("* * * * * ?", "UTC", nil))
		p := e.publish(wfID)
		if p.Workflow.Status != jobflow.StatusPublished || p.Workflow.PublishedVersionID != p.Version.ID || p.Version.Number != 1 {
			t.Fatalf("publish: status %s, published %q, version %+v", p.Workflow.Status, p.Workflow.PublishedVersionID, p.Version)
		}
		if len(p.NextRunTimes) != 5 || p.NextRunTimes[1].Sub(p.NextRunTimes[0]) != time.Second {
			t.Fatalf("nextRunTimes = %v, want 5 one second apart", p.NextRunTimes)
		}
		if p.Workflow.NextRunTime == nil || !p.Workflow.NextRunTime.Equal(p.NextRunTimes[0]) {
			t.Fatalf("workflow nextRunTime = %v, want %v", p.Workflow.NextRunTime, p.NextRunTimes[0])
		}

		// Scheduled runs appear in GET /runs with trigger SCHEDULE and finish.
		var l runList
		e.eventually(30*time.Second, "two finished SCHEDULE runs", func() bool {
			l = e.runs(wfID, jobflow.TriggerSchedule)
			done := 0
			for _, r := range l.Items {
				if r.Status == jobflow.RunSuccess {
					done++
				}
			}
			return done >= 2
		})
		var r *jobflow.Run
		for _, x := range l.Items {
			if x.Status == jobflow.RunSuccess {
				r = e.run(x.ID)
				break
			}
		}
		if !strings.HasPrefix(r.ID, workflows.ScheduleID(wfID)+"-") || r.TemporalWorkflowID != r.ID ||
			r.VersionID != p.Version.ID || r.Trigger != jobflow.TriggerSchedule {
			t.Fatalf("scheduled run = id %q temporal %q version %q trigger %s", r.ID, r.TemporalWorkflowID, r.VersionID, r.Trigger)
		}
		if r.LogicalTime.Nanosecond() != 0 || r.LogicalTime.Before(p.NextRunTimes[0]) {
			t.Fatalf("logical time %v is not a fire time at or after %v", r.LogicalTime, p.NextRunTimes[0])
		}
		if got, want := e.log(r.ID, jobs["a"]), "day "+r.LogicalTime.Format("2006-01-02"); !contains(got, want) {
			t.Fatalf("log = %q, want it to contain %q", got, want)
		}

		// nextRunTime moved on after the scheduled runs, without Temporal.
		var w jobflow.Workflow
		e.API.Must("GET", "/api/v1/workflows/"+wfID, nil, 200, &w)
		if w.NextRunTime == nil || !w.NextRunTime.After(p.NextRunTimes[0]) {
			t.Fatalf("nextRunTime = %v, want after %v", w.NextRunTime, p.NextRunTimes[0])
		}

		// The schedule view: 10 next times, recent scheduled runs, Temporal's state.
		var info struct {
			Source       string         `json:"source"`
			NextRunTimes []time.Time    `json:"nextRunTimes"`
			RecentRuns   []*jobflow.Run `json:"recentRuns"`
			Temporal     *struct {
				VersionID  string `json:"versionId"`
				NumActions int    `json:"numActions"`
			} `json:"temporal"`
		}
		e.API.Must("GET", "/api/v1/workflows/"+wfID+"/schedule", nil, 200, &info)
		if info.Source != "published" || len(info.NextRunTimes) != 10 || len(info.RecentRuns) < 2 ||
			info.RecentRuns[0].Trigger != jobflow.TriggerSchedule || info.Temporal == nil ||
			info.Temporal.VersionID != p.Version.ID || info.Temporal.NumActions < 2 {
			t.Fatalf("schedule view = %+v", info)
		}

		// A scheduled run can be rerun: it finds its version's snapshot.
		var rerun struct {
			RunID string `json:"runId"`
		}
		e.API.Must("POST", "/api/v1/runs/"+r.ID+"/rerun", map[string]string{"mode": "ALL"}, 202, &rerun)
		if got := e.waitFinished(rerun.RunID); got.Status != jobflow.RunSuccess || got.VersionID != p.Version.ID {
			t.Fatalf("rerun = %s on %q", got.Status, got.VersionID)
		}

		// Offline: the schedule is gone, the workflow OFFLINE, no next run.
		var off jobflow.Workflow
		e.API.Must("POST", "/api/v1/workflows/"+wfID+"/offline", nil, 200, &off)
		if off.Status != jobflow.StatusOffline || off.NextRunTime != nil {
			t.Fatalf("offline: %s %v", off.Status, off.NextRunTime)
		}
		_, err := e.Client.ScheduleClient().GetHandle(ctx, workflows.ScheduleID(wfID)).Describe(ctx)
		var nf *serviceerror.NotFound
		if !errors.As(err, &nf) {
			t.Fatalf("describe after offline: %v, want NotFound", err)
		}
		// No fire time after the schedule was deleted starts a run. (Runs
		// fired just before may still be recorded a moment later: their
		// logical times are before offlineAt.)
		offlineAt := time.Now()
		time.Sleep(3 * time.Second) // three fire times of the old cron: no run must come of them, only time shows it
		for _, r := range e.runs(wfID, jobflow.TriggerSchedule).Items {
			if r.LogicalTime.After(offlineAt) {
				t.Fatalf("run %s fired at %v, after offline at %v", r.ID, r.LogicalTime, offlineAt)
			}
		}
		if got := e.API.Fail("POST", "/api/v1/workflows/"+wfID+"/offline", nil, 409); got.Code != jobflow.ECONFLICT {
			t.Fatalf("second offline: %+v", got)
		}
	})

	t.Run("RepublishChangesScript", func(t *testing.T) {
		wfID, jobs := e.workflow("republish", []jobSpec{shell("a", "echo script-v1")}, schedule("* * * * * ?", "UTC", nil))
		p1 := e.publish(wfID)
		e.eventually(30*time.Second, "a run of version 1 printing v1", func() bool {
			return e.anyLog(wfID, p1.Version.ID, jobs["a"], "script-v1")
		})
		e.API.Must("PATCH", "/api/v1/jobs/"+jobs["a"], map[string]any{"config": map[string]any{"script": "echo script-v2"}}, 200, nil)
		p2 := e.publish(wfID) // no offline in between
		if p2.Version.Number != 2 {
			t.Fatalf("second version number = %d", p2.Version.Number)
		}
		e.eventually(30*time.Second, "a run of version 2 printing v2", func() bool {
			return e.anyLog(wfID, p2.Version.ID, jobs["a"], "script-v2")
		})
		e.API.Must("POST", "/api/v1/workflows/"+wfID+"/offline", nil, 200, nil)
	})

	t.Run("Discrete", func(t *testing.T) {
		// The workflow fires at :00, :10, …; job b waits for its own cron
		// five seconds later.
		cfg := schedule("0/10 * * * * ?", "UTC", nil)
		cfg["schedule"].(map[string]any)["mode"] = "DISCRETE"
		b := shell("b", "echo b")
		b.Cron = "5/10 * * * * ?"
		wfID, jobs := e.workflow("discrete", []jobSpec{shell("a", "echo a"), b}, cfg)
		e.publish(wfID)
		var runID string
		// WAITING is live state: FlowRun answers it in the nodes query.
		e.eventually(40*time.Second, "job b WAITING in a scheduled run", func() bool {
			for _, r := range e.runs(wfID, jobflow.TriggerSchedule).Items {
				if r.Status != jobflow.RunRunning {
					continue
				}
				v, err := e.Client.QueryWorkflow(ctx, r.TemporalWorkflowID, "", workflows.QueryNodes)
				var nodes []jobflow.NodeRun
				if err != nil || v.Get(&nodes) != nil {
					continue
				}
				for _, n := range nodes {
					if n.JobID == jobs["b"] && n.Status == jobflow.NodeWaiting {
						runID = r.ID
						return true
					}
				}
			}
			return false
		})
		r := e.waitFinished(runID)
		if r.Status != jobflow.RunSuccess {
			t.Fatalf("discrete run = %s", r.Status)
		}
		for _, n := range r.Nodes {
			if n.JobID == jobs["b"] && (n.StartedAt == nil || n.StartedAt.Before(r.LogicalTime.Add(5*time.Second))) {
				t.Fatalf("job b started at %v, before its cron time %v", n.StartedAt, r.LogicalTime.Add(5*time.Second))
			}
		}
		e.API.Must("POST", "/api/v1/workflows/"+wfID+"/offline", nil, 200, nil)
	})

	t.Run("ConcurrentPublishes", func(t *testing.T) {
		wfID, _ := e.workflow("concurrent", []jobSpec{shell("a", "echo a")}, schedule("0 0 2 * * ?", "Asia/Shanghai", nil))
		for round := range 4 {
			var wg sync.WaitGroup
			errs := make([]error, 2)
			for i := range errs {
				wg.Add(1)
				go func() {
					defer wg.Done()
					_, errs[i] = e.Engine.Publish(ctx, e.tenant, wfID, "us_test")
				}()
			}
			wg.Wait()
			for _, err := range errs {
				if err != nil {
					t.Fatalf("round %d: publish: %v", round, err)
				}
			}
			w, err := e.Store.FindWorkflowByID(ctx, e.tenant, wfID)
			if err != nil {
				t.Fatal(err)
			}
			v, err := e.Store.FindVersionByID(ctx, e.tenant, w.PublishedVersionID)
			if err != nil {
				t.Fatal(err)
			}
			if want := 2 * (round + 1); v.Number != want {
				t.Fatalf("round %d: published version number %d, want the newer %d", round, v.Number, want)
			}
			if got := e.scheduleVersion(wfID); got != v.ID {
				t.Fatalf("round %d: schedule runs version %q, store says %q", round, got, v.ID)
			}
		}
	})
}

// anyLog reports whether a SCHEDULE run of version versionID has a log of
// job jobID containing want.
func (e *env) anyLog(wfID, versionID, jobID, want string) bool {
	for _, r := range e.runs(wfID, jobflow.TriggerSchedule).Items {
		if r.VersionID == versionID && r.Status == jobflow.RunSuccess && contains(e.log(r.ID, jobID), want) {
			return true
		}
	}
	return false
}

// scheduleVersion is the version id in the workflow's schedule's action memo.
func (e *env) scheduleVersion(wfID string) string {
	e.t.Helper()
	var info struct {
		Temporal *struct {
			VersionID string `json:"versionId"`
		} `json:"temporal"`
	}
	e.API.Must("GET", "/api/v1/workflows/"+wfID+"/schedule", nil, 200, &info)
	if info.Temporal == nil {
		return ""
	}
	return info.Temporal.VersionID
}
