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

func TestSessionService_LoginFailures(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		base := time.Now().Add(-time.Hour).UTC().Truncate(time.Millisecond)
		for i := 0; i < 3; i++ {
			at := base.Add(time.Duration(i) * time.Minute)
			if err := s.RecordLoginFailure(ctx, jobflow.LoginAccount, "bob", at, base.Add(-time.Hour)); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.RecordLoginFailure(ctx, jobflow.LoginAddress, "bob", base, base.Add(-time.Hour)); err != nil {
			t.Fatal(err)
		}
		n, last, err := s.LoginFailures(ctx, jobflow.LoginAccount, "bob", base.Add(30*time.Second))
		if err != nil || n != 2 || !last.Equal(base.Add(2*time.Minute)) {
			t.Fatalf("failures since +30s = %d, last %v (%v); want 2, last %v", n, last, err, base.Add(2*time.Minute))
		}
		// Recording forgets the subject's failures before forgetBefore.
		if err := s.RecordLoginFailure(ctx, jobflow.LoginAccount, "bob", base.Add(3*time.Minute), base.Add(90*time.Second)); err != nil {
			t.Fatal(err)
		}
		if n, _, _ := s.LoginFailures(ctx, jobflow.LoginAccount, "bob", base.Add(-time.Hour)); n != 2 {
			t.Fatalf("after forgetting: %d failures, want 2", n)
		}
		if err := s.ClearLoginFailures(ctx, jobflow.LoginAccount, "bob"); err != nil {
			t.Fatal(err)
		}
		if n, _, _ := s.LoginFailures(ctx, jobflow.LoginAccount, "bob", base.Add(-time.Hour)); n != 0 {
			t.Fatalf("after clear: %d failures", n)
		}
		if n, _, _ := s.LoginFailures(ctx, jobflow.LoginAddress, "bob", base.Add(-time.Hour)); n != 1 {
			t.Fatalf("the address's failure went with the account's: %d", n)
		}
	})
}

func TestUserService_PasswordAndDisable(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		u := &jobflow.User{Account: "carol", Name: "Carol", PasswordHash: "h1"}
		if err := s.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		got, err := s.SetPassword(ctx, u.ID, "h2")
		if err != nil || got.PasswordHash != "h2" || got.TokenVersion != 1 {
			t.Fatalf("SetPassword = %+v, %v", got, err)
		}
		dis := true
		if got, err = s.UpdateUser(ctx, u.ID, jobflow.UserUpdate{Disabled: &dis}); err != nil || !got.Disabled || got.TokenVersion != 2 {
			t.Fatalf("disable = %+v, %v", got, err)
		}
		// Disabling again, or renaming, does not move the version.
		name := "Carol C."
		if got, err = s.UpdateUser(ctx, u.ID, jobflow.UserUpdate{Disabled: &dis, Name: &name}); err != nil || got.TokenVersion != 2 || got.Name != name {
			t.Fatalf("rename = %+v, %v", got, err)
		}
		empty := ""
		_, err = s.UpdateUser(ctx, u.ID, jobflow.UserUpdate{Name: &empty})
		wantCode(t, err, jobflow.EINVALID)
		_, err = s.SetPassword(ctx, "user_nope", "h")
		wantCode(t, err, jobflow.ENOTFOUND)
		_, err = s.UpdateUser(ctx, "user_nope", jobflow.UserUpdate{Name: &name})
		wantCode(t, err, jobflow.ENOTFOUND)
		if got, _ := s.FindUserByID(ctx, u.ID); got.Name != name || got.PasswordHash != "h2" {
			t.Fatalf("after refused updates: %+v", got)
		}
	})
}
