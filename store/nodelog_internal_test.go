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
