package testtier_test

import (
	"os"
	"os/exec"
	"strings"
	"testing"

	"jobflow/internal/testtier"
)

// Long skips under -short and lets the test run without it: checked in a
// child test process run both ways.
func TestLong(t *testing.T) {
	if os.Getenv("TESTTIER_CHILD") == "1" {
		testtier.Long(t, "nothing")
		t.Log("RAN-PAST-LONG")
		return
	}
	for _, c := range []struct {
		short bool
		want  string
	}{{true, "fast tier (-short): needs nothing"}, {false, "RAN-PAST-LONG"}} {
		args := []string{"-test.run=^TestLong$", "-test.v"}
		if c.short {
			args = append(args, "-test.short")
		}
		cmd := exec.Command(os.Args[0], args...)
		cmd.Env = append(os.Environ(), "TESTTIER_CHILD=1")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("short=%v: %v\n%s", c.short, err, out)
		}
		if !strings.Contains(string(out), c.want) {
			t.Errorf("short=%v: output lacks %q:\n%s", c.short, c.want, out)
		}
		if skipped := strings.Contains(string(out), "--- SKIP"); skipped != c.short {
			t.Errorf("short=%v: skipped=%v:\n%s", c.short, skipped, out)
		}
	}
}
