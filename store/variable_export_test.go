package store

import "testing"

// StoredVariable returns a variable's value columns as stored.
func StoredVariable(t *testing.T, s *Store, id string) (value, enc string) {
	t.Helper()
	row := s.db.QueryRowx(s.db.Rebind(`SELECT value, value_enc FROM variables WHERE id = ?`), id)
	if err := row.Scan(&value, &enc); err != nil {
		t.Fatal(err)
	}
	return value, enc
}
