package store_test

import (
	"reflect"
	"strings"
	"testing"

	"jobflow"
	"jobflow/store"
	"jobflow/store/storetest"
)

func TestTenantService_Create(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		tn := mustTenant(t, s, "acme")
		if !strings.HasPrefix(tn.ID, "tn_") || tn.MaxWorkflows != jobflow.DefaultMaxWorkflows || tn.CreatedAt.IsZero() {
			t.Fatalf("created tenant = %+v", tn)
		}
		got, err := s.FindTenantByID(ctx, tn.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, tn) {
			t.Fatalf("FindTenantByID = %+v, want %+v", got, tn)
		}

		t.Run("ErrNameTaken", func(t *testing.T) {
			err := s.CreateTenant(ctx, &jobflow.Tenant{Name: "acme"})
			wantCode(t, err, jobflow.ECONFLICT)
			if !strings.Contains(jobflow.ErrorMessage(err), `"acme"`) {
				t.Fatalf("message %q does not name the tenant", jobflow.ErrorMessage(err))
			}
			if n, _ := s.CountTenants(ctx); n != 1 {
				t.Fatalf("CountTenants = %d, want 1", n)
			}
		})
		t.Run("ErrInvalid", func(t *testing.T) {
			wantCode(t, s.CreateTenant(ctx, &jobflow.Tenant{Name: "  "}), jobflow.EINVALID)
			wantCode(t, s.CreateTenant(ctx, &jobflow.Tenant{Name: "x", MaxWorkflows: -1}), jobflow.EINVALID)
		})
		t.Run("ErrNotFound", func(t *testing.T) {
			_, err := s.FindTenantByID(ctx, "tn_nope")
			wantCode(t, err, jobflow.ENOTFOUND)
		})
	})
}

func TestTenantService_Update(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		a := mustTenant(t, s, "a")
		mustTenant(t, s, "b")
		got, err := s.UpdateTenant(ctx, a.ID, jobflow.TenantUpdate{Name: ptr("a2"), MaxWorkflows: ptr(7)})
		if err != nil {
			t.Fatal(err)
		}
		if got.Name != "a2" || got.MaxWorkflows != 7 {
			t.Fatalf("UpdateTenant = %+v", got)
		}
		t.Run("ErrNameTaken", func(t *testing.T) {
			_, err := s.UpdateTenant(ctx, a.ID, jobflow.TenantUpdate{Name: ptr("b")})
			wantCode(t, err, jobflow.ECONFLICT)
			if got, _ := s.FindTenantByID(ctx, a.ID); got.Name != "a2" {
				t.Fatalf("name changed to %q", got.Name)
			}
		})
		t.Run("ErrNotFound", func(t *testing.T) {
			_, err := s.UpdateTenant(ctx, "tn_nope", jobflow.TenantUpdate{Name: ptr("c")})
			wantCode(t, err, jobflow.ENOTFOUND)
		})
	})
}

func TestTenantService_Find(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		for _, n := range []string{"beta", "alpha", "gamma_x", "gammaxx"} {
			mustTenant(t, s, n)
		}
		list, total, err := s.FindTenants(ctx, jobflow.ListParams{PageSize: 2})
		if err != nil {
			t.Fatal(err)
		}
		if total != 4 || len(list) != 2 || list[0].Name != "alpha" || list[1].Name != "beta" {
			t.Fatalf("FindTenants page 1 = %d items %v, total %d", len(list), names(list), total)
		}
		list, total, err = s.FindTenants(ctx, jobflow.ListParams{Search: "A_"})
		if err != nil {
			t.Fatal(err)
		}
		if total != 1 || len(list) != 1 || list[0].Name != "gamma_x" {
			t.Fatalf("search a_ = %v total %d, want [gamma_x]", names(list), total)
		}
		if n, err := s.CountTenants(ctx); err != nil || n != 4 {
			t.Fatalf("CountTenants = %d, %v", n, err)
		}
	})
}

func names(ts []*jobflow.Tenant) []string {
	var out []string
	for _, t := range ts {
		out = append(out, t.Name)
	}
	return out
}

func TestTenantService_EgressAllowJobLimits(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		a := mustTenant(t, s, "a")
		if a.EgressAllow == nil || len(a.EgressAllow) != 0 || a.JobLimits != (jobflow.JobLimits{}) {
			t.Fatalf("new tenant: egressAllow %#v, jobLimits %+v", a.EgressAllow, a.JobLimits)
		}
		allow := []string{"127.0.0.1:5432", "10.0.0.0/8:443", "db.example.com:3306", "[::1]:80"}
		limits := jobflow.JobLimits{MemoryMiB: 512, Processes: 64, CPUWeight: 50, WorkDirMiB: 100, LogKiBPerSecond: 10}
		got, err := s.UpdateTenant(ctx, a.ID, jobflow.TenantUpdate{EgressAllow: &allow, JobLimits: &limits})
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got.EgressAllow, allow) || got.JobLimits != limits {
			t.Fatalf("UpdateTenant = %+v", got)
		}
		read, err := s.FindTenantByID(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(read.EgressAllow, allow) || read.JobLimits != limits {
			t.Fatalf("FindTenantByID = %+v", read)
		}
		list, _, err := s.FindTenants(ctx, jobflow.ListParams{})
		if err != nil || len(list) != 1 || !reflect.DeepEqual(list[0].EgressAllow, allow) || list[0].JobLimits != limits {
			t.Fatalf("FindTenants = %+v, %v", list, err)
		}
		// A name change keeps both.
		if got, err = s.UpdateTenant(ctx, a.ID, jobflow.TenantUpdate{Name: ptr("a2")}); err != nil || !reflect.DeepEqual(got.EgressAllow, allow) || got.JobLimits != limits {
			t.Fatalf("rename: %+v, %v", got, err)
		}

		t.Run("ErrInvalid", func(t *testing.T) {
			bad := []string{"127.0.0.1:5432", "10.0.0.0/33"}
			_, err := s.UpdateTenant(ctx, a.ID, jobflow.TenantUpdate{EgressAllow: &bad})
			wantCode(t, err, jobflow.EINVALID)
			if !strings.Contains(jobflow.ErrorMessage(err), `"10.0.0.0/33"`) {
				t.Fatalf("message %q does not name the entry", jobflow.ErrorMessage(err))
			}
			_, err = s.UpdateTenant(ctx, a.ID, jobflow.TenantUpdate{JobLimits: &jobflow.JobLimits{MemoryMiB: 8}})
			wantCode(t, err, jobflow.EINVALID)
			_, err = s.UpdateTenant(ctx, a.ID, jobflow.TenantUpdate{JobLimits: &jobflow.JobLimits{CPUWeight: 10001}})
			wantCode(t, err, jobflow.EINVALID)
			read, _ := s.FindTenantByID(ctx, a.ID)
			if !reflect.DeepEqual(read.EgressAllow, allow) || read.JobLimits != limits {
				t.Fatalf("tenant changed by a refused update: %+v", read)
			}
		})
	})
}
