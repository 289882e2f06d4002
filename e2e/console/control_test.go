package console_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"jobflow"
	"jobflow/jobtypes"
)

// controlScenarios are the console's parts of docs/contract.md#data-between-jobs and the backfill
// and schedule-zone items of the console issue; TestConsole runs them on
// its rig.
func controlScenarios(t *testing.T, f *fixture) {
	api := f.rig.API

	// A trigger rule and allowFailure set on canvas nodes are saved with the
	// canvas, survive a reload, and take effect in a run: jobA fails (it may),
	// jobB runs because one parent failed; jobA's outputs are in the node table.
	t.Run("TriggerRule", func(t *testing.T) {
		w, ids := flow(t, api, "rule-flow", "echo '${setValue(rows=42)}'; exit 1", "echo handled")
		b := loggedIn(t, f)
		b.open("/workflows/" + w.ID)
		b.click("node-jobB")
		b.visible("node-panel")
		b.selectOption("node-trigger", "任一失败")
		b.click("node-jobA")
		b.waitFor("panel of jobA", `document.querySelector('[data-testid="node-panel"]')?.innerText.includes('jobA')`, stepTimeout)
		b.click("node-allow-failure")
		b.waitFor("marks on the nodes", `document.querySelector('[data-testid="node-jobB"]').dataset.trigger === 'ONE_FAILED' &&
			document.querySelector('[data-testid="node-jobA"]').dataset.allowFailure === 'true'`, stepTimeout)
		b.shot("node-panel")
		b.click("tb-save")
		b.waitFor("saved", `!document.querySelector('[data-testid="editor-dirty"]')`, stepTimeout)

		var saved jobflow.Workflow
		api.Must("GET", "/api/v1/workflows/"+w.ID, nil, 200, &saved)
		rules := map[string]jobflow.CanvasNode{}
		for _, n := range saved.Canvas.Nodes {
			rules[n.JobID] = n
		}
		if a, bb := rules[ids[0]], rules[ids[1]]; !a.AllowFailure || a.Trigger != "" || bb.Trigger != jobflow.RuleOneFailed || bb.AllowFailure {
			t.Fatalf("saved nodes jobA %+v jobB %+v, want jobA allowFailure and jobB ONE_FAILED", a, bb)
		}

		b.open("/workflows/" + w.ID)
		b.waitFor("rules after reload", `document.querySelector('[data-testid="node-jobB"]')?.dataset.trigger === 'ONE_FAILED' &&
			document.querySelector('[data-testid="node-jobA"]')?.dataset.allowFailure === 'true'`, stepTimeout)
		b.click("node-jobB")
		b.waitText("node-trigger", "任一失败")

		b.click("tb-run")
		b.click("run-ok")
		b.visible("run-canvas")
		b.waitFor("jobA FAIL, jobB SUCCESS", nodeStatusJS("jobA", "FAIL")+" && "+nodeStatusJS("jobB", "SUCCESS"), 60*time.Second)
		b.waitText("node-outputs-jobA", "rows=42")
		b.click("node-outputs-jobA")
		b.waitText("node-outputs-json", `"rows": "42"`)
		b.shot("run-outputs")
	})

	// A node disabled in the node panel is greyed, saved with the canvas,
	// greyed again after a reload, and DISABLED in a run, where its child
	// still runs (docs/run-semantics.md#disabled-nodes).
	t.Run("DisabledNode", func(t *testing.T) {
		w, ids := flow(t, api, "off-flow", "echo ran-a", "echo ran-b")
		b := loggedIn(t, f)
		b.open("/workflows/" + w.ID)
		b.click("node-jobA")
		b.visible("node-panel")
		b.click("node-disabled")
		b.waitFor("jobA greyed", `document.querySelector('[data-testid="node-jobA"]').dataset.disabled === 'true' &&
			document.querySelector('[data-testid="node-jobB"]').dataset.disabled === 'false'`, stepTimeout)
		b.shot("node-disabled")
		b.click("tb-save")
		b.waitFor("saved", `!document.querySelector('[data-testid="editor-dirty"]')`, stepTimeout)

		var saved jobflow.Workflow
		api.Must("GET", "/api/v1/workflows/"+w.ID, nil, 200, &saved)
		for _, n := range saved.Canvas.Nodes {
			if n.Disabled != (n.JobID == ids[0]) {
				t.Fatalf("saved node %+v: want jobA alone disabled", n)
			}
		}
		b.open("/workflows/" + w.ID)
		b.waitFor("greyed after reload", `document.querySelector('[data-testid="node-jobA"]')?.dataset.disabled === 'true'`, stepTimeout)

		b.click("tb-run")
		b.click("run-ok")
		b.visible("run-canvas")
		b.waitFor("jobA DISABLED, jobB SUCCESS", nodeStatusJS("jobA", "DISABLED")+" && "+nodeStatusJS("jobB", "SUCCESS"), 60*time.Second)
		b.waitFor("jobA greyed in the run", `document.querySelector('[data-testid="run-canvas"] [data-testid="node-jobA"]').dataset.disabled === 'true'`, stepTimeout)
		b.shot("run-disabled")
	})

	// Pause and resume in the run view: paused while jobA sleeps, the run
	// shows 已暂停 and jobB waits after jobA is done; resume runs jobB
	// (docs/run-semantics.md#pause-and-resume).
	t.Run("PauseResume", func(t *testing.T) {
		w, _ := flow(t, api, "pause-flow", "sleep 10", "echo ran-b")
		var started struct {
			RunID string `json:"runId"`
		}
		api.Must("POST", "/api/v1/workflows/"+w.ID+"/runs", map[string]any{}, 202, &started)
		b := loggedIn(t, f)
		b.open("/runs/" + started.RunID)
		b.waitFor("jobA running", nodeStatusJS("jobA", "RUNNING"), 60*time.Second)
		b.click("run-pause")
		b.waitFor("run paused", `document.querySelector('[data-testid="run-status"]')?.dataset.status === 'PAUSED'`, stepTimeout)
		b.waitFor("jobA done, jobB waiting", nodeStatusJS("jobA", "SUCCESS")+" && "+nodeStatusJS("jobB", "PENDING"), 30*time.Second)
		b.waitText("run-status", "已暂停")
		b.shot("run-paused")
		b.click("run-resume")
		b.waitFor("run succeeded", `document.querySelector('[data-testid="run-status"]')?.dataset.status === 'SUCCESS'`, 60*time.Second)
		b.waitFor("jobB ran", nodeStatusJS("jobB", "SUCCESS"), stepTimeout)
	})

	// The config dialog's 执行 tab limits the workflow's runs at once; a
	// run started beside one that holds the only slot shows 排队中 with its
	// place and can be aborted from the run view
	// (docs/run-semantics.md#workflow-concurrency).
	t.Run("ConcurrencyQueue", func(t *testing.T) {
		w, _ := flow(t, api, "serial-flow", "sleep 20")
		b := loggedIn(t, f)
		b.open("/workflows/" + w.ID)
		b.click("tb-config")
		b.click("cfg-tab-exec")
		b.click("cfg-concurrency")
		b.visible("cfg-concurrency-behavior")
		b.shot("config-concurrency")
		b.click("cfg-save")
		b.waitFor("dialog closed", `!document.querySelector('[data-testid="cfg-save"]')`, stepTimeout)
		var cfg jobflow.WorkflowConfig
		api.Must("GET", "/api/v1/workflows/"+w.ID+"/config", nil, 200, &cfg)
		if c := cfg.Concurrency; c == nil || c.Limit != 1 || c.Behavior != jobflow.ConcurrencyQueue {
			t.Fatalf("saved concurrency %+v", c)
		}
		var holder struct {
			RunID string `json:"runId"`
		}
		api.Must("POST", "/api/v1/workflows/"+w.ID+"/runs", map[string]any{}, 202, &holder)
		b.click("tb-run")
		b.click("run-ok")
		b.waitFor("the queued run's view", fmt.Sprintf(`location.pathname.startsWith('/runs/') && !location.pathname.endsWith(%q)`, holder.RunID), stepTimeout)
		b.waitFor("run queued", `document.querySelector('[data-testid="run-status"]')?.dataset.status === 'QUEUED'`, stepTimeout)
		b.waitText("run-status", "排队中")
		b.waitText("run-queued", "位置 1")
		b.shot("run-queued")
		b.click("run-abort")
		b.waitFor("queued run aborted", `document.querySelector('[data-testid="run-status"]')?.dataset.status === 'ABORTED'`, 30*time.Second)
		var hr jobflow.Run
		api.Must("GET", "/api/v1/runs/"+holder.RunID, nil, 200, &hr)
		if hr.Status != jobflow.RunRunning {
			t.Fatalf("the holder is %s, want RUNNING still", hr.Status)
		}
		api.Must("POST", "/api/v1/runs/"+holder.RunID+"/abort", nil, 202, nil)
	})

	// 资源池: a pool made on the pools page; a job put in it with the job
	// dialog; while another run's job holds the only slot, the pools page
	// shows 1/1 with one waiter, the pool's detail lists both, and the
	// waiting run's node says why; when the holder is aborted the waiter
	// runs (docs/run-semantics.md#pools).
	t.Run("Pools", func(t *testing.T) {
		b := loggedIn(t, f)
		b.open("/pools")
		b.click("pool-add")
		b.typeInto("pool-form-name", "ui-db")
		b.click("pool-form-ok")
		b.waitText("pool-used-ui-db", "0/1")
		holder, hids := flow(t, api, "pool-holder", "sleep 60")
		api.Must("PATCH", "/api/v1/jobs/"+hids[0], map[string]any{"pool": "ui-db"}, 200, nil)
		waiter, _ := flow(t, api, "pool-waiter", "echo ran")
		b.open("/workflows/" + waiter.ID)
		b.click("job-edit-jobA")
		b.visible("job-form-pool")
		b.selectOption("job-form-pool", "ui-db (1)")
		b.selectOption("job-form-priority", "1 ↑")
		b.shot("job-form-pool")
		b.click("job-form-ok")
		b.gone("job-form-ok")
		var got jobflow.Workflow
		api.Must("GET", "/api/v1/workflows/"+waiter.ID, nil, 200, &got)
		if len(got.Jobs) != 1 || got.Jobs[0].Pool != "ui-db" || got.Jobs[0].PoolSlots != 1 || got.Jobs[0].Priority != 1 {
			t.Fatalf("saved job %+v", got.Jobs)
		}

		var h, w struct {
			RunID string `json:"runId"`
		}
		api.Must("POST", "/api/v1/workflows/"+holder.ID+"/runs", map[string]any{}, 202, &h)
		b.open("/runs/" + h.RunID)
		b.waitFor("the holder running", nodeStatusJS("jobA", "RUNNING"), 60*time.Second)
		api.Must("POST", "/api/v1/workflows/"+waiter.ID+"/runs", map[string]any{}, 202, &w)
		b.open("/runs/" + w.RunID)
		b.waitFor("the waiter waiting", nodeStatusJS("jobA", "WAITING"), 60*time.Second)
		b.waitText("node-wait-jobA", "pool ui-db 1/1, position 1")
		b.shot("run-pool-waiting")
		b.open("/pools")
		b.waitText("pool-used-ui-db", "1/1")
		b.waitText("pool-waiting-ui-db", "1")
		b.click("pool-open-ui-db")
		b.waitText("pool-holders", "pool-holder")
		b.waitText("pool-waiters", "pool-waiter")
		b.shot("pools")
		api.Must("POST", "/api/v1/runs/"+h.RunID+"/abort", nil, 202, nil)
		b.open("/runs/" + w.RunID)
		b.waitFor("the waiter ran", `document.querySelector('[data-testid="run-status"]')?.dataset.status === 'SUCCESS'`, 60*time.Second)
	})

	// 审批: the APPROVAL job's form; a run waits at the gate; 待我审批 lists
	// it and 通过 with a comment lets the run go on; a second run is
	// rejected from the run view's node menu and fails with who and why
	// (docs/run-semantics.md#approval-jobs).
	t.Run("Approval", func(t *testing.T) {
		w, ids := flow(t, api, "approval-flow", "echo gate", "echo after")
		api.Must("PATCH", "/api/v1/jobs/"+ids[0], map[string]any{"type": "APPROVAL", "name": "gate",
			"config": map[string]any{"approvers": map[string]any{"roles": []string{"TENANT_ADMIN"}}, "message": "今晚装载？"}}, 200, nil)
		b := loggedIn(t, f)
		b.open("/workflows/" + w.ID)
		b.click("job-edit-gate")
		b.visible("ap-roles")
		b.waitFor("the message in the form", `document.querySelector('[data-testid="ap-message"]')?.value === '今晚装载？'`, stepTimeout)
		b.shot("approval-form")
		b.click("job-form-ok")
		b.gone("job-form-ok")

		start := func() string {
			var started struct {
				RunID string `json:"runId"`
			}
			api.Must("POST", "/api/v1/workflows/"+w.ID+"/runs", map[string]any{}, 202, &started)
			return started.RunID
		}
		first := start()
		b.open("/approvals")
		b.waitText("approvals-table", "今晚装载？")
		b.shot("approvals")
		b.click("approval-approve-gate")
		b.typeInto("decide-comment", "可以")
		b.click("decide-ok")
		b.waitFor("the list empty", `!document.querySelector('[data-testid="approval-approve-gate"]')`, 30*time.Second)
		b.open("/runs/" + first)
		b.waitFor("approved run succeeded", `document.querySelector('[data-testid="run-status"]')?.dataset.status === 'SUCCESS'`, 60*time.Second)

		second := start()
		b.open("/runs/" + second)
		b.waitFor("the gate waiting", nodeStatusJS("gate", "WAITING"), 60*time.Second)
		b.click("node-actions-gate")
		b.click("menu-reject")
		b.typeInto("decide-comment", "数据未就绪")
		b.click("decide-ok")
		b.waitFor("rejected run failed", `document.querySelector('[data-testid="run-status"]')?.dataset.status === 'FAIL'`, 60*time.Second)
		b.waitBodyText("数据未就绪")
		b.shot("approval-rejected")
	})

	// The FOREACH form shows and saves its config; a run lists its items
	// (counts, states, child run links) in the run view's items tab, where
	// a filter narrows them (docs/run-semantics.md#foreach-jobs).
	t.Run("ForEach", func(t *testing.T) {
		child, _ := flow(t, api, "fe-child", `echo "item ${params.item}"; test "${params.item}" != c`)
		w, ids := flow(t, api, "fe-flow", "true", "true")
		api.Must("PATCH", "/api/v1/jobs/"+ids[1], map[string]any{"type": "FOREACH", "name": "fe", "config": map[string]any{
			"items": []string{"a", "b", "c", "d"}, "workflowId": child.ID, "version": "DRAFT", "maxConcurrency": 2, "failureTolerancePercent": 30}}, 200, nil)
		b := loggedIn(t, f)
		b.open("/workflows/" + w.ID)
		b.click("job-edit-fe")
		b.visible("fe-items")
		b.waitFor("the items in the form", `document.querySelector('[data-testid="fe-items"]')?.value === '["a","b","c","d"]'`, stepTimeout)
		b.clear("fe-concurrency")
		b.typeInto("fe-concurrency", "3")
		b.shot("foreach-form")
		b.click("job-form-ok")
		b.gone("job-form-ok")
		var got jobflow.Job
		api.Must("GET", "/api/v1/jobs/"+ids[1], nil, 200, &got)
		cfg, err := jobtypes.ParseForEachConfig(got.Config)
		if err != nil || cfg.MaxConcurrency != 3 || cfg.WorkflowID != child.ID || cfg.FailureTolerancePercent != 30 || string(cfg.Items) != `["a","b","c","d"]` {
			t.Fatalf("saved FOREACH config %s (%v)", got.Config, err)
		}

		var started struct {
			RunID string `json:"runId"`
		}
		api.Must("POST", "/api/v1/workflows/"+w.ID+"/runs", map[string]any{}, 202, &started)
		b.open("/runs/" + started.RunID)
		b.waitFor("run SUCCESS (one failure tolerated)", `document.querySelector('[data-testid="run-status"]')?.dataset.status === 'SUCCESS'`, 90*time.Second)
		b.click("node-actions-fe")
		b.click("menu-items")
		b.visible("foreach-table")
		b.waitText("foreach-count-SUCCESS", "3")
		b.waitText("foreach-count-FAIL", "1")
		b.waitText("foreach-item-2", "c")
		b.shot("foreach-items")
		b.selectOption("foreach-filter", "失败")
		b.waitFor("only item 2", `document.querySelectorAll('[data-testid^="foreach-item-"]').length === 1 && !!document.querySelector('[data-testid="foreach-item-2"]')`, stepTimeout)
		b.click("foreach-run-link")
		b.waitFor("the item's child run", `location.pathname.endsWith('-i2')`, stepTimeout)
		b.waitFor("child FAIL", `document.querySelector('[data-testid="run-status"]')?.dataset.status === 'FAIL'`, 30*time.Second)
	})

	// A job's timeout action and the run's maximum duration are set in the
	// forms and saved as the API's fields (docs/run-semantics.md#job-timeouts-and-a-runs-maximum-duration).
	t.Run("TimeoutsForm", func(t *testing.T) {
		w, ids := flow(t, api, "timeout-flow", "sleep 1")
		b := loggedIn(t, f)
		b.open("/workflows/" + w.ID)
		b.click("job-edit-jobA")
		b.visible("job-form-timeout-action")
		b.typeInto("job-form-timeout", "5")
		b.selectOption("job-form-timeout-action", "告警，继续运行")
		b.shot("timeout-action")
		b.click("job-form-ok")
		b.gone("job-form-ok")
		var got jobflow.Job
		api.Must("GET", "/api/v1/jobs/"+ids[0], nil, 200, &got)
		if got.TimeoutSeconds != 5 || got.TimeoutAction != jobflow.TimeoutWarn {
			t.Fatalf("saved job: timeout %d, action %q", got.TimeoutSeconds, got.TimeoutAction)
		}
		b.click("tb-config")
		b.click("cfg-tab-exec")
		b.typeInto("cfg-max-duration", "3600")
		b.selectOption("cfg-on-max-duration", "停止作业，运行失败")
		b.shot("max-duration")
		b.click("cfg-save")
		b.waitFor("dialog closed", `!document.querySelector('[data-testid="cfg-save"]')`, stepTimeout)
		var wf jobflow.Workflow
		api.Must("GET", "/api/v1/workflows/"+w.ID, nil, 200, &wf)
		if wf.Config.MaxDurationSeconds != 3600 || wf.Config.OnMaxDuration != jobflow.OnMaxDurationFail {
			t.Fatalf("saved config: max %d, on %q", wf.Config.MaxDurationSeconds, wf.Config.OnMaxDuration)
		}

		// A rule for one job's failures: the job picker shows for job events.
		var ch jobflow.AlarmChannel
		api.Must("POST", "/api/v1/alarm-channels", map[string]any{"name": "job-hook", "type": "WEBHOOK",
			"config": map[string]any{"url": "https://hooks.example/x"}}, 201, &ch)
		b.open("/workflows/" + w.ID)
		b.click("tb-config")
		b.click("cfg-tab-alarms")
		b.click("alarm-add")
		b.waitFor("no job picker for RUN_FAIL (a run event)", `!document.querySelector('[data-testid="alarm-jobs-0"]')`, stepTimeout)
		b.waitFor("no repeat for RUN_FAIL (it happens once)", `!document.querySelector('[data-testid="alarm-repeat-every-0"]')`, stepTimeout)
		b.selectOption("alarm-events-0", "作业失败")
		b.click("cfg-tab-alarms") // closes the dropdown
		b.selectOption("alarm-events-0", "作业超时")
		b.click("cfg-tab-alarms")
		b.selectOption("alarm-jobs-0", "jobA")
		b.click("cfg-tab-alarms")
		b.selectOption("alarm-channels-0", "job-hook (Webhook)")
		// A searchable multi-select keeps its list open while it has the
		// focus: leave it, as a user tabbing on would.
		var blurred bool
		b.eval(`(() => { document.activeElement?.blur(); return true })()`, &blurred)
		b.waitFor("the channel list closed", `!document.querySelector('.ant-select-dropdown:not(.ant-select-dropdown-hidden)')`, stepTimeout)
		// JOB_TIMEOUT lasts: it may repeat (docs/scheduling.md#repeats).
		b.typeInto("alarm-repeat-every-0", "300")
		b.waitFor("3 repeats by default", `document.querySelector('[data-testid="alarm-max-repeats-0"]')?.value === '3'`, stepTimeout)
		b.clear("alarm-max-repeats-0")
		b.typeInto("alarm-max-repeats-0", "2")
		b.click("cfg-tab-alarms")
		b.shot("job-alarm-rule")
		b.click("cfg-save")
		b.waitFor("dialog closed", `!document.querySelector('[data-testid="cfg-save"]')`, stepTimeout)
		api.Must("GET", "/api/v1/workflows/"+w.ID, nil, 200, &wf)
		if len(wf.Config.Alarms) != 1 || strings.Join(wf.Config.Alarms[0].JobIDs, ",") != ids[0] ||
			!slices.Contains(wf.Config.Alarms[0].Events, jobflow.EventJobFail) || !slices.Contains(wf.Config.Alarms[0].Events, jobflow.EventJobTimeout) ||
			wf.Config.Alarms[0].RepeatEverySeconds != 300 || wf.Config.Alarms[0].MaxRepeats != 2 {
			t.Fatalf("saved alarms %+v", wf.Config.Alarms)
		}
	})

	// 强制成功 from the node menu of a finished, failed run: the reason is
	// required; the answer is a rerun where jobA is FORCED_SUCCESS and
	// jobB, UPSTREAM_FAILED before, runs (docs/run-semantics.md#mark-success).
	t.Run("MarkSuccess", func(t *testing.T) {
		w, _ := flow(t, api, "mark-flow", "exit 4", "echo ran-b")
		var started struct {
			RunID string `json:"runId"`
		}
		api.Must("POST", "/api/v1/workflows/"+w.ID+"/runs", map[string]any{}, 202, &started)
		b := loggedIn(t, f)
		b.open("/runs/" + started.RunID)
		b.waitFor("run FAIL", `document.querySelector('[data-testid="run-status"]')?.dataset.status === 'FAIL'`, 60*time.Second)
		b.click("node-actions-jobA")
		b.click("menu-mark-success")
		b.visible("mark-reason")
		b.waitFor("OK disabled without a reason", `document.querySelector('[data-testid="mark-ok"]')?.disabled === true`, stepTimeout)
		b.typeInto("mark-reason", "表已手工修复")
		b.shot("mark-success")
		b.click("mark-ok")
		b.waitFor("the rerun", fmt.Sprintf(`!location.pathname.endsWith(%q)`, started.RunID), stepTimeout)
		b.waitFor("jobA FORCED_SUCCESS, jobB SUCCESS", nodeStatusJS("jobA", "FORCED_SUCCESS")+" && "+nodeStatusJS("jobB", "SUCCESS"), 60*time.Second)
		b.waitText("run-status", "成功")
		b.shot("marked-rerun")
	})

	// The CONDITION form saves its cases and default as the API's config;
	// a bad expression shows the API's 400; a run chooses the case and the
	// child not chosen is NOT_SELECTED.
	t.Run("ConditionForm", func(t *testing.T) {
		w, ids := flow(t, api, "cond-flow", "true")
		var yes, no, branch jobflow.Job
		api.Must("POST", "/api/v1/workflows/"+w.ID+"/jobs", map[string]any{"name": "yes", "type": "SHELL", "config": map[string]any{"script": "echo yes"}}, 201, &yes)
		api.Must("POST", "/api/v1/workflows/"+w.ID+"/jobs", map[string]any{"name": "no", "type": "SHELL", "config": map[string]any{"script": "echo no"}}, 201, &no)
		api.Must("POST", "/api/v1/workflows/"+w.ID+"/jobs", map[string]any{"name": "branch", "type": "CONDITION",
			"config": map[string]any{"cases": []map[string]any{{"when": "true", "to": []string{}}}, "default": []string{}}}, 201, &branch)
		var cur jobflow.Workflow
		api.Must("GET", "/api/v1/workflows/"+w.ID, nil, 200, &cur)
		api.Must("PUT", "/api/v1/workflows/"+w.ID+"/canvas", map[string]any{"revision": cur.Revision,
			"nodes": []map[string]any{{"jobId": ids[0], "x": 40, "y": 120}, {"jobId": branch.ID, "x": 300, "y": 120}, {"jobId": yes.ID, "x": 560, "y": 40}, {"jobId": no.ID, "x": 560, "y": 200}},
			"edges": []map[string]string{{"from": ids[0], "to": branch.ID}, {"from": branch.ID, "to": yes.ID}, {"from": branch.ID, "to": no.ID}}}, 200, nil)

		b := loggedIn(t, f)
		b.open("/workflows/" + w.ID)
		b.click("job-edit-branch")
		b.visible("cond-when-0")
		b.clear("cond-when-0")
		b.typeInto("cond-when-0", `params.mode == "full" &&`)
		b.click("job-form-ok")
		b.visible("job-form-error")
		// The API's 400 names the case's field (and where the fault is).
		b.waitText("job-form-error", "config.cases[0].when")
		b.clear("cond-when-0")
		b.typeInto("cond-when-0", `params.mode == "full"`)
		b.selectOption("cond-to-0", "yes")
		b.click("job-form-name") // closes the dropdown
		b.selectOption("cond-default", "no")
		b.click("job-form-name")
		b.shot("condition-form")
		b.click("job-form-ok")
		b.gone("job-form-ok")

		var got jobflow.Job
		api.Must("GET", "/api/v1/jobs/"+branch.ID, nil, 200, &got)
		var cfg jobtypes.ConditionConfig
		if err := json.Unmarshal(got.Config, &cfg); err != nil {
			t.Fatal(err)
		}
		if len(cfg.Cases) != 1 || cfg.Cases[0].When != `params.mode == "full"` || strings.Join(cfg.Cases[0].To, ",") != yes.ID ||
			strings.Join(cfg.Default, ",") != no.ID {
			t.Fatalf("saved CONDITION config %s", got.Config)
		}

		b.click("tb-run")
		b.clear("run-params")
		b.typeInto("run-params", "mode=full")
		b.click("run-ok")
		b.visible("run-canvas")
		b.waitFor("yes SUCCESS, no NOT_SELECTED", nodeStatusJS("yes", "SUCCESS")+" && "+nodeStatusJS("no", "NOT_SELECTED"), 60*time.Second)
		b.waitFor("NOT_SELECTED in the table", `[...document.querySelectorAll('[data-testid="node-row-no"] [data-testid="node-status"]')].some(e => e.dataset.status === 'NOT_SELECTED' && e.innerText.includes('未选中'))`, stepTimeout)
		b.shot("run-not-selected")
	})

	// The DEPENDENT form sends the config of control.go (items with a
	// window of N days, relation, timeout, onUpstreamFail). SUBFLOW and
	// DEPENDENT are being built on other branches, so the request body is
	// what is checked, whatever the server answers.
	t.Run("DependentForm", func(t *testing.T) {
		up, upIDs := flow(t, api, "dep-upstream", "true")
		w, _ := flow(t, api, "dep-flow", "true")
		b := loggedIn(t, f)
		b.open("/workflows/" + w.ID)
		b.eval(spyRequests, nil)
		b.click("job-add")
		b.typeInto("job-form-name", "wait-upstream")
		b.selectOption("job-form-type", "DEPENDENT")
		b.click("dep-add")
		b.selectOption("dep-workflow-0", "dep-upstream")
		b.selectOption("dep-job-0", "jobA")
		b.selectOption("dep-window-0", "最近 N 天")
		b.clear("dep-n-0")
		b.typeInto("dep-n-0", "3")
		b.selectOption("dep-relation", "OR")
		b.clear("dep-timeout")
		b.typeInto("dep-timeout", "600")
		b.selectOption("dep-onfail", "继续等待")
		b.shot("dependent-form")
		b.click("job-form-ok")
		b.waitFor("the job request", `window.__jfSent.some(r => r.method === 'POST' && r.url.endsWith('/jobs'))`, stepTimeout)
		var body string
		b.eval(`window.__jfSent.find(r => r.method === 'POST' && r.url.endsWith('/jobs')).body`, &body)
		var sent struct {
			Name   string
			Type   string
			Config jobtypes.DependentConfig
		}
		if err := json.Unmarshal([]byte(body), &sent); err != nil {
			t.Fatalf("job request %s: %v", body, err)
		}
		c := sent.Config
		if sent.Type != "DEPENDENT" || sent.Name != "wait-upstream" || len(c.Items) != 1 || c.Items[0].WorkflowID != up.ID || c.Items[0].JobID != upIDs[0] ||
			c.Items[0].Window != "lastNDays:3" || c.Relation != "OR" || c.TimeoutSeconds != 600 || c.OnUpstreamFail != "WAIT" {
			t.Fatalf("DEPENDENT job request %s", body)
		}
	})

	// 补数 from the editor sends a date range with an Idempotency-Key and
	// starts one run per fire time; the list's next run time shows the
	// schedule's own zone on hover.
	t.Run("BackfillAndZone", func(t *testing.T) {
		w, _ := flow(t, api, "backfill-flow", "true")
		api.Must("PUT", "/api/v1/workflows/"+w.ID+"/config", map[string]any{"schedule": map[string]any{"mode": "SINGLE", "cron": "0 0 2 * * ?",
			"timezone": "America/New_York", "enabled": true}}, 200, nil)
		api.Must("POST", "/api/v1/workflows/"+w.ID+"/publish", map[string]any{}, 200, nil)

		b := loggedIn(t, f)
		b.typeCSS(`[data-testid="workflow-search"] input`, "backfill-flow")
		b.visible("workflow-next-backfill-flow")
		r := b.rect(`[data-testid="workflow-next-backfill-flow"]`)
		x, y := r.center()
		b.do("hover the next run time", chromedp.MouseEvent(chromedp.MouseMoved, x, y))
		b.waitText("workflow-next-zone", "02:00:00 America/New_York")
		b.shot("next-run-zone")

		b.open("/workflows/" + w.ID)
		b.click("tb-backfill")
		b.visible("backfill-range")
		// Record the headers the page sends.
		b.eval(spyRequests, nil)
		b.do("type the range", chromedp.Click(chromedp.CSS(`[data-testid="backfill-range"] input`)),
			chromedp.KeyEvent("2026-11-20"), chromedp.KeyEvent("\r"), chromedp.KeyEvent("2026-11-22"), chromedp.KeyEvent("\r"))
		b.click("backfill-ok")
		b.waitFor("3 runs", `document.querySelector('[data-testid="backfill-result"]')?.dataset.count === '3'`, stepTimeout)
		b.shot("backfill")
		var sent []struct {
			URL     string
			Method  string
			Headers map[string]string
		}
		b.eval(`window.__jfSent.filter(r => r.url.endsWith('/backfill'))`, &sent)
		if len(sent) != 1 || sent[0].Method != "POST" || len(sent[0].Headers["idempotency-key"]) < 16 {
			t.Fatalf("backfill requests %+v, want one POST with an Idempotency-Key", sent)
		}
		var runs struct{ Items []jobflow.Run }
		api.Must("GET", "/api/v1/runs?workflowId="+w.ID+"&trigger=BACKFILL", nil, 200, &runs)
		if len(runs.Items) != 3 {
			t.Fatalf("%d BACKFILL runs, want 3", len(runs.Items))
		}
		days := map[string]bool{}
		for _, r := range runs.Items {
			days[r.LogicalTime.In(mustZone(t, "America/New_York")).Format("2006-01-02 15:04")] = true
		}
		for _, d := range []string{"2026-11-20 02:00", "2026-11-21 02:00", "2026-11-22 02:00"} {
			if !days[d] {
				t.Fatalf("backfill logical times %v, want %s", days, d)
			}
		}
		b.click("backfill-run")
		b.waitFor("at a backfill run", `location.pathname.startsWith('/runs/')`, stepTimeout)
	})
}

// spyRequests records what the page sends from now on in window.__jfSent:
// url, method, headers (lower-case names) and body. The console's client
// calls fetch with a Request, so the spy reads it as a Request whatever the
// arguments.
const spyRequests = `(() => { window.__jfSent = []; const f = window.fetch;
	window.fetch = async (u, o) => { const r = new Request(u, o);
		window.__jfSent.push({url: r.url, method: r.method, headers: Object.fromEntries(r.headers), body: await r.clone().text()});
		return f(r) }; return true })()`

func mustZone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}
