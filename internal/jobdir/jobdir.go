// Package jobdir makes directories that tests share with SHELL and PYTHON
// jobs. When the tests run as root, jobs run as an unprivileged OS user who
// cannot enter t.TempDir() (mode 0700 under a root-owned parent), so files a
// job writes for the test to read go into a directory of /tmp that every
// user may write to.
package jobdir

import (
	"os"
	"testing"
)

// New returns a fresh directory that jobs may write to, removed when the
// test ends.
func New(t testing.TB) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "jobflow-test-")
	if err != nil {
		t.Fatalf("jobdir: %v", err)
	}
	// Sticky and world-writable, like /tmp: a job user may create files,
	// not remove other users' files.
	if err := os.Chmod(dir, 0o1777); err != nil {
		t.Fatalf("jobdir: %v", err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}
