package store

import "testing"

// StoredAlarmSecrets reads the raw secrets column of a channel, for tests
// that check it is encrypted.
func StoredAlarmSecrets(t *testing.T, s *Store, id string) string {
	t.Helper()
	var v string
	if err := s.db.Get(&v, s.db.Rebind(`SELECT secrets_enc FROM alarm_channels WHERE id = ?`), id); err != nil {
		t.Fatal(err)
	}
	return v
}
