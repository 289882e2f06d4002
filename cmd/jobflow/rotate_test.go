package main

import (
	"context"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"jobflow"
	"jobflow/store"
)

// TestRun_RotateKey: in a standalone data dir, rotate-key moves the
// datasource password to the new key and writes the new key to the key
// file; without JOBFLOW_NEW_ENCRYPTION_KEY, or with a bad one, it is one
// error naming the setting and nothing changes.
func TestRun_RotateKey(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	oldKey := make([]byte, 32)
	oldKey[0] = 1
	oldText := base64.StdEncoding.EncodeToString(oldKey)
	keyFile := filepath.Join(dir, encryptionKeyFile)
	if err := os.WriteFile(keyFile, []byte(oldText+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	dbURL := "sqlite://" + filepath.Join(dir, "jobflow.db")
	st, err := store.Open(ctx, dbURL, oldKey)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	tn := &jobflow.Tenant{Name: "acme"}
	if err := st.CreateTenant(ctx, tn); err != nil {
		t.Fatal(err)
	}
	ds := &jobflow.Datasource{TenantID: tn.ID, Name: "dw", Type: jobflow.DatasourcePostgres, Host: "db", Port: 5432, Database: "dw", User: "u", Password: "pw-to-rotate"}
	if err := st.CreateDatasource(ctx, ds); err != nil {
		t.Fatal(err)
	}
	st.Close()

	vars := map[string]string{"JOBFLOW_DATA_DIR": dir}
	for _, bad := range []string{"", "not-a-key"} {
		vars["JOBFLOW_NEW_ENCRYPTION_KEY"] = bad
		if _, _, err := runCmd(t, env(vars), "rotate-key"); err == nil || !strings.Contains(err.Error(), "JOBFLOW_NEW_ENCRYPTION_KEY") {
			t.Fatalf("rotate-key with %q: %v, want an error naming JOBFLOW_NEW_ENCRYPTION_KEY", bad, err)
		}
	}
	if b, _ := os.ReadFile(keyFile); strings.TrimSpace(string(b)) != oldText {
		t.Fatal("a refused rotation changed the key file")
	}

	newKey := make([]byte, 32)
	newKey[0] = 2
	newText := base64.StdEncoding.EncodeToString(newKey)
	vars["JOBFLOW_NEW_ENCRYPTION_KEY"] = newText
	stdout, stderr, err := runCmd(t, env(vars), "rotate-key")
	if err != nil || !strings.Contains(stdout, "re-encrypted 1 secrets") {
		t.Fatalf("rotate-key: %v\nstdout: %s\nstderr: %s", err, stdout, stderr)
	}
	if b, _ := os.ReadFile(keyFile); strings.TrimSpace(string(b)) != newText {
		t.Fatalf("key file holds %q, want the new key", b)
	}
	st, err = store.Open(ctx, dbURL, newKey)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	got, err := st.FindDatasourceByID(ctx, tn.ID, ds.ID)
	if err != nil || got.Password != "pw-to-rotate" {
		t.Fatalf("datasource on the new key: %+v, %v", got, err)
	}
}
