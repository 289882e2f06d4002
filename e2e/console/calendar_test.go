package console_test

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"jobflow"
)

// docShot saves the viewport as docs/<name>.png when JOBFLOW_DOCS names the
// docs folder (to refresh the screenshots of docs/), and as a test
// screenshot in any case.
func (b *browser) docShot(name string) {
	b.t.Helper()
	p := b.shot(name)
	dir := os.Getenv("JOBFLOW_DOCS")
	if dir == "" || p == "" {
		return
	}
	png, err := os.ReadFile(p)
	if err != nil {
		b.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		b.t.Fatal(err)
	}
}

// calendarScenarios are the console's parts of the business calendars issue:
// the 日历 page, the schedule's crons, calendar and DST policy in 配置, and the
// 补数 options with its dry-run preview.
func calendarScenarios(t *testing.T, f *fixture) {
	api := f.rig.API

	// 日历: create in the form and the year view, read back through the API;
	// import a yearly list (an error first, shown as the API says it); delete.
	t.Run("Calendars", func(t *testing.T) {
		year := time.Now().Year()
		d := func(m time.Month, day int) string {
			return time.Date(year, m, day, 0, 0, 0, 0, time.UTC).Format("2006-01-02")
		}
		// The first Monday and Saturday of November: a click makes them a
		// holiday and a make-up workday.
		var mon, sat string
		for day := 1; day <= 7; day++ {
			switch time.Date(year, time.November, day, 0, 0, 0, 0, time.UTC).Weekday() {
			case time.Monday:
				mon = d(time.November, day)
			case time.Saturday:
				sat = d(time.November, day)
			}
		}
		b := loggedIn(t, f)
		b.nav("nav-calendars")
		b.waitText("nav-group-resources", "资源")
		b.click("cal-add")
		b.typeInto("cal-form-name", "cn-ui")
		tags := func(id string) string { return fmt.Sprintf(`[data-testid=%q] input, input[data-testid=%q]`, id, id) }
		b.typeCSS(tags("cal-form-holidays"), d(time.October, 1)+","+d(time.October, 2)+",")
		b.typeCSS(tags("cal-form-workdays"), d(time.October, 10)+",")
		b.typeInto("cal-form-remark", "national holidays")
		b.waitFor("holidays in the year view", fmt.Sprintf(`document.querySelector('[data-testid="cal-day-%s"]')?.dataset.kind === 'holiday' &&
			document.querySelector('[data-testid="cal-day-%s"]')?.dataset.kind === 'workday'`, d(time.October, 2), d(time.October, 10)), stepTimeout)
		b.click("cal-day-" + mon)
		b.click("cal-day-" + sat)
		b.waitFor("toggled days", fmt.Sprintf(`document.querySelector('[data-testid="cal-day-%s"]')?.dataset.kind === 'holiday' &&
			document.querySelector('[data-testid="cal-day-%s"]')?.dataset.kind === 'workday'`, mon, sat), stepTimeout)
		b.click("cal-form-save")
		b.visible("cal-row-cn-ui")
		b.waitText("cal-editor", "v1")

		var list struct{ Items []jobflow.Calendar }
		api.Must("GET", "/api/v1/calendars?pageSize=200", nil, 200, &list)
		var cal *jobflow.Calendar
		for i := range list.Items {
			if list.Items[i].Name == "cn-ui" {
				cal = &list.Items[i]
			}
		}
		if cal == nil {
			t.Fatalf("no calendar cn-ui in %+v", list.Items)
		}
		wantH := []string{d(time.October, 1), d(time.October, 2), mon}
		wantW := []string{d(time.October, 10), sat}
		slices.Sort(wantH)
		slices.Sort(wantW)
		if !slices.Equal(cal.Holidays, wantH) || !slices.Equal(cal.Workdays, wantW) || !slices.Equal(cal.Weekdays, []int{1, 2, 3, 4, 5}) ||
			cal.Timezone != "Asia/Shanghai" || cal.Remark != "national holidays" || cal.Version != 1 {
			t.Fatalf("stored calendar %+v, want holidays %v workdays %v", cal, wantH, wantW)
		}

		// Import: a bad line shows the API's error; a good list merges.
		b.click("cal-import-cn-ui")
		b.typeInto("cal-import-content", "not-a-date")
		b.click("cal-import-ok")
		b.visible("cal-import-error")
		want := api.Fail("POST", "/api/v1/calendars/"+cal.ID+"/import", map[string]any{"format": "LIST", "mode": "MERGE", "content": "not-a-date"}, 400).Message
		b.waitText("cal-import-error", want)
		b.clear("cal-import-content")
		b.typeInto("cal-import-content", d(time.May, 1)+"\n"+d(time.May, 9)+" WORKDAY\n")
		b.click("cal-import-ok")
		b.waitText("cal-import-result", "2")
		b.shot("calendar-import")
		var got jobflow.Calendar
		api.Must("GET", "/api/v1/calendars/"+cal.ID, nil, 200, &got)
		if got.Version != 2 || !slices.Contains(got.Holidays, d(time.May, 1)) || !slices.Contains(got.Workdays, d(time.May, 9)) || !slices.Contains(got.Holidays, mon) {
			t.Fatalf("imported calendar %+v", got)
		}
		b.click("cal-import-ok") // 关闭
		b.gone("cal-import-content")
		b.waitFor("imported days in the year view", fmt.Sprintf(`document.querySelector('[data-testid="cal-day-%s"]')?.dataset.kind === 'holiday'`, d(time.May, 1)), stepTimeout)
		b.do("tall viewport", chromedp.EmulateViewport(1440, 1400))
		b.docShot("console-calendar")
		b.do("usual viewport", chromedp.EmulateViewport(1440, 757))

		// Edit: a PATCH of the draft (with the imported days) raises the version.
		b.clear("cal-form-remark")
		b.typeInto("cal-form-remark", "edited")
		b.click("cal-form-save")
		b.waitText("cal-editor", "v3")
		got = jobflow.Calendar{}
		api.Must("GET", "/api/v1/calendars/"+cal.ID, nil, 200, &got)
		if got.Version != 3 || got.Remark != "edited" || !slices.Contains(got.Holidays, d(time.May, 1)) || !slices.Contains(got.Workdays, sat) {
			t.Fatalf("edited calendar %+v", got)
		}

		// ICS, replacing: the days are the file's.
		b.click("cal-import-cn-ui")
		b.click("cal-import-format-ICS")
		b.click("cal-import-mode-REPLACE")
		ymd := func(m time.Month, day int) string { return strings.ReplaceAll(d(m, day), "-", "") }
		b.typeInto("cal-import-content", "BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART;VALUE=DATE:"+ymd(time.January, 1)+"\nSUMMARY:元旦\nEND:VEVENT\n"+
			"BEGIN:VEVENT\nDTSTART;VALUE=DATE:"+ymd(time.January, 4)+"\nSUMMARY:补班\nEND:VEVENT\nEND:VCALENDAR\n")
		b.click("cal-import-ok")
		b.visible("cal-import-result")
		got = jobflow.Calendar{}
		api.Must("GET", "/api/v1/calendars/"+cal.ID, nil, 200, &got)
		if got.Version != 4 || !slices.Equal(got.Holidays, []string{d(time.January, 1)}) || !slices.Equal(got.Workdays, []string{d(time.January, 4)}) {
			t.Fatalf("ICS REPLACE import: %+v", got)
		}
		b.click("cal-import-ok")
		b.gone("cal-import-content")
		b.waitFor("replaced days in the year view", fmt.Sprintf(`document.querySelector('[data-testid="cal-day-%s"]')?.dataset.kind !== 'holiday'`, d(time.May, 1)), stepTimeout)

		// Delete with confirm.
		var gone jobflow.Calendar
		api.Must("POST", "/api/v1/calendars", map[string]any{"name": "to-delete"}, 201, &gone)
		b.open("/calendars")
		b.visible("cal-delete-to-delete")
		b.click("cal-delete-to-delete")
		b.visible("cal-delete-ok")
		b.click("cal-delete-ok")
		b.waitFor("row gone", `!document.querySelector('[data-testid="cal-row-to-delete"]')`, stepTimeout)
		api.Fail("GET", "/api/v1/calendars/"+gone.ID, nil, 404)

		// English labels.
		b.clickCSS(`[data-testid="lang-toggle"] .ant-segmented-item:nth-child(2)`)
		b.waitText("nav-group-resources", "Resources")
		b.waitText("cal-add", "Add calendar")
		b.clickCSS(`[data-testid="lang-toggle"] .ant-segmented-item:nth-child(1)`)
		b.waitText("cal-add", "新建日历")
	})

	// 配置: a second cron, a DRY_RUN calendar and a DST policy; the preview
	// equals the API's for the same schedule (dry-run days marked) and the
	// saved config holds all of it.
	t.Run("ConfigCalendarDST", func(t *testing.T) {
		sh := mustZone(t, "Asia/Shanghai")
		now := time.Now().In(sh)
		h1, h2 := now.AddDate(0, 0, 1).Format("2006-01-02"), now.AddDate(0, 0, 2).Format("2006-01-02")
		var cal jobflow.Calendar
		api.Must("POST", "/api/v1/calendars", map[string]any{"name": "cfg-cal", "timezone": "Asia/Shanghai", "holidays": []string{h1, h2}}, 201, &cal)
		w, _ := flow(t, api, "cal-cron-flow", "true")
		b := loggedIn(t, f)
		b.open("/workflows/" + w.ID)
		b.click("tb-config")
		b.visible("cron-kind")
		b.waitFor("default cron", `document.querySelector('[data-testid="cron-input"]')?.value === '0 0 2 * * ?'`, stepTimeout)
		b.click("cfg-cron-add")
		b.typeInto("cfg-cron-0", "0 30 18 * * ?")
		b.selectOption("cfg-calendar", "cfg-cal (Asia/Shanghai, v1)")
		b.waitFor("the calendar dropdown closed", `!document.querySelector('.ant-select-dropdown:not(.ant-select-dropdown-hidden)')`, stepTimeout)
		b.click("cfg-calendar-policy-DRY_RUN")
		b.waitFor("DRY_RUN chosen", `document.querySelector('[data-testid="cfg-calendar-policy-DRY_RUN"]')?.closest('label')?.classList.contains('ant-radio-wrapper-checked')`, stepTimeout)
		b.click("cfg-dst-missing-SKIP")
		b.click("cfg-dst-repeated-TWICE")
		b.waitFor("preview with both crons and dry runs", `(() => { const ts = [...document.querySelectorAll('[data-testid="cron-preview-time"]')];
			return ts.length === 5 && ts.some(e => e.innerText.includes('18:30:00')) && ts.some(e => e.dataset.dryRun === 'true') })()`, stepTimeout)
		type fire struct {
			Time   string `json:"time"`
			DryRun bool   `json:"dryRun"`
		}
		var shown []fire
		b.eval(`[...document.querySelectorAll('[data-testid="cron-preview-time"]')].map(e => ({time: e.dataset.time, dryRun: e.dataset.dryRun === 'true'}))`, &shown)
		var pv struct{ Fires []fire }
		api.Must("POST", "/api/v1/cron/preview", map[string]any{"cron": "0 0 2 * * ?", "crons": []string{"0 30 18 * * ?"}, "timezone": "Asia/Shanghai", "count": 5,
			"calendar": map[string]string{"id": cal.ID, "policy": "DRY_RUN"}, "dst": map[string]string{"missing": "SKIP", "repeated": "TWICE"}}, 200, &pv)
		if !slices.Equal(shown, pv.Fires) {
			t.Fatalf("preview shows %+v, the API answers %+v", shown, pv.Fires)
		}
		for _, x := range shown {
			tt, _ := time.Parse(time.RFC3339, x.Time)
			day := tt.In(sh).Format("2006-01-02")
			if x.DryRun != (day == h1 || day == h2) {
				t.Fatalf("fire %s dryRun %v, holidays %s %s", x.Time, x.DryRun, h1, h2)
			}
		}
		// A taller viewport shows the whole schedule tab at once.
		b.do("tall viewport", chromedp.EmulateViewport(1440, 1500))
		b.docShot("console-config-calendar")
		b.do("usual viewport", chromedp.EmulateViewport(1440, 757))
		b.click("cfg-save")
		b.waitFor("dialog closed", `!document.querySelector('[data-testid="cfg-save"]')`, stepTimeout)
		var cfg jobflow.WorkflowConfig
		api.Must("GET", "/api/v1/workflows/"+w.ID+"/config", nil, 200, &cfg)
		s := cfg.Schedule
		if s.Cron != "0 0 2 * * ?" || !slices.Equal(s.Crons, []string{"0 30 18 * * ?"}) || s.Calendar == nil || s.Calendar.ID != cal.ID ||
			s.Calendar.Policy != "DRY_RUN" || s.DST == nil || s.DST.Missing != "SKIP" || s.DST.Repeated != "TWICE" {
			t.Fatalf("saved schedule %+v (calendar %+v, dst %+v)", s, s.Calendar, s.DST)
		}
		// Reopened, the dialog shows what was saved; removing the cron row saves none.
		b.click("tb-config")
		b.visible("cfg-cron-remove-0")
		b.waitFor("saved cron shown", `document.querySelector('[data-testid="cfg-cron-0"]')?.value === '0 30 18 * * ?'`, stepTimeout)
		b.click("cfg-cron-remove-0")
		b.waitFor("row removed", `!document.querySelector('[data-testid="cfg-cron-0"]')`, stepTimeout)
		b.click("cfg-save")
		b.waitFor("dialog closed", `!document.querySelector('[data-testid="cfg-save"]')`, stepTimeout)
		cfg = jobflow.WorkflowConfig{} // the answer leaves out an empty crons
		api.Must("GET", "/api/v1/workflows/"+w.ID+"/config", nil, 200, &cfg)
		if len(cfg.Schedule.Crons) != 0 || cfg.Schedule.Calendar == nil {
			t.Fatalf("after removing the row: %+v", cfg.Schedule)
		}
	})

	// 补数: reprocess, order, maxConcurrent and 预览: the listed logical times
	// are the API's dry-run answer and nothing starts until 开始.
	t.Run("BackfillPreview", func(t *testing.T) {
		var cal jobflow.Calendar
		api.Must("POST", "/api/v1/calendars", map[string]any{"name": "bf-cal", "timezone": "Asia/Shanghai", "holidays": []string{"2026-11-23"}}, 201, &cal)
		w, _ := flow(t, api, "cal-backfill-flow", "true")
		api.Must("PUT", "/api/v1/workflows/"+w.ID+"/config", map[string]any{"schedule": map[string]any{"mode": "SINGLE", "cron": "0 0 2 * * ?",
			"timezone": "Asia/Shanghai", "enabled": true, "calendar": map[string]string{"id": cal.ID, "policy": "SKIP"}}}, 200, nil)
		api.Must("POST", "/api/v1/workflows/"+w.ID+"/publish", map[string]any{}, 200, nil)

		b := loggedIn(t, f)
		b.open("/workflows/" + w.ID)
		b.click("tb-backfill")
		b.visible("backfill-range")
		b.do("type the range", chromedp.Click(chromedp.CSS(`[data-testid="backfill-range"] input`)),
			chromedp.KeyEvent("2026-11-20"), chromedp.KeyEvent("\r"), chromedp.KeyEvent("2026-11-25"), chromedp.KeyEvent("\r"))
		b.selectOption("backfill-reprocess", "跳过已成功的触发时间")
		b.click("backfill-order-DESC")
		b.typeInto("backfill-max", "2")
		b.waitFor("the button says 开始", `document.querySelector('[data-testid="backfill-ok"]')?.innerText.replace(/\s/g, '') === '开始'`, stepTimeout)
		b.click("backfill-preview")
		b.visible("backfill-preview-result")
		var shown []string
		b.eval(`[...document.querySelectorAll('[data-testid="backfill-preview-time"]')].map(e => e.dataset.time)`, &shown)
		var dry struct {
			LogicalTimes []string
			Count        int
			Skipped      int
			DryRun       bool
		}
		api.Must("POST", "/api/v1/workflows/"+w.ID+"/backfill", map[string]any{"start": "2026-11-20", "end": "2026-11-25", "overlap": "SKIP",
			"reprocess": "NONE", "order": "DESC", "maxConcurrent": 2, "dryRun": true}, 200, &dry)
		if !dry.DryRun || !slices.Equal(shown, dry.LogicalTimes) {
			t.Fatalf("preview lists %v, the API's dry run %+v", shown, dry)
		}
		// Weekdays 1-5 without the 23rd, newest first, 02:00 Shanghai = 18:00 UTC the day before.
		var days []string
		for _, s := range shown {
			tt, _ := time.Parse(time.RFC3339, s)
			days = append(days, tt.In(mustZone(t, "Asia/Shanghai")).Format("01-02 15:04"))
		}
		if strings.Join(days, ",") != "11-25 02:00,11-24 02:00,11-20 02:00" {
			t.Fatalf("preview days %v", days)
		}
		var runs struct{ Items []jobflow.Run }
		api.Must("GET", "/api/v1/runs?workflowId="+w.ID+"&trigger=BACKFILL", nil, 200, &runs)
		if len(runs.Items) != 0 {
			t.Fatalf("the preview started %d runs", len(runs.Items))
		}
		b.docShot("console-backfill-preview")
		b.click("backfill-ok")
		b.waitFor("3 runs", `document.querySelector('[data-testid="backfill-result"]')?.dataset.count === '3'`, stepTimeout)
		api.Must("GET", "/api/v1/runs?workflowId="+w.ID+"&trigger=BACKFILL", nil, 200, &runs)
		if len(runs.Items) != 3 {
			t.Fatalf("%d BACKFILL runs after 开始, want 3", len(runs.Items))
		}
	})
}
