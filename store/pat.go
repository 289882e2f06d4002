package store

import (
	"context"
	"time"

	"jobflow"
)

var _ jobflow.APITokenService = (*Store)(nil)

type apiTokenRow struct {
	ID         string     `db:"id"`
	UserID     string     `db:"user_id"`
	TenantID   string     `db:"tenant_id"`
	TenantName string     `db:"tenant_name"`
	Name       string     `db:"name"`
	Role       string     `db:"role"`
	Hash       string     `db:"hash"`
	CreatedAt  time.Time  `db:"created_at"`
	LastUsedAt *time.Time `db:"last_used_at"`
	ExpiresAt  *time.Time `db:"expires_at"`
}

func (r apiTokenRow) toDomain() *jobflow.APIToken {
	return &jobflow.APIToken{ID: r.ID, UserID: r.UserID, TenantID: r.TenantID, TenantName: r.TenantName,
		Name: r.Name, Role: jobflow.Role(r.Role), Hash: r.Hash, CreatedAt: r.CreatedAt.UTC(),
		LastUsedAt: utcPtr(r.LastUsedAt), ExpiresAt: utcPtr(r.ExpiresAt)}
}

const apiTokenSelect = `SELECT k.id, k.user_id, k.tenant_id, t.name AS tenant_name, k.name, k.role, k.hash,
k.created_at, k.last_used_at, k.expires_at
FROM api_tokens k JOIN tenants t ON t.id = k.tenant_id`

// MaxAPITokensPerUser bounds the tokens one user holds.
const MaxAPITokensPerUser = 50

// CreateAPIToken stores a token (its hash); CONFLICT on a name the user
// already uses or beyond MaxAPITokensPerUser.
func (s *Store) CreateAPIToken(ctx context.Context, t *jobflow.APIToken) error {
	if err := jobflow.ValidateName("name", t.Name); err != nil {
		return err
	}
	if !jobflow.ValidRole(t.Role) {
		return jobflow.Errorf(jobflow.EINVALID, "role must be TENANT_ADMIN or MEMBER").WithDetails(map[string]string{"field": "role"})
	}
	if t.Hash == "" {
		return jobflow.Errorf(jobflow.EINVALID, "a token needs its hash")
	}
	if t.ID == "" {
		t.ID = jobflow.NewID(jobflow.PrefixAPIToken)
	}
	t.CreatedAt = now()
	var n int
	if err := s.db.GetContext(ctx, &n, s.db.Rebind(`SELECT COUNT(*) FROM api_tokens WHERE user_id = ?`), t.UserID); err != nil {
		return err
	}
	if n >= MaxAPITokensPerUser {
		return conflictf("a user holds at most %d API tokens; delete one first", MaxAPITokensPerUser)
	}
	const q = `INSERT INTO api_tokens (id, user_id, tenant_id, name, role, hash, created_at, last_used_at, expires_at)
VALUES (?, ?, ?, ?, ?, ?, ?, NULL, ?)`
	_, err := s.db.ExecContext(ctx, s.db.Rebind(q), t.ID, t.UserID, t.TenantID, t.Name, string(t.Role), t.Hash,
		t.CreatedAt, dbTimePtr(t.ExpiresAt))
	if isUniqueViolation(err) {
		return conflictf("you already have a token named %q", t.Name)
	} else if isForeignKeyViolation(err) {
		return notFoundf("tenant or user not found")
	}
	return err
}

// FindAPITokens lists a user's tokens by name.
func (s *Store) FindAPITokens(ctx context.Context, userID string) ([]*jobflow.APIToken, error) {
	var rows []apiTokenRow
	if err := s.db.SelectContext(ctx, &rows, s.db.Rebind(apiTokenSelect+` WHERE k.user_id = ? ORDER BY k.name, k.id`), userID); err != nil {
		return nil, err
	}
	out := make([]*jobflow.APIToken, len(rows))
	for i, r := range rows {
		out[i] = r.toDomain()
	}
	return out, nil
}

// FindAPITokenByHash returns the token with this hash.
func (s *Store) FindAPITokenByHash(ctx context.Context, hash string) (*jobflow.APIToken, error) {
	var r apiTokenRow
	if err := s.db.GetContext(ctx, &r, s.db.Rebind(apiTokenSelect+` WHERE k.hash = ?`), hash); err != nil {
		return nil, notFound(err, "token")
	}
	return r.toDomain(), nil
}

// DeleteAPIToken deletes one of the user's tokens.
func (s *Store) DeleteAPIToken(ctx context.Context, userID, id string) error {
	res, err := s.db.ExecContext(ctx, s.db.Rebind(`DELETE FROM api_tokens WHERE id = ? AND user_id = ?`), id, userID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return notFoundf("token not found")
	}
	return nil
}

// DeleteUserAPITokens deletes every token of the user (when it is disabled).
func (s *Store) DeleteUserAPITokens(ctx context.Context, userID string) error {
	_, err := s.db.ExecContext(ctx, s.db.Rebind(`DELETE FROM api_tokens WHERE user_id = ?`), userID)
	return err
}

// TouchAPIToken moves last used on, at most once a minute.
func (s *Store) TouchAPIToken(ctx context.Context, id string, at time.Time) error {
	at = dbTime(at)
	const q = `UPDATE api_tokens SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)`
	_, err := s.db.ExecContext(ctx, s.db.Rebind(q), at, id, at.Add(-time.Minute))
	return err
}
