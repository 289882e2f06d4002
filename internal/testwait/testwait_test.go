package testwait

import (
	"testing"
	"time"
)

func TestUntil(t *testing.T) {
	start := time.Now()
	n := 0
	if !Until(5*time.Second, func() bool { n++; return n == 3 }) {
		t.Fatal("Until = false for a condition that holds at the third call")
	}
	if n != 3 {
		t.Fatalf("cond called %d times, want 3", n)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("Until took %v for three polls", d)
	}
	start = time.Now()
	if Until(50*time.Millisecond, func() bool { return false }) {
		t.Fatal("Until = true for a condition that never holds")
	}
	if d := time.Since(start); d < 50*time.Millisecond {
		t.Fatalf("Until gave up after %v, before its 50ms timeout", d)
	}
}
