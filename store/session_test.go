package store_test

import (
	"testing"
	"time"

	"jobflow"
	"jobflow/store"
	"jobflow/store/storetest"
)

func TestSessionService_RevokedTokens(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		if r, err := s.IsTokenRevoked(ctx, "jti-1"); err != nil || r {
			t.Fatalf("fresh jti revoked = %v, %v", r, err)
		}
		exp := time.Now().Add(time.Hour)
		for i := 0; i < 2; i++ { // revoking twice is no error
			if err := s.RevokeToken(ctx, "jti-1", exp); err != nil {
				t.Fatal(err)
			}
		}
		if r, err := s.IsTokenRevoked(ctx, "jti-1"); err != nil || !r {
			t.Fatalf("revoked jti = %v, %v", r, err)
		}
		// An expired revocation is dropped by the next revoke.
		if err := s.RevokeToken(ctx, "jti-old", time.Now().Add(-time.Minute)); err != nil {
			t.Fatal(err)
		}
		if err := s.RevokeToken(ctx, "jti-2", exp); err != nil {
			t.Fatal(err)
		}
		if r, _ := s.IsTokenRevoked(ctx, "jti-old"); r {
			t.Error("an expired revocation was kept")
		}
		if r, _ := s.IsTokenRevoked(ctx, "jti-1"); !r {
			t.Error("a live revocation was dropped")
		}
	})
}

// TestSessionService_LoginThrottles: failures count per key and start over
// after an idle window; the block starts at the threshold and doubles, up
// to the policy's maximum; a PAIR's failures never block another address's
// pair for the same account; list and delete by account and/or address.
func TestSessionService_LoginThrottles(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		p := jobflow.ThrottlePolicy{Window: 10 * time.Minute, Threshold: 3, Base: 10 * time.Second, Max: 35 * time.Second}
		base := time.Now().UTC().Truncate(time.Millisecond)
		pairA := jobflow.LoginThrottleKey{Kind: jobflow.ThrottlePair, Account: "admin", Address: "203.0.113.5"}
		pairB := jobflow.LoginThrottleKey{Kind: jobflow.ThrottlePair, Account: "admin", Address: "198.51.100.7"}
		addrA := jobflow.LoginThrottleKey{Kind: jobflow.ThrottleAddress, Address: "203.0.113.5"}
		var last *jobflow.LoginThrottle
		for i := 1; i <= 6; i++ {
			at := base.Add(time.Duration(i) * time.Second)
			var err error
			if last, err = s.RecordLoginFailure(ctx, pairA, at, p); err != nil {
				t.Fatal(err)
			}
			if _, err := s.RecordLoginFailure(ctx, addrA, at, p); err != nil {
				t.Fatal(err)
			}
			want := map[int]time.Duration{1: 0, 2: 0, 3: 10 * time.Second, 4: 20 * time.Second, 5: 35 * time.Second, 6: 35 * time.Second}[i]
			switch {
			case last.Failures != i:
				t.Fatalf("failure %d: count %d", i, last.Failures)
			case want == 0 && last.BlockedUntil != nil:
				t.Fatalf("failure %d: blocked until %v before the threshold", i, last.BlockedUntil)
			case want > 0 && (last.BlockedUntil == nil || !last.BlockedUntil.Equal(at.Add(want))):
				t.Fatalf("failure %d: blocked until %v, want %v", i, last.BlockedUntil, at.Add(want))
			}
		}
		until, err := s.LoginBlockedUntil(ctx, base, pairA, addrA)
		if err != nil || !until.Equal(base.Add(6*time.Second+35*time.Second)) {
			t.Fatalf("blocked until %v (%v)", until, err)
		}
		// The same account from another address is not blocked at all.
		if until, err := s.LoginBlockedUntil(ctx, base, pairB, jobflow.LoginThrottleKey{Kind: jobflow.ThrottleAddress, Address: pairB.Address}); err != nil || !until.IsZero() {
			t.Fatalf("other address blocked until %v (%v)", until, err)
		}
		// After the block ends the key is free, and a failure past the
		// window starts the count over.
		if until, _ := s.LoginBlockedUntil(ctx, base.Add(time.Hour), pairA); !until.IsZero() {
			t.Fatalf("blocked after the block: %v", until)
		}
		if r, err := s.RecordLoginFailure(ctx, pairA, base.Add(time.Hour), p); err != nil || r.Failures != 1 || r.BlockedUntil != nil {
			t.Fatalf("after the window: %+v (%v); want 1 failure, not blocked", r, err)
		}

		// (the first keys, idle past the window, went with that record)
		for _, k := range []jobflow.LoginThrottleKey{pairB, addrA, addrA, addrA} {
			if _, err := s.RecordLoginFailure(ctx, k, base.Add(time.Hour), p); err != nil {
				t.Fatal(err)
			}
		}
		list, err := s.ListLoginThrottles(ctx)
		if err != nil || len(list) != 3 {
			t.Fatalf("list %+v (%v), want 3 keys", list, err)
		}
		if list[0].Kind != jobflow.ThrottleAddress || list[0].BlockedUntil == nil || list[len(list)-1].BlockedUntil != nil {
			t.Fatalf("list not blocked-first: %+v", list)
		}
		// Account and address: that pair and the address's own key.
		if n, err := s.DeleteLoginThrottles(ctx, "admin", "203.0.113.5"); err != nil || n != 2 {
			t.Fatalf("delete pair: %d (%v), want 2", n, err)
		}
		if list, _ := s.ListLoginThrottles(ctx); len(list) != 1 || list[0].Address != "198.51.100.7" {
			t.Fatalf("after delete: %+v", list)
		}
		if err := s.ClearLoginThrottle(ctx, pairB); err != nil {
			t.Fatal(err)
		}
		if list, _ := s.ListLoginThrottles(ctx); len(list) != 0 {
			t.Fatalf("after clear: %+v", list)
		}
		for _, k := range []jobflow.LoginThrottleKey{pairA, pairB, addrA} {
			if _, err := s.RecordLoginFailure(ctx, k, base, p); err != nil {
				t.Fatal(err)
			}
		}
		if n, err := s.DeleteLoginThrottles(ctx, "", ""); err != nil || n != 3 {
			t.Fatalf("delete all: %d (%v), want 3", n, err)
		}
	})
}
