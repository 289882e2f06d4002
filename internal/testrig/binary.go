package testrig

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"jobflow/internal/testtier"
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// Binary builds the jobflow binary once per test process and returns its
// path, for tests that run it as an operator does.
func Binary(t *testing.T) string {
	t.Helper()
	testtier.Long(t, "the jobflow binary (tests that run jobflow processes)")
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "jobflow-bin-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "jobflow")
		out, err := exec.Command("go", "build", "-ldflags", "-s -w", "-o", binPath, "jobflow/cmd/jobflow").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// RemoveBinary deletes what Binary built; call it from TestMain.
func RemoveBinary() {
	if binPath != "" {
		os.RemoveAll(filepath.Dir(binPath))
	}
}
