package store

import (
	"context"
	"sync/atomic"
	"time"

	"jobflow"
)

var _ jobflow.IdempotencyService = (*Store)(nil)

type idempotencyRow struct {
	TenantID    string    `db:"tenant_id"`
	Route       string    `db:"route"`
	Key         string    `db:"idem_key"`
	Fingerprint string    `db:"fingerprint"`
	Status      int       `db:"status"`
	Response    string    `db:"response"`
	CreatedAt   time.Time `db:"created_at"`
}

// lastIdempotencyPurge is when expired keys were last purged (unix
// seconds), so the purge runs about once an hour per process, not per claim.
var lastIdempotencyPurge atomic.Int64

// ClaimIdempotencyKey implements jobflow.IdempotencyService. The claim is
// one INSERT … ON CONFLICT DO NOTHING, so the database decides which of
// concurrent claims wins; an expired or stale row is deleted first.
func (s *Store) ClaimIdempotencyKey(ctx context.Context, k *jobflow.IdempotencyKey) (*jobflow.IdempotencyKey, bool, error) {
	if k.TenantID == "" || k.Route == "" || k.Key == "" || k.Fingerprint == "" {
		return nil, false, jobflow.Errorf(jobflow.EINVALID, "an idempotency key needs a tenant, a route, a key and a fingerprint")
	}
	t := now()
	s.purgeIdempotencyKeys(ctx, t)
	const del = `DELETE FROM idempotency_keys WHERE tenant_id = ? AND route = ? AND idem_key = ?
AND (created_at < ? OR (status = 0 AND created_at < ?))`
	if _, err := s.db.ExecContext(ctx, s.db.Rebind(del), k.TenantID, k.Route, k.Key,
		t.Add(-jobflow.IdempotencyTTL), t.Add(-jobflow.IdempotencyStale)); err != nil {
		return nil, false, err
	}
	const ins = `INSERT INTO idempotency_keys (tenant_id, route, idem_key, fingerprint, status, response, created_at)
VALUES (?, ?, ?, ?, 0, '', ?) ON CONFLICT (tenant_id, route, idem_key) DO NOTHING`
	res, err := s.db.ExecContext(ctx, s.db.Rebind(ins), k.TenantID, k.Route, k.Key, k.Fingerprint, t)
	if err != nil {
		return nil, false, err
	}
	if n, _ := res.RowsAffected(); n == 1 {
		k.Status, k.Response, k.CreatedAt = 0, nil, t
		return nil, true, nil
	}
	var r idempotencyRow
	const sel = `SELECT tenant_id, route, idem_key, fingerprint, status, response, created_at
FROM idempotency_keys WHERE tenant_id = ? AND route = ? AND idem_key = ?`
	if err := s.db.GetContext(ctx, &r, s.db.Rebind(sel), k.TenantID, k.Route, k.Key); err != nil {
		// Released between the insert and this read: the caller claims again.
		return nil, false, notFound(err, "idempotency key")
	}
	return &jobflow.IdempotencyKey{TenantID: r.TenantID, Route: r.Route, Key: r.Key, Fingerprint: r.Fingerprint,
		Status: r.Status, Response: []byte(r.Response), CreatedAt: r.CreatedAt.UTC()}, false, nil
}

// CompleteIdempotencyKey implements jobflow.IdempotencyService.
func (s *Store) CompleteIdempotencyKey(ctx context.Context, tenantID, route, key string, status int, response []byte) error {
	const q = `UPDATE idempotency_keys SET status = ?, response = ? WHERE tenant_id = ? AND route = ? AND idem_key = ?`
	res, err := s.db.ExecContext(ctx, s.db.Rebind(q), status, string(response), tenantID, route, key)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return notFoundf("idempotency key not found")
	}
	return nil
}

// ReleaseIdempotencyKey implements jobflow.IdempotencyService; a key that
// has an answer is kept.
func (s *Store) ReleaseIdempotencyKey(ctx context.Context, tenantID, route, key string) error {
	const q = `DELETE FROM idempotency_keys WHERE tenant_id = ? AND route = ? AND idem_key = ? AND status = 0`
	_, err := s.db.ExecContext(ctx, s.db.Rebind(q), tenantID, route, key)
	return err
}

// purgeIdempotencyKeys deletes the keys older than jobflow.IdempotencyTTL,
// at most once an hour per process; a failure waits for the next time.
func (s *Store) purgeIdempotencyKeys(ctx context.Context, t time.Time) {
	last := lastIdempotencyPurge.Load()
	if t.Unix()-last < 3600 || !lastIdempotencyPurge.CompareAndSwap(last, t.Unix()) {
		return
	}
	const q = `DELETE FROM idempotency_keys WHERE created_at < ?`
	_, _ = s.db.ExecContext(ctx, s.db.Rebind(q), t.Add(-jobflow.IdempotencyTTL))
}
