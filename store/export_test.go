package store

import "testing"

// StoredDatasourcePassword reads the raw password column, for tests that
// check it is encrypted.
func StoredDatasourcePassword(t *testing.T, s *Store, id string) string {
	t.Helper()
	var v string
	if err := s.db.Get(&v, s.db.Rebind(`SELECT password_enc FROM datasources WHERE id = ?`), id); err != nil {
		t.Fatal(err)
	}
	return v
}
