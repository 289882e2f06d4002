package store

import (
	"context"
	"time"

	"github.com/jmoiron/sqlx"

	"jobflow"
)

var _ jobflow.SessionService = (*Store)(nil)

// RevokeToken refuses a login token from now on; expired rows are removed
// on the way, since an expired token is refused anyway.
func (s *Store) RevokeToken(ctx context.Context, jti string, expiresAt time.Time) error {
	if _, err := s.db.ExecContext(ctx, s.db.Rebind(`DELETE FROM revoked_tokens WHERE expires_at < ?`), now()); err != nil {
		return err
	}
	const q = `INSERT INTO revoked_tokens (jti, expires_at) VALUES (?, ?) ON CONFLICT (jti) DO NOTHING`
	_, err := s.db.ExecContext(ctx, s.db.Rebind(q), jti, expiresAt.UTC())
	return err
}

// IsTokenRevoked reports whether jti was revoked.
func (s *Store) IsTokenRevoked(ctx context.Context, jti string) (bool, error) {
	var n int
	err := s.db.GetContext(ctx, &n, s.db.Rebind(`SELECT COUNT(*) FROM revoked_tokens WHERE jti = ?`), jti)
	return n > 0, err
}

// RecordLoginFailure counts one failure against key in one transaction:
// the count starts over when the key's last failure is older than the
// window, and from the threshold on blocked_until moves to at plus the
// policy's block (never backwards). Keys idle past the window go first.
func (s *Store) RecordLoginFailure(ctx context.Context, key jobflow.LoginThrottleKey, at time.Time, p jobflow.ThrottlePolicy) (*jobflow.LoginThrottle, error) {
	at = at.UTC()
	forget := at.Add(-p.Window)
	// The clean-up is a statement of its own, outside the transaction, so
	// concurrent failures do not hold locks on each other's idle rows.
	const del = `DELETE FROM login_throttles WHERE last_failure_at < ? AND (blocked_until IS NULL OR blocked_until < ?)`
	if _, err := s.db.ExecContext(ctx, s.db.Rebind(del), forget, at); err != nil {
		return nil, err
	}
	var out *jobflow.LoginThrottle
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		const up = `INSERT INTO login_throttles (kind, account, address, failures, last_failure_at) VALUES (?, ?, ?, 1, ?)
ON CONFLICT (kind, account, address) DO UPDATE SET
  failures = CASE WHEN login_throttles.last_failure_at < ? THEN 1 ELSE login_throttles.failures + 1 END,
  last_failure_at = ?`
		if _, err := tx.ExecContext(ctx, tx.Rebind(up), string(key.Kind), key.Account, key.Address, at, forget, at); err != nil {
			return err
		}
		row, err := getThrottle(ctx, tx, key)
		if err != nil {
			return err
		}
		if d := p.BlockFor(row.Failures); d > 0 {
			until := at.Add(d)
			if row.BlockedUntil == nil || row.BlockedUntil.Before(until) {
				const set = `UPDATE login_throttles SET blocked_until = ? WHERE kind = ? AND account = ? AND address = ?`
				if _, err := tx.ExecContext(ctx, tx.Rebind(set), until, string(key.Kind), key.Account, key.Address); err != nil {
					return err
				}
				row.BlockedUntil = &until
			}
		}
		out = row
		return nil
	})
	return out, err
}

type throttleRow struct {
	Kind          string     `db:"kind"`
	Account       string     `db:"account"`
	Address       string     `db:"address"`
	Failures      int        `db:"failures"`
	LastFailureAt time.Time  `db:"last_failure_at"`
	BlockedUntil  *time.Time `db:"blocked_until"`
}

func (r *throttleRow) domain() *jobflow.LoginThrottle {
	t := &jobflow.LoginThrottle{Kind: jobflow.LoginThrottleKind(r.Kind), Account: r.Account, Address: r.Address,
		Failures: r.Failures, LastFailureAt: r.LastFailureAt.UTC()}
	if r.BlockedUntil != nil {
		u := r.BlockedUntil.UTC()
		t.BlockedUntil = &u
	}
	return t
}

const throttleCols = `kind, account, address, failures, last_failure_at, blocked_until`

func getThrottle(ctx context.Context, q *sqlx.Tx, key jobflow.LoginThrottleKey) (*jobflow.LoginThrottle, error) {
	var r throttleRow
	const sel = `SELECT ` + throttleCols + ` FROM login_throttles WHERE kind = ? AND account = ? AND address = ?`
	if err := q.GetContext(ctx, &r, q.Rebind(sel), string(key.Kind), key.Account, key.Address); err != nil {
		return nil, err
	}
	return r.domain(), nil
}

// LoginBlockedUntil is the latest block among keys that lasts past at.
func (s *Store) LoginBlockedUntil(ctx context.Context, at time.Time, keys ...jobflow.LoginThrottleKey) (time.Time, error) {
	var until time.Time
	for _, k := range keys {
		var b []*time.Time
		const q = `SELECT blocked_until FROM login_throttles WHERE kind = ? AND account = ? AND address = ? AND blocked_until > ?`
		if err := s.db.SelectContext(ctx, &b, s.db.Rebind(q), string(k.Kind), k.Account, k.Address, at.UTC()); err != nil {
			return time.Time{}, err
		}
		for _, t := range b {
			if t != nil && t.After(until) {
				until = t.UTC()
			}
		}
	}
	return until, nil
}

// ClearLoginThrottle forgets one key.
func (s *Store) ClearLoginThrottle(ctx context.Context, key jobflow.LoginThrottleKey) error {
	const q = `DELETE FROM login_throttles WHERE kind = ? AND account = ? AND address = ?`
	_, err := s.db.ExecContext(ctx, s.db.Rebind(q), string(key.Kind), key.Account, key.Address)
	return err
}

// ListLoginThrottles lists every key, blocked ones (latest block first)
// before the rest (latest failure first).
func (s *Store) ListLoginThrottles(ctx context.Context) ([]*jobflow.LoginThrottle, error) {
	var rows []throttleRow
	const q = `SELECT ` + throttleCols + ` FROM login_throttles
ORDER BY CASE WHEN blocked_until IS NULL THEN 1 ELSE 0 END, blocked_until DESC, last_failure_at DESC, kind, account, address`
	if err := s.db.SelectContext(ctx, &rows, q); err != nil {
		return nil, err
	}
	out := make([]*jobflow.LoginThrottle, len(rows))
	for i := range rows {
		out[i] = rows[i].domain()
	}
	return out, nil
}

// DeleteLoginThrottles forgets the keys matching account and address (an
// empty one matches any); an address also clears that address's ADDR key.
func (s *Store) DeleteLoginThrottles(ctx context.Context, account, address string) (int, error) {
	q, args := `DELETE FROM login_throttles WHERE 1 = 1`, []any{}
	if account != "" {
		q += ` AND (account = ? OR (kind = ? AND ? <> ''))`
		args = append(args, account, string(jobflow.ThrottleAddress), address)
	}
	if address != "" {
		q += ` AND address = ?`
		args = append(args, address)
	}
	res, err := s.db.ExecContext(ctx, s.db.Rebind(q), args...)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}
