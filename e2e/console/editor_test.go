package console_test

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"jobflow"
	"jobflow/internal/testrig"
	"jobflow/internal/testtier"
)

// The editor's undo/redo, multi-select, copy/paste, shortcuts, palette and
// the Back guard (docs/console.md).
func TestConsoleEditor(t *testing.T) {
	testtier.Long(t, "chromium and PostgreSQL (the console in a browser)")
	f := &fixture{rig: testrig.New(t, testrig.Options{}), alloc: contextHolder{newAllocator(t)}}
	api := f.rig.API

	t.Run("UndoRedo", func(t *testing.T) {
		w, _ := flow(t, api, "ed-undo", "echo a", "echo b")
		var c jobflow.Job
		api.Must("POST", "/api/v1/workflows/"+w.ID+"/jobs", map[string]any{"name": "jobC", "type": "SHELL", "config": map[string]any{"script": "echo c"}}, 201, &c)
		b := loggedIn(t, f)
		b.open("/workflows/" + w.ID)
		b.visible("node-jobA")
		b.waitText("tb-undo", "撤销")
		b.waitText("tb-redo", "重做")
		disabled := func(id string) bool {
			var d bool
			b.eval(fmt.Sprintf(`document.querySelector('[data-testid=%q]').disabled`, id), &d)
			return d
		}
		if !disabled("tb-undo") || !disabled("tb-redo") {
			t.Fatal("undo/redo are enabled before any change")
		}
		cv := b.rect(`[data-testid="canvas"]`)
		b.dropJob("jobC", cv.X+420, cv.Y+380)
		dropped := nodeAt(b, c.ID)
		// Move it: one drag is one history entry.
		n := b.rect(`[data-testid="node-jobC"]`)
		x, y := n.center()
		b.mouseDrag(x, y, x+160, y+70)
		moved := nodeAt(b, c.ID)
		if moved == dropped {
			t.Fatalf("the drag did not move jobC (%v)", moved)
		}
		// Delete it (select, Delete key).
		b.clickCSS(`[data-testid="node-jobC"]`)
		b.key(kb.Delete)
		b.waitFor("jobC deleted", `!document.querySelector('[data-testid="node-jobC"]')`, stepTimeout)
		if disabled("tb-undo") {
			t.Fatal("undo is disabled after changes")
		}
		b.ctrl("z")
		b.visible("node-jobC")
		if p := nodeAt(b, c.ID); p != moved {
			t.Fatalf("undo of the delete put jobC at %v, it was at %v", p, moved)
		}
		b.shot("undo-restored")
		b.ctrlShift("z")
		b.waitFor("redo deletes jobC again", `!document.querySelector('[data-testid="node-jobC"]')`, stepTimeout)
		// Ctrl+Y is redo too: undo, redo with Y, undo again.
		b.ctrl("z")
		b.visible("node-jobC")
		b.ctrl("y")
		b.waitFor("Ctrl+Y deletes jobC again", `!document.querySelector('[data-testid="node-jobC"]')`, stepTimeout)
		b.ctrl("z")
		b.visible("node-jobC")
		// The drag was one entry: one more undo puts it back at the drop point.
		b.click("tb-undo")
		b.waitFor("undo of the move", fmt.Sprintf(`%s === %q`, nodeAtJS(c.ID), dropped), stepTimeout)
		b.click("tb-undo")
		b.waitFor("undo of the drop", `!document.querySelector('[data-testid="node-jobC"]')`, stepTimeout)
		b.click("tb-redo")
		b.visible("node-jobC")
		// In English too.
		b.clickCSS(`[data-testid="lang-toggle"] .ant-segmented-item:nth-child(2)`)
		b.waitText("tb-undo", "Undo")
		b.waitText("tb-redo", "Redo")
	})

	t.Run("BoxSelectDeleteUndo", func(t *testing.T) {
		w, ids := flow(t, api, "ed-box", "echo a", "echo b")
		b := loggedIn(t, f)
		b.open("/workflows/" + w.ID)
		b.visible("node-jobB")
		b.waitFor("one edge", `document.querySelectorAll('.react-flow__edge').length === 1`, stepTimeout)
		boxSelect(b, "jobA", "jobB")
		b.waitFor("both selected", fmt.Sprintf(`document.querySelector('.react-flow__node[data-id=%q]').classList.contains('selected') && document.querySelector('.react-flow__node[data-id=%q]').classList.contains('selected')`, ids[0], ids[1]), stepTimeout)
		b.shot("box-selected")
		b.key(kb.Delete)
		b.waitFor("both deleted with their edge", `!document.querySelector('[data-testid="node-jobA"]') && !document.querySelector('[data-testid="node-jobB"]') && document.querySelectorAll('.react-flow__edge').length === 0`, stepTimeout)
		b.ctrl("z")
		b.waitFor("undo restores both and the edge", `!!document.querySelector('[data-testid="node-jobA"]') && !!document.querySelector('[data-testid="node-jobB"]') && document.querySelectorAll('.react-flow__edge').length === 1`, stepTimeout)
		// Ctrl+click: jobA alone, then jobB added; a bulk move moves both.
		b.clickCSS(`[data-testid="node-jobA"]`)
		nb := b.rect(`[data-testid="node-jobB"]`)
		bx, by := nb.center()
		modClick := func(what string, m chromedp.Modifier) {
			t.Helper()
			mod := chromedp.ButtonModifiers(m)
			steps := []chromedp.Action[chromedp.Void]{chromedp.MouseEvent(chromedp.MouseMoved, bx, by, mod),
				chromedp.MouseEvent(chromedp.MousePressed, bx, by, chromedp.ButtonLeft, chromedp.ClickCount(1), mod),
				chromedp.MouseEvent(chromedp.MouseReleased, bx, by, chromedp.ButtonLeft, chromedp.ClickCount(1), mod)}
			if m == chromedp.ModifierShift {
				steps = append(append([]chromedp.Action[chromedp.Void]{shiftDown()}, steps...), shiftUp())
			}
			b.do(what, steps...)
		}
		modClick("ctrl-click jobB", chromedp.ModifierCtrl)
		b.waitFor("ctrl-click adds jobB", `document.querySelectorAll('.react-flow__node.selected').length === 2`, stepTimeout)
		// Shift+click takes jobB out and puts it back.
		modClick("shift-click jobB", chromedp.ModifierShift)
		b.waitFor("shift-click takes jobB out", `document.querySelectorAll('.react-flow__node.selected').length === 1`, stepTimeout)
		modClick("shift-click jobB again", chromedp.ModifierShift)
		b.waitFor("shift-click adds jobB", `document.querySelectorAll('.react-flow__node.selected').length === 2`, stepTimeout)
		a0, b0 := nodeAt(b, ids[0]), nodeAt(b, ids[1])
		na := b.rect(`[data-testid="node-jobA"]`)
		ax, ay := na.center()
		b.mouseDrag(ax, ay, ax+50, ay+120)
		a1, b1 := nodeAt(b, ids[0]), nodeAt(b, ids[1])
		if a1 == a0 || b1 == b0 {
			t.Fatalf("a bulk move moved jobA %v→%v, jobB %v→%v", a0, a1, b0, b1)
		}
		// One undo moves both back.
		b.ctrl("z")
		b.waitFor("undo of the bulk move", fmt.Sprintf(`%s === %q && %s === %q`, nodeAtJS(ids[0]), a0, nodeAtJS(ids[1]), b0), stepTimeout)
	})

	t.Run("CopyPasteSave", func(t *testing.T) {
		w, ids := flow(t, api, "ed-copy", "echo a", "echo b")
		b := loggedIn(t, f)
		b.open("/workflows/" + w.ID)
		b.visible("node-jobB")
		boxSelect(b, "jobA", "jobB")
		b.waitFor("both selected", `document.querySelectorAll('.react-flow__node.selected').length === 2`, stepTimeout)
		b.ctrl("c")
		b.ctrl("v")
		b.visible("node-jobA_copy")
		b.visible("node-jobB_copy")
		b.waitFor("the copied edge", `document.querySelectorAll('.react-flow__edge').length === 2`, stepTimeout)
		b.shot("pasted")
		var url0 string
		b.eval(`location.href`, &url0)
		b.ctrl("s")
		b.waitFor("saved", `!document.querySelector('[data-testid="editor-dirty"]')`, stepTimeout)
		var url1 string
		b.eval(`location.href`, &url1)
		if url1 != url0 {
			t.Fatalf("Ctrl+S navigated from %s to %s", url0, url1)
		}
		var got jobflow.Workflow
		api.Must("GET", "/api/v1/workflows/"+w.ID, nil, 200, &got)
		byName := map[string]*jobflow.Job{}
		for _, j := range got.Jobs {
			byName[j.Name] = j
		}
		ca, cb := byName["jobA_copy"], byName["jobB_copy"]
		if ca == nil || cb == nil {
			t.Fatalf("the paste made no jobs jobA_copy and jobB_copy: %v", byName)
		}
		if ca.ID == ids[0] || cb.ID == ids[1] || ca.Type != "SHELL" || !strings.Contains(string(ca.Config), "echo a") {
			t.Fatalf("jobA_copy is not a new copy of jobA: %+v", ca)
		}
		on := map[string]bool{}
		for _, n := range got.Canvas.Nodes {
			on[n.JobID] = true
		}
		if len(got.Canvas.Nodes) != 4 || !on[ca.ID] || !on[cb.ID] {
			t.Fatalf("the saved canvas has %d nodes, copies on it: %v %v", len(got.Canvas.Nodes), on[ca.ID], on[cb.ID])
		}
		edge := false
		for _, e := range got.Canvas.Edges {
			edge = edge || (e.From == ca.ID && e.To == cb.ID)
		}
		if !edge || len(got.Canvas.Edges) != 2 {
			t.Fatalf("the saved canvas's edges %+v lack jobA_copy→jobB_copy", got.Canvas.Edges)
		}
		// Ctrl+S saves a move too, and the page stays.
		nb := b.rect(`[data-testid="node-jobB_copy"]`)
		x, y := nb.center()
		b.mouseDrag(x, y, x+100, y+100)
		b.visible("editor-dirty")
		b.ctrl("s")
		b.waitFor("saved again", `!document.querySelector('[data-testid="editor-dirty"]')`, stepTimeout)
		var after jobflow.Workflow
		api.Must("GET", "/api/v1/workflows/"+w.ID, nil, 200, &after)
		var was, now jobflow.CanvasNode
		for _, n := range got.Canvas.Nodes {
			if n.JobID == cb.ID {
				was = n
			}
		}
		for _, n := range after.Canvas.Nodes {
			if n.JobID == cb.ID {
				now = n
			}
		}
		if math.Abs(now.X-was.X) < 50 || math.Abs(now.Y-was.Y) < 50 || after.Revision <= got.Revision {
			t.Fatalf("Ctrl+S did not save the move: %+v → %+v (revision %d → %d)", was, now, got.Revision, after.Revision)
		}
		b.eval(`location.href`, &url1)
		if url1 != url0 {
			t.Fatalf("Ctrl+S navigated from %s to %s", url0, url1)
		}
	})

	t.Run("DoubleClickAndArrowheads", func(t *testing.T) {
		w, _ := flow(t, api, "ed-dbl", "echo a", "echo b")
		b := loggedIn(t, f)
		b.open("/workflows/" + w.ID)
		b.visible("node-jobA")
		var marker string
		b.waitFor("edge drawn", `!!document.querySelector('.react-flow__edge-path')`, stepTimeout)
		b.eval(`document.querySelector('.react-flow__edge-path').getAttribute('marker-end') || ''`, &marker)
		if !strings.HasPrefix(marker, "url(") {
			t.Fatalf("the edge has no arrowhead: marker-end %q", marker)
		}
		// It names a marker drawn on the page.
		var defined bool
		b.eval(`(() => { const m = document.querySelector('.react-flow__edge-path').getAttribute('marker-end').match(/url\('?#([^')]+)'?\)/);
			return !!m && document.getElementById(m[1])?.tagName.toLowerCase() === 'marker' })()`, &defined)
		if !defined {
			t.Fatalf("the edge's marker-end %q names no marker on the page", marker)
		}
		// A placed job's row is not faded (it is not disabled).
		var op string
		b.eval(`getComputedStyle(document.querySelector('[data-testid="job-item-jobA"]')).opacity`, &op)
		if op != "1" {
			t.Fatalf("the placed job's row has opacity %s", op)
		}
		b.visible("job-on-canvas-jobA")
		n := b.rect(`[data-testid="node-jobB"]`)
		x, y := n.center()
		b.do("double-click jobB", chromedp.MouseEvent(chromedp.MouseMoved, x, y),
			chromedp.MouseEvent(chromedp.MousePressed, x, y, chromedp.ButtonLeft, chromedp.ClickCount(1)),
			chromedp.MouseEvent(chromedp.MouseReleased, x, y, chromedp.ButtonLeft, chromedp.ClickCount(1)),
			chromedp.MouseEvent(chromedp.MousePressed, x, y, chromedp.ButtonLeft, chromedp.ClickCount(2)),
			chromedp.MouseEvent(chromedp.MouseReleased, x, y, chromedp.ButtonLeft, chromedp.ClickCount(2)))
		b.visible("job-form-name")
		b.waitFor("the form is jobB's", `document.querySelector('[data-testid="job-form-name"]').value === 'jobB'`, stepTimeout)
		b.waitBodyText("编辑作业")
		b.shot("double-click-form")
	})

	t.Run("Palette", func(t *testing.T) {
		w, _ := flow(t, api, "ed-palette", "echo a")
		b := loggedIn(t, f)
		b.open("/workflows/" + w.ID)
		b.visible("node-jobA")
		b.visible("palette-PYTHON")
		b.waitText("palette", "作业类型")
		cv := b.rect(`[data-testid="canvas"]`)
		dropX, dropY := cv.X+560, cv.Y+160
		ok := b.drop("palette-PYTHON", dropX, dropY)
		if !ok {
			t.Fatal("palette or canvas not on the page")
		}
		b.visible("job-form-name")
		b.waitFor("the dialog is for a new PYTHON job", `document.querySelector('[data-testid="job-form-name"]').value === 'python_1' && document.querySelector('[data-testid="job-form-type"]').innerText.includes('Python')`, stepTimeout)
		b.shot("palette-form")
		b.typeInto("job-form-script", "print('from the palette')")
		b.click("job-form-ok")
		b.gone("job-form-ok")
		b.visible("node-python_1")
		// It lands where it was dropped (centred on the point).
		r := b.rect(`[data-testid="node-python_1"]`)
		if cx, cy := r.center(); math.Abs(cx-dropX) > 4 || math.Abs(cy-dropY) > 4 {
			t.Fatalf("the new job is at (%.0f, %.0f), dropped at (%.0f, %.0f)", cx, cy, dropX, dropY)
		}
		b.shot("palette-placed")
		var got jobflow.Workflow
		api.Must("GET", "/api/v1/workflows/"+w.ID, nil, 200, &got)
		var made *jobflow.Job
		for _, j := range got.Jobs {
			if j.Name == "python_1" {
				made = j
			}
		}
		if made == nil || made.Type != "PYTHON" {
			t.Fatalf("no PYTHON job python_1 was created: %+v", made)
		}
		// Saved, it is on the canvas.
		b.ctrl("s")
		b.waitFor("saved", `!document.querySelector('[data-testid="editor-dirty"]')`, stepTimeout)
		api.Must("GET", "/api/v1/workflows/"+w.ID, nil, 200, &got)
		placed := false
		for _, n := range got.Canvas.Nodes {
			placed = placed || n.JobID == made.ID
		}
		if !placed {
			t.Fatalf("python_1 is not on the saved canvas: %+v", got.Canvas.Nodes)
		}
	})

	t.Run("BackGuard", func(t *testing.T) {
		w, ids := flow(t, api, "ed-back", "echo a", "echo b")
		b := loggedIn(t, f)
		b.click("workflow-open-ed-back")
		b.visible("node-jobA")
		// An edit: jobA moved.
		n := b.rect(`[data-testid="node-jobA"]`)
		x, y := n.center()
		b.mouseDrag(x, y, x+80, y+150)
		b.visible("editor-dirty")
		moved := nodeAt(b, ids[0])
		// The browser's confirm is answered by the test: stay.
		b.eval(`window.__asked = []; window.confirm = (m) => { window.__asked.push(m); return false }; true`, nil)
		b.eval(`history.back(); true`, nil)
		b.waitFor("the confirm was shown", `window.__asked.length === 1`, stepTimeout)
		var asked []string
		b.eval(`window.__asked`, &asked)
		if asked[0] != "有未保存的修改，确定离开？" {
			t.Fatalf("the Back confirm asked %q", asked[0])
		}
		time.Sleep(300 * time.Millisecond)
		var path string
		b.eval(`location.pathname`, &path)
		if path != "/workflows/"+w.ID {
			t.Fatalf("after refusing to leave, the page is %s", path)
		}
		b.visible("editor-dirty")
		if p := nodeAt(b, ids[0]); p != moved {
			t.Fatalf("staying lost the edit: jobA at %v, moved to %v", p, moved)
		}
		b.shot("back-stayed")
		// In English the question is English; accepting leaves.
		b.clickCSS(`[data-testid="lang-toggle"] .ant-segmented-item:nth-child(2)`)
		b.waitText("tb-undo", "Undo")
		b.eval(`window.__asked = []; window.confirm = (m) => { window.__asked.push(m); return true }; true`, nil)
		b.eval(`history.back(); true`, nil)
		b.waitFor("left for the list", `location.pathname === '/workflows' && window.__asked.length === 1`, stepTimeout)
		b.eval(`window.__asked`, &asked)
		if asked[0] != "Unsaved changes will be lost. Leave?" {
			t.Fatalf("the Back confirm asked %q in English", asked[0])
		}
		b.visible("workflow-table")
	})
}

// nodeAtJS is the xyflow transform of the node of a job (its position).
func nodeAtJS(jobID string) string {
	return fmt.Sprintf(`(document.querySelector('.react-flow__node[data-id=%q]')?.style.transform ?? '')`, jobID)
}

func nodeAt(b *browser, jobID string) string {
	b.t.Helper()
	var s string
	b.eval(nodeAtJS(jobID), &s)
	if s == "" {
		b.t.Fatalf("no node of job %s on the canvas", jobID)
	}
	return s
}

func (b *browser) key(k string) { b.t.Helper(); b.do("key "+k, chromedp.KeyEvent(k)) }

func (b *browser) ctrl(k string) {
	b.t.Helper()
	b.do("Ctrl+"+k, chromedp.KeyEvent(k, chromedp.KeyModifiers(chromedp.ModifierCtrl)))
}

func (b *browser) ctrlShift(k string) {
	b.t.Helper()
	b.do("Ctrl+Shift+"+k, chromedp.KeyEvent(strings.ToUpper(k), chromedp.KeyModifiers(chromedp.ModifierCtrl, chromedp.ModifierShift)))
}

// shiftDown and shiftUp tell xyflow that Shift is held (it listens for the
// key on the document: Shift+drag draws a selection box).
func shiftDown() chromedp.Action[chromedp.Void] {
	return evalVoid(`document.dispatchEvent(new KeyboardEvent('keydown', {key: 'Shift', code: 'ShiftLeft', shiftKey: true, bubbles: true})); true`)
}

func shiftUp() chromedp.Action[chromedp.Void] {
	return evalVoid(`document.dispatchEvent(new KeyboardEvent('keyup', {key: 'Shift', code: 'ShiftLeft', bubbles: true})); true`)
}

func evalVoid(js string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := chromedp.Evaluate[bool](js)(ctx, t)
		return err
	})
}

// boxSelect draws a selection box with Shift+drag around two nodes.
func boxSelect(b *browser, from, to string) {
	b.t.Helper()
	r1 := b.rect(fmt.Sprintf(`[data-testid="node-%s"]`, from))
	r2 := b.rect(fmt.Sprintf(`[data-testid="node-%s"]`, to))
	x1, y1 := math.Min(r1.X, r2.X)-30, math.Min(r1.Y, r2.Y)-30
	x2, y2 := math.Max(r1.X+r1.W, r2.X+r2.W)+30, math.Max(r1.Y+r1.H, r2.Y+r2.H)+30
	shift := chromedp.ButtonModifiers(chromedp.ModifierShift)
	steps := []chromedp.Action[chromedp.Void]{shiftDown(),
		chromedp.MouseEvent(chromedp.MouseMoved, x1, y1, shift),
		chromedp.MouseEvent(chromedp.MousePressed, x1, y1, chromedp.ButtonLeft, chromedp.ClickCount(1), shift)}
	for i := 1; i <= 10; i++ {
		f := float64(i) / 10
		steps = append(steps, chromedp.MouseEvent(chromedp.MouseMoved, x1+(x2-x1)*f, y1+(y2-y1)*f, chromedp.ButtonLeft, shift))
	}
	steps = append(steps, chromedp.MouseEvent(chromedp.MouseReleased, x2, y2, chromedp.ButtonLeft, chromedp.ClickCount(1), shift), shiftUp())
	b.do("shift-drag a box around "+from+" and "+to, steps...)
}
