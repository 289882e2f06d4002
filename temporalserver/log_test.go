package temporalserver

import (
	"bytes"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"

	"go.temporal.io/server/common/log/tag"
)

// TestSlogLogger_Floors: at run time warnings pass and info does not; while
// starting only errors pass; while stopping not even those.
func TestSlogLogger_Floors(t *testing.T) {
	var buf bytes.Buffer
	var floor atomic.Int64
	l := newSlogLogger(slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})), slog.LevelWarn, &floor)
	emit := func() {
		l.Info("info-line")
		l.Warn("warn-line", tag.NewStringTag("k", "v"))
		l.Error("error-line")
		l.DPanic("dpanic-line")
	}
	check := func(phase string, want map[string]bool) {
		t.Helper()
		out := buf.String()
		buf.Reset()
		for line, shown := range want {
			if got := strings.Contains(out, line); got != shown {
				t.Errorf("%s: %s shown = %v, want %v\n%s", phase, line, got, shown, out)
			}
		}
	}

	floor.Store(int64(floorRunning))
	emit()
	check("running", map[string]bool{"info-line": false, "warn-line": true, "error-line": true, "dpanic-line": true})
	floor.Store(int64(floorStarting))
	emit()
	check("starting", map[string]bool{"info-line": false, "warn-line": false, "error-line": true, "dpanic-line": true})
	floor.Store(int64(floorStopping))
	emit()
	check("stopping", map[string]bool{"info-line": false, "warn-line": false, "error-line": false, "dpanic-line": true})

	// Tags become attributes, also through With.
	floor.Store(int64(floorRunning))
	l.With(tag.NewStringTag("service", "history")).Warn("tagged")
	if out := buf.String(); !strings.Contains(out, "service=history") || !strings.Contains(out, "component=temporal") {
		t.Errorf("tags lost: %s", out)
	}
}
