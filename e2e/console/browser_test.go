package console_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// chromiumPath is Debian's chromium (.ci/run installs it when missing).
const chromiumPath = "/usr/bin/chromium"

// stepTimeout bounds one browser step; the run and abort waits pass their own.
const stepTimeout = 20 * time.Second

// newAllocator starts one headless chromium for a test and its subtests,
// with a fresh profile. A missing or broken browser fails the test.
func newAllocator(t testing.TB) context.Context {
	t.Helper()
	path := chromiumPath
	if p := os.Getenv("JOBFLOW_CHROMIUM"); p != "" {
		path = p
	}
	if _, err := exec.LookPath(path); err != nil {
		t.Fatalf("chromium is needed for the console tests (apt-get install chromium): %v", err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("lang", "zh-CN"), chromedp.Flag("accept-lang", "zh-CN,zh"), chromedp.Flag("force-prefers-reduced-motion", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1440, 900),
	)
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	// The first tab starts the browser; each scenario then opens its own
	// browser context (own cookies and storage) in it.
	ctx, cancel2 := chromedp.NewContext(actx)
	t.Cleanup(cancel2)
	// The first Do starts the browser and binds it to ctx: no timeout
	// context here, its end would close the browser.
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("chromium (%s) does not start: %v", path, err)
	}
	return ctx
}

// browser is one isolated browser context (own storage) on the console.
type browser struct {
	t     testing.TB
	ctx   context.Context
	base  string
	shots string
}

// shotsDir is where screenshots go: $JOBFLOW_SCREENSHOTS when set (to
// keep them), else the test's temp dir.
func shotsDir(t testing.TB) string {
	if d := os.Getenv("JOBFLOW_SCREENSHOTS"); d != "" {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		return d
	}
	return t.TempDir()
}

func newBrowser(t testing.TB, alloc context.Context, base string) *browser {
	t.Helper()
	ctx, cancel := chromedp.NewContext(alloc, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	b := &browser{t: t, ctx: ctx, base: base, shots: shotsDir(t)}
	// The first Do opens the tab and binds it to ctx (not to a timeout).
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("open a browser tab: %v", err)
	}
	return b
}

func (b *browser) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		b.shot("failed-" + sanitize(what))
		b.t.Fatalf("%s: %v", what, err)
	}
}

func sanitize(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' {
			return r
		}
		return '-'
	}, s)
}

func tid(id string) chromedp.CSS { return chromedp.CSS(fmt.Sprintf(`[data-testid=%q]`, id)) }

func (b *browser) open(path string) { b.t.Helper(); b.do("open "+path, chromedp.Navigate(b.base+path)) }

func (b *browser) click(id string) { b.t.Helper(); b.do("click "+id, chromedp.Click(tid(id))) }

// navGroup is the top menu's group an entry sits in (AppLayout.tsx); an
// entry not named here is in the bar itself.
var navGroup = map[string]string{
	"nav-alarm-records": "nav-group-monitoring", "nav-alarm-channels": "nav-group-monitoring",
	"nav-baselines": "nav-group-monitoring", "nav-audit": "nav-group-monitoring",
	"nav-datasources": "nav-group-resources", "nav-variables": "nav-group-resources",
	"nav-calendars": "nav-group-resources", "nav-pools": "nav-group-resources",
}

// nav opens a page from the top menu as a user does: an entry in a group
// by opening the group (a click) first.
func (b *browser) nav(id string) {
	b.t.Helper()
	if g := navGroup[id]; g != "" {
		b.click(g)
		b.visible(id)
	}
	b.click(id)
}

func (b *browser) clickCSS(sel string) {
	b.t.Helper()
	b.do("click "+sel, chromedp.Click(chromedp.CSS(sel)))
}

func (b *browser) typeInto(id, text string) {
	b.t.Helper()
	b.do("type into "+id, chromedp.Click(tid(id)), chromedp.SendKeys(tid(id), text))
}

// clear empties an input the way a user would (select all, delete).
func (b *browser) clear(id string) {
	b.t.Helper()
	b.do("clear "+id, chromedp.Click(tid(id)),
		chromedp.KeyEvent("a", chromedp.KeyModifiers(chromedp.ModifierCtrl)), chromedp.KeyEvent("\b"))
}

func (b *browser) visible(id string) {
	b.t.Helper()
	b.do("wait for "+id, chromedp.WaitVisible(tid(id)))
}

// eval runs a JS expression and decodes its value into out (may be nil).
func (b *browser) eval(js string, out any) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[json.RawMessage](js))
	if err != nil {
		b.t.Fatalf("eval %s: %v", js, err)
	}
	if out != nil {
		if err := json.Unmarshal(v, out); err != nil {
			b.t.Fatalf("eval %s: decode %s: %v", js, v, err)
		}
	}
}

// waitFor polls a JS predicate until it is true, failing after within.
func (b *browser) waitFor(what, js string, within time.Duration) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, within+5*time.Second)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](js, chromedp.WithPollingInterval(100*time.Millisecond), chromedp.WithPollingTimeout(within))); err != nil {
		b.shot("failed-" + sanitize(what))
		var body string
		b.eval(`document.body.innerText.slice(0, 2000)`, &body)
		b.t.Fatalf("%s: %v\npage text: %s", what, err, body)
	}
}

// waitText waits until the element with the test id contains text.
func (b *browser) waitText(id, text string) {
	b.t.Helper()
	b.waitFor(fmt.Sprintf("%s shows %q", id, text),
		fmt.Sprintf(`[...document.querySelectorAll('[data-testid=%q]')].some(e => e.innerText.includes(%q))`, id, text), stepTimeout)
}

// waitBodyText waits until the page shows text anywhere.
func (b *browser) waitBodyText(text string) {
	b.t.Helper()
	b.waitFor(fmt.Sprintf("page shows %q", text), fmt.Sprintf(`document.body.innerText.includes(%q)`, text), stepTimeout)
}

// shot saves a PNG of the viewport as NN-name.png in the screenshot dir.
func (b *browser) shot(name string) string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		b.t.Logf("screenshot %s: %v", name, err)
		return ""
	}
	p := filepath.Join(b.shots, sanitize(b.t.Name())+"-"+name+".png")
	if err := os.WriteFile(p, png, 0o644); err != nil {
		b.t.Fatal(err)
	}
	b.t.Logf("screenshot %s", p)
	return p
}

// rect is an element's box in CSS pixels of the viewport.
type rect struct{ X, Y, W, H float64 }

func (r rect) center() (float64, float64) { return r.X + r.W/2, r.Y + r.H/2 }

func (b *browser) rect(sel string) rect {
	b.t.Helper()
	var r rect
	b.eval(fmt.Sprintf(`(() => { const e = document.querySelector(%q); if (!e) return null;
		const r = e.getBoundingClientRect(); return {X: r.x, Y: r.y, W: r.width, H: r.height} })()`, sel), &r)
	if r.W == 0 {
		b.t.Fatalf("no element %s on the page", sel)
	}
	return r
}

// mouseDrag presses at one point, moves in steps and releases at another:
// real mouse events, as a user's drag (connecting two handles).
func (b *browser) mouseDrag(x1, y1, x2, y2 float64) {
	b.t.Helper()
	steps := []chromedp.Action[chromedp.Void]{
		chromedp.MouseEvent(chromedp.MouseMoved, x1, y1),
		chromedp.MouseEvent(chromedp.MousePressed, x1, y1, chromedp.ButtonLeft, chromedp.ClickCount(1)),
	}
	for i := 1; i <= 10; i++ {
		f := float64(i) / 10
		steps = append(steps, chromedp.MouseEvent(chromedp.MouseMoved, x1+(x2-x1)*f, y1+(y2-y1)*f, chromedp.ButtonLeft))
	}
	steps = append(steps, chromedp.MouseEvent(chromedp.MouseReleased, x2, y2, chromedp.ButtonLeft, chromedp.ClickCount(1)))
	b.do("mouse drag", steps...)
}

// dropJob drags a job from the editor's list onto the canvas at (x, y) of
// the viewport, with the HTML5 drag events a user's drag fires (headless
// Chrome does not synthesize native drag sessions from mouse input).
func (b *browser) dropJob(name string, x, y float64) {
	b.t.Helper()
	if !b.drop("job-item-"+name, x, y) {
		b.t.Fatalf("drag %s: job or canvas not on the page", name)
	}
	b.visible("node-" + name)
}

// drop drags the element with data-testid id onto the canvas at (x, y),
// as dropJob does; false when the element or the canvas is not there.
func (b *browser) drop(id string, x, y float64) bool {
	b.t.Helper()
	var ok bool
	b.eval(fmt.Sprintf(`(() => {
		const src = document.querySelector('[data-testid="%s"]');
		const pane = document.querySelector('[data-testid="canvas"] .react-flow__pane');
		if (!src || !pane) return false;
		const dt = new DataTransfer();
		src.dispatchEvent(new DragEvent('dragstart', {bubbles: true, cancelable: true, dataTransfer: dt}));
		const at = {bubbles: true, cancelable: true, dataTransfer: dt, clientX: %f, clientY: %f};
		pane.dispatchEvent(new DragEvent('dragenter', at));
		pane.dispatchEvent(new DragEvent('dragover', at));
		pane.dispatchEvent(new DragEvent('drop', at));
		src.dispatchEvent(new DragEvent('dragend', {bubbles: true, dataTransfer: dt}));
		return true })()`, id, x, y), &ok)
	return ok
}

// selectOption opens the antd Select with the test id and picks the option
// whose label is label.
func (b *browser) selectOption(id, label string) {
	b.t.Helper()
	// A dropdown still closing would offer the same label and take the
	// click (a multi-select's, closed by a click elsewhere, animates out).
	b.waitFor("no open dropdown before "+id, `!document.querySelector('.ant-select-dropdown:not(.ant-select-dropdown-hidden)')`, stepTimeout)
	b.click(id)
	sel := fmt.Sprintf(`.ant-select-dropdown:not(.ant-select-dropdown-hidden) .ant-select-item-option[title=%q]`, label)
	b.do("pick "+label+" in "+id, chromedp.WaitVisible(chromedp.CSS(sel)), chromedp.Click(chromedp.CSS(sel)))
}

// login fills in the login form.
func (b *browser) login(account, password string) {
	b.t.Helper()
	b.open("/login")
	b.typeInto("login-account", account)
	b.typeInto("login-password", password)
	b.click("login-submit")
}

// contextHolder keeps the allocator context of a test for its subtests.
type contextHolder struct{ ctx context.Context }

// gone waits until no element has the test id (a dialog has closed and its
// mask no longer takes the clicks).
func (b *browser) gone(id string) {
	b.t.Helper()
	b.waitFor(id+" gone", fmt.Sprintf(`!document.querySelector('[data-testid=%q]') && !document.querySelector('.ant-modal-wrap:not([style*="display: none"]) .ant-modal')`, id), stepTimeout)
}

// closeConfirm presses the button of an antd Modal.confirm (publish result,
// notices) and waits until the modal and its mask are gone: a click sent while
// it animates out lands on the mask and is lost.
func (b *browser) closeConfirm() {
	b.t.Helper()
	b.clickCSS(".ant-modal-confirm-btns button")
	b.waitFor("confirm modal gone", `!document.querySelector('.ant-modal-confirm') && !document.querySelector('.ant-modal-wrap:not([style*="display: none"]) .ant-modal')`, stepTimeout)
}

// typeCSS types into the element matched by a CSS selector.
func (b *browser) typeCSS(sel, text string) {
	b.t.Helper()
	b.do("type into "+sel, chromedp.Click(chromedp.CSS(sel)), chromedp.SendKeys(chromedp.CSS(sel), text))
}
