package store_test

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"jobflow"
	"jobflow/store"
	"jobflow/store/storetest"
)

const idemRoute = "POST /api/v1/workflows/:id/runs"

func idemKey(tenantID, key, fp string) *jobflow.IdempotencyKey {
	return &jobflow.IdempotencyKey{TenantID: tenantID, Route: idemRoute, Key: key, Fingerprint: fp}
}

func TestIdempotencyService_Claim(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		a, b := mustTenant(t, s, "a"), mustTenant(t, s, "b")

		held, claimed, err := s.ClaimIdempotencyKey(ctx, idemKey(a.ID, "k1", "fp1"))
		if err != nil || !claimed || held != nil {
			t.Fatalf("first claim = %v, %v, %v; want claimed", held, claimed, err)
		}
		// A repeat sees the claim, still without an answer.
		held, claimed, err = s.ClaimIdempotencyKey(ctx, idemKey(a.ID, "k1", "fp1"))
		if err != nil || claimed || held == nil || held.Status != 0 || held.Fingerprint != "fp1" {
			t.Fatalf("repeat = %+v, %v, %v; want the unanswered claim", held, claimed, err)
		}
		// The same key in another tenant or on another route is another key.
		if _, claimed, err := s.ClaimIdempotencyKey(ctx, idemKey(b.ID, "k1", "fp1")); err != nil || !claimed {
			t.Fatalf("other tenant: claimed=%v err=%v", claimed, err)
		}
		other := idemKey(a.ID, "k1", "fp1")
		other.Route = "POST /api/v1/runs/:id/rerun"
		if _, claimed, err := s.ClaimIdempotencyKey(ctx, other); err != nil || !claimed {
			t.Fatalf("other route: claimed=%v err=%v", claimed, err)
		}

		// The answer is kept and handed to every repeat, whatever its body.
		if err := s.CompleteIdempotencyKey(ctx, a.ID, idemRoute, "k1", 202, []byte(`{"runId":"run_1"}`)); err != nil {
			t.Fatal(err)
		}
		held, claimed, err = s.ClaimIdempotencyKey(ctx, idemKey(a.ID, "k1", "fp-other"))
		if err != nil || claimed || held.Status != 202 || string(held.Response) != `{"runId":"run_1"}` || held.Fingerprint != "fp1" {
			t.Fatalf("after answer = %+v, %v, %v", held, claimed, err)
		}
		// Release keeps an answered key.
		if err := s.ReleaseIdempotencyKey(ctx, a.ID, idemRoute, "k1"); err != nil {
			t.Fatal(err)
		}
		if _, claimed, _ := s.ClaimIdempotencyKey(ctx, idemKey(a.ID, "k1", "fp1")); claimed {
			t.Fatal("an answered key was released")
		}
		// An unanswered key that is released can be claimed again.
		if _, claimed, _ := s.ClaimIdempotencyKey(ctx, idemKey(a.ID, "k2", "fp")); !claimed {
			t.Fatal("k2 not claimed")
		}
		if err := s.ReleaseIdempotencyKey(ctx, a.ID, idemRoute, "k2"); err != nil {
			t.Fatal(err)
		}
		if _, claimed, _ := s.ClaimIdempotencyKey(ctx, idemKey(a.ID, "k2", "fp")); !claimed {
			t.Fatal("released k2 not claimable")
		}
		wantCode(t, s.CompleteIdempotencyKey(ctx, a.ID, idemRoute, "nope", 202, nil), jobflow.ENOTFOUND)
		_, _, err = s.ClaimIdempotencyKey(ctx, &jobflow.IdempotencyKey{TenantID: a.ID, Route: idemRoute, Key: "x"})
		wantCode(t, err, jobflow.EINVALID)
	})
}

func TestIdempotencyService_Expiry(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		tn := mustTenant(t, s, "a")
		// An answered key is kept 24 h: just under is still held…
		s.ClaimIdempotencyKey(ctx, idemKey(tn.ID, "day", "fp"))
		if err := s.CompleteIdempotencyKey(ctx, tn.ID, idemRoute, "day", 202, []byte(`{}`)); err != nil {
			t.Fatal(err)
		}
		store.AgeIdempotencyKey(t, s, tn.ID, idemRoute, "day", jobflow.IdempotencyTTL-time.Minute)
		if _, claimed, _ := s.ClaimIdempotencyKey(ctx, idemKey(tn.ID, "day", "fp")); claimed {
			t.Fatal("a key answered 23h59m ago was claimed again")
		}
		// …and past it the key is free.
		store.AgeIdempotencyKey(t, s, tn.ID, idemRoute, "day", 2*time.Minute)
		if _, claimed, _ := s.ClaimIdempotencyKey(ctx, idemKey(tn.ID, "day", "fp2")); !claimed {
			t.Fatal("a key older than 24 h was not claimable")
		}
		// An unanswered claim is taken over once it is stale (its request died).
		s.ClaimIdempotencyKey(ctx, idemKey(tn.ID, "stuck", "fp"))
		store.AgeIdempotencyKey(t, s, tn.ID, idemRoute, "stuck", jobflow.IdempotencyStale-time.Minute)
		if _, claimed, _ := s.ClaimIdempotencyKey(ctx, idemKey(tn.ID, "stuck", "fp")); claimed {
			t.Fatal("a fresh unanswered claim was taken over")
		}
		store.AgeIdempotencyKey(t, s, tn.ID, idemRoute, "stuck", 2*time.Minute)
		if _, claimed, _ := s.ClaimIdempotencyKey(ctx, idemKey(tn.ID, "stuck", "fp")); !claimed {
			t.Fatal("a stale unanswered claim was not taken over")
		}
	})
}

// 50 concurrent claims of one key: exactly one wins, every other sees it.
func TestIdempotencyService_ConcurrentClaims(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		tn := mustTenant(t, s, "a")
		var wins, held, failed atomic.Int32
		var wg sync.WaitGroup
		for range 50 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				h, claimed, err := s.ClaimIdempotencyKey(ctx, idemKey(tn.ID, "same", "fp"))
				switch {
				case err != nil:
					failed.Add(1)
					t.Error(err)
				case claimed:
					wins.Add(1)
				case h != nil && h.Fingerprint == "fp":
					held.Add(1)
				}
			}()
		}
		wg.Wait()
		if wins.Load() != 1 || held.Load() != 49 || failed.Load() != 0 {
			t.Fatalf("wins=%d held=%d failed=%d; want 1, 49, 0", wins.Load(), held.Load(), failed.Load())
		}
	})
}
