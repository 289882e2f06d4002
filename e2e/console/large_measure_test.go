package console_test

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/chromedp/chromedp"
)

// The measurements of a large canvas, shared by BenchmarkConsole_LargeDAG
// and TestConsoleLarge: each runs in the page as one async function, timed
// with requestAnimationFrame (a frame's callback runs once the work before
// it, and the paint of the frame before, are done).

// evalAsync runs a JS expression that answers a promise and decodes what
// it resolves to into out.
func (b *browser) evalAsync(js string, within time.Duration, out any) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, within)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[json.RawMessage](js, chromedp.EvalAwaitPromise))
	if err != nil {
		b.shot("failed-eval")
		b.t.Fatalf("eval %s: %v", js, err)
	}
	if out != nil {
		if err := json.Unmarshal(v, out); err != nil {
			b.t.Fatalf("eval %s: decode %s: %v", js, v, err)
		}
	}
}

// fitResult is what a Fit did: the time from the click to the first frame
// after the viewport and the rendered nodes stopped changing, and what was
// rendered then.
type fitResult struct {
	Ms     float64 // click → settled and painted
	Zoom   float64 // the viewport's zoom after it
	Nodes  int     // nodes rendered
	Far    int     // of them drawn simplified (jf-node-far)
	Handle int     // handles rendered
	Edges  int     // edges rendered
}

// canvasJS are the page functions the measurements share: the canvas root
// (a data-testid), its rendered nodes, its zoom, and the next frame.
const canvasJS = `
	const root = document.querySelector('[data-testid=%q]');
	const vp = root.querySelector('.react-flow__viewport');
	const count = (sel) => root.querySelectorAll(sel).length;
	const zoom = () => Number((/scale\(([^)]+)\)/.exec(vp.style.transform) || [0, 1])[1]);
	const frame = () => new Promise((r) => requestAnimationFrame(r));`

// fit clicks the element sel (a Fit button) and waits until the canvas
// in the element with test id canvas has been still for 500 ms.
func (b *browser) fit(canvas, sel string) fitResult {
	b.t.Helper()
	var r fitResult
	b.evalAsync(fmt.Sprintf(`(async () => {`+canvasJS+`
		await frame(); await frame();
		const state = () => vp.style.transform + '|' + count('.react-flow__node');
		const t0 = performance.now();
		document.querySelector(%q).click();
		let last = state(), changed = t0, settled = null;
		for (;;) {
			const ts = await frame();
			const now = state();
			if (now !== last) { last = now; changed = ts; settled = null; continue }
			if (settled === null) settled = ts; // the frame after the last change: that change is painted
			if (ts - changed > 500 || ts - t0 > 60000) break;
		}
		return {Ms: settled - t0, Zoom: zoom(), Nodes: count('.react-flow__node'), Far: count('.jf-node-far'),
			Handle: count('.react-flow__handle'), Edges: count('.react-flow__edge')};
	})()`, canvas, sel), 90*time.Second, &r)
	return r
}

// zoomStep is one click on a zoom control: the longest frame from the
// click until 300 ms later, and the zoom and rendered nodes after it.
type zoomStep struct {
	Dir     string
	WorstMs float64
	Zoom    float64
	Nodes   int
	Far     int
	Handle  int
	// Frames are the frames of the step: the nodes rendered and whether
	// the far layer was drawn on each.
	Frames []stepFrame
}

// stepFrame is one frame of a zoom step.
type stepFrame struct {
	Ms    float64 // since the frame before it (the click for the first)
	Nodes int
	Layer bool
}

// zoomSteps clicks the canvas's zoom-in or zoom-out control once per
// entry of dirs ("in", "out") and times each step's frames.
func (b *browser) zoomSteps(canvas string, dirs []string) []zoomStep {
	b.t.Helper()
	js, _ := json.Marshal(dirs)
	var steps []zoomStep
	b.evalAsync(fmt.Sprintf(`(async () => {`+canvasJS+`
		const out = [];
		for (const dir of %s) {
			await frame(); await frame();
			const t0 = performance.now();
			root.querySelector(dir === 'in' ? '.react-flow__controls-zoomin' : '.react-flow__controls-zoomout').click();
			let prev = t0, worst = 0;
			const frames = [];
			for (;;) {
				const ts = await frame();
				worst = Math.max(worst, ts - prev);
				frames.push({Ms: ts - prev, Nodes: count('.react-flow__node'), Layer: !!root.querySelector('[data-testid="far-canvas"]')});
				prev = Math.max(prev, ts);
				if (ts - t0 > 300) break;
			}
			out.push({Dir: dir, WorstMs: worst, Zoom: zoom(), Nodes: count('.react-flow__node'), Far: count('.jf-node-far'), Handle: count('.react-flow__handle'), Frames: frames});
		}
		return out;
	})()`, canvas, js), 120*time.Second, &steps)
	return steps
}

// poll is one GET of a run seen by the page (Resource Timing): the bytes
// it transferred (headers and body) and its body's, and its since.
type poll struct {
	Since    string  `json:"since"`
	Transfer float64 `json:"transfer"`
	Body     float64 `json:"body"`
	Start    float64 `json:"start"`
}

// runPolls lists the page's GETs of the run, oldest first.
func (b *browser) runPolls(runID string) []poll {
	b.t.Helper()
	var ps []poll
	b.eval(fmt.Sprintf(`performance.getEntriesByType('resource').filter((r) => new URL(r.name).pathname === '/api/v1/runs/' + %q)
		.map((r) => ({since: new URL(r.name).searchParams.get('since') ?? '', transfer: r.transferSize, body: r.encodedBodySize, start: r.startTime}))`, runID), &ps)
	return ps
}

// worst is the longest frame of the steps.
func worst(steps []zoomStep) float64 {
	w := 0.0
	for _, s := range steps {
		w = max(w, s.WorstMs)
	}
	return w
}

// zoomDirs are ten steps in from a fitted view (across FAR) and ten out.
var zoomDirs = []string{"in", "in", "in", "in", "in", "in", "in", "in", "in", "in", "out", "out", "out", "out", "out", "out", "out", "out", "out", "out"}
