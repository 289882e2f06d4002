package store_test

import (
	"strings"
	"testing"

	"jobflow"
	"jobflow/store"
	"jobflow/store/storetest"
)

func TestVariableService(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		tn := mustTenant(t, s, "acme")
		other := mustTenant(t, s, "other")
		plain := &jobflow.Variable{TenantID: tn.ID, Name: "region", Value: "eu-west", Remark: "where"}
		secret := &jobflow.Variable{TenantID: tn.ID, Name: "API_TOKEN", Value: "tok-s3cr3t", Secret: true, CreatedBy: "us_1"}
		for _, v := range []*jobflow.Variable{plain, secret} {
			if err := s.CreateVariable(ctx, v); err != nil {
				t.Fatal(err)
			}
		}
		if secret.Value != "" || !secret.HasValue || !strings.HasPrefix(secret.ID, "var_") {
			t.Fatalf("created secret = %+v, want no value shown", secret)
		}
		// The secret column holds ciphertext only.
		if value, enc := store.StoredVariable(t, s, secret.ID); value != "" || enc == "" || strings.Contains(enc, "s3cr3t") {
			t.Fatalf("stored secret columns %q / %q", value, enc)
		}
		if err := s.CreateVariable(ctx, &jobflow.Variable{TenantID: tn.ID, Name: "region", Value: "x"}); jobflow.ErrorCode(err) != jobflow.ECONFLICT {
			t.Fatalf("duplicate name: %v", err)
		}
		if err := s.CreateVariable(ctx, &jobflow.Variable{TenantID: tn.ID, Name: "bad-name", Value: "x"}); jobflow.ErrorCode(err) != jobflow.EINVALID {
			t.Fatalf("bad name: %v", err)
		}
		list, total, err := s.FindVariables(ctx, tn.ID, jobflow.ListParams{})
		if err != nil || total != 2 || list[0].Name != "API_TOKEN" || list[0].Value != "" || list[1].Value != "eu-west" {
			t.Fatalf("list = %+v (%d), %v", list, total, err)
		}
		p, sec, err := s.VariableValues(ctx, tn.ID)
		if err != nil || p["region"] != "eu-west" || sec["API_TOKEN"] != "tok-s3cr3t" || len(p) != 1 || len(sec) != 1 {
			t.Fatalf("values = %v %v, %v", p, sec, err)
		}
		// Another tenant sees none of it.
		if _, err := s.FindVariable(ctx, other.ID, "region"); jobflow.ErrorCode(err) != jobflow.ENOTFOUND {
			t.Fatalf("other tenant find: %v", err)
		}
		if p, sec, _ := s.VariableValues(ctx, other.ID); len(p)+len(sec) != 0 {
			t.Fatalf("other tenant values %v %v", p, sec)
		}
		// A secret keeps its value when only the remark changes, takes a new one, never turns plain.
		remark := "rotated monthly"
		if v, err := s.UpdateVariable(ctx, tn.ID, "API_TOKEN", jobflow.VariableInput{Remark: &remark}, "us_2"); err != nil || v.Value != "" || v.Remark != remark || v.UpdatedBy != "us_2" {
			t.Fatalf("update remark = %+v, %v", v, err)
		}
		if _, sec, _ := s.VariableValues(ctx, tn.ID); sec["API_TOKEN"] != "tok-s3cr3t" {
			t.Fatalf("secret after remark update = %q", sec["API_TOKEN"])
		}
		nv := "tok-2"
		if _, err := s.UpdateVariable(ctx, tn.ID, "API_TOKEN", jobflow.VariableInput{Value: &nv}, "us_2"); err != nil {
			t.Fatal(err)
		}
		if _, sec, _ := s.VariableValues(ctx, tn.ID); sec["API_TOKEN"] != "tok-2" {
			t.Fatalf("secret after value update = %q", sec["API_TOKEN"])
		}
		no := false
		if _, err := s.UpdateVariable(ctx, tn.ID, "API_TOKEN", jobflow.VariableInput{Secret: &no}, "us_2"); jobflow.ErrorCode(err) != jobflow.EINVALID {
			t.Fatalf("secret to plain: %v", err)
		}
		if err := s.DeleteVariable(ctx, other.ID, "region"); jobflow.ErrorCode(err) != jobflow.ENOTFOUND {
			t.Fatalf("delete from other tenant: %v", err)
		}
		if err := s.DeleteVariable(ctx, tn.ID, "region"); err != nil {
			t.Fatal(err)
		}
		if _, total, _ := s.FindVariables(ctx, tn.ID, jobflow.ListParams{}); total != 1 {
			t.Fatalf("after delete total = %d", total)
		}
	})
}
