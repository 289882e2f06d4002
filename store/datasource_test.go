package store_test

import (
	"encoding/json"
	"strings"
	"testing"

	"jobflow"
	"jobflow/jobtypes"
	"jobflow/store"
	"jobflow/store/storetest"
)

func newDatasource(tenantID, name, password string) *jobflow.Datasource {
	return &jobflow.Datasource{
		TenantID: tenantID, Name: name, Type: jobflow.DatasourcePostgres, Host: "127.0.0.1",
		Database: "postgres", User: "postgres", Password: password, Options: map[string]string{"sslmode": "disable"},
	}
}

func TestDatasourceService_Create(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		tn := mustTenant(t, s, "acme")
		d := newDatasource(tn.ID, "warehouse", "s3cret-pass")
		if err := s.CreateDatasource(ctx, d); err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(d.ID, "ds_") || d.Port != 5432 || !d.HasPassword {
			t.Fatalf("created = %+v", d)
		}

		// The column holds ciphertext, which decrypts back with the key.
		stored := store.StoredDatasourcePassword(t, s, d.ID)
		if stored == "" || strings.Contains(stored, "s3cret") {
			t.Fatalf("stored password column = %q", stored)
		}
		if plain, err := s.DecryptString(stored); err != nil || plain != "s3cret-pass" {
			t.Fatalf("DecryptString = %q, %v", plain, err)
		}

		got, err := s.FindDatasourceByID(ctx, tn.ID, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Password != "s3cret-pass" || !got.HasPassword || got.Options["sslmode"] != "disable" || got.Port != 5432 {
			t.Fatalf("FindDatasourceByID = %+v", got)
		}
		list, total, err := s.FindDatasources(ctx, tn.ID, jobflow.ListParams{})
		if err != nil || total != 1 || len(list) != 1 {
			t.Fatalf("FindDatasources = %v, %d, %v", list, total, err)
		}
		if list[0].Password != "" || !list[0].HasPassword {
			t.Fatalf("list item = %+v, want no password but HasPassword", list[0])
		}

		t.Run("ErrNameTaken", func(t *testing.T) {
			err := s.CreateDatasource(ctx, newDatasource(tn.ID, "warehouse", ""))
			wantCode(t, err, jobflow.ECONFLICT)
		})
		t.Run("SameNameOtherTenant", func(t *testing.T) {
			other := mustTenant(t, s, "other")
			if err := s.CreateDatasource(ctx, newDatasource(other.ID, "warehouse", "")); err != nil {
				t.Fatal(err)
			}
		})
		t.Run("ErrInvalid", func(t *testing.T) {
			bad := newDatasource(tn.ID, "bad", "")
			bad.Type = "ORACLE"
			wantCode(t, s.CreateDatasource(ctx, bad), jobflow.EINVALID)
		})
	})
}

func TestDatasourceService_Update(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		tn := mustTenant(t, s, "acme")
		other := mustTenant(t, s, "other")
		d := newDatasource(tn.ID, "warehouse", "first")
		if err := s.CreateDatasource(ctx, d); err != nil {
			t.Fatal(err)
		}
		got, err := s.UpdateDatasource(ctx, tn.ID, d.ID, jobflow.DatasourceInput{Host: ptr("db.internal")})
		if err != nil {
			t.Fatal(err)
		}
		if got.Host != "db.internal" || got.Password != "" || !got.HasPassword {
			t.Fatalf("UpdateDatasource = %+v", got)
		}
		if full, _ := s.FindDatasourceByID(ctx, tn.ID, d.ID); full.Password != "first" {
			t.Fatalf("password without Password in the update = %q, want it kept", full.Password)
		}
		if _, err := s.UpdateDatasource(ctx, tn.ID, d.ID, jobflow.DatasourceInput{Password: ptr("second")}); err != nil {
			t.Fatal(err)
		}
		if full, _ := s.FindDatasourceByID(ctx, tn.ID, d.ID); full.Password != "second" {
			t.Fatalf("password = %q, want second", full.Password)
		}
		t.Run("ErrOtherTenant", func(t *testing.T) {
			_, err := s.UpdateDatasource(ctx, other.ID, d.ID, jobflow.DatasourceInput{Host: ptr("evil")})
			wantCode(t, err, jobflow.ENOTFOUND)
			_, err = s.FindDatasourceByID(ctx, other.ID, d.ID)
			wantCode(t, err, jobflow.ENOTFOUND)
			wantCode(t, s.DeleteDatasource(ctx, other.ID, d.ID), jobflow.ENOTFOUND)
			if full, _ := s.FindDatasourceByID(ctx, tn.ID, d.ID); full.Host != "db.internal" {
				t.Fatalf("host = %q", full.Host)
			}
		})
		t.Run("ErrInvalid", func(t *testing.T) {
			_, err := s.UpdateDatasource(ctx, tn.ID, d.ID, jobflow.DatasourceInput{Port: ptr(70000)})
			wantCode(t, err, jobflow.EINVALID)
		})
	})
}

func TestDatasourceService_Delete(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		tn := mustTenant(t, s, "acme")
		d := newDatasource(tn.ID, "warehouse", "")
		if err := s.CreateDatasource(ctx, d); err != nil {
			t.Fatal(err)
		}
		w := mustWorkflow(t, s, tn.ID, "flow", "")
		cfg, _ := json.Marshal(jobtypes.SQLConfig{DatasourceID: d.ID, SQL: "select 1"})
		j := &jobflow.Job{TenantID: tn.ID, WorkflowID: w.ID, Name: "q", Type: jobflow.JobSQL, Config: cfg}
		if err := s.CreateJob(ctx, j); err != nil {
			t.Fatal(err)
		}
		t.Run("ErrInUse", func(t *testing.T) {
			err := s.DeleteDatasource(ctx, tn.ID, d.ID)
			wantCode(t, err, jobflow.ECONFLICT)
			if !strings.Contains(jobflow.ErrorMessage(err), `"q"`) {
				t.Fatalf("message = %q", jobflow.ErrorMessage(err))
			}
		})
		if err := s.DeleteJob(ctx, tn.ID, j.ID); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteDatasource(ctx, tn.ID, d.ID); err != nil {
			t.Fatal(err)
		}
		_, err := s.FindDatasourceByID(ctx, tn.ID, d.ID)
		wantCode(t, err, jobflow.ENOTFOUND)
	})
}
