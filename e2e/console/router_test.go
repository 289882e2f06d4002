package console_test

import (
	"fmt"
	"net/url"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"jobflow"
	"jobflow/internal/testrig"
	"jobflow/internal/testtier"
)

// The console's routes (docs/console.md#routing): every page's URL opens
// and reloads, a deep link with typed search params survives the login and
// a reload (and Back from a run), an unknown path is a not-found page in zh
// and en, and the editor's guard asks before a link, Back and a reload
// leave unsaved edits.
func TestConsoleRouter(t *testing.T) {
	testtier.Long(t, "chromium and PostgreSQL (the console's routes in a browser)")
	f := &fixture{rig: testrig.New(t, testrig.Options{}), alloc: contextHolder{newAllocator(t)}}
	api := f.rig.API

	// rt-flow fails at jobB; rt-other succeeds: the filters tell them apart.
	w, ids := flow(t, api, "rt-flow", "echo a", "echo b-out; exit 3")
	failed := startRun(t, api, w.ID, nil)
	waitRunStatus(t, api, failed, jobflow.RunFail, 90*time.Second)
	other, _ := flow(t, api, "rt-other", "echo other")
	ok := startRun(t, api, other.ID, nil)
	waitRunStatus(t, api, ok, jobflow.RunSuccess, 90*time.Second)

	t.Run("EveryPageReloads", func(t *testing.T) {
		b := loggedIn(t, f)
		pages := []struct{ path, testid, title string }{
			{"/", "home-today", "概览 · jobflow"},
			{"/home", "home-today", "概览 · jobflow"},
			{"/workflows", "workflow-table", "作业流 · jobflow"},
			{"/workflows/" + w.ID, "node-jobA", "rt-flow · 作业流 · jobflow"},
			{"/workflows/" + w.ID + "/history", "run-grid", "作业流 · jobflow"},
			{"/workflows/" + w.ID + "/versions", "versions-page", "作业流 · jobflow"},
			{"/runs", "runs-table", "运行记录 · jobflow"},
			{"/runs/" + failed, "run-status", ""},
			{"/node-runs", "node-runs-table", "任务实例 · jobflow"},
			{"/datasources", "ds-add", ""},
			{"/calendars", "cal-table", ""},
			{"/pools", "pool-table", ""},
			{"/baselines", "baseline-table", ""},
			{"/approvals", "approvals-table", ""},
			{"/alarm-channels", "channel-add", ""},
			{"/alarm-records", "records-table", ""},
			{"/variables", "variables-page", ""},
			{"/audit", "audit-table", ""},
			{"/account", "account-page", "个人中心 · jobflow"},
			{"/admin", "tenant-add", "系统管理 · jobflow"},
			{"/admin/users", "user-add", "系统管理 · jobflow"},
			{"/admin/license", "license-token", "系统管理 · jobflow"},
		}
		for _, p := range pages {
			b.open(p.path)
			b.visible(p.testid)
			if b.count(`[data-testid="not-found"]`) != 0 {
				t.Fatalf("%s shows the not-found page", p.path)
			}
			if p.title != "" {
				b.title(p.title)
			}
			b.do("reload "+p.path, chromedp.Reload())
			b.visible(p.testid)
			var at string
			b.eval(`location.pathname`, &at)
			if at != p.path {
				t.Fatalf("%s reloaded at %s", p.path, at)
			}
		}
		// Navigations are real anchors: the menu's entries and the
		// history page's links carry their URL (typed search included).
		b.open("/workflows/" + w.ID + "/history")
		b.visible("history-runs")
		var hrefs []string
		b.eval(`['nav-runs', 'nav-home', 'history-runs', 'history-node-runs', 'history-editor'].map(id => { const a = document.querySelector('[data-testid="' + id + '"]'); return a.tagName + ' ' + a.getAttribute('href') })`, &hrefs)
		want := []string{"A /runs", "A /home", "A /runs?workflowId=" + url.QueryEscape(w.ID), "A /node-runs?workflowId=" + url.QueryEscape(w.ID), "A /workflows/" + w.ID}
		if fmt.Sprint(hrefs) != fmt.Sprint(want) {
			t.Fatalf("links %v, want %v", hrefs, want)
		}
		// /login while logged in is the workflow list.
		b.open("/login")
		b.waitFor("at the list", `location.pathname === '/workflows'`, stepTimeout)
		b.visible("workflow-table")
	})

	t.Run("DeepLinkSearch", func(t *testing.T) {
		// Logged out, a deep link with filters: the login page first, then
		// that very page with its typed search (workflow, status, page size).
		b := newBrowser(t, f.alloc.ctx, f.rig.Server.URL)
		deep := "/runs?workflowId=" + url.QueryEscape(w.ID) + "&status=FAIL&pageSize=50"
		b.open(deep)
		b.visible("login-submit")
		b.waitFor("at /login, the deep link kept", fmt.Sprintf(`location.pathname === '/login' && new URLSearchParams(location.search).get('redirect') === %q`, deep), stepTimeout)
		b.typeInto("login-account", "admin")
		b.typeInto("login-password", testrig.AdminPassword)
		b.click("login-submit")
		inList := fmt.Sprintf(`location.pathname === '/runs' && (q => q.get('workflowId') === %q && q.get('status') === 'FAIL' && q.get('pageSize') === '50')(new URLSearchParams(location.search))`, w.ID)
		b.waitFor("back at the deep link", inList, stepTimeout)
		check := func() {
			t.Helper()
			waitRows(b, "run-row", []string{failed})
			b.waitText("runs-workflow-filter", "rt-flow")
			b.waitText("runs-status-filter", "失败")
			b.waitFor("50 a page", `document.querySelector('.ant-pagination-options')?.innerText.includes('50')`, stepTimeout)
		}
		check()
		b.shot("deep-link")
		b.do("reload", chromedp.Reload())
		b.waitFor("the filters kept across the reload", inList, stepTimeout)
		check()
		// A run from the list and Back: the same filters.
		b.click("run-link-" + failed)
		b.waitFor("at the run", fmt.Sprintf(`location.pathname === '/runs/%s'`, failed), stepTimeout)
		b.back()
		b.waitFor("back at the filtered list", inList, stepTimeout)
		check()
		// A search value of the wrong type is dropped, not obeyed: page size 20.
		b.open("/runs?workflowId=" + url.QueryEscape(other.ID) + "&pageSize=many")
		waitRows(b, "run-row", []string{ok})
		b.waitFor("20 a page", `document.querySelector('.ant-pagination-options')?.innerText.includes('20')`, stepTimeout)
		// The run view's ?node= deep link reloads with that node's log.
		b.open("/runs/" + failed + "?node=" + url.QueryEscape(ids[1]))
		b.waitText("log-job", "jobB")
		b.waitText("log-text", "b-out")
		b.do("reload", chromedp.Reload())
		b.waitText("log-job", "jobB")
		b.waitText("log-text", "b-out")
		b.shot("run-node-deep-link")
	})

	t.Run("NotFound", func(t *testing.T) {
		b := loggedIn(t, f)
		b.open("/no-such-page/42")
		b.visible("not-found")
		b.waitText("not-found", "页面不存在")
		b.waitText("not-found-path", "/no-such-page/42")
		b.title("页面不存在 · jobflow")
		b.visible("nav-workflows") // inside the console's frame, the menu at hand
		if b.count(`[data-testid="workflow-table"]`) != 0 {
			t.Fatal("an unknown path shows the workflow list")
		}
		b.shot("not-found-zh")
		// In English.
		b.clickCSS(`[data-testid="lang-toggle"] .ant-segmented-item:nth-child(2)`)
		b.waitText("not-found", "Page not found")
		b.waitText("not-found-path", "The console has no page at /no-such-page/42.")
		b.title("Page not found · jobflow")
		b.shot("not-found-en")
		// It reloads as itself, and its link leads back.
		b.do("reload", chromedp.Reload())
		b.waitText("not-found", "Page not found")
		b.click("not-found-workflows")
		b.waitFor("at the list", `location.pathname === '/workflows'`, stepTimeout)
		b.visible("workflow-table")
		b.title("Workflows · jobflow")
	})

	t.Run("BackGuard", func(t *testing.T) {
		g, gids := flow(t, api, "rt-guard", "echo a", "echo b")
		b := loggedIn(t, f)
		b.click("workflow-open-rt-guard")
		b.visible("node-jobA")
		// Not dirty yet: closing the tab is not asked about.
		var asks bool
		beforeUnload := `(() => { const e = new Event('beforeunload', {cancelable: true}); window.dispatchEvent(e); return e.defaultPrevented })()`
		b.eval(beforeUnload, &asks)
		if asks {
			t.Fatal("the editor with nothing unsaved asks before the tab closes")
		}
		n := b.rect(`[data-testid="node-jobA"]`)
		x, y := n.center()
		b.mouseDrag(x, y, x+90, y+120)
		b.visible("editor-dirty")
		moved := nodeAt(b, gids[0])
		// Reload or close: the browser's own question (beforeunload cancelled).
		b.eval(beforeUnload, &asks)
		if !asks {
			t.Fatal("unsaved edits: beforeunload is not cancelled, a reload would lose them")
		}
		stay := `window.__asked = []; window.confirm = (m) => { window.__asked.push(m); return false }; true`
		leave := `window.__asked = []; window.confirm = (m) => { window.__asked.push(m); return true }; true`
		stayed := func(what string) {
			t.Helper()
			b.waitFor(what+": asked once", `window.__asked.length === 1 && window.__asked[0] === '有未保存的修改，确定离开？'`, stepTimeout)
			time.Sleep(300 * time.Millisecond)
			var path string
			b.eval(`location.pathname + '|' + window.__asked.length`, &path)
			if path != "/workflows/"+g.ID+"|1" {
				t.Fatalf("%s: after staying, the page is %s", what, path)
			}
			b.visible("editor-dirty")
			if p := nodeAt(b, gids[0]); p != moved {
				t.Fatalf("%s: staying lost the edit: jobA at %v, moved to %v", what, p, moved)
			}
		}
		// A link in the menu: stay.
		b.eval(stay, nil)
		b.click("nav-runs")
		stayed("the menu link")
		// The browser's Back: stay.
		b.eval(stay, nil)
		b.back()
		stayed("Back")
		b.shot("guard-stayed")
		// Back again, now leaving: the list, and nothing asks any more.
		b.eval(leave, nil)
		b.back()
		b.waitFor("left for the list", `location.pathname === '/workflows' && window.__asked.length === 1`, stepTimeout)
		b.visible("workflow-table")
		b.eval(beforeUnload, &asks)
		if asks {
			t.Fatal("after leaving the editor, beforeunload is still cancelled")
		}
		// The edit was not saved.
		var got jobflow.Workflow
		api.Must("GET", "/api/v1/workflows/"+g.ID, nil, 200, &got)
		if got.Revision != g.Revision {
			t.Fatalf("leaving saved the canvas: revision %d → %d", g.Revision, got.Revision)
		}
	})
}
