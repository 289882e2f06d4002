package console_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"jobflow"
	"jobflow/internal/testrig"
)

// baselineScenarios are the console's parts of baselines (基线) and the
// live run's prediction (docs/console.md): the 基线 page and the run view's
// predicted finish, Gantt bars and critical path.
func baselineScenarios(t *testing.T, f *fixture) {
	api := f.rig.API

	// 基线: a baseline made in the dialog (a bad finishBy first, shown on
	// its field as the API words it) over two workflows that ran today, one
	// of them narrowed to a job; stored as entered; listed with the
	// workflow and job names; today's instance turns MET, shown blue with
	// each target SUCCESS and a link to its run; an edit is a PATCH; a
	// delete with confirm removes it.
	t.Run("Baselines", func(t *testing.T) {
		sh := mustZone(t, "Asia/Shanghai")
		load, _ := flow(t, api, "bl-load", "echo load")
		report, rids := flow(t, api, "bl-report", "echo a", "echo b")
		loadRun, reportRun := startRun(t, api, load.ID, nil), startRun(t, api, report.ID, nil)
		waitRunStatus(t, api, loadRun, jobflow.RunSuccess, 60*time.Second)
		waitRunStatus(t, api, reportRun, jobflow.RunSuccess, 60*time.Second)
		var ch jobflow.AlarmChannel
		api.Must("POST", "/api/v1/alarm-channels", map[string]any{"name": "bl-hook", "type": "WEBHOOK",
			"config": map[string]any{"url": "https://hooks.example.com/baseline"}}, 201, &ch)

		b := loggedIn(t, f)
		b.nav("nav-baselines")
		b.waitText("nav-group-monitoring", "监控")
		b.visible("baseline-table")
		b.click("baseline-new")
		b.typeInto("baseline-name", "ui-daily")
		b.selectOption("baseline-target-workflow-0", "bl-load")
		b.click("baseline-target-add")
		b.selectOption("baseline-target-workflow-1", "bl-report")
		b.selectOption("baseline-target-job-1", "jobB")
		b.selectOption("baseline-channels", "bl-hook (WEBHOOK)")
		b.typeInto("baseline-finish-by", "25:00") // the click closes the channels' dropdown
		b.clear("baseline-margin")
		b.typeInto("baseline-margin", "15")
		b.click("baseline-save")
		// The API's 400 names finishBy: its message under that field, in zh-CN.
		bad := map[string]any{"name": "ui-daily", "finishBy": "25:00", "targets": []map[string]string{{"workflowId": load.ID}}}
		want := zh(api).Fail("POST", "/api/v1/baselines", bad, 400)
		if d, _ := want.Details.(map[string]any); d["field"] != "finishBy" {
			t.Fatalf("the API's error for a bad finishBy: %+v", want)
		}
		b.waitFor("the finishBy field shows the API's error", fmt.Sprintf(`(() => {
			const item = document.querySelector('[data-testid="baseline-finish-by"]')?.closest('.ant-form-item');
			return !!item && item.classList.contains('ant-form-item-has-error') && item.querySelector('.ant-form-item-explain-error')?.innerText.includes(%q) })()`, want.Message), stepTimeout)
		if b.count(`.ant-form-item-has-error`) != 1 || b.count(`[data-testid="baseline-form-error"]`) != 0 {
			t.Fatalf("only finishBy should show an error")
		}
		b.shot("baseline-finishby-error")
		var list jobflow.List[jobflow.Baseline]
		if api.Must("GET", "/api/v1/baselines", nil, 200, &list); list.Total != 0 {
			t.Fatalf("a refused baseline was stored: %+v", list.Items)
		}
		b.clear("baseline-finish-by")
		b.typeInto("baseline-finish-by", "23:59")
		b.waitFor("the error cleared on edit", `!document.querySelector('.ant-form-item-has-error')`, stepTimeout)
		b.shot("baseline-form")
		b.click("baseline-save")
		b.gone("baseline-save")
		b.visible("baseline-row-ui-daily")

		api.Must("GET", "/api/v1/baselines", nil, 200, &list)
		if len(list.Items) != 1 {
			t.Fatalf("baselines after save: %+v", list.Items)
		}
		bl := list.Items[0]
		wantTargets := []jobflow.BaselineTarget{{WorkflowID: load.ID}, {WorkflowID: report.ID, JobID: rids[1]}}
		if bl.Name != "ui-daily" || bl.FinishBy != "23:59" || bl.Timezone != "Asia/Shanghai" || bl.MarginMinutes != 15 || bl.Priority != 1 ||
			!slices.Equal(bl.Targets, wantTargets) || !slices.Equal(bl.ChannelIDs, []string{ch.ID}) {
			t.Fatalf("stored baseline %+v, want targets %+v and channel %s", bl, wantTargets, ch.ID)
		}
		b.waitText("baseline-row-ui-daily", "bl-load")
		b.waitText("baseline-row-ui-daily", "bl-report / jobB")
		b.waitText("baseline-finishby-ui-daily", "23:59")

		// Today's instance (the data date in Asia/Shanghai): both targets
		// ran today, so MET at the first check, shown blue.
		today := time.Now().In(sh).Format(time.DateOnly)
		b.visible("baseline-instances")
		b.waitFor("today's instance MET", fmt.Sprintf(`document.querySelector('[data-testid="baseline-status-%s"]')?.dataset.status === 'MET'`, today), 60*time.Second)
		var in jobflow.List[jobflow.BaselineInstance]
		api.Must("GET", "/api/v1/baselines/"+bl.ID+"/instances?date="+today, nil, 200, &in)
		if len(in.Items) != 1 || in.Items[0].Status != jobflow.BaselineMet {
			t.Fatalf("today's instance from the API: %+v", in.Items)
		}
		var colour string
		b.eval(fmt.Sprintf(`getComputedStyle(document.querySelector('[data-testid="baseline-status-%s"]')).backgroundColor`, today), &colour)
		if colour != "rgb(9, 88, 217)" { // MET's blue, dark enough for white text (web/contrast_test.go)
			t.Fatalf("MET is shown in %s, want blue", colour)
		}
		b.waitText("baseline-status-"+today, "已达成")
		runs := map[string]string{}
		for _, g := range in.Items[0].Targets {
			runs[g.WorkflowID] = g.RunID
		}
		if runs[load.ID] != loadRun || runs[report.ID] != reportRun {
			t.Fatalf("instance targets %+v, want runs %s and %s", in.Items[0].Targets, loadRun, reportRun)
		}
		for i, g := range in.Items[0].Targets {
			id := fmt.Sprintf("baseline-target-%s-%d", today, i)
			b.waitFor(id+" SUCCESS", fmt.Sprintf(`document.querySelector('[data-testid=%q]')?.dataset.status === 'SUCCESS'`, id), stepTimeout)
			b.waitText(id, g.WorkflowName)
			b.waitText(id+"-run", g.RunID)
		}
		b.waitText(fmt.Sprintf("baseline-target-%s-1", today), "bl-report / jobB")
		b.shot("baselines")

		// The target's link opens its run.
		b.click(fmt.Sprintf("baseline-target-%s-0-run", today))
		b.waitFor("at the run", fmt.Sprintf(`location.pathname === '/runs/%s'`, in.Items[0].Targets[0].RunID), stepTimeout)
		b.visible("run-canvas")

		// Edit: the margin changes, nothing else.
		b.open("/baselines")
		b.click("baseline-edit-ui-daily")
		b.waitFor("the saved finishBy in the form", `document.querySelector('[data-testid="baseline-finish-by"]')?.value === '23:59'`, stepTimeout)
		b.clear("baseline-margin")
		b.typeInto("baseline-margin", "45")
		b.click("baseline-save")
		b.gone("baseline-save")
		var got jobflow.Baseline
		api.Must("GET", "/api/v1/baselines/"+bl.ID, nil, 200, &got)
		if got.MarginMinutes != 45 || got.FinishBy != "23:59" || !slices.Equal(got.Targets, wantTargets) || !slices.Equal(got.ChannelIDs, []string{ch.ID}) {
			t.Fatalf("edited baseline %+v", got)
		}

		// Delete with confirm.
		b.click("baseline-delete-ui-daily")
		b.visible("baseline-delete-ok")
		b.click("baseline-delete-ok")
		b.waitFor("row gone", `!document.querySelector('[data-testid="baseline-row-ui-daily"]')`, stepTimeout)
		api.Fail("GET", "/api/v1/baselines/"+bl.ID, nil, 404)
	})

	// A live run with 3 successful runs behind it: the run view shows the
	// predicted finish (p50 and p90), the Gantt's hatched bars of the jobs
	// not yet ended and the critical path root → slow → join outlined on
	// the canvas, as the API predicts. Before any history, it says why
	// there is no prediction. A baseline over the held run shows the same
	// key path by job name.
	t.Run("RunPrediction", func(t *testing.T) {
		w, ids := fanFlow(t, api, "predict-fan")
		hold := func(s string) map[string]string { return map[string]string{"hold": s} }

		// No history: no prediction, and why.
		first := startRun(t, api, w.ID, hold("600"))
		b := loggedIn(t, f)
		b.open("/runs/" + first)
		b.waitFor("root RUNNING", nodeStatusJS("root", "RUNNING"), 60*time.Second)
		b.waitFor("no prediction", `(() => { const e = document.querySelector('[data-testid="run-prediction"]');
			return !!e && e.dataset.finishAt === '' && e.dataset.basis.startsWith('no prediction') })()`, stepTimeout)
		b.waitText("run-prediction", "无法预测")
		b.waitText("run-prediction-basis", "root")
		b.shot("no-prediction")
		api.Must("POST", "/api/v1/runs/"+first+"/abort", nil, 202, nil)

		// Three successful runs, then one held in root.
		var hist []string
		for i := 0; i < 3; i++ {
			hist = append(hist, startRun(t, api, w.ID, hold("0")))
		}
		for _, id := range hist {
			waitRunStatus(t, api, id, jobflow.RunSuccess, 90*time.Second)
		}
		live := startRun(t, api, w.ID, hold("600"))
		defer api.Do("POST", "/api/v1/runs/"+live+"/abort", nil)
		b.open("/runs/" + live)
		b.waitFor("root RUNNING", nodeStatusJS("root", "RUNNING"), 60*time.Second)
		b.waitFor("a predicted finish", `!!document.querySelector('[data-testid="run-prediction"]')?.dataset.finishAt`, stepTimeout)
		var r jobflow.Run
		api.Must("GET", "/api/v1/runs/"+live, nil, 200, &r)
		if r.Prediction == nil || r.Prediction.FinishAt == nil || !slices.Equal(r.Prediction.CriticalPath, []string{ids["root"], ids["slow"], ids["join"]}) {
			t.Fatalf("the API's prediction %+v, want the critical path root, slow, join", r.Prediction)
		}
		var shown struct{ FinishAt, P90, Text, P90Text string }
		b.eval(`(() => { const e = document.querySelector('[data-testid="run-prediction"]');
			return {FinishAt: e.dataset.finishAt, P90: e.dataset.finishAtP90, Text: document.querySelector('[data-testid="run-prediction-finish"]').innerText,
				P90Text: document.querySelector('[data-testid="run-prediction-p90"]').innerText} })()`, &shown)
		fin, err1 := time.Parse(time.RFC3339Nano, shown.FinishAt)
		p90, err2 := time.Parse(time.RFC3339Nano, shown.P90)
		if err1 != nil || err2 != nil || fin.Before(r.StartedAt) || p90.Before(fin) {
			t.Fatalf("shown prediction %+v (run started %s)", shown, r.StartedAt)
		}
		// The browser's zone is the test's: the time shown is finishAt in local time.
		var tz string
		b.eval(`Intl.DateTimeFormat().resolvedOptions().timeZone`, &tz)
		local := func(v time.Time) string { return v.In(mustZone(t, tz)).Format("2006-01-02 15:04:05") }
		if shown.Text != local(fin) || shown.P90Text != local(p90) {
			t.Fatalf("the finish shown is %q and p90 %q, want %q and %q (%s, %s in %s)", shown.Text, shown.P90Text, local(fin), local(p90), shown.FinishAt, shown.P90, tz)
		}
		b.waitText("run-prediction-path", "root → slow → join")

		// The critical path on the canvas: exactly root, slow and join.
		b.waitFor("critical nodes", `['root', 'slow', 'join'].every(n => document.querySelector('[data-testid="node-' + n + '"]')?.dataset.critical === 'true') &&
			document.querySelector('[data-testid="node-fast"]')?.dataset.critical === 'false'`, stepTimeout)
		var outline string
		b.eval(`getComputedStyle(document.querySelector('[data-testid="node-slow"]')).outlineColor`, &outline)
		if outline != "rgb(250, 140, 22)" {
			t.Fatalf("a critical node's outline is %s, want orange", outline)
		}
		b.shot("run-prediction")

		// The Gantt: root's real bar, and a predicted bar for each job not
		// yet ended (root's over its real one), the critical ones orange.
		b.click("tab-gantt")
		b.visible("gantt-bar-root")
		for _, n := range []string{"root", "fast", "slow", "join"} {
			b.visible("gantt-predicted-" + ids[n])
		}
		var crit []bool
		b.eval(fmt.Sprintf(`[%q, %q, %q, %q].map(id => document.querySelector('[data-testid="gantt-predicted-' + id + '"]').dataset.critical === 'true')`,
			ids["root"], ids["fast"], ids["slow"], ids["join"]), &crit)
		if !slices.Equal(crit, []bool{true, false, true, true}) {
			t.Fatalf("critical predicted bars %v, want root, slow and join", crit)
		}
		// join's bar starts where slow's ends (it waits for the slower parent).
		slow, join := b.rect(`[data-testid="gantt-predicted-`+ids["slow"]+`"]`), b.rect(`[data-testid="gantt-predicted-`+ids["join"]+`"]`)
		if join.X < slow.X+slow.W-1 {
			t.Fatalf("join's predicted bar starts at %v, before slow's ends at %v", join.X, slow.X+slow.W)
		}
		b.do("tall viewport", chromedp.EmulateViewport(1440, 1100))
		b.shot("run-prediction-gantt")
		b.do("usual viewport", chromedp.EmulateViewport(1440, 757))

		// A baseline over the held run: its key path, by job name.
		sh := mustZone(t, "Asia/Shanghai")
		var bl jobflow.Baseline
		api.Must("POST", "/api/v1/baselines", map[string]any{"name": "fan-by-night", "finishBy": "23:59", "marginMinutes": 0,
			"targets": []map[string]string{{"workflowId": w.ID}}}, 201, &bl)
		defer api.Do("DELETE", "/api/v1/baselines/"+bl.ID, nil)
		today := time.Now().In(sh).Format(time.DateOnly)
		b.open("/baselines?id=" + bl.ID)
		b.waitFor("today's instance SAFE", fmt.Sprintf(`document.querySelector('[data-testid="baseline-status-%s"]')?.dataset.status === 'SAFE'`, today), 60*time.Second)
		b.waitText("baseline-keypath-"+today, "root → slow → join")
		b.waitFor("the target RUNNING", fmt.Sprintf(`document.querySelector('[data-testid="baseline-target-%s-0"]')?.dataset.status === 'RUNNING'`, today), stepTimeout)
		b.waitText(fmt.Sprintf("baseline-target-%s-0-run", today), live)
		b.shot("baseline-safe")
	})
}

// fanFlow creates root → (fast, slow) → join: SHELL jobs of 1, 1, 3 and 1
// seconds; root sleeps ${params.hold} seconds more, so a run can be held
// in root. It returns the workflow and its job ids by name.
func fanFlow(t *testing.T, api *testrig.API, name string) (*jobflow.Workflow, map[string]string) {
	t.Helper()
	var w jobflow.Workflow
	api.Must("POST", "/api/v1/workflows", map[string]string{"name": name}, 201, &w)
	ids := map[string]string{}
	var nodes []map[string]any
	for i, j := range []struct{ name, script string }{{"root", "sleep 1; sleep ${params.hold}"}, {"fast", "sleep 1"}, {"slow", "sleep 3"}, {"join", "sleep 1"}} {
		var job jobflow.Job
		api.Must("POST", "/api/v1/workflows/"+w.ID+"/jobs", map[string]any{"name": j.name, "type": "SHELL", "config": map[string]any{"script": j.script}}, 201, &job)
		ids[j.name] = job.ID
		x, y := []int{40, 300, 300, 560}[i], []int{160, 60, 260, 160}[i]
		nodes = append(nodes, map[string]any{"jobId": job.ID, "x": x, "y": y})
	}
	var edges []map[string]string
	for _, e := range [][2]string{{"root", "fast"}, {"root", "slow"}, {"fast", "join"}, {"slow", "join"}} {
		edges = append(edges, map[string]string{"from": ids[e[0]], "to": ids[e[1]]})
	}
	api.Must("PUT", "/api/v1/workflows/"+w.ID+"/canvas", map[string]any{"nodes": nodes, "edges": edges, "revision": w.Revision}, 200, &w)
	return &w, ids
}

// startRun starts a manual run over the API and returns its id.
func startRun(t *testing.T, api *testrig.API, workflowID string, params map[string]string) string {
	t.Helper()
	var out struct {
		RunID string `json:"runId"`
	}
	api.Must("POST", "/api/v1/workflows/"+workflowID+"/runs", map[string]any{"params": params}, 202, &out)
	return out.RunID
}

// waitRunStatus polls the API until the run has status, failing at once
// when it ends in another.
func waitRunStatus(t *testing.T, api *testrig.API, id string, status jobflow.RunStatus, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	var r jobflow.Run
	for {
		api.Must("GET", "/api/v1/runs/"+id, nil, 200, &r)
		if r.Status == status {
			return
		}
		if !r.Status.Live() && r.Status != jobflow.RunAborting {
			t.Fatalf("run %s ended %s, want %s (error %q)", id, r.Status, status, r.Error)
		}
		if time.Now().After(deadline) {
			t.Fatalf("run %s is %s after %s, want %s", id, r.Status, within, status)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// count is how many elements match a CSS selector.
func (b *browser) count(sel string) int {
	b.t.Helper()
	var n int
	b.eval(fmt.Sprintf(`document.querySelectorAll(%q).length`, sel), &n)
	return n
}
