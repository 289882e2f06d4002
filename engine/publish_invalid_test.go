package engine_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"go.temporal.io/api/serviceerror"

	"jobflow"
	"jobflow/internal/testtier"
	"jobflow/store/storetest"
	"jobflow/workflows"
)

// TestEngine_Publish_Invalid: bad input is a 400 with a clear message, and
// nothing is published: the workflow stays DRAFT with no schedule.
func TestEngine_Publish_Invalid(t *testing.T) {
	testtier.Parallel(t)
	e := newEnv(t)
	ctx := context.Background()

	unpublished := func(t *testing.T, wfID string) {
		t.Helper()
		var w jobflow.Workflow
		e.API.Must("GET", "/api/v1/workflows/"+wfID, nil, 200, &w)
		if w.Status != jobflow.StatusDraft || w.PublishedVersionID != "" || w.NextRunTime != nil {
			t.Fatalf("workflow after a refused publish: %s %q %v", w.Status, w.PublishedVersionID, w.NextRunTime)
		}
		_, err := e.Client.ScheduleClient().GetHandle(ctx, workflows.ScheduleID(wfID)).Describe(ctx)
		var nf *serviceerror.NotFound
		if !errors.As(err, &nf) {
			t.Fatalf("a schedule exists after a refused publish (describe: %v)", err)
		}
	}
	publishFails := func(t *testing.T, wfID, wantInMessage string) {
		t.Helper()
		got := e.API.Fail("POST", "/api/v1/workflows/"+wfID+"/publish", nil, 400)
		if got.Code != jobflow.EINVALID || !strings.Contains(got.Message, wantInMessage) {
			t.Fatalf("publish error = %+v, want INVALID mentioning %q", got, wantInMessage)
		}
		unpublished(t, wfID)
	}

	t.Run("EmptyCanvas", func(t *testing.T) {
		wfID, _ := e.workflow("empty", nil, schedule("0 0 2 * * ?", "UTC", nil))
		publishFails(t, wfID, "canvas is empty")
	})

	t.Run("CronWithoutFireTimes", func(t *testing.T) {
		wfID, _ := e.workflow("never", []jobSpec{shell("a", "echo a")}, schedule("0 0 2 1 1 ? 1999", "UTC", nil))
		publishFails(t, wfID, "never fires")
	})

	t.Run("EndAtPassed", func(t *testing.T) {
		past := time.Now().Add(-48 * time.Hour).UTC()
		wfID, _ := e.workflow("ended", []jobSpec{shell("a", "echo a")}, schedule("0 0 2 * * ?", "UTC",
			map[string]any{"startAt": past.Add(-24 * time.Hour), "endAt": past}))
		publishFails(t, wfID, "no fire time")
	})

	// The draft check that guards every write runs at publish too: a draft
	// no entry point accepts (job "a" reads the outputs of "b", which runs
	// after it), written behind the store's back as an older jobflow or an
	// operator's SQL could have left it, is refused with the message the
	// entry points give (httpapi TestCheckDraft_EntryPoints).
	t.Run("BadDraftWrittenBySQL", func(t *testing.T) {
		wfID, ids := e.workflow("sqlwritten", []jobSpec{shell("a", "echo a"), shell("b", "echo b")}, schedule("0 0 2 * * ?", "UTC", nil))
		storetest.Exec(t, e.DBURL, `UPDATE jobs SET config = ? WHERE id = ?`, `{"script":"echo ${outputs.b.x}"}`, ids["a"])
		publishFails(t, wfID, "not upstream")
	})

	// A bad cron or zone cannot even be saved, so it never reaches publish:
	// the config is refused with the field named.
	t.Run("BadCronEachField", func(t *testing.T) {
		wfID, _ := e.workflow("badcron", []jobSpec{shell("a", "echo a")}, nil)
		for _, tc := range []struct{ cron, field string }{
			{"60 0 2 * * ?", `"second" (1st)`},
			{"0 60 2 * * ?", `"minute" (2nd)`},
			{"0 0 24 * * ?", `"hour" (3rd)`},
			{"0 0 2 32 * ?", `"day-of-month" (4th)`},
			{"0 0 2 ? 13 *", `"month" (5th)`},
			{"0 0 2 ? * 8", `"day-of-week" (6th)`},
			{"0 0 2 * * ? 1800", `"year" (7th)`},
			{"61 * * * *", `"minute" (1st)`},
			{"* 25 * * *", `"hour" (2nd)`},
			{"* * 0 * *", `"day-of-month" (3rd)`},
			{"* * * 0 *", `"month" (4th)`},
			{"* * * * 8", `"day-of-week" (5th)`},
			{"* * *", "fields"},
		} {
			got := e.API.Fail("PUT", "/api/v1/workflows/"+wfID+"/config", schedule(tc.cron, "UTC", nil), 400)
			if got.Code != jobflow.EINVALID || !strings.Contains(got.Message, tc.field) {
				t.Errorf("cron %q: error %+v, want INVALID naming %s", tc.cron, got, tc.field)
			}
		}
		got := e.API.Fail("PUT", "/api/v1/workflows/"+wfID+"/config", schedule("0 0 2 * * ?", "Mars/Olympus", nil), 400)
		if got.Code != jobflow.EINVALID || !strings.Contains(got.Message, "Mars/Olympus") {
			t.Errorf("unknown zone: %+v", got)
		}
		got = e.API.Fail("PUT", "/api/v1/workflows/"+wfID+"/config", schedule("0 0 2 * * ?", "UTC",
			map[string]any{"startAt": "2026-11-02T00:00:00Z", "endAt": "2026-11-01T00:00:00Z"}), 400)
		if got.Code != jobflow.EINVALID || !strings.Contains(got.Message, "endAt") {
			t.Errorf("end before start: %+v", got)
		}
		unpublished(t, wfID)
	})

	t.Run("OfflineOfDraft", func(t *testing.T) {
		wfID, _ := e.workflow("draft", []jobSpec{shell("a", "echo a")}, nil)
		if got := e.API.Fail("POST", "/api/v1/workflows/"+wfID+"/offline", nil, 409); got.Code != jobflow.ECONFLICT {
			t.Fatalf("offline of a draft: %+v", got)
		}
	})

	t.Run("ScheduleDisabled", func(t *testing.T) {
		// Published and invocable, but no schedule and no next run time;
		// republishing with the schedule switched off deletes the schedule.
		wfID, _ := e.workflow("manual-only", []jobSpec{shell("a", "echo a")}, schedule("0 0 2 * * ?", "UTC", nil))
		if p := e.publish(wfID); p.Workflow.NextRunTime == nil || e.scheduleVersion(wfID) != p.Version.ID {
			t.Fatalf("first publish: next %v, schedule version %q", p.Workflow.NextRunTime, e.scheduleVersion(wfID))
		}
		cfg := schedule("0 0 2 * * ?", "UTC", nil)
		cfg["schedule"].(map[string]any)["enabled"] = false
		e.API.Must("PUT", "/api/v1/workflows/"+wfID+"/config", cfg, 200, nil)
		p := e.publish(wfID)
		if p.Workflow.Status != jobflow.StatusPublished || p.Workflow.NextRunTime != nil || len(p.NextRunTimes) != 0 {
			t.Fatalf("publish without schedule: %s %v %v", p.Workflow.Status, p.Workflow.NextRunTime, p.NextRunTimes)
		}
		_, err := e.Client.ScheduleClient().GetHandle(ctx, workflows.ScheduleID(wfID)).Describe(ctx)
		var nf *serviceerror.NotFound
		if !errors.As(err, &nf) {
			t.Fatalf("a schedule exists for a disabled schedule (describe: %v)", err)
		}
		// Reconciliation agrees: nothing to create.
		if rep, err := e.Engine.Reconcile(ctx, nil); err != nil || rep.Created != 0 {
			t.Fatalf("reconcile = %+v, %v", rep, err)
		}
	})
}
