package store_test

import (
	"testing"
	"time"

	"jobflow"
	"jobflow/store"
	"jobflow/store/storetest"
)

func TestInvokeTokenService(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		tn := mustTenant(t, s, "acme")
		w := mustWorkflow(t, s, tn.ID, "flow", "")
		exp := time.Now().Add(365 * 24 * time.Hour)
		for _, jti := range []string{"jti-1", "jti-2"} {
			if err := s.CreateInvokeToken(ctx, &jobflow.InvokeToken{JTI: jti, TenantID: tn.ID, WorkflowID: w.ID, ExpiresAt: exp, CreatedBy: "us_1"}); err != nil {
				t.Fatal(err)
			}
		}
		list, err := s.FindInvokeTokens(ctx, tn.ID, w.ID)
		if err != nil || len(list) != 2 {
			t.Fatalf("FindInvokeTokens = %v, %v", list, err)
		}
		if list[0].RevokedAt != nil || list[0].CreatedBy != "us_1" || list[0].ExpiresAt.Sub(exp).Abs() > time.Millisecond {
			t.Fatalf("token = %+v", list[0])
		}
		if revoked, err := s.InvokeTokenRevoked(ctx, "jti-1"); err != nil || revoked {
			t.Fatalf("InvokeTokenRevoked(live) = %v, %v", revoked, err)
		}
		if err := s.RevokeInvokeToken(ctx, tn.ID, w.ID, "jti-1"); err != nil {
			t.Fatal(err)
		}
		if revoked, err := s.InvokeTokenRevoked(ctx, "jti-1"); err != nil || !revoked {
			t.Fatalf("InvokeTokenRevoked(revoked) = %v, %v", revoked, err)
		}
		if revoked, _ := s.InvokeTokenRevoked(ctx, "jti-2"); revoked {
			t.Fatal("revoking one token revoked another")
		}
		if revoked, _ := s.InvokeTokenRevoked(ctx, "never-issued"); !revoked {
			t.Fatal("an unknown jti passes as live")
		}
		t.Run("ErrNotFound", func(t *testing.T) {
			other := mustTenant(t, s, "other")
			wantCode(t, s.RevokeInvokeToken(ctx, other.ID, w.ID, "jti-2"), jobflow.ENOTFOUND)
			wantCode(t, s.RevokeInvokeToken(ctx, tn.ID, w.ID, "nope"), jobflow.ENOTFOUND)
			_, err := s.FindInvokeTokens(ctx, other.ID, w.ID)
			wantCode(t, err, jobflow.ENOTFOUND)
			err = s.CreateInvokeToken(ctx, &jobflow.InvokeToken{JTI: "jti-3", TenantID: other.ID, WorkflowID: w.ID, ExpiresAt: exp})
			wantCode(t, err, jobflow.ENOTFOUND)
		})
		t.Run("ErrConflict", func(t *testing.T) {
			err := s.CreateInvokeToken(ctx, &jobflow.InvokeToken{JTI: "jti-2", TenantID: tn.ID, WorkflowID: w.ID, ExpiresAt: exp})
			wantCode(t, err, jobflow.ECONFLICT)
		})
	})
}
