// Package jobdir makes directories that tests share with SHELL and PYTHON
// jobs. When the tests run as root, jobs run as their tenant's
// unprivileged OS user inside a sandbox whose file system is read-only
// and whose /tmp is its own: a file a job writes for the test to read goes
// into a directory below Base, which every rig passes to its worker as a
// writable path (JOBFLOW_JOB_WRITABLE).
package jobdir

import (
	"os"
	"path/filepath"
	"testing"
)

// Base is the directory below which New makes its directories.
func Base() string { return filepath.Join(os.TempDir(), "jobflow-jobdir") }

// New returns a fresh directory that jobs may write to, removed when the
// test ends.
func New(t testing.TB) string {
	t.Helper()
	if err := os.MkdirAll(Base(), 0o755); err != nil {
		t.Fatalf("jobdir: %v", err)
	}
	dir, err := os.MkdirTemp(Base(), "test-")
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
