package store_test

import (
	"testing"

	"jobflow"
	"jobflow/store"
	"jobflow/store/storetest"
)

func TestUserService_Create(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		u := &jobflow.User{Account: "admin", Name: "Admin", SysAdmin: true, PasswordHash: "$2a$10$hash"}
		if err := s.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		got, err := s.FindUserByAccount(ctx, "admin")
		if err != nil {
			t.Fatal(err)
		}
		if *got != *u {
			t.Fatalf("FindUserByAccount = %+v, want %+v", got, u)
		}
		if got, err := s.FindUserByID(ctx, u.ID); err != nil || got.Account != "admin" {
			t.Fatalf("FindUserByID = %+v, %v", got, err)
		}
		t.Run("ErrAccountTaken", func(t *testing.T) {
			wantCode(t, s.CreateUser(ctx, &jobflow.User{Account: "admin"}), jobflow.ECONFLICT)
		})
		t.Run("ErrInvalid", func(t *testing.T) {
			wantCode(t, s.CreateUser(ctx, &jobflow.User{Account: ""}), jobflow.EINVALID)
			wantCode(t, s.CreateUser(ctx, &jobflow.User{Account: " bob"}), jobflow.EINVALID)
		})
		t.Run("ErrNotFound", func(t *testing.T) {
			_, err := s.FindUserByAccount(ctx, "ADMIN")
			wantCode(t, err, jobflow.ENOTFOUND)
			_, err = s.FindUserByID(ctx, "us_nope")
			wantCode(t, err, jobflow.ENOTFOUND)
		})
		t.Run("Find", func(t *testing.T) {
			if err := s.CreateUser(ctx, &jobflow.User{Account: "bob", Name: "Bob_B"}); err != nil {
				t.Fatal(err)
			}
			list, total, err := s.FindUsers(ctx, jobflow.ListParams{Search: "b_"})
			if err != nil || total != 1 || len(list) != 1 || list[0].Account != "bob" {
				t.Fatalf("FindUsers(b_) = %v, %d, %v", list, total, err)
			}
			list, total, _ = s.FindUsers(ctx, jobflow.ListParams{})
			if total != 2 || list[0].Account != "admin" {
				t.Fatalf("FindUsers = %v, %d", list, total)
			}
		})
	})
}

func TestUserService_Membership(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		u := &jobflow.User{Account: "ann"}
		if err := s.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		b := mustTenant(t, s, "beta")
		a := mustTenant(t, s, "alpha")
		if err := s.SetMembership(ctx, b.ID, u.ID, jobflow.RoleMember); err != nil {
			t.Fatal(err)
		}
		if err := s.SetMembership(ctx, a.ID, u.ID, jobflow.RoleMember); err != nil {
			t.Fatal(err)
		}
		if err := s.SetMembership(ctx, a.ID, u.ID, jobflow.RoleTenantAdmin); err != nil {
			t.Fatal(err)
		}
		ms, err := s.FindMemberships(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(ms) != 2 || *ms[0] != (jobflow.Membership{TenantID: a.ID, TenantName: "alpha", UserID: u.ID, Role: jobflow.RoleTenantAdmin}) ||
			ms[1].TenantName != "beta" || ms[1].Role != jobflow.RoleMember {
			t.Fatalf("memberships = %+v %+v", ms[0], ms[1])
		}
		t.Run("ErrRole", func(t *testing.T) {
			wantCode(t, s.SetMembership(ctx, a.ID, u.ID, jobflow.RoleSysAdmin), jobflow.EINVALID)
		})
		t.Run("ErrNotFound", func(t *testing.T) {
			wantCode(t, s.SetMembership(ctx, "tn_nope", u.ID, jobflow.RoleMember), jobflow.ENOTFOUND)
			wantCode(t, s.SetMembership(ctx, a.ID, "us_nope", jobflow.RoleMember), jobflow.ENOTFOUND)
		})
	})
}

func TestSettingService(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		if _, ok, err := s.GetSetting(ctx, "license"); ok || err != nil {
			t.Fatalf("unset setting: ok=%v err=%v", ok, err)
		}
		for _, v := range []string{"one", "two"} {
			if err := s.PutSetting(ctx, "license", v); err != nil {
				t.Fatal(err)
			}
			if got, ok, err := s.GetSetting(ctx, "license"); !ok || err != nil || got != v {
				t.Fatalf("GetSetting = %q, %v, %v; want %q", got, ok, err, v)
			}
		}
	})
}
