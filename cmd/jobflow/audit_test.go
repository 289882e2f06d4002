package main

import (
	"errors"
	"testing"
	"time"
)

func TestAuditRetention(t *testing.T) {
	for v, want := range map[string]time.Duration{"": 180 * 24 * time.Hour, "30d": 30 * 24 * time.Hour, "720h": 720 * time.Hour} {
		got, err := auditRetention(func(string) string { return v })
		if err != nil || got != want {
			t.Errorf("%q: %v, %v; want %v", v, got, err, want)
		}
	}
	for _, v := range []string{"0d", "-3d", "10m", "forever", "1.5d"} {
		_, err := auditRetention(func(string) string { return v })
		var se *settingError
		if !errors.As(err, &se) || se.name != "JOBFLOW_AUDIT_RETENTION" {
			t.Errorf("%q: err = %v, want a settingError naming JOBFLOW_AUDIT_RETENTION", v, err)
		}
	}
}
