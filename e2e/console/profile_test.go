package console_test

import (
	"context"
	"encoding/json"
	"os"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/profiler"
	"github.com/chromedp/chromedp"
)

// startProfile starts the V8 sampling profiler of the tab (1 ms samples);
// it goes on across a same-site navigation.
func (b *browser) startProfile() {
	b.t.Helper()
	b.do("start profiler", chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		if _, err := cdp.Call(ctx, t, profiler.Enable, cdp.Empty{}); err != nil {
			return err
		}
		if _, err := cdp.Call(ctx, t, profiler.SetSamplingInterval, profiler.SetSamplingIntervalParams{Interval: 1000}); err != nil {
			return err
		}
		_, err := cdp.Call(ctx, t, profiler.Start, cdp.Empty{})
		return err
	}))
}

// stopProfile stops it and writes the profile (.cpuprofile, DevTools' format).
func (b *browser) stopProfile(path string) {
	b.t.Helper()
	b.do("stop profiler", chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		res, err := cdp.Call(ctx, t, profiler.Stop, cdp.Empty{})
		if err != nil {
			return err
		}
		data, err := json.Marshal(res.Profile)
		if err != nil {
			return err
		}
		return os.WriteFile(path, data, 0o644)
	}))
	b.t.Logf("cpu profile %s", path)
}
