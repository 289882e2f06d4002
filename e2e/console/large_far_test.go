package console_test

import (
	"fmt"
	"math"

	"github.com/chromedp/chromedp"
)

// The far layer of a huge canvas (web/src/features/editor/FarCanvas.tsx):
// zoomed out below 0.5, one <canvas> draws every job and edge, and React
// Flow holds only the selected nodes. These read it for TestConsoleLarge.

// farState is what a canvas shows: whether the far layer is there, its
// role and label, and the React Flow nodes and edges in the page.
type farState struct {
	Layer bool
	Role  string
	Label string
	Nodes int
	Edges int
}

func (b *browser) farState(canvas string) farState {
	b.t.Helper()
	var s farState
	b.eval(fmt.Sprintf(`(() => { const root = document.querySelector('[data-testid=%q]');
		const cv = root.querySelector('[data-testid="far-canvas"]');
		return {Layer: !!cv, Role: cv?.getAttribute('role') ?? '', Label: cv?.getAttribute('aria-label') ?? '',
			Nodes: root.querySelectorAll('.react-flow__node').length, Edges: root.querySelectorAll('.react-flow__edge').length} })()`, canvas), &s)
	return s
}

// jobAt is where the middle of the job at column col and row row of the
// seeded DAG (seedDAG: x = col·240, y = row·70, 180 × 44) is on the
// screen (X, Y, CSS pixels of the page) and the far layer's pixel there
// (RGBA, read with getImageData), and the pixel in the gap after it, on
// the line of its edge to the next column (Edge).
type jobAt struct {
	X, Y float64
	RGBA [4]int
	Edge [4]int
}

func (b *browser) jobAt(canvas string, col, row int) jobAt {
	b.t.Helper()
	var p jobAt
	b.eval(fmt.Sprintf(`(() => { const root = document.querySelector('[data-testid=%q]');
		const flow = root.querySelector('.react-flow');
		const vp = root.querySelector('.react-flow__viewport');
		const m = /translate\(([-\d.e]+)px, ?([-\d.e]+)px\) scale\(([-\d.e]+)\)/.exec(vp.style.transform);
		const [tx, ty, z] = [Number(m[1]), Number(m[2]), Number(m[3])];
		const x = tx + (%d * 240 + 90) * z, y = ty + (%d * 70 + 22) * z;
		const box = flow.getBoundingClientRect();
		const cv = root.querySelector('[data-testid="far-canvas"]');
		const px = (x, y) => { if (!cv) return [0, 0, 0, 0]; const k = cv.width / cv.clientWidth;
			return Array.from(cv.getContext('2d').getImageData(Math.floor(x * k), Math.floor(y * k), 1, 1).data) };
		return {X: box.x + x, Y: box.y + y, RGBA: px(x, y), Edge: px(x + 120 * z, y)} })()`, canvas, col, row), &p)
	return p
}

// hexRGB is a #rrggbb colour's channels.
func hexRGB(hex string) [3]int {
	var c [3]int
	fmt.Sscanf(hex, "#%02x%02x%02x", &c[0], &c[1], &c[2])
	return c
}

// colourIs answers whether rgba is the opaque colour hex (within 8 per
// channel, for the canvas's rounding).
func colourIs(rgba [4]int, hex string) bool {
	c := hexRGB(hex)
	for i := range 3 {
		if math.Abs(float64(rgba[i]-c[i])) > 8 {
			return false
		}
	}
	return rgba[3] == 255
}

// clickAt is a user's click at a point of the page.
func (b *browser) clickAt(x, y float64) {
	b.t.Helper()
	b.do("click at point",
		chromedp.MouseEvent(chromedp.MouseMoved, x, y),
		chromedp.MouseEvent(chromedp.MousePressed, x, y, chromedp.ButtonLeft, chromedp.ClickCount(1)),
		chromedp.MouseEvent(chromedp.MouseReleased, x, y, chromedp.ButtonLeft, chromedp.ClickCount(1)))
}
