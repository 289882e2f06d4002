package httpapi_test

import (
	"strings"
	"testing"
	"time"

	"jobflow"
	"jobflow/internal/testtier"
)

func TestCalendars_CRUD(t *testing.T) {
	testtier.Parallel(t)
	forEach(t, func(t *testing.T, e *env) {
		var cal jobflow.Calendar
		e.ok(e.do("POST", "/api/v1/calendars", e.admin, e.tenantID, map[string]any{
			"name": "cn-2026", "holidays": []string{"2026-10-01", "2026-10-02"}, "workdays": []string{"2026-10-10"}}), 201, &cal)
		if cal.ID == "" || cal.Version != 1 || cal.Timezone != "Asia/Shanghai" || len(cal.Weekdays) != 5 {
			t.Fatalf("created %+v", cal)
		}
		path := "/api/v1/calendars/" + cal.ID

		// Bad input: 400 naming the field, nothing changes.
		for _, c := range []struct {
			method, path string
			body         map[string]any
			field        string
		}{
			{"POST", "/api/v1/calendars", map[string]any{"name": ""}, "name"},
			{"POST", "/api/v1/calendars", map[string]any{"name": "x", "weekdays": []int{0}}, "weekdays"},
			{"POST", "/api/v1/calendars", map[string]any{"name": "x", "holidays": []string{"2026-02-30"}}, "holidays"},
			{"POST", "/api/v1/calendars", map[string]any{"name": "x", "timezone": "Mars/Base"}, "timezone"},
			{"PATCH", path, map[string]any{"workdays": []string{"2026-10-01"}}, "workdays"},
			{"PATCH", path, map[string]any{"weekdays": []int{8}}, "weekdays"},
			{"POST", path + "/import", map[string]any{"format": "LIST", "content": "2026-13-01\n"}, "content"},
			{"POST", path + "/import", map[string]any{"format": "XML", "content": "x"}, "format"},
			{"POST", path + "/import", map[string]any{"content": "2026-05-01", "mode": "SOME"}, "mode"},
		} {
			ae := e.fail(e.do(c.method, c.path, e.admin, e.tenantID, c.body), 400, jobflow.EINVALID)
			if ae.Details["field"] != c.field {
				t.Errorf("%s %s %v: details %v, want field %s (%s)", c.method, c.path, c.body, ae.Details, c.field, ae.Message)
			}
		}
		var got jobflow.Calendar
		e.ok(e.do("GET", path, e.admin, e.tenantID, nil), 200, &got)
		if got.Version != 1 || len(got.Holidays) != 2 || len(got.Workdays) != 1 {
			t.Fatalf("after refused changes: %+v", got)
		}
		var list struct {
			Items []jobflow.Calendar
			Total int
		}
		e.ok(e.do("GET", "/api/v1/calendars", e.admin, e.tenantID, nil), 200, &list)
		if list.Total != 1 {
			t.Fatalf("list total %d", list.Total)
		}

		e.ok(e.do("PATCH", path, e.admin, e.tenantID, map[string]any{"remark": "national", "weekdays": []int{1, 2, 3, 4, 5, 6}}), 200, &got)
		if got.Version != 2 || got.Remark != "national" || len(got.Weekdays) != 6 {
			t.Fatalf("patched %+v", got)
		}
		ics := "BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART;VALUE=DATE:20270101\nDTEND;VALUE=DATE:20270102\nSUMMARY:元旦\nEND:VEVENT\nEND:VCALENDAR\n"
		e.ok(e.do("POST", path+"/import", e.admin, e.tenantID, map[string]any{"format": "ICS", "content": ics}), 200, &got)
		if got.Version != 3 || !strings.Contains(strings.Join(got.Holidays, ","), "2027-01-01") || len(got.Holidays) != 3 {
			t.Fatalf("imported %+v", got)
		}
		e.ok(e.do("POST", path+"/import", e.admin, e.tenantID, map[string]any{"format": "LIST", "content": "2026-10-01 WORKDAY\n", "mode": "MERGE"}), 200, &got)
		if strings.Contains(strings.Join(got.Holidays, ","), "2026-10-01") || got.Workdays[0] != "2026-10-01" {
			t.Fatalf("a date imported as a workday is no holiday any more: %+v", got)
		}

		var v1 jobflow.Calendar
		e.ok(e.do("GET", path+"/versions/1", e.admin, e.tenantID, nil), 200, &v1)
		if v1.Version != 1 || len(v1.Holidays) != 2 || len(v1.Weekdays) != 5 {
			t.Fatalf("version 1 = %+v", v1)
		}
		e.fail(e.do("GET", path+"/versions/99", e.admin, e.tenantID, nil), 404, jobflow.ENOTFOUND)
		if ae := e.fail(e.do("GET", path+"/versions/x", e.admin, e.tenantID, nil), 400, jobflow.EINVALID); ae.Details["field"] != "version" {
			t.Errorf("details %v", ae.Details)
		}

		// Preview applies the calendar (SKIP leaves out 2 October, a holiday),
		// several crons and the DST policy.
		var pv struct {
			Times []time.Time
			Fires []struct {
				Time   time.Time
				DryRun bool
			}
		}
		from := time.Date(2026, 10, 1, 12, 0, 0, 0, time.UTC)
		e.ok(e.do("POST", "/api/v1/cron/preview", e.admin, e.tenantID, map[string]any{
			"crons": []string{"0 0 9 * * ?", "0 0 18 * * ?"}, "timezone": "Asia/Shanghai", "count": 3, "from": from,
			"calendar": map[string]any{"id": cal.ID, "policy": "SKIP"}}), 200, &pv)
		sh, _ := time.LoadLocation("Asia/Shanghai")
		var days []string
		for _, x := range pv.Times {
			days = append(days, x.In(sh).Format("01-02 15"))
		}
		if strings.Join(days, ",") != "10-03 09,10-03 18,10-05 09" { // 10-03 is a Saturday, a calendar day now; 10-04 a Sunday
			t.Fatalf("SKIP preview %v", days)
		}
		e.ok(e.do("POST", "/api/v1/cron/preview", e.admin, e.tenantID, map[string]any{
			"cron": "0 0 9 * * ?", "timezone": "Asia/Shanghai", "count": 2, "from": from,
			"calendar": map[string]any{"id": cal.ID, "policy": "DRY_RUN"}}), 200, &pv)
		if len(pv.Fires) != 2 || !pv.Fires[0].DryRun || pv.Fires[1].DryRun {
			t.Fatalf("DRY_RUN preview %+v (10-02 is a holiday, 10-03 a calendar day)", pv.Fires)
		}
		e.ok(e.do("POST", "/api/v1/cron/preview", e.admin, e.tenantID, map[string]any{
			"cron": "0 30 2 * * ?", "timezone": "Europe/Berlin", "count": 1, "from": time.Date(2026, 3, 28, 12, 0, 0, 0, time.UTC),
			"dst": map[string]any{"missing": "SHIFT"}}), 200, &pv)
		if len(pv.Times) != 1 || !pv.Times[0].Equal(time.Date(2026, 3, 29, 1, 30, 0, 0, time.UTC)) {
			t.Fatalf("SHIFT preview %v, want 03:30 CEST on 29 March", pv.Times)
		}
		for _, c := range []struct {
			body  map[string]any
			field string
		}{
			{map[string]any{"crons": []string{"0 0 9 * * ?", "0 0 99 * * ?"}}, "crons[1]"},
			{map[string]any{"cron": "0 0 9 * * ?", "dst": map[string]any{"missing": "LATER"}}, "dst.missing"},
			{map[string]any{"cron": "0 0 9 * * ?", "dst": map[string]any{"repeated": "3"}}, "dst.repeated"},
			{map[string]any{"cron": "0 0 9 * * ?", "calendar": map[string]any{"id": "cal_nope"}}, "calendar.id"},
			{map[string]any{"cron": "0 0 9 * * ?", "calendar": map[string]any{"id": cal.ID, "policy": "X"}}, "calendar.policy"},
		} {
			ae := e.fail(e.do("POST", "/api/v1/cron/preview", e.admin, e.tenantID, c.body), 400, jobflow.EINVALID)
			if ae.Details["field"] != c.field {
				t.Errorf("%v: details %v, want field %s", c.body, ae.Details, c.field)
			}
		}

		e.ok(e.do("DELETE", path, e.admin, e.tenantID, nil), 204, nil)
		e.fail(e.do("GET", path, e.admin, e.tenantID, nil), 404, jobflow.ENOTFOUND)
	})
}

// TestCalendars_Config saves a schedule with crons, calendar and dst, and
// refuses bad ones with a 400 naming the field, changing nothing.
func TestCalendars_Config(t *testing.T) {
	testtier.Parallel(t)
	forEach(t, func(t *testing.T, e *env) {
		var cal jobflow.Calendar
		e.ok(e.do("POST", "/api/v1/calendars", e.admin, e.tenantID, map[string]any{"name": "c"}), 201, &cal)
		var wf jobflow.Workflow
		e.ok(e.do("POST", "/api/v1/workflows", e.admin, e.tenantID, map[string]any{"name": "w"}), 201, &wf)
		path := "/api/v1/workflows/" + wf.ID + "/config"
		good := map[string]any{"schedule": map[string]any{"cron": "0 0 9 * * ?", "crons": []string{"0 0 18 * * ?"}, "timezone": "Asia/Shanghai",
			"calendar": map[string]any{"id": cal.ID}, "dst": map[string]any{"repeated": "TWICE"}}}
		var got jobflow.WorkflowConfig
		e.ok(e.do("PUT", path, e.admin, e.tenantID, good), 200, &got)
		if got.Schedule.Calendar.Policy != "SKIP" || got.Schedule.DST.Missing != "SHIFT" || got.Schedule.DST.Repeated != "TWICE" || len(got.Schedule.Crons) != 1 {
			t.Fatalf("saved schedule %+v (calendar %+v, dst %+v)", got.Schedule, got.Schedule.Calendar, got.Schedule.DST)
		}
		for _, c := range []struct {
			schedule map[string]any
			field    string
		}{
			{map[string]any{"cron": "0 0 9 * * ?", "calendar": map[string]any{"id": "cal_missing"}}, "schedule.calendar.id"},
			{map[string]any{"cron": "0 0 9 * * ?", "calendar": map[string]any{"id": cal.ID, "policy": "LATER"}}, "schedule.calendar.policy"},
			{map[string]any{"cron": "0 0 9 * * ?", "crons": []string{"bad"}}, "schedule.crons[0]"},
			{map[string]any{"cron": "0 0 9 * * ?", "dst": map[string]any{"missing": "NEVER"}}, "schedule.dst.missing"},
		} {
			ae := e.fail(e.do("PUT", path, e.admin, e.tenantID, map[string]any{"schedule": c.schedule}), 400, jobflow.EINVALID)
			if ae.Details["field"] != c.field {
				t.Errorf("%v: details %v, want %s", c.schedule, ae.Details, c.field)
			}
		}
		e.ok(e.do("GET", path, e.admin, e.tenantID, nil), 200, &got)
		if got.Schedule.DST.Repeated != "TWICE" || got.Schedule.Calendar == nil || got.Schedule.Calendar.ID != cal.ID {
			t.Fatalf("a refused save changed the config: %+v", got.Schedule)
		}
	})
}

// TestCalendars_Shared: a SYS_ADMIN shares a calendar with every tenant;
// a TENANT_ADMIN cannot share one nor change a shared one; a MEMBER reads
// but does not write; another tenant's calendar is NOT_FOUND.
func TestCalendars_Shared(t *testing.T) {
	testtier.Parallel(t)
	forEach(t, func(t *testing.T, e *env) {
		var shared, own jobflow.Calendar
		e.ok(e.do("POST", "/api/v1/calendars", e.admin, e.tenantID, map[string]any{"name": "global", "shared": true}), 201, &shared)
		if !shared.Shared || shared.TenantID != "" {
			t.Fatalf("shared = %+v", shared)
		}
		other := e.tenant("other", 10)
		e.ok(e.do("POST", "/api/v1/calendars", e.admin, other, map[string]any{"name": "own"}), 201, &own)
		_, adminTok := e.user("boss", jobflow.RoleTenantAdmin)
		_, memberTok := e.user("worker", jobflow.RoleMember)
		var list struct{ Total int }
		e.ok(e.do("GET", "/api/v1/calendars", memberTok, e.tenantID, nil), 200, &list)
		if list.Total != 1 {
			t.Fatalf("the default tenant sees %d calendars, want the shared one", list.Total)
		}
		e.fail(e.do("GET", "/api/v1/calendars/"+own.ID, memberTok, e.tenantID, nil), 404, jobflow.ENOTFOUND)
		e.fail(e.do("POST", "/api/v1/calendars", adminTok, e.tenantID, map[string]any{"name": "mine", "shared": true}), 403, jobflow.EFORBIDDEN)
		e.fail(e.do("PATCH", "/api/v1/calendars/"+shared.ID, adminTok, e.tenantID, map[string]any{"remark": "x"}), 403, jobflow.EFORBIDDEN)
		e.fail(e.do("DELETE", "/api/v1/calendars/"+shared.ID, adminTok, e.tenantID, nil), 403, jobflow.EFORBIDDEN)
		e.fail(e.do("POST", "/api/v1/calendars", memberTok, e.tenantID, map[string]any{"name": "m"}), 403, jobflow.EFORBIDDEN)
		var got jobflow.Calendar
		e.ok(e.do("PATCH", "/api/v1/calendars/"+shared.ID, e.admin, other, map[string]any{"remark": "by sys"}), 200, &got)
		if got.Version != 2 || !got.Shared {
			t.Fatalf("patched shared = %+v", got)
		}
	})
}
