package store_test

import (
	"testing"
	"time"

	"jobflow"
	"jobflow/store"
	"jobflow/store/storetest"
)

// An approval link is found by its token's hash, decides once (a second
// use, or a use after it expired, is CONFLICT), can be released after a
// failed delivery, and is replaced when the same channel is sent again.
func TestApprovalLinks(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		f := newRunFixture(t, s)
		run := f.run(jobflow.TriggerManual, time.Date(2026, 11, 25, 2, 0, 0, 0, time.UTC))
		if err := s.UpsertRun(ctx, run); err != nil {
			t.Fatal(err)
		}
		now := time.Now().UTC().Truncate(time.Second)
		l := &jobflow.ApprovalLink{TenantID: f.tenant.ID, RunID: run.ID, JobID: "gate", JobName: "gate", ChannelID: "ach_1",
			ChannelName: "ops", Message: "load tonight?", ExpiresAt: now.Add(time.Hour)}
		if err := s.CreateApprovalLink(ctx, l, "hash-1"); err != nil {
			t.Fatal(err)
		}
		got, err := s.FindApprovalLink(ctx, "hash-1")
		if err != nil || got.RunID != run.ID || got.Message != "load tonight?" || got.UsedAt != nil || !got.ExpiresAt.Equal(now.Add(time.Hour)) {
			t.Fatalf("found %+v, %v", got, err)
		}
		wantCode(t, func() error { _, err := s.FindApprovalLink(ctx, "nope"); return err }(), jobflow.ENOTFOUND)
		if _, err := s.UseApprovalLink(ctx, "hash-1", now); err != nil {
			t.Fatal(err)
		}
		_, err = s.UseApprovalLink(ctx, "hash-1", now)
		wantCode(t, err, jobflow.ECONFLICT)
		if err := s.ReleaseApprovalLink(ctx, "hash-1"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.UseApprovalLink(ctx, "hash-1", now.Add(2*time.Hour)); jobflow.ErrorCode(err) != jobflow.ECONFLICT {
			t.Errorf("an expired link: %v", err)
		}
		// Sent again to the same channel: the old token no longer works.
		if err := s.CreateApprovalLink(ctx, l, "hash-2"); err != nil {
			t.Fatal(err)
		}
		wantCode(t, func() error { _, err := s.FindApprovalLink(ctx, "hash-1"); return err }(), jobflow.ENOTFOUND)
		if _, err := s.UseApprovalLink(ctx, "hash-2", now); err != nil {
			t.Fatal(err)
		}
	})
}
