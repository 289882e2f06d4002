package console_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"jobflow"
	"jobflow/internal/testrig"
	"jobflow/internal/testtier"
)

// recordResponses is run in every new document of the tab before the
// console's scripts: it keeps the text of every API answer the page
// receives in window.__jfRecv, so a test can say a secret never came back.
const recordResponses = `(() => { window.__jfRecv = []; const f = window.fetch;
	window.fetch = async (...a) => { const r = await f(...a);
		try { const t = await r.clone().text(); window.__jfRecv.push(r.url + ' ' + t) } catch (e) {}
		return r } })()`

// TestConsoleLifecycle walks the lifecycle screens through the real API:
// version history (diff, restore, rollback), variables and secrets, copy,
// export and import, the audit log and personal API tokens, in Chinese and
// in English.
func TestConsoleLifecycle(t *testing.T) {
	testtier.Long(t, "chromium and PostgreSQL (the console in a browser)")
	f := &fixture{rig: testrig.New(t, testrig.Options{}), alloc: contextHolder{newAllocator(t)}}
	api := f.rig.API

	// ver-flow: v1 has jobA (echo one) → jobB; v2 has jobA (echo uno) alone.
	w, ids := flow(t, api, "ver-flow", "echo one", "echo two")
	api.Must("POST", "/api/v1/workflows/"+w.ID+"/publish", map[string]any{"note": "first cut"}, 200, nil)
	api.Must("PATCH", "/api/v1/jobs/"+ids[0], map[string]any{"config": map[string]any{"script": "echo uno"}}, 200, nil)
	api.Must("GET", "/api/v1/workflows/"+w.ID, nil, 200, w)
	api.Must("PUT", "/api/v1/workflows/"+w.ID+"/canvas", map[string]any{"nodes": []map[string]any{{"jobId": ids[0], "x": 40, "y": 120}},
		"edges": []any{}, "revision": w.Revision}, 200, nil)
	api.Must("DELETE", "/api/v1/jobs/"+ids[1], nil, 204, nil)
	api.Must("POST", "/api/v1/workflows/"+w.ID+"/publish", map[string]any{"note": "only A"}, 200, nil)

	t.Run("Versions", func(t *testing.T) {
		b := loggedIn(t, f)
		b.open("/workflows/" + w.ID)
		b.click("tb-versions")
		b.waitFor("at the version history", fmt.Sprintf(`location.pathname === '/workflows/%s/versions'`, w.ID), stepTimeout)
		b.visible("version-row-1")
		b.visible("version-row-2")
		b.visible("version-row-draft")
		b.visible("version-current-2")
		b.waitText("version-row-1", "first cut")
		b.waitText("versions-page", "版本历史")
		// The default pair is v1 → v2: jobA changed (its script), jobB removed, the edge gone.
		b.visible("diff-job-changed-jobA")
		b.waitText("diff-job-changes-jobA", "config.script")
		b.waitText("diff-job-changes-jobA", "echo one")
		b.waitText("diff-job-changes-jobA", "echo uno")
		b.visible("diff-job-removed-jobB")
		b.waitText("diff-edges", "jobA → jobB")
		b.shot("versions-diff")
		// The same two versions side by side, as text.
		b.click("diff-tab-text")
		b.waitText("text-diff", "echo one")
		b.waitText("text-diff", "echo uno")
		b.waitText("text-diff", "jobB")
		var changed int
		b.eval(`document.querySelectorAll('[data-testid="text-diff"] tr.jf-td-changed, [data-testid="text-diff"] tr.jf-td-del').length`, &changed)
		if changed == 0 {
			t.Fatal("the side-by-side diff marks no line as changed or removed")
		}
		b.shot("versions-text-diff")

		// Restore v1 into the draft: jobB comes back, the edge too.
		b.click("version-restore-1")
		b.click("restore-ok")
		b.waitFor("restored", `!!document.querySelector('.jf-restored')`, stepTimeout)
		var d jobflow.Workflow
		api.Must("GET", "/api/v1/workflows/"+w.ID, nil, 200, &d)
		if len(d.Jobs) != 2 || len(d.Canvas.Nodes) != 2 || len(d.Canvas.Edges) != 1 {
			t.Fatalf("after restoring v1 the draft has %d jobs, %d nodes, %d edges", len(d.Jobs), len(d.Canvas.Nodes), len(d.Canvas.Edges))
		}
		// The diff now compares v1 with the draft: identical.
		b.click("diff-tab-structured")
		b.visible("diff-identical")
		b.click("versions-back")
		b.visible("node-jobB")
		b.visible("node-jobA")

		// Roll back to v1: published again as v3.
		b.click("tb-versions")
		b.visible("version-rollback-1")
		b.click("version-rollback-1")
		b.click("rollback-ok")
		b.waitFor("rolled back", `!!document.querySelector('.jf-rolled-back')`, stepTimeout)
		b.visible("version-current-3")
		b.waitText("version-row-3", "回滚到版本 1")
		var vs struct {
			Items []jobflow.VersionSummary `json:"items"`
		}
		api.Must("GET", "/api/v1/workflows/"+w.ID+"/versions", nil, 200, &vs)
		if len(vs.Items) != 3 || !vs.Items[0].Current || vs.Items[0].Number != 3 || vs.Items[0].JobCount != 2 {
			t.Fatalf("versions after the rollback: %+v", vs.Items)
		}
		b.shot("versions")
	})

	secretA := fmt.Sprintf("s3cret-A-%d", time.Now().UnixNano())
	secretB := fmt.Sprintf("s3cret-B-%d", time.Now().UnixNano())
	t.Run("Variables", func(t *testing.T) {
		b := newBrowser(t, f.alloc.ctx, f.rig.Server.URL)
		if _, err := chromedp.Call(b.ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: recordResponses}); err != nil {
			t.Fatal(err)
		}
		b.login("admin", testrig.AdminPassword)
		b.visible("workflow-table")
		// The menu has the entry (in its Resources group, rendered while closed).
		b.waitFor("a 变量 menu entry", `!!document.querySelector('[data-testid="nav-variables"]')`, stepTimeout)
		b.open("/variables")
		b.visible("variable-add")

		// A plain one: its value is shown.
		b.click("variable-add")
		b.typeInto("variable-form-name", "REGION")
		b.typeInto("variable-form-value", "cn-north")
		b.click("variable-form-ok")
		b.gone("variable-form-ok")
		b.waitText("variable-value-REGION", "cn-north")

		// A secret: typed into a field that never mirrors it into the HTML.
		b.click("variable-add")
		b.typeInto("variable-form-name", "DB_PASSWORD")
		b.click("variable-form-secret")
		b.typeInto("variable-form-secret-value", secretA)
		noSecret(b, "while typing it", secretA)
		b.click("variable-form-ok")
		b.gone("variable-form-ok")
		b.waitText("variable-value-DB_PASSWORD", "••••••")
		b.waitText("variable-kind-DB_PASSWORD", "密钥")
		noSecret(b, "after creating it", secretA)

		// Edit: the field starts empty and says so; a new value replaces it.
		b.click("variable-edit-DB_PASSWORD")
		b.visible("variable-form-secret-value")
		var field struct{ Value, Placeholder string }
		b.eval(`(() => { const e = document.querySelector('[data-testid="variable-form-secret-value"]'); return {Value: e.value, Placeholder: e.placeholder} })()`, &field)
		if field.Value != "" || !strings.Contains(field.Placeholder, "留空则保持不变") {
			t.Fatalf("the secret's edit field: %+v", field)
		}
		b.waitBodyText("留空则保持不变")
		b.typeInto("variable-form-secret-value", secretB)
		b.shot("variable-edit-secret")
		b.click("variable-form-ok")
		b.gone("variable-form-ok")
		// Edit the remark only: the value is kept.
		b.click("variable-edit-DB_PASSWORD")
		b.typeInto("variable-form-remark", "prod db")
		b.click("variable-form-ok")
		b.gone("variable-form-ok")
		b.waitText("variable-row-DB_PASSWORD", "prod db")
		noSecret(b, "after editing it", secretA, secretB)
		var v jobflow.Variable
		api.Must("GET", "/api/v1/variables/DB_PASSWORD", nil, 200, &v)
		if !v.Secret || !v.HasValue || v.Value != "" || v.Remark != "prod db" {
			t.Fatalf("the secret after the edits: %+v", v)
		}
		b.shot("variables")

		// Delete the plain one.
		b.click("variable-delete-REGION")
		b.click("variable-delete-ok")
		b.gone("variable-row-REGION")
		api.Must("GET", "/api/v1/variables/REGION", nil, 404, nil)
	})

	t.Run("CopyExportImport", func(t *testing.T) {
		ew, _ := flow(t, api, "export-flow", "echo extract", "echo load")
		flow(t, api, "export-two", "echo two")
		b := loggedIn(t, f)
		dir := t.TempDir()
		if _, err := chromedp.CallBrowser(b.ctx, cdpbrowser.SetDownloadBehavior, cdpbrowser.SetDownloadBehaviorParams{
			Behavior: cdpbrowser.SetDownloadBehaviorBehaviorAllow, DownloadPath: dir, BrowserContextID: chromedp.FromContext(b.ctx).BrowserContextID}); err != nil {
			t.Fatal(err)
		}
		// One workflow's YAML.
		b.click("workflow-more-export-flow")
		b.click("workflow-export-export-flow")
		one := waitFile(t, filepath.Join(dir, "export-flow.yaml"))
		if !strings.Contains(one, "name: export-flow") || !strings.Contains(one, "echo extract") || strings.Contains(one, "export-two") {
			t.Fatalf("export-flow.yaml:\n%s", one)
		}
		// Two selected: one multi-document YAML.
		b.clickCSS(`[data-testid="workflow-row-export-flow"] .ant-checkbox-input`)
		b.clickCSS(`[data-testid="workflow-row-export-two"] .ant-checkbox-input`)
		b.waitText("workflow-export", "导出所选 2 个")
		b.click("workflow-export")
		two := waitFile(t, filepath.Join(dir, "workflows-2.yaml"))
		if !strings.Contains(two, "name: export-flow") || !strings.Contains(two, "name: export-two") || !strings.Contains(two, "\n---") {
			t.Fatalf("workflows-2.yaml:\n%s", two)
		}

		// Copy (复制作业流).
		b.click("workflow-more-export-flow")
		b.click("workflow-copy-export-flow")
		b.clear("copy-name")
		b.typeInto("copy-name", "export-flow-copy")
		b.click("copy-ok")
		b.gone("copy-ok")
		b.visible("workflow-row-export-flow-copy")
		var items struct {
			Items []struct {
				ID string `json:"id"`
			} `json:"items"`
		}
		api.Must("GET", "/api/v1/workflows?search=export-flow-copy", nil, 200, &items)
		if len(items.Items) != 1 {
			t.Fatalf("copies: %+v", items.Items)
		}
		var cp jobflow.Workflow
		api.Must("GET", "/api/v1/workflows/"+items.Items[0].ID, nil, 200, &cp)
		if len(cp.Jobs) != 2 || len(cp.Canvas.Edges) != 1 || cp.ID == ew.ID {
			t.Fatalf("the copy: %d jobs, %d edges", len(cp.Jobs), len(cp.Canvas.Edges))
		}

		// Import: bad YAML shows the server's words.
		b.click("workflow-import")
		bad := "apiVersion: jobflow/v1\nkind: Workflow\nmetadata: [name: broken\n"
		b.typeInto("import-text", bad)
		b.click("import-dry-run")
		want := zh(api).Fail("POST", "/api/v1/workflows/import", map[string]any{"document": bad, "dryRun": true, "mode": "OVERWRITE"}, 400).Message
		b.waitText("import-error", want)
		b.shot("import-bad-yaml")

		// A problem: CREATE of a name that exists.
		b.clear("import-text")
		b.eval(fmt.Sprintf(`(() => { const e = document.querySelector('[data-testid="import-text"]');
			Object.getOwnPropertyDescriptor(HTMLTextAreaElement.prototype, 'value').set.call(e, %q);
			e.dispatchEvent(new Event('input', {bubbles: true})); return true })()`, one), nil)
		b.click("import-mode-create")
		b.click("import-dry-run")
		b.visible("import-problems")
		b.waitText("import-problems", "export-flow")
		// The problem in the console's language (the client's Accept-Language).
		b.waitText("import-problems", "同名工作流已存在")
		var disabled bool
		b.eval(`document.querySelector('[data-testid="import-ok"]').disabled`, &disabled)
		if !disabled {
			t.Fatal("import is possible with problems listed")
		}
		b.shot("import-problem")

		// Good input: the same document under a new name, one job changed.
		good := strings.Replace(strings.Replace(one, "name: export-flow", "name: imported-flow", 1), "echo load", "echo load twice", 1)
		b.eval(fmt.Sprintf(`(() => { const e = document.querySelector('[data-testid="import-text"]');
			Object.getOwnPropertyDescriptor(HTMLTextAreaElement.prototype, 'value').set.call(e, %q);
			e.dispatchEvent(new Event('input', {bubbles: true})); return true })()`, good), nil)
		b.click("import-dry-run")
		b.visible("import-ready")
		b.visible("import-item-imported-flow")
		b.waitText("import-item-imported-flow", "新建")
		b.shot("import-dry-run")
		// OVERWRITE of export-flow itself with the changed job: the dry run names it.
		over := strings.Replace(one, "echo load", "echo load twice", 1)
		b.click("import-mode-overwrite")
		b.eval(fmt.Sprintf(`(() => { const e = document.querySelector('[data-testid="import-text"]');
			Object.getOwnPropertyDescriptor(HTMLTextAreaElement.prototype, 'value').set.call(e, %q);
			e.dispatchEvent(new Event('input', {bubbles: true})); return true })()`, over), nil)
		b.click("import-dry-run")
		b.visible("import-diff-export-flow-job-changed-jobB")
		b.waitText("import-diff-export-flow-job-changes-jobB", "echo load twice")
		b.shot("import-overwrite-diff")
		// Back to the new one, imported for real.
		b.click("import-mode-create")
		b.eval(fmt.Sprintf(`(() => { const e = document.querySelector('[data-testid="import-text"]');
			Object.getOwnPropertyDescriptor(HTMLTextAreaElement.prototype, 'value').set.call(e, %q);
			e.dispatchEvent(new Event('input', {bubbles: true})); return true })()`, good), nil)
		b.click("import-dry-run")
		b.visible("import-ready")
		b.click("import-ok")
		b.visible("import-done")
		b.visible("import-open-imported-flow")
		b.click("import-close")
		b.visible("workflow-row-imported-flow")
		api.Must("GET", "/api/v1/workflows?search=imported-flow", nil, 200, &items)
		if len(items.Items) != 1 {
			t.Fatalf("imported: %+v", items.Items)
		}
		var im jobflow.Workflow
		api.Must("GET", "/api/v1/workflows/"+items.Items[0].ID, nil, 200, &im)
		scripts := ""
		for _, j := range im.Jobs {
			scripts += string(j.Config) + " "
		}
		if len(im.Jobs) != 2 || !strings.Contains(scripts, "echo load twice") {
			t.Fatalf("the imported workflow's jobs: %s", scripts)
		}
		// export-flow itself is untouched by the dry runs.
		var still jobflow.Workflow
		api.Must("GET", "/api/v1/workflows/"+ew.ID, nil, 200, &still)
		for _, j := range still.Jobs {
			if strings.Contains(string(j.Config), "twice") {
				t.Fatal("a dry run changed export-flow")
			}
		}
	})

	t.Run("Audit", func(t *testing.T) {
		b := loggedIn(t, f)
		b.waitFor("an 审计日志 menu entry", `!!document.querySelector('[data-testid="nav-audit"]')`, stepTimeout)
		b.open("/audit")
		b.visible("audit-table")
		b.waitText("audit-page", "审计日志")
		// The newest rows: what the scenarios above did last (the versions' rows come below, by object).
		for _, a := range []string{"variable.create", "variable.edit", "variable.delete", "workflow.copy", "workflow.import"} {
			b.waitFor("an audit row "+a, fmt.Sprintf(`!!document.querySelector('[data-testid="audit-row"][data-action=%q]')`, a), stepTimeout)
		}
		b.shot("audit")
		// Filter by action: only variable.edit rows (two edits above).
		b.typeCSS(`[data-testid="audit-action"] input, input[data-testid="audit-action"]`, "variable.edit")
		b.waitFor("only variable.edit", `(() => { const r = [...document.querySelectorAll('[data-testid="audit-row"]')];
			return r.length === 2 && r.every(e => e.dataset.action === 'variable.edit') })()`, stepTimeout)
		b.waitText("audit-table", "编辑变量")
		b.shot("audit-filtered")
		b.click("audit-clear")
		// Filter by object: ver-flow's rows only, as many as the API has.
		b.typeCSS(`[data-testid="audit-object"] input, input[data-testid="audit-object"]`, w.ID)
		var list struct {
			Total int `json:"total"`
		}
		api.Must("GET", "/api/v1/audit-logs?objectId="+w.ID, nil, 200, &list)
		if list.Total < 4 {
			t.Fatalf("ver-flow has %d audit rows", list.Total)
		}
		b.waitFor("ver-flow's rows", fmt.Sprintf(`(() => { const r = [...document.querySelectorAll('[data-testid="audit-row"]')];
			return r.length === %d && r.some(e => e.dataset.action === 'workflow.version.restore') && r.some(e => e.dataset.action === 'workflow.publish')
				&& !r.some(e => e.dataset.action.startsWith('variable.')) })()`, min(list.Total, 20)), stepTimeout)
		b.shot("audit-object")
	})

	t.Run("Tokens", func(t *testing.T) {
		b := loggedIn(t, f)
		b.click("nav-account")
		b.visible("account-page")
		b.click("token-add")
		b.typeInto("token-form-name", "ci-token")
		b.click("token-form-ok")
		b.visible("token-created")
		var tok string
		b.eval(`document.querySelector('[data-testid="token-created"]').innerText.trim()`, &tok)
		if !strings.HasPrefix(tok, jobflow.APITokenPrefix) {
			t.Fatalf("the token shown is %q", tok)
		}
		b.shot("token-created")
		pat := *api
		pat.Token, pat.Tenant = tok, ""
		pat.Must("GET", "/api/v1/me", nil, 200, nil)
		b.click("token-form-ok")
		b.gone("token-created")
		b.visible("token-row-ci-token")
		// Shown once: the page no longer holds it, and the list never did.
		var html string
		b.eval(`document.documentElement.outerHTML`, &html)
		if strings.Contains(html, tok) {
			t.Fatal("the token is still in the page after its dialog closed")
		}
		b.open("/account")
		b.visible("token-row-ci-token")
		b.eval(`document.documentElement.outerHTML`, &html)
		if strings.Contains(html, tok) {
			t.Fatal("the token list shows the token's text")
		}
		b.click("token-revoke-ci-token")
		b.click("token-revoke-ok")
		b.gone("token-row-ci-token")
		pat.Must("GET", "/api/v1/me", nil, 401, nil)
		b.shot("tokens")
	})

	t.Run("English", func(t *testing.T) {
		b := loggedIn(t, f)
		b.eval(`localStorage.setItem('jobflow.lang', 'en'); true`, nil)
		b.open("/workflows/" + w.ID + "/versions")
		b.waitText("versions-page", "Version history")
		b.waitText("version-rollback-1", "Roll back")
		b.waitText("version-restore-2", "Restore")
		b.click("diff-from-2")
		b.click("diff-to-3")
		b.visible("diff-job-added-jobB")
		b.waitText("versions-diff", "Changes")
		b.shot("versions-en")
		b.open("/variables")
		b.waitText("variables-page", "Variables")
		b.waitText("variable-kind-DB_PASSWORD", "Secret")
		b.open("/audit")
		b.waitText("audit-page", "Audit log")
		b.waitText("audit-table", "Edit variable")
		b.click("nav-account")
		b.waitBodyText("Personal API tokens")
		b.open("/workflows")
		b.click("workflow-import")
		b.waitBodyText("Import workflows")
		b.waitText("import-dry-run", "Dry run")
		b.shot("import-en")

		// At 1280 px every top-level menu entry is in the bar, in English
		// and in Chinese: none is folded into antd's "···" overflow entry.
		b.do("1280 viewport", chromedp.EmulateViewport(1280, 800))
		for _, lang := range []string{"en", "zh"} {
			b.eval(fmt.Sprintf(`localStorage.setItem('jobflow.lang', %q); true`, lang), nil)
			b.open("/workflows")
			b.visible("nav-workflows")
			b.waitFor("the whole menu in the bar ("+lang+")", `(() => {
				const shown = (e) => e && e.getAttribute('aria-hidden') !== 'true' && getComputedStyle(e).opacity !== '0' && e.getBoundingClientRect().width > 0
				const items = [...document.querySelectorAll('.ant-layout-header .ant-menu-overflow-item:not(.ant-menu-overflow-item-rest)')]
				const rest = [...document.querySelectorAll('.ant-layout-header .ant-menu-overflow-item-rest')]
				return items.length > 0 && items.every(shown) && !rest.some(shown)
			})()`, stepTimeout)
			b.shot("menu-1280-" + lang)
		}
		b.do("usual viewport", chromedp.EmulateViewport(1440, 900))
	})
}

// noSecret fails when a secret is in the page's HTML or in an API answer
// the page has received.
func noSecret(b *browser, when string, secrets ...string) {
	b.t.Helper()
	var html string
	b.eval(`document.documentElement.outerHTML`, &html)
	var recv []string
	b.eval(`window.__jfRecv || null`, &recv)
	if recv == nil {
		b.t.Fatal("the response recorder is not installed")
	}
	for _, s := range secrets {
		if strings.Contains(html, s) {
			b.t.Fatalf("%s: the secret is in the page's HTML", when)
		}
		for _, r := range recv {
			if strings.Contains(r, s) {
				b.t.Fatalf("%s: the secret is in an API answer: %.200s", when, r)
			}
		}
	}
	if !strings.Contains(strings.Join(recv, "\n"), "/api/v1/variables") {
		b.t.Fatalf("%s: no variables answer was recorded", when)
	}
}

// waitFile waits for a download to be complete and returns its text.
func waitFile(t *testing.T, path string) string {
	t.Helper()
	deadline := time.Now().Add(stepTimeout)
	for time.Now().Before(deadline) {
		if b, err := os.ReadFile(path); err == nil && len(b) > 0 {
			return string(b)
		}
		time.Sleep(100 * time.Millisecond)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	t.Fatalf("no download %s (the folder has %v)", filepath.Base(path), names)
	return ""
}
