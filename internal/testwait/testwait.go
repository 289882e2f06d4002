// Package testwait lets tests wait for a condition instead of sleeping
// for a guessed time: the test goes on as soon as the condition holds, and
// fails with a message when it does not within the deadline.
package testwait

import (
	"testing"
	"time"
)

// Interval is how often For polls.
const Interval = 10 * time.Millisecond

// For polls cond every Interval until it holds, and fails t (naming what)
// when timeout passes first. cond is called from the test's goroutine.
func For(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	if !Until(timeout, cond) {
		t.Fatalf("testwait: %s did not happen within %v", what, timeout)
	}
}

// Until polls cond every Interval until it holds (true) or timeout passes
// (false), for tests that report the failure themselves.
func Until(timeout time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(timeout)
	for {
		if cond() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(Interval)
	}
}
