package console_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"jobflow"
	"jobflow/internal/testrig"
	"jobflow/internal/testtier"
)

// fixture is the rig and browser shared by the scenarios.
type fixture struct {
	rig   *testrig.Rig
	alloc contextHolder
}

// flow creates a workflow of SHELL jobs jobA, jobB, … in a chain over the
// API and returns it with its job ids.
func flow(t *testing.T, api *testrig.API, name string, scripts ...string) (*jobflow.Workflow, []string) {
	t.Helper()
	var w jobflow.Workflow
	api.Must("POST", "/api/v1/workflows", map[string]string{"name": name}, 201, &w)
	var ids []string
	var nodes []map[string]any
	var edges []map[string]string
	for i, s := range scripts {
		var j jobflow.Job
		api.Must("POST", "/api/v1/workflows/"+w.ID+"/jobs", map[string]any{"name": "job" + string(rune('A'+i)), "type": "SHELL",
			"config": map[string]any{"script": s}}, 201, &j)
		nodes = append(nodes, map[string]any{"jobId": j.ID, "x": 40 + i*240, "y": 120})
		if i > 0 {
			edges = append(edges, map[string]string{"from": ids[i-1], "to": j.ID})
		}
		ids = append(ids, j.ID)
	}
	if len(scripts) > 0 {
		api.Must("PUT", "/api/v1/workflows/"+w.ID+"/canvas", map[string]any{"nodes": nodes, "edges": edges, "revision": w.Revision}, 200, &w)
	}
	return &w, ids
}

func loggedIn(t *testing.T, f *fixture) *browser {
	t.Helper()
	b := newBrowser(t, f.alloc.ctx, f.rig.Server.URL)
	b.login("admin", testrig.AdminPassword)
	b.visible("workflow-table")
	return b
}

// nodeStatus is the status a canvas node shows.
func nodeStatusJS(name, status string) string {
	return fmt.Sprintf(`document.querySelector('[data-testid="node-%s"]')?.dataset.status === %q`, name, status)
}

func TestConsole(t *testing.T) {
	testtier.Long(t, "chromium and PostgreSQL (the console in a browser)")
	f := &fixture{rig: testrig.New(t, testrig.Options{}), alloc: contextHolder{newAllocator(t)}}
	api := f.rig.API

	t.Run("Login", func(t *testing.T) {
		b := newBrowser(t, f.alloc.ctx, f.rig.Server.URL)
		b.login("admin", "wrong-password")
		b.visible("login-error")
		var msg string
		b.eval(`document.querySelector('[data-testid="login-error"]').innerText`, &msg)
		if strings.TrimSpace(msg) == "" {
			t.Fatal("the wrong password shows an empty error")
		}
		b.shot("login-error")
		b.clear("login-password")
		b.typeInto("login-password", testrig.AdminPassword)
		b.click("login-submit")
		b.visible("workflow-table")
		var me struct{ User jobflow.User }
		api.Must("GET", "/api/v1/me", nil, 200, &me)
		b.waitText("user-name", me.User.Name)
		b.waitText("user-role", "系统管理员") // the role in words
		b.shot("workflows")
		// Logout ends the session: the console is back at the login page.
		b.click("logout")
		b.visible("login-submit")
		b.open("/workflows")
		b.visible("login-submit")
	})

	t.Run("CreateWorkflow", func(t *testing.T) {
		b := loggedIn(t, f)
		b.click("workflow-add")
		b.typeInto("workflow-form-name", "daily-report")
		b.typeInto("workflow-form-remark", "nightly numbers")
		b.click("workflow-form-ok")
		b.gone("workflow-form-ok")
		b.visible("workflow-row-daily-report")
		b.click("workflow-add")
		b.typeInto("workflow-form-name", "daily-report")
		b.click("workflow-form-ok")
		b.visible("workflow-form-error")
		// The console asks in its own language: the message is the API's in zh-CN.
		want := zh(api).Fail("POST", "/api/v1/workflows", map[string]string{"name": "daily-report"}, 409).Message
		b.waitText("workflow-form-error", want)
		b.shot("duplicate-name")
	})

	t.Run("JobsAndCanvas", func(t *testing.T) {
		w, _ := flow(t, api, "canvas-flow")
		b := loggedIn(t, f)
		b.open("/workflows/" + w.ID)
		b.visible("job-add")
		// Three jobs of three types, through the job dialog.
		b.click("job-add")
		b.typeInto("job-form-name", "extract")
		b.typeInto("job-form-script", "echo extracting ${qing.current_date}")
		b.shot("job-form-shell")
		b.click("job-form-ok")
		b.gone("job-form-ok")
		b.visible("job-item-extract")
		b.click("job-add")
		b.typeInto("job-form-name", "transform")
		b.selectOption("job-form-type", "PYTHON")
		b.typeInto("job-form-script", "print('transforming')")
		b.click("job-form-ok")
		b.gone("job-form-ok")
		b.visible("job-item-transform")
		b.click("job-add")
		b.typeInto("job-form-name", "notify")
		b.selectOption("job-form-type", "HTTP")
		b.typeInto("job-form-url", f.rig.Server.URL+"/healthz")
		b.click("job-form-ok")
		b.gone("job-form-ok")
		b.visible("job-item-notify")

		// Drag them onto the canvas and connect extract → transform → notify.
		c := b.rect(`[data-testid="canvas"]`)
		b.dropJob("extract", c.X+200, c.Y+150)
		b.dropJob("transform", c.X+500, c.Y+250)
		b.dropJob("notify", c.X+800, c.Y+150)
		connect(b, "extract", "transform")
		connect(b, "transform", "notify")
		b.waitFor("two edges", `document.querySelectorAll('[data-testid="canvas"] .react-flow__edge').length === 2`, stepTimeout)
		b.visible("editor-dirty")
		b.shot("editor-unsaved")
		b.click("tb-save")
		b.waitFor("saved", `!document.querySelector('[data-testid="editor-dirty"]')`, stepTimeout)

		var saved jobflow.Workflow
		api.Must("GET", "/api/v1/workflows/"+w.ID, nil, 200, &saved)
		if len(saved.Canvas.Nodes) != 3 || len(saved.Canvas.Edges) != 2 {
			t.Fatalf("saved canvas %+v", saved.Canvas)
		}
		names := map[string]string{}
		for _, j := range saved.Jobs {
			names[j.ID] = j.Name
		}
		var order []string
		for _, e := range saved.Canvas.Edges {
			order = append(order, names[e.From]+"->"+names[e.To])
		}
		if strings.Join(order, ",") != "extract->transform,transform->notify" {
			t.Fatalf("saved edges %v", order)
		}

		// Reload: the same nodes, edges and positions.
		b.open("/workflows/" + w.ID)
		b.visible("node-notify")
		b.waitFor("two edges after reload", `document.querySelectorAll('[data-testid="canvas"] .react-flow__edge').length === 2`, stepTimeout)
		for _, n := range saved.Canvas.Nodes {
			var pos struct{ X, Y float64 }
			b.eval(fmt.Sprintf(`(() => { const m = document.querySelector('.react-flow__node[data-id=%q]').style.transform.match(/translate\(([-\d.]+)px,\s*([-\d.]+)px\)/);
				return {X: +m[1], Y: +m[2]} })()`, n.JobID), &pos)
			if pos.X != n.X || pos.Y != n.Y {
				t.Errorf("node %s at (%v,%v) after reload, saved at (%v,%v)", names[n.JobID], pos.X, pos.Y, n.X, n.Y)
			}
		}
		b.shot("editor")
	})

	t.Run("Cycle", func(t *testing.T) {
		w, ids := flow(t, api, "cycle-flow", "true", "true", "true")
		b := loggedIn(t, f)
		b.open("/workflows/" + w.ID)
		b.visible("node-jobC")
		connect(b, "jobC", "jobA")
		b.click("tb-save")
		for _, n := range []string{"jobA", "jobB", "jobC"} {
			b.waitFor(n+" highlighted", fmt.Sprintf(`document.querySelector('[data-testid="node-%s"]')?.dataset.cycle === 'true'`, n), stepTimeout)
		}
		b.shot("cycle")
		var after jobflow.Workflow
		api.Must("GET", "/api/v1/workflows/"+w.ID, nil, 200, &after)
		if after.Revision != w.Revision || len(after.Canvas.Edges) != 2 || after.Canvas.Edges[0].From != ids[0] {
			t.Fatalf("a canvas with a cycle changed the saved one: %+v", after.Canvas)
		}
	})

	t.Run("RunAndLog", func(t *testing.T) {
		w, _ := flow(t, api, "run-flow", "echo hello-from-A; sleep 1", "echo B")
		b := loggedIn(t, f)
		b.open("/workflows/" + w.ID)
		b.click("tb-run")
		b.click("run-ok")
		b.visible("run-canvas")
		b.waitFor("jobA and jobB SUCCESS", nodeStatusJS("jobA", "SUCCESS")+" && "+nodeStatusJS("jobB", "SUCCESS"), 60*time.Second)
		b.waitFor("run SUCCESS", `document.querySelector('[data-testid="run-status"]')?.dataset.status === 'SUCCESS'`, stepTimeout)
		b.click("node-row-jobA")
		b.click("tab-log")
		b.waitText("log-text", "hello-from-A")
		b.shot("run-log")
		b.click("tab-gantt")
		b.visible("gantt-bar-jobB")
		b.shot("run-gantt")
		b.click("tab-nodes")
		b.shot("run-view")
	})

	t.Run("Abort", func(t *testing.T) {
		w, _ := flow(t, api, "abort-flow", "sleep 600")
		b := loggedIn(t, f)
		b.open("/workflows/" + w.ID)
		b.click("tb-run")
		b.click("run-ok")
		b.waitFor("jobA RUNNING", nodeStatusJS("jobA", "RUNNING"), 60*time.Second)
		b.shot("running")
		b.click("run-abort")
		b.waitFor("run ABORTED", `document.querySelector('[data-testid="run-status"]')?.dataset.status === 'ABORTED'`, 30*time.Second)
		b.waitFor("jobA ABORTED", nodeStatusJS("jobA", "ABORTED"), stepTimeout)
		b.shot("aborted")
	})

	t.Run("Rerun", func(t *testing.T) {
		w, _ := flow(t, api, "rerun-flow", "echo ok", "echo failing; exit 3")
		var started struct{ RunID string }
		api.Must("POST", "/api/v1/workflows/"+w.ID+"/runs", map[string]any{}, 202, &started)
		b := loggedIn(t, f)
		b.open("/runs/" + started.RunID)
		b.waitFor("first run FAIL", `document.querySelector('[data-testid="run-status"]')?.dataset.status === 'FAIL'`, 60*time.Second)
		// 重跑 FAILED: a new run where jobA is SKIPPED and jobB runs again.
		b.click("run-rerun")
		b.click("run-rerun-failed")
		b.waitFor("a new run", fmt.Sprintf(`!location.pathname.endsWith(%q)`, started.RunID), stepTimeout)
		b.waitFor("rerun FAILED: jobA SKIPPED, jobB FAIL", nodeStatusJS("jobA", "SKIPPED")+" && "+nodeStatusJS("jobB", "FAIL"), 60*time.Second)
		b.shot("rerun-failed")
		var failedRun string
		b.eval(`location.pathname.split('/').pop()`, &failedRun)
		// 重跑下游 (FROM_NODE) on jobA from the node menu: both run again.
		b.waitFor("run final", `document.querySelector('[data-testid="run-status"]')?.dataset.status === 'FAIL'`, 30*time.Second)
		b.click("node-actions-jobA")
		b.click("menu-rerun-from")
		b.waitFor("another new run", fmt.Sprintf(`!location.pathname.endsWith(%q)`, failedRun), stepTimeout)
		b.waitFor("FROM_NODE: jobA SUCCESS, jobB FAIL", nodeStatusJS("jobA", "SUCCESS")+" && "+nodeStatusJS("jobB", "FAIL"), 60*time.Second)
		var fromRun string
		b.eval(`location.pathname.split('/').pop()`, &fromRun)
		var r jobflow.Run
		api.Must("GET", "/api/v1/runs/"+fromRun, nil, 200, &r)
		if r.Trigger != jobflow.TriggerRerun || r.RerunOf != failedRun {
			t.Fatalf("FROM_NODE run: trigger %s rerunOf %s, want RERUN of %s", r.Trigger, r.RerunOf, failedRun)
		}
		b.shot("rerun-from-node")
	})

	t.Run("CronBuilder", func(t *testing.T) {
		w, _ := flow(t, api, "cron-flow", "true")
		b := loggedIn(t, f)
		b.open("/workflows/" + w.ID)
		b.click("tb-config")
		b.visible("cron-kind")
		b.selectOption("cron-kind", "每天")
		b.waitFor("cron written", `document.querySelector('[data-testid="cron-input"]')?.value === '0 0 2 * * ?'`, stepTimeout)
		b.waitFor("5 server times", `document.querySelectorAll('[data-testid="cron-preview-time"]').length === 5`, stepTimeout)
		var times []string
		b.eval(`[...document.querySelectorAll('[data-testid="cron-preview-time"]')].map(e => e.innerText)`, &times)
		for _, s := range times {
			if !strings.Contains(s, "02:00:00 Asia/Shanghai") {
				t.Fatalf("preview times %q, want 02:00:00 in Asia/Shanghai", times)
			}
		}
		b.shot("config-schedule")
		b.selectOption("cron-kind", "每小时")
		b.waitFor("hourly cron written", `document.querySelector('[data-testid="cron-input"]')?.value === '0 0 * * * ?'`, stepTimeout)
		b.waitFor("hourly server times", `(() => { const ts = [...document.querySelectorAll('[data-testid="cron-preview-time"]')].map(e => e.innerText);
			return ts.length === 5 && ts.every(x => /:00:00 Asia\/Shanghai/.test(x)) && !ts.every(x => x.includes('02:00:00')) })()`, stepTimeout)
		b.selectOption("cron-kind", "每天")
		b.waitFor("daily cron again", `document.querySelector('[data-testid="cron-input"]')?.value === '0 0 2 * * ?'`, stepTimeout)
		b.click("cfg-enabled")
		b.click("cfg-save")
		b.waitFor("dialog closed", `!document.querySelector('[data-testid="cfg-save"]')`, stepTimeout)
		var cfg jobflow.WorkflowConfig
		api.Must("GET", "/api/v1/workflows/"+w.ID+"/config", nil, 200, &cfg)
		if cfg.Schedule.Cron != "0 0 2 * * ?" || !cfg.Schedule.Enabled {
			t.Fatalf("saved schedule %+v", cfg.Schedule)
		}
	})

	t.Run("PublishOffline", func(t *testing.T) {
		w, _ := flow(t, api, "publish-flow", "true")
		api.Must("PUT", "/api/v1/workflows/"+w.ID+"/config", map[string]any{"schedule": map[string]any{"mode": "SINGLE", "cron": "0 0 3 * * ?",
			"timezone": "Asia/Shanghai", "enabled": true}}, 200, nil)
		b := loggedIn(t, f)
		b.typeCSS(`[data-testid="workflow-search"] input`, "publish-flow")
		b.visible("workflow-publish-publish-flow")
		b.click("workflow-publish-publish-flow")
		b.visible("publish-result")
		b.waitFor("5 next run times", `document.querySelector('[data-testid="publish-result"]').children.length === 6`, stepTimeout)
		b.shot("published")
		b.closeConfirm()
		b.waitText("workflow-status", "已发布")
		// 删除 while published: the API's 409 message.
		b.click("workflow-delete-publish-flow")
		b.click("confirm-ok")
		want := zh(api).Fail("DELETE", "/api/v1/workflows/"+w.ID, nil, 409).Message
		b.waitBodyText(want)
		b.click("workflow-offline-publish-flow")
		b.waitText("workflow-status", "已下线")
		var after jobflow.Workflow
		api.Must("GET", "/api/v1/workflows/"+w.ID, nil, 200, &after)
		if after.Status != jobflow.StatusOffline {
			t.Fatalf("status %s after 下线", after.Status)
		}
		b.shot("offline")
	})

	t.Run("QuickSwitcher", func(t *testing.T) {
		one, _ := flow(t, api, "switch-one", "true")
		two, _ := flow(t, api, "switch-two", "true")
		b := loggedIn(t, f)
		b.open("/workflows/" + one.ID)
		b.waitText("editor-title", "switch-one")
		b.selectOption("quick-switcher", "switch-two")
		b.waitText("editor-title", "switch-two")
		b.waitFor("url of two", fmt.Sprintf(`location.pathname === '/workflows/%s'`, two.ID), stepTimeout)
		b.shot("switched")
	})

	t.Run("OtherPages", func(t *testing.T) {
		hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "hook-ok") }))
		defer hook.Close()
		f.rig.API.AllowEgress("127.0.0.1") // the test PostgreSQL and the hook are on loopback (docs/security.md)
		b := loggedIn(t, f)
		// 数据源: create one on the test PostgreSQL and 测试连接.
		b.nav("nav-datasources")
		b.click("ds-add")
		b.typeInto("ds-form-name", "warehouse")
		b.typeInto("ds-form-host", "127.0.0.1")
		b.typeInto("ds-form-database", "postgres")
		b.typeInto("ds-form-user", "postgres")
		b.click("ds-form-ok")
		b.gone("ds-form-ok")
		b.click("ds-test-warehouse")
		b.waitText("ds-test-result", "ms")
		b.shot("datasources")
		b.closeConfirm()
		b.gone("ds-test-result") // the dialog and its mask are gone before the next click
		// 告警渠道: a webhook, test send (the URL is write-only afterwards).
		b.nav("nav-alarm-channels")
		b.click("channel-add")
		b.typeInto("channel-form-name", "ops-hook")
		b.typeInto("channel-form-url", hook.URL)
		b.click("channel-form-ok")
		b.gone("channel-form-ok")
		b.click("channel-test-ops-hook")
		b.waitText("channel-test-result", "hook-ok")
		b.shot("channels")
		b.closeConfirm()
		b.gone("channel-test-result")
		// 告警记录 lists the test send; 运行记录 lists the runs so far.
		b.nav("nav-alarm-records")
		b.waitBodyText("测试发送") // the TEST event in words
		b.shot("alarm-records")
		b.click("nav-runs")
		b.visible("run-row")
		b.shot("runs")
		// Admin: a tenant with its max workflows; a 4xx shows in the form.
		b.click("nav-admin")
		b.click("tenant-add")
		b.typeInto("tenant-form-name", "analytics")
		b.click("tenant-form-ok")
		b.gone("tenant-form-ok")
		b.waitBodyText("analytics")
		b.click("tenant-add")
		b.typeInto("tenant-form-name", "analytics")
		b.click("tenant-form-ok")
		b.visible("tenant-form-error")
		b.shot("admin-tenants")
		b.open("/admin/license")
		b.visible("license-none")
		b.shot("admin-license")
	})

	controlScenarios(t, f)
	calendarScenarios(t, f)
	baselineScenarios(t, f)

	t.Run("ExpiredToken", func(t *testing.T) {
		b := loggedIn(t, f)
		// A 401 anywhere returns to the login page. The token is spoiled and
		// the link clicked in one task: the workflow list's own requests
		// (the draft markers) could otherwise meet the bad token first and
		// leave for the login page before the click.
		b.visible("nav-runs")
		var clicked bool
		b.eval(`(() => { const s = JSON.parse(sessionStorage.getItem('jobflow.session')); s.token = 'not-a-token';
			sessionStorage.setItem('jobflow.session', JSON.stringify(s));
			const a = document.querySelector('[data-testid="nav-runs"]'); if (!a) return false; a.click(); return true })()`, &clicked)
		if !clicked {
			t.Fatal("nav-runs not on the page")
		}
		b.visible("login-error")
		b.waitFor("at /login", `location.pathname === '/login'`, stepTimeout)
	})

	t.Run("Language", func(t *testing.T) {
		b := loggedIn(t, f)
		b.waitText("nav-workflows", "作业流")
		b.clickCSS(`[data-testid="lang-toggle"] .ant-segmented-item:nth-child(2)`)
		b.waitText("nav-workflows", "Workflows")
		b.waitText("workflow-add", "Add workflow")
		b.shot("english")
		b.open("/workflows")
		b.waitText("nav-workflows", "Workflows")
		// The API's messages follow the console's language, not the
		// browser's (this one asks for zh-CN).
		f.rig.API.Must("POST", "/api/v1/workflows", map[string]string{"name": "lang-dup"}, 201, nil)
		b.click("workflow-add")
		b.typeInto("workflow-form-name", "lang-dup")
		b.click("workflow-form-ok")
		en := *f.rig.API
		en.Language = "en"
		want := en.Fail("POST", "/api/v1/workflows", map[string]string{"name": "lang-dup"}, 409).Message
		if !strings.Contains(want, "already exists") {
			t.Fatalf("the English message is %q", want)
		}
		b.waitText("workflow-form-error", want)
		b.click("workflow-form-cancel")
		b.clickCSS(`[data-testid="lang-toggle"] .ant-segmented-item:nth-child(1)`)
		b.waitText("workflow-add", "添加作业流")
	})
}

// connect drags from one node's source handle to another's target handle.
func connect(b *browser, from, to string) {
	b.t.Helper()
	s := b.rect(fmt.Sprintf(`[data-testid="node-%s"] .react-flow__handle.source`, from))
	d := b.rect(fmt.Sprintf(`[data-testid="node-%s"] .react-flow__handle.target`, to))
	x1, y1 := s.center()
	x2, y2 := d.center()
	b.mouseDrag(x1, y1, x2, y2)
}

// zh is a copy of api that asks for Chinese messages, as the console in
// Chinese does.
func zh(api *testrig.API) *testrig.API {
	c := *api
	c.Language = "zh-CN"
	return &c
}
