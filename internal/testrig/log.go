package testrig

import (
	"log/slog"
	"strings"
	"sync"
	"testing"
)

// testLog writes the rig's errors into the test's log, so a test that
// fails on a 500 shows its cause (the API answers only "internal error").
// Background goroutines (the worker, the reconciler) may log after the
// test ends, when t.Log panics: from cleanup on, the lines are dropped.
type testLog struct {
	mu   sync.Mutex
	t    *testing.T
	done bool
}

func (w *testLog) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.done {
		w.t.Log(strings.TrimRight(string(p), "\n"))
	}
	return len(p), nil
}

// errorLogger is a logger of errors only, into t's log until t ends.
func errorLogger(t *testing.T) *slog.Logger {
	w := &testLog{t: t}
	t.Cleanup(func() {
		w.mu.Lock()
		w.done = true
		w.mu.Unlock()
	})
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelError}))
}
