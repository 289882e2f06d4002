package store

import (
	"testing"
	"time"
)

// AgeIdempotencyKey moves a key's creation back by d, for tests of expiry.
func AgeIdempotencyKey(t *testing.T, s *Store, tenantID, route, key string, d time.Duration) {
	t.Helper()
	var created time.Time
	sel := s.db.Rebind(`SELECT created_at FROM idempotency_keys WHERE tenant_id = ? AND route = ? AND idem_key = ?`)
	if err := s.db.Get(&created, sel, tenantID, route, key); err != nil {
		t.Fatal(err)
	}
	upd := s.db.Rebind(`UPDATE idempotency_keys SET created_at = ? WHERE tenant_id = ? AND route = ? AND idem_key = ?`)
	if _, err := s.db.Exec(upd, dbTime(created.Add(-d)), tenantID, route, key); err != nil {
		t.Fatal(err)
	}
}
