package console_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"jobflow"
	"jobflow/internal/testrig"
	"jobflow/internal/testtier"
)

// outageFront is the console's server with a switch: up, connections
// closed at once (the server stopped), or a gateway's plain 503.
type outageFront struct {
	mode    atomic.Int32 // 0 up, 1 closed, 2 503
	refused atomic.Int32 // requests failed on purpose
	srv     *httptest.Server
}

func newOutageFront(t *testing.T, inner http.Handler) *outageFront {
	f := &outageFront{}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch f.mode.Load() {
		case 1:
			f.refused.Add(1)
			if hj, ok := w.(http.Hijacker); ok {
				if c, _, err := hj.Hijack(); err == nil {
					c.Close()
					return
				}
			}
			panic(http.ErrAbortHandler)
		case 2:
			f.refused.Add(1)
			w.Header().Set("Content-Type", "text/plain")
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprint(w, "maintenance")
			return
		}
		inner.ServeHTTP(w, r)
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (b *browser) noText(what string, words ...string) {
	b.t.Helper()
	var body string
	b.eval(`document.body.innerText`, &body)
	for _, w := range words {
		if strings.Contains(body, w) {
			b.shot("raw-" + sanitize(w))
			b.t.Errorf("%s shows %q", what, w)
		}
	}
}

func chromedpTab() chromedp.Action[chromedp.Void]   { return chromedp.KeyEvent("\t") }
func chromedpEnter() chromedp.Action[chromedp.Void] { return chromedp.KeyEvent("\r") }

func (b *browser) title(want string) {
	b.t.Helper()
	b.waitFor("title "+want, fmt.Sprintf(`document.title === %q`, want), stepTimeout)
}

// TestConsoleFixes: outages shown (error boundary with retry, offline
// banner, not-current notice, errors in words), enums in words, keyboard
// reach, page titles, the draft-differs marker and save-before-publish.
func TestConsoleFixes(t *testing.T) {
	testtier.Long(t, "chromium and PostgreSQL (the console in a browser)")
	rig := testrig.New(t, testrig.Options{})
	api := rig.API
	front := newOutageFront(t, rig.Server.Config.Handler)
	alloc := newAllocator(t)
	login := func(t *testing.T, lang string) *browser {
		b := newBrowser(t, alloc, front.srv.URL)
		b.open("/login")
		b.eval(fmt.Sprintf(`localStorage.setItem('jobflow.lang', %q)`, lang), nil)
		b.login("admin", testrig.AdminPassword)
		b.visible("workflow-table")
		return b
	}
	w, _ := flow(t, api, "fx-first", "echo one")
	w2, _ := flow(t, api, "fx-second", "echo two")

	t.Run("OutageZh", func(t *testing.T) {
		b := login(t, "zh")
		b.title("作业流 · jobflow")
		b.visible("workflow-row-fx-first")
		front.mode.Store(1) // the server stops: every connection is closed
		defer front.mode.Store(0)
		// 运行记录's code is not loaded yet: the page says so, the app stays.
		b.click("nav-runs")
		b.visible("route-error")
		b.waitText("route-error", "无法连接服务器")
		b.visible("offline-banner")
		b.waitText("offline-banner", "无法连接服务器")
		b.visible("nav-workflows") // the layout is still there
		b.noText("the outage page", "Failed to fetch", "TypeError")
		b.shot("route-error")
		// Retry while still down: it tries again (a request reaches the
		// server's front) and still says so.
		before := front.refused.Load()
		b.click("route-retry")
		time.Sleep(time.Second)
		if front.refused.Load() == before {
			t.Error("Retry sent no request")
		}
		b.visible("route-error")
		// Back to the list: its data is kept and marked not current.
		b.click("nav-workflows")
		b.visible("workflow-row-fx-first")
		b.visible("stale-notice")
		b.waitText("stale-notice", "数据可能已过期")
		b.shot("stale-list")
		// The server comes back; Retry loads 运行记录's code; the banner goes.
		b.click("nav-runs")
		b.visible("route-error")
		front.mode.Store(0)
		b.click("route-retry")
		b.visible("runs-table")
		b.waitFor("banner gone", `!document.querySelector('[data-testid="offline-banner"]')`, 15*time.Second)
		b.waitFor("notice gone", `!document.querySelector('[data-testid="stale-notice"]')`, 15*time.Second)
		b.title("运行记录 · jobflow")
		// A save that cannot reach the server says so in words.
		b.click("nav-workflows")
		b.click("workflow-open-fx-first")
		b.visible("tb-save")
		front.mode.Store(1)
		b.click("tb-save")
		b.waitBodyText("无法连接服务器")
		b.noText("a failed save", "Failed to fetch")
		b.visible("offline-banner")
		b.shot("save-offline")
		front.mode.Store(0)
		b.waitFor("banner gone by itself", `!document.querySelector('[data-testid="offline-banner"]')`, 15*time.Second)
	})

	t.Run("OutageEn", func(t *testing.T) {
		b := login(t, "en")
		b.title("Workflows · jobflow")
		front.mode.Store(2) // a gateway answers 503 for the stopped server
		defer front.mode.Store(0)
		b.nav("nav-datasources")
		b.visible("route-error")
		b.waitText("route-error", "cannot reach the server")
		b.visible("offline-banner")
		b.noText("the outage page", "Failed to fetch", "Service Unavailable")
		b.shot("route-error-en")
		// Not clicked: the page loads by itself once the server answers.
		front.mode.Store(0)
		b.waitFor("banner gone", `!document.querySelector('[data-testid="offline-banner"]')`, 15*time.Second)
		b.visible("ds-add")
		b.title("Datasources · jobflow")
		// The editor's data (its code loaded) fails: the boundary, then Retry.
		b.open("/workflows/" + w.ID)
		b.visible("tb-save")
		b.title("fx-first · Workflows · jobflow")
		b.click("nav-workflows")
		b.visible("workflow-row-fx-second")
		front.mode.Store(1)
		b.click("workflow-open-fx-second")
		b.visible("route-error")
		b.waitText("route-error", "cannot reach the server")
		front.mode.Store(0)
		b.click("route-retry")
		b.waitText("editor-title", "fx-second")
		_ = w2
	})

	t.Run("EnumsInWords", func(t *testing.T) {
		hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "ok") }))
		defer hook.Close()
		api.AllowEgress("127.0.0.1")
		var ch struct{ ID string }
		api.Must("POST", "/api/v1/alarm-channels", map[string]any{"name": "fx-hook", "type": "WEBHOOK", "config": map[string]any{"url": hook.URL}}, 201, &ch)
		api.Must("POST", "/api/v1/alarm-channels/"+ch.ID+"/test", map[string]any{}, 200, nil)
		var started struct{ RunID string }
		api.Must("POST", "/api/v1/workflows/"+w.ID+"/runs", map[string]any{}, 202, &started)
		deadline := time.Now().Add(60 * time.Second)
		for {
			var r jobflow.Run
			api.Must("GET", "/api/v1/runs/"+started.RunID, nil, 200, &r)
			if r.Status == "SUCCESS" {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("run %s: %s", started.RunID, r.Status)
			}
			time.Sleep(300 * time.Millisecond)
		}
		b := login(t, "zh")
		b.waitText("user-role", "系统管理员")
		b.click("nav-runs")
		b.visible("run-row")
		b.waitText("runs-table", "手动")
		b.waitText("runs-table", "成功")
		b.noText("运行记录", "MANUAL", "SUCCESS", "SCHEDULE")
		b.shot("runs-words")
		b.nav("nav-alarm-records")
		b.visible("records-table")
		b.waitText("records-table", "测试发送")
		b.noText("告警记录", "TEST", "SENT", "FAILED")
		b.shot("records-words")
		b.open("/workflows/" + w.ID)
		b.click("tb-config")
		b.visible("cfg-overlap")
		b.visible("help-overlap")
		b.visible("help-catchup")
		b.visible("help-mode")
		b.visible("help-dst")
		b.click("cfg-tab-alarms")
		b.click("alarm-add")
		b.waitText("alarm-events-0", "运行失败")
		b.click("cfg-tab-exec")
		b.visible("help-failure")
		b.visible("help-parallelism")
		b.click("cfg-tab-schedule")
		var modal string
		b.eval(`document.querySelector('.ant-modal').innerText`, &modal)
		for _, raw := range []string{"SKIP", "BUFFER_ONE", "SHIFT", "ONCE", "TWICE", "RUN_FAIL", "CONTINUE", "SINGLE", "DISCRETE"} {
			if strings.Contains(modal, raw) {
				t.Errorf("the config dialog shows %s", raw)
			}
		}
		b.shot("config-help")
	})

	t.Run("Keyboard", func(t *testing.T) {
		b := login(t, "zh")
		// Tab from the top of the page reaches the workflow's name (a real
		// link) and then its 编辑 button.
		b.eval(`document.activeElement && document.activeElement.blur(); window.scrollTo(0,0)`, nil)
		reached := map[string]bool{}
		for i := 0; i < 80 && !(reached["workflow-open-fx-first"] && reached["workflow-edit-fx-first"]); i++ {
			b.do("tab", chromedpTab())
			var id string
			b.eval(`document.activeElement?.dataset?.testid ?? document.activeElement?.closest('[data-testid]')?.dataset?.testid ?? ''`, &id)
			reached[id] = true
		}
		if !reached["workflow-open-fx-first"] || !reached["workflow-edit-fx-first"] {
			t.Fatalf("Tab did not reach the name link and 编辑: reached %v", reached)
		}
		// The focus is visible: an outline on the focused element.
		var outline string
		b.eval(`getComputedStyle(document.activeElement).outlineStyle`, &outline)
		if outline == "none" || outline == "" {
			t.Errorf("the focused element has no outline (%q)", outline)
		}
		b.shot("focus-ring")
		// Enter on the name link opens the editor.
		b.eval(`document.querySelector('[data-testid="workflow-open-fx-first"]').focus()`, nil)
		b.do("enter", chromedpEnter())
		b.visible("tb-save")
		b.title("fx-first · 作业流 · jobflow")
		// A job goes onto the canvas by keyboard: a new job, Enter on its row.
		for _, n := range []string{"fx-kbd", "fx-kbd2"} {
			api.Must("POST", "/api/v1/workflows/"+w.ID+"/jobs", map[string]any{"name": n, "type": "SHELL", "config": map[string]any{"script": "true"}}, 201, nil)
		}
		b.open("/workflows/" + w.ID)
		b.visible("job-item-fx-kbd")
		b.eval(`document.querySelector('[data-testid="job-item-fx-kbd"]').focus()`, nil)
		b.do("enter", chromedpEnter())
		b.visible("node-fx-kbd")
		b.visible("editor-dirty")
		// Its edit button is a button (reachable by Tab).
		var tag string
		b.eval(`document.querySelector('[data-testid="job-edit-fx-kbd"]').tagName`, &tag)
		if tag != "BUTTON" {
			t.Errorf("job edit is a %s", tag)
		}
		b.shot("placed-by-keyboard")
		// Publishing with unsaved edits asks to save first; cancel keeps them unsaved.
		b.waitFor("toasts gone", `!document.querySelector('.ant-message-notice')`, stepTimeout)
		b.click("tb-publish")
		b.visible("publish-save-ok")
		b.shot("publish-save-first")
		b.click("publish-save-cancel")
		b.visible("editor-dirty")
		var wf jobflow.Workflow
		api.Must("GET", "/api/v1/workflows/"+w.ID, nil, 200, &wf)
		if wf.Status == "PUBLISHED" {
			t.Fatal("cancel published")
		}
		// 保存并发布 saves, then publishes.
		b.click("tb-publish")
		b.click("publish-save-ok")
		b.visible("publish-result")
		b.closeConfirm()
		api.Must("GET", "/api/v1/workflows/"+w.ID, nil, 200, &wf)
		if wf.Status != "PUBLISHED" || len(wf.Canvas.Nodes) != 2 {
			t.Fatalf("after save and publish: %s, %d nodes", wf.Status, len(wf.Canvas.Nodes))
		}
		b.waitFor("no marker right after publish", `!document.querySelector('[data-testid="editor-draft-changed"]')`, stepTimeout)
		// An edit saved after publishing: the marker, in the editor and the list.
		b.eval(`document.querySelector('[data-testid="job-item-fx-kbd2"]').focus()`, nil)
		b.do("enter", chromedpEnter())
		b.visible("node-fx-kbd2")
		// The toasts (已放到画布, 已保存) sit over the toolbar: gone before the click.
		b.waitFor("toasts gone", `!document.querySelector('.ant-message-notice')`, stepTimeout)
		b.click("tb-save")
		b.waitFor("saved", `!document.querySelector('[data-testid="editor-dirty"]')`, stepTimeout)
		b.visible("editor-draft-changed")
		b.waitText("editor-draft-changed", "需要重新发布")
		b.shot("draft-changed-editor")
		b.click("nav-workflows")
		b.visible("workflow-draft-changed-fx-first")
		b.shot("draft-changed-list")
	})
}
