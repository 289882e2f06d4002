package jobflow_test

import (
	"testing"
	"time"

	"jobflow"
)

func TestSchedule_NextTimes(t *testing.T) {
	at := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	ptr := func(v time.Time) *time.Time { return &v }
	s := jobflow.Schedule{Cron: "0 0 2 * * ?", Timezone: "Asia/Shanghai"}

	got, err := s.NextTimes(at("2026-11-25T00:00:00Z"), 3)
	if err != nil {
		t.Fatal(err)
	}
	want := []time.Time{at("2026-11-25T18:00:00Z"), at("2026-11-26T18:00:00Z"), at("2026-11-27T18:00:00Z")}
	if len(got) != 3 || !got[0].Equal(want[0]) || !got[2].Equal(want[2]) {
		t.Fatalf("NextTimes = %v, want %v", got, want)
	}

	t.Run("StartAtAndEndAt", func(t *testing.T) {
		s := s
		s.StartAt, s.EndAt = ptr(at("2026-12-01T18:00:00Z")), ptr(at("2026-12-02T18:00:00Z"))
		got, err := s.NextTimes(at("2026-11-25T00:00:00Z"), 5)
		if err != nil {
			t.Fatal(err)
		}
		// Both bounds are inclusive, as in Temporal's spec.
		if len(got) != 2 || !got[0].Equal(*s.StartAt) || !got[1].Equal(*s.EndAt) {
			t.Fatalf("NextTimes within bounds = %v", got)
		}
	})

	t.Run("ErrInvalid", func(t *testing.T) {
		for _, bad := range []jobflow.Schedule{{Cron: "0 0 25 * * ?", Timezone: "UTC"}, {Cron: "0 0 2 * * ?", Timezone: "Nowhere/City"}} {
			if _, err := bad.NextTimes(time.Now(), 1); jobflow.ErrorCode(err) != jobflow.EINVALID {
				t.Errorf("NextTimes(%+v) error = %v, want INVALID", bad, err)
			}
		}
	})
}

func TestSchedule_FireTimes(t *testing.T) {
	s := jobflow.Schedule{Cron: "0 0 2 * * ?", Timezone: "Asia/Shanghai"}
	start := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	got, err := s.FireTimes(start, start.AddDate(0, 0, 3), 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || got[0] != time.Date(2026, 11, 1, 18, 0, 0, 0, time.UTC) {
		t.Fatalf("FireTimes = %v", got)
	}
	// Inclusive at both ends.
	if got, _ := s.FireTimes(got[0], got[0], 10); len(got) != 1 {
		t.Fatalf("FireTimes of one instant = %v", got)
	}
	_, err = s.FireTimes(start, start.AddDate(0, 0, 20), 10)
	if jobflow.ErrorCode(err) != jobflow.EINVALID {
		t.Fatalf("over the limit: %v, want INVALID", err)
	}
}
