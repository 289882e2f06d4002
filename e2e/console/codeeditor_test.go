package console_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"jobflow"
	"jobflow/internal/testrig"
	"jobflow/internal/testtier"
)

// The job dialog's code editor, CodeMirror 6 (docs/console.md#code-editor):
// line numbers, Tab indenting, undo/redo across a Tab, the Ctrl+F search
// panel in zh and en, Esc then Tab out of the editor, highlighting of
// shell, SQL and Python; what was typed is what the API saved.
func TestConsoleCodeEditor(t *testing.T) {
	testtier.Long(t, "chromium and PostgreSQL (the console in a browser)")
	f := &fixture{rig: testrig.New(t, testrig.Options{}), alloc: contextHolder{newAllocator(t)}}
	api := f.rig.API
	w, _ := flow(t, api, "code-editor")

	const script = "for f in a b; do\n    echo \"$f\" ${qing.current_date}\ndone"

	t.Run("ShellZh", func(t *testing.T) {
		b := loggedIn(t, f)
		b.open("/workflows/" + w.ID)
		b.click("job-add")
		b.typeInto("job-form-name", "build")
		b.visible("job-form-script")
		b.waitFor("a CodeMirror editor for shell", `!!document.querySelector('[data-testid="job-form-script-editor"][data-lang="shell"] .cm-editor .cm-content[data-testid="job-form-script"]')`, stepTimeout)
		b.waitFor("line number 1", lineNumbersJS("job-form-script", "1"), stepTimeout)

		// Tab indents (and keeps the focus), Enter keeps the indentation,
		// Shift+Tab takes it back.
		b.typeInto("job-form-script", "for f in a b; do")
		b.do("Enter", enter())
		b.do("Tab", chromedp.KeyEvent(kb.Tab))
		if !b.focusIn("job-form-script") {
			t.Fatal("Tab left the editor instead of indenting")
		}
		b.do("type line 2", chromedp.KeyEvent(`echo "$f" ${qing.current_date}`), enter())
		b.do("Shift+Tab", chromedp.KeyEvent(kb.Tab, chromedp.KeyModifiers(chromedp.ModifierShift)))
		b.do("type line 3", chromedp.KeyEvent("done"))
		b.waitCode("job-form-script", script)
		b.waitFor("line numbers 1 2 3", lineNumbersJS("job-form-script", "1", "2", "3"), stepTimeout)
		// Highlighting: the shell keyword and the job-text variable.
		if !b.tokenColoured("job-form-script", "for") {
			t.Fatal("the shell keyword for is not highlighted")
		}
		var v string
		b.eval(`document.querySelector('[data-testid="job-form-script"] .cm-jf-var')?.textContent ?? ''`, &v)
		if v != "${qing.current_date}" {
			t.Fatalf("the marked variable is %q", v)
		}
		b.shot("typed")

		// A Tab on line 2 is one undo step: Ctrl+Z takes exactly it back,
		// Ctrl+Shift+Z redoes it.
		b.do("ArrowUp", chromedp.KeyEvent(kb.ArrowUp))
		b.do("Tab on line 2", chromedp.KeyEvent(kb.Tab))
		deeper := strings.Replace(script, "    echo", "        echo", 1)
		b.waitCode("job-form-script", deeper)
		b.ctrl("z")
		b.waitCode("job-form-script", script)
		b.ctrlShift("z")
		b.waitCode("job-form-script", deeper)
		b.ctrl("z")
		b.waitCode("job-form-script", script)

		// Ctrl+F: CodeMirror's search panel, in Chinese, matches marked.
		b.ctrl("f")
		b.waitFor("the search panel", `!!document.querySelector('.cm-search input[name="search"]') && document.activeElement === document.querySelector('.cm-search input[name="search"]')`, stepTimeout)
		b.waitFor("the search panel in Chinese", searchPhrasesJS("查找", "下一个", "关闭"), stepTimeout)
		b.do("search echo", chromedp.KeyEvent("echo"))
		b.waitFor("echo found", `document.querySelectorAll('[data-testid="job-form-script-editor"] .cm-searchMatch').length === 1`, stepTimeout)
		b.shot("search-zh")
		// Esc closes the panel, not the dialog.
		b.key(kb.Escape)
		b.waitFor("the search panel closed", `!document.querySelector('.cm-search')`, stepTimeout)
		b.visible("job-form-ok")
		if !b.focusIn("job-form-script") {
			t.Fatal("closing the search panel did not put the focus back in the editor")
		}
		// Esc then Tab leaves the editor (the keyboard way out), text kept.
		b.key(kb.Escape)
		b.do("Tab out", chromedp.KeyEvent(kb.Tab))
		b.waitFor("the focus left the editor", `!!document.activeElement && !document.activeElement.closest('.cm-editor') && !!document.activeElement.closest('.ant-modal')`, stepTimeout)
		b.visible("job-form-ok")
		b.waitCode("job-form-script", script)

		b.click("job-form-ok")
		b.gone("job-form-ok")
		b.visible("job-item-build")
		if got := jobScript(t, api, w.ID, "build"); got != script {
			t.Fatalf("the saved script is %q, typed %q", got, script)
		}
	})

	t.Run("English", func(t *testing.T) {
		b := loggedIn(t, f)
		b.open("/workflows/" + w.ID)
		b.visible("job-edit-build")
		b.clickCSS(`[data-testid="lang-toggle"] .ant-segmented-item:nth-child(2)`)
		b.waitText("job-add", "Add job")

		// The saved script comes back into the editor; search in English.
		b.click("job-edit-build")
		b.visible("job-form-script")
		b.waitCode("job-form-script", script)
		b.click("job-form-script")
		b.ctrl("f")
		b.waitFor("the search panel in English", searchPhrasesJS("Find", "next", "close"), stepTimeout)
		b.shot("search-en")
		b.key(kb.Escape)
		b.waitFor("the search panel closed", `!document.querySelector('.cm-search')`, stepTimeout)
		// A line added at the end (Ctrl+End), saved.
		b.do("Ctrl+End", chromedp.KeyEvent(kb.End, chromedp.KeyModifiers(chromedp.ModifierCtrl)))
		b.do("type a line", enter(), chromedp.KeyEvent("echo finished"))
		more := script + "\necho finished"
		b.waitCode("job-form-script", more)
		b.click("job-form-ok")
		b.gone("job-form-ok")
		if got := jobScript(t, api, w.ID, "build"); got != more {
			t.Fatalf("the saved script is %q, typed %q", got, more)
		}

		// SQL and Python are highlighted in their own way; Python indents
		// after a colon.
		b.click("job-add")
		b.typeInto("job-form-name", "py")
		b.selectOption("job-form-type", "SQL")
		b.waitFor("a CodeMirror editor for SQL", `!!document.querySelector('[data-testid="job-form-sql-editor"][data-lang="sql"] .cm-content')`, stepTimeout)
		b.typeInto("job-form-sql", "select count(*) from t")
		b.waitCode("job-form-sql", "select count(*) from t")
		if !b.tokenColoured("job-form-sql", "select") {
			t.Fatal("the SQL keyword select is not highlighted")
		}
		b.shot("sql")
		b.selectOption("job-form-type", "PYTHON")
		b.waitFor("a CodeMirror editor for Python", `!!document.querySelector('[data-testid="job-form-script-editor"][data-lang="python"] .cm-content')`, stepTimeout)
		b.typeInto("job-form-script", "def f():")
		b.do("Enter, type", enter(), chromedp.KeyEvent("return 1"))
		py := "def f():\n    return 1"
		b.waitCode("job-form-script", py)
		if !b.tokenColoured("job-form-script", "def") {
			t.Fatal("the Python keyword def is not highlighted")
		}
		b.shot("python")
		b.click("job-form-ok")
		b.gone("job-form-ok")
		if got := jobScript(t, api, w.ID, "py"); got != py {
			t.Fatalf("the saved Python script is %q, typed %q", got, py)
		}
	})

	// Its chunk cannot be loaded (the server gone mid-session): a plain
	// textarea keeps the script editable and the dialog works.
	t.Run("WithoutItsChunk", func(t *testing.T) {
		b := loggedIn(t, f)
		if _, err := chromedp.Call(b.ctx, network.Enable, network.EnableParams{}); err != nil {
			t.Fatal(err)
		}
		if _, err := chromedp.Call(b.ctx, network.SetBlockedURLs, network.SetBlockedURLsParams{
			URLPatterns: []*network.BlockPattern{{URLPattern: "*://*:*/assets/CodeMirrorEditor.js", Block: true}}}); err != nil {
			t.Fatal(err)
		}
		b.open("/workflows/" + w.ID)
		b.click("job-add")
		b.typeInto("job-form-name", "plain")
		b.waitFor("a plain textarea", `document.querySelector('[data-testid="job-form-script"]')?.tagName === 'TEXTAREA' && !document.querySelector('.cm-editor')`, stepTimeout)
		b.typeInto("job-form-script", "echo plain")
		b.shot("without-chunk")
		b.click("job-form-ok")
		b.gone("job-form-ok")
		if got := jobScript(t, api, w.ID, "plain"); got != "echo plain" {
			t.Fatalf("the saved script is %q, typed %q", got, "echo plain")
		}
	})
}

// enter presses Enter as a keyboard does: one keydown carrying its text,
// which the page's keydown handler may cancel (CodeMirror does, inserting
// the newline and the indentation itself). chromedp's KeyEvent("\r") sends
// the text as a char event of its own, which no keydown handler can cancel:
// a second newline no keyboard types.
func enter() chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		key := input.DispatchKeyEventParams{Type: input.DispatchKeyEventTypeKeyDown, Key: "Enter", Code: "Enter",
			Text: "\r", UnmodifiedText: "\r", WindowsVirtualKeyCode: 13, NativeVirtualKeyCode: 13}
		if _, err := cdp.Call(ctx, t, input.DispatchKeyEvent, key); err != nil {
			return err
		}
		key.Type, key.Text, key.UnmodifiedText = input.DispatchKeyEventTypeKeyUp, "", ""
		_, err := cdp.Call(ctx, t, input.DispatchKeyEvent, key)
		return err
	})
}

// codeJS is the text an editor shows, line by line (what a user sees,
// not a value the page keeps elsewhere).
func codeJS(id string) string {
	return fmt.Sprintf(`[...document.querySelectorAll('[data-testid=%q] .cm-line')].map((l) => l.textContent).join('\n')`, id)
}

// waitCode waits until the editor with the test id shows text.
func (b *browser) waitCode(id, text string) {
	b.t.Helper()
	b.waitFor(fmt.Sprintf("%s shows %q", id, text), fmt.Sprintf(`%s === %q`, codeJS(id), text), stepTimeout)
}

// focusIn tells whether the focus is in the editor with the test id.
func (b *browser) focusIn(id string) bool {
	b.t.Helper()
	var in bool
	b.eval(fmt.Sprintf(`document.activeElement === document.querySelector('[data-testid=%q]')`, id), &in)
	return in
}

// tokenColoured tells whether word is drawn in a colour of its own
// (highlighted), not in the text's colour.
func (b *browser) tokenColoured(id, word string) bool {
	b.t.Helper()
	var ok bool
	b.eval(fmt.Sprintf(`(() => { const c = document.querySelector('[data-testid=%q]');
		const s = [...c.querySelectorAll('.cm-line span')].find((e) => e.textContent === %q);
		return !!s && getComputedStyle(s).color !== getComputedStyle(c).color })()`, id, word), &ok)
	return ok
}

// lineNumbersJS is true when the editor's gutter shows exactly these numbers.
func lineNumbersJS(id string, nums ...string) string {
	want, _ := json.Marshal(nums)
	return fmt.Sprintf(`JSON.stringify([...document.querySelector('[data-testid=%q]').closest('.cm-editor').querySelectorAll('.cm-lineNumbers .cm-gutterElement')]
		.filter((e) => e.style.visibility !== 'hidden').map((e) => e.textContent)) === %q`, id, want)
}

// searchPhrasesJS is true when the search panel's field, next button and
// close button read as given.
func searchPhrasesJS(find, next, close string) string {
	return fmt.Sprintf(`(() => { const p = document.querySelector('.cm-search'); if (!p) return false;
		return p.querySelector('input[name="search"]').placeholder === %q && p.querySelector('button[name="next"]').textContent === %q
			&& p.querySelector('button[name="close"]').getAttribute('aria-label') === %q })()`, find, next, close)
}

// jobScript is the script of the workflow's job name, as the API has it.
func jobScript(t *testing.T, api *testrig.API, wfID, name string) string {
	t.Helper()
	var got jobflow.Workflow
	api.Must("GET", "/api/v1/workflows/"+wfID, nil, 200, &got)
	for _, j := range got.Jobs {
		if j.Name == name {
			var c struct{ Script string }
			if err := json.Unmarshal(j.Config, &c); err != nil {
				t.Fatalf("job %s config %s: %v", name, j.Config, err)
			}
			return c.Script
		}
	}
	t.Fatalf("no job %s in workflow %s", name, wfID)
	return ""
}
