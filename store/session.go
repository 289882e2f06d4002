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

// RecordLoginFailure notes a failed login and forgets the subject's
// failures older than forgetBefore, so the table stays small.
func (s *Store) RecordLoginFailure(ctx context.Context, kind jobflow.LoginSubject, subject string, at, forgetBefore time.Time) error {
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		const del = `DELETE FROM login_failures WHERE kind = ? AND subject = ? AND failed_at < ?`
		if _, err := tx.ExecContext(ctx, tx.Rebind(del), string(kind), subject, forgetBefore.UTC()); err != nil {
			return err
		}
		const ins = `INSERT INTO login_failures (kind, subject, failed_at) VALUES (?, ?, ?)`
		_, err := tx.ExecContext(ctx, tx.Rebind(ins), string(kind), subject, at.UTC())
		return err
	})
}

// LoginFailures counts the subject's failures since since, with the latest.
func (s *Store) LoginFailures(ctx context.Context, kind jobflow.LoginSubject, subject string, since time.Time) (int, time.Time, error) {
	var times []time.Time
	const q = `SELECT failed_at FROM login_failures WHERE kind = ? AND subject = ? AND failed_at >= ? ORDER BY failed_at DESC`
	if err := s.db.SelectContext(ctx, &times, s.db.Rebind(q), string(kind), subject, since.UTC()); err != nil {
		return 0, time.Time{}, err
	}
	if len(times) == 0 {
		return 0, time.Time{}, nil
	}
	return len(times), times[0].UTC(), nil
}

// ClearLoginFailures forgets the subject's failures (after a good login).
func (s *Store) ClearLoginFailures(ctx context.Context, kind jobflow.LoginSubject, subject string) error {
	const q = `DELETE FROM login_failures WHERE kind = ? AND subject = ?`
	_, err := s.db.ExecContext(ctx, s.db.Rebind(q), string(kind), subject)
	return err
}
