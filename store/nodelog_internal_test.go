package store

import (
	"strings"
	"testing"
	"unicode/utf8"

	"jobflow"
)

func TestAppendLog_RuneBoundary(t *testing.T) {
	// A log of 3-byte characters cut at an arbitrary byte keeps whole ones.
	log := []byte(strings.Repeat("作", jobflow.MaxLogBytes/3))
	got := appendLog(log, []byte("业流\n"))
	if len(got) > jobflow.MaxLogBytes || !strings.HasPrefix(string(got), jobflow.LogTruncatedMarker) {
		t.Fatalf("len %d, head %q", len(got), got[:40])
	}
	if !utf8.Valid(got) || !strings.HasSuffix(string(got), "作业流\n") {
		t.Fatalf("invalid UTF-8 or lost tail: %q", got[len(got)-12:])
	}
}

func TestNodeWriteWins(t *testing.T) {
	const (
		pending = jobflow.NodePending
		waiting = jobflow.NodeWaiting
		running = jobflow.NodeRunning
		success = jobflow.NodeSuccess
		fail    = jobflow.NodeFail
		aborted = jobflow.NodeAborted
	)
	for _, tc := range []struct {
		old        jobflow.NodeStatus
		oldAttempt int
		new        jobflow.NodeStatus
		attempt    int
		want       bool
	}{
		{pending, 0, running, 1, true},
		{running, 1, pending, 0, false},
		{waiting, 0, pending, 0, false},
		{pending, 0, waiting, 0, true},
		{running, 1, running, 1, true},
		{running, 2, aborted, 0, true},
		{success, 1, running, 1, false},
		{success, 1, pending, 0, false},
		{fail, 1, running, 2, true},
		{fail, 2, success, 1, false},
		{fail, 1, success, 1, true},
	} {
		if got := nodeWriteWins(tc.old, tc.oldAttempt, tc.new, tc.attempt); got != tc.want {
			t.Errorf("nodeWriteWins(%s#%d <- %s#%d) = %v, want %v", tc.old, tc.oldAttempt, tc.new, tc.attempt, got, tc.want)
		}
	}
}
