package engine_test

import (
	"sort"
	"testing"
	"time"

	"jobflow"
	"jobflow/internal/testtier"
)

func TestEngine_Backfill(t *testing.T) {
	testtier.Parallel(t)
	e := newEnv(t)
	wfID, jobs := e.workflow("daily", []jobSpec{shell("a", "echo day=${qing.current_date} prev=$[yyyyMMdd-1]")},
		schedule("0 0 2 * * ?", "Asia/Shanghai", nil))
	path := "/api/v1/workflows/" + wfID + "/backfill"

	if got := e.API.Fail("POST", path, map[string]string{"start": "2026-11-01", "end": "2026-11-03"}, 409); got.Code != jobflow.ECONFLICT {
		t.Fatalf("backfill of a draft: %+v", got)
	}
	e.publish(wfID)

	t.Run("ThreeDaysSerial", func(t *testing.T) {
		var out struct {
			RunIDs []string `json:"runIds"`
			Count  int      `json:"count"`
		}
		e.API.Must("POST", path, map[string]string{"start": "2026-11-01", "end": "2026-11-03"}, 202, &out)
		if out.Count != 3 || len(out.RunIDs) != 3 {
			t.Fatalf("backfill = %+v, want 3 runs", out)
		}
		want := map[string]string{ // day → the log line of that day's run
			"2026-11-01": "day=2026-11-01 prev=20261031",
			"2026-11-02": "day=2026-11-02 prev=20261101",
			"2026-11-03": "day=2026-11-03 prev=20261102",
		}
		shanghai, _ := time.LoadLocation("Asia/Shanghai")
		var runs []*jobflow.Run
		for _, id := range out.RunIDs {
			r := e.waitFinished(id)
			if r.Status != jobflow.RunSuccess || r.Trigger != jobflow.TriggerBackfill || r.VersionID == "" {
				t.Fatalf("run %s: %s %s version %q", id, r.Status, r.Trigger, r.VersionID)
			}
			day := r.LogicalTime.In(shanghai).Format("2006-01-02")
			line, ok := want[day]
			if !ok || r.LogicalTime.In(shanghai).Hour() != 2 {
				t.Fatalf("run %s logical time %v is not one of the fire times", id, r.LogicalTime)
			}
			delete(want, day)
			if log := e.log(id, jobs["a"]); !contains(log, line) {
				t.Fatalf("run %s log = %q, want %q", id, log, line)
			}
			runs = append(runs, r)
		}
		if len(want) != 0 {
			t.Fatalf("days without a run: %v", want)
		}
		// Serial: each run's job started after the previous run's job ended.
		sort.Slice(runs, func(i, j int) bool { return runs[i].LogicalTime.Before(runs[j].LogicalTime) })
		for i := 1; i < len(runs); i++ {
			prev, cur := runs[i-1].Nodes[0], runs[i].Nodes[0]
			if prev.EndedAt == nil || cur.StartedAt == nil || cur.StartedAt.Before(*prev.EndedAt) {
				t.Fatalf("run %d started at %v before run %d ended at %v", i, cur.StartedAt, i-1, prev.EndedAt)
			}
		}
		if l := e.runs(wfID, jobflow.TriggerBackfill); l.Total != 3 {
			t.Fatalf("GET /runs?trigger=BACKFILL total = %d", l.Total)
		}
		// A backfilled run can be rerun, with its logical time.
		var rerun struct {
			RunID string `json:"runId"`
		}
		e.API.Must("POST", "/api/v1/runs/"+runs[0].ID+"/rerun", map[string]string{"mode": "ALL"}, 202, &rerun)
		r := e.waitFinished(rerun.RunID)
		if r.Status != jobflow.RunSuccess || !contains(e.log(r.ID, jobs["a"]), "day=2026-11-01 prev=20261031") {
			t.Fatalf("rerun = %s, log %q", r.Status, e.log(r.ID, jobs["a"]))
		}
	})

	t.Run("Parallel", func(t *testing.T) {
		var out struct {
			RunIDs []string `json:"runIds"`
		}
		e.API.Must("POST", path, map[string]string{"start": "2026-10-01T00:00:00+08:00", "end": "2026-10-02T23:59:59+08:00", "overlap": "ALLOW_ALL"}, 202, &out)
		if len(out.RunIDs) != 2 {
			t.Fatalf("runIds = %v, want 2", out.RunIDs)
		}
		for _, id := range out.RunIDs {
			if r := e.waitFinished(id); r.Status != jobflow.RunSuccess {
				t.Fatalf("run %s = %s", id, r.Status)
			}
		}
	})

	t.Run("BadInput", func(t *testing.T) {
		before := e.runs(wfID, jobflow.TriggerBackfill).Total
		for _, tc := range []struct {
			name  string
			body  any
			field string
		}{
			{"EndBeforeStart", map[string]string{"start": "2026-11-03", "end": "2026-11-01"}, "end"},
			{"NoStart", map[string]string{"end": "2026-11-01"}, "start"},
			{"BadTime", map[string]string{"start": "yesterday", "end": "2026-11-01"}, "start"},
			{"OverLimit", map[string]string{"start": "2020-01-01", "end": "2026-11-01"}, "end"},
			{"BadOverlap", map[string]string{"start": "2026-11-01", "end": "2026-11-02", "overlap": "SOMETIMES"}, "overlap"},
			{"NoFireTime", map[string]string{"start": "2026-11-01T03:00:00+08:00", "end": "2026-11-01T04:00:00+08:00"}, "start"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				got := e.API.Fail("POST", path, tc.body, 400)
				details, _ := got.Details.(map[string]any)
				if got.Code != jobflow.EINVALID || got.Message == "" || details["field"] != tc.field {
					t.Fatalf("error = %+v, want INVALID on %s", got, tc.field)
				}
			})
		}
		if after := e.runs(wfID, jobflow.TriggerBackfill).Total; after != before {
			t.Fatalf("bad backfills created runs: %d then %d", before, after)
		}
	})
}
