package store

import (
	"context"
	"strings"
	"time"

	"jobflow"
)

var _ jobflow.UserService = (*Store)(nil)

type userRow struct {
	ID           string    `db:"id"`
	Account      string    `db:"account"`
	Name         string    `db:"name"`
	SysAdmin     bool      `db:"sys_admin"`
	Disabled     bool      `db:"disabled"`
	TokenVersion int       `db:"token_version"`
	PasswordHash string    `db:"password_hash"`
	CreatedAt    time.Time `db:"created_at"`
}

func (r userRow) toDomain() *jobflow.User {
	return &jobflow.User{
		ID:           r.ID,
		Account:      r.Account,
		Name:         r.Name,
		SysAdmin:     r.SysAdmin,
		Disabled:     r.Disabled,
		TokenVersion: r.TokenVersion,
		PasswordHash: r.PasswordHash,
		CreatedAt:    r.CreatedAt.UTC(),
		// A user without a password is a service account (docs/lifecycle.md#personal-api-tokens).
		ServiceAccount: r.PasswordHash == "",
	}
}

const userColumns = `id, account, name, sys_admin, disabled, token_version, password_hash, created_at`

// CreateUser inserts u; PasswordHash is stored as given (the API hashes).
func (s *Store) CreateUser(ctx context.Context, u *jobflow.User) error {
	if err := jobflow.ValidateName("account", u.Account); err != nil {
		return err
	}
	if strings.TrimSpace(u.Account) != u.Account {
		return jobflow.Errorf(jobflow.EINVALID, "account must not start or end with spaces").WithDetails(map[string]string{"field": "account"})
	}
	if u.ID == "" {
		u.ID = jobflow.NewID(jobflow.PrefixUser)
	}
	u.CreatedAt = now()
	const q = `INSERT INTO users (id, account, name, sys_admin, password_hash, created_at) VALUES (?, ?, ?, ?, ?, ?)`
	_, err := s.db.ExecContext(ctx, s.db.Rebind(q), u.ID, u.Account, u.Name, u.SysAdmin, u.PasswordHash, u.CreatedAt)
	if isUniqueViolation(err) {
		return conflictf("a user with account %q already exists", u.Account)
	}
	return err
}

// FindUserByID returns one user.
func (s *Store) FindUserByID(ctx context.Context, id string) (*jobflow.User, error) {
	var r userRow
	const q = `SELECT ` + userColumns + ` FROM users WHERE id = ?`
	if err := s.db.GetContext(ctx, &r, s.db.Rebind(q), id); err != nil {
		return nil, notFound(err, "user")
	}
	return r.toDomain(), nil
}

// FindUserByAccount returns the user who logs in with account (exact match).
func (s *Store) FindUserByAccount(ctx context.Context, account string) (*jobflow.User, error) {
	var r userRow
	const q = `SELECT ` + userColumns + ` FROM users WHERE account = ?`
	if err := s.db.GetContext(ctx, &r, s.db.Rebind(q), account); err != nil {
		return nil, notFound(err, "user")
	}
	return r.toDomain(), nil
}

// FindUsers lists users by account; Search matches account or name.
func (s *Store) FindUsers(ctx context.Context, p jobflow.ListParams) ([]*jobflow.User, int, error) {
	if err := p.Normalize(); err != nil {
		return nil, 0, err
	}
	where, args := `1 = 1`, []any{}
	if p.Search != "" {
		cond, condArgs := s.searchClause(p.Search, "account", "name")
		where += ` AND ` + cond
		args = append(args, condArgs...)
	}
	var total int
	if err := s.db.GetContext(ctx, &total, s.db.Rebind(`SELECT COUNT(*) FROM users WHERE `+where), args...); err != nil {
		return nil, 0, err
	}
	var rows []userRow
	q := `SELECT ` + userColumns + ` FROM users WHERE ` + where + ` ORDER BY account, id LIMIT ? OFFSET ?`
	if err := s.db.SelectContext(ctx, &rows, s.db.Rebind(q), append(args, p.PageSize, p.Offset())...); err != nil {
		return nil, 0, err
	}
	out := make([]*jobflow.User, len(rows))
	for i, r := range rows {
		out[i] = r.toDomain()
	}
	return out, total, nil
}

// SetMembership adds the user to the tenant with role, or changes the role.
func (s *Store) SetMembership(ctx context.Context, tenantID, userID string, role jobflow.Role) error {
	if !jobflow.ValidRole(role) {
		return jobflow.Errorf(jobflow.EINVALID, "role must be TENANT_ADMIN or MEMBER").WithDetails(map[string]string{"field": "role"})
	}
	const q = `
INSERT INTO memberships (tenant_id, user_id, role, created_at) VALUES (?, ?, ?, ?)
ON CONFLICT (tenant_id, user_id) DO UPDATE SET role = excluded.role`
	_, err := s.db.ExecContext(ctx, s.db.Rebind(q), tenantID, userID, string(role), now())
	if isForeignKeyViolation(err) {
		return notFoundf("tenant or user not found")
	}
	return err
}

// FindMemberships returns the user's tenants with their names, by name.
func (s *Store) FindMemberships(ctx context.Context, userID string) ([]*jobflow.Membership, error) {
	var rows []struct {
		TenantID   string `db:"tenant_id"`
		TenantName string `db:"tenant_name"`
		UserID     string `db:"user_id"`
		Role       string `db:"role"`
	}
	const q = `
SELECT m.tenant_id, t.name AS tenant_name, m.user_id, m.role
FROM memberships m JOIN tenants t ON t.id = m.tenant_id
WHERE m.user_id = ?
ORDER BY t.name, t.id`
	if err := s.db.SelectContext(ctx, &rows, s.db.Rebind(q), userID); err != nil {
		return nil, err
	}
	out := make([]*jobflow.Membership, len(rows))
	for i, r := range rows {
		out[i] = &jobflow.Membership{TenantID: r.TenantID, TenantName: r.TenantName, UserID: r.UserID, Role: jobflow.Role(r.Role)}
	}
	return out, nil
}

// SetPassword stores a new password hash and moves the token version on.
func (s *Store) SetPassword(ctx context.Context, id, passwordHash string) (*jobflow.User, error) {
	const q = `UPDATE users SET password_hash = ?, token_version = token_version + 1 WHERE id = ?`
	if err := s.updateUser(ctx, q, passwordHash, id); err != nil {
		return nil, err
	}
	return s.FindUserByID(ctx, id)
}

// UpdateUser renames, disables or enables a user. Disabling moves the token
// version on, so the user's tokens stop working at once.
func (s *Store) UpdateUser(ctx context.Context, id string, upd jobflow.UserUpdate) (*jobflow.User, error) {
	u, err := s.FindUserByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if upd.Name != nil {
		if err := jobflow.ValidateName("name", *upd.Name); err != nil {
			return nil, err
		}
		u.Name = *upd.Name
	}
	bump := 0
	if upd.Disabled != nil {
		if *upd.Disabled && !u.Disabled {
			bump = 1
		}
		u.Disabled = *upd.Disabled
	}
	const q = `UPDATE users SET name = ?, disabled = ?, token_version = token_version + ? WHERE id = ?`
	if err := s.updateUser(ctx, q, u.Name, u.Disabled, bump, id); err != nil {
		return nil, err
	}
	return s.FindUserByID(ctx, id)
}

func (s *Store) updateUser(ctx context.Context, q string, args ...any) error {
	res, err := s.db.ExecContext(ctx, s.db.Rebind(q), args...)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return notFoundf("user not found")
	}
	return nil
}
