package store

import (
	"context"
	"time"

	"github.com/jmoiron/sqlx"

	"jobflow"
)

var _ jobflow.MemberService = (*Store)(nil)

type memberRow struct {
	TenantID  string    `db:"tenant_id"`
	UserID    string    `db:"user_id"`
	Account   string    `db:"account"`
	Name      string    `db:"name"`
	Role      string    `db:"role"`
	Disabled  bool      `db:"disabled"`
	CreatedAt time.Time `db:"created_at"`
}

func (r memberRow) toDomain() *jobflow.Member {
	return &jobflow.Member{TenantID: r.TenantID, UserID: r.UserID, Account: r.Account, Name: r.Name,
		Role: jobflow.Role(r.Role), Disabled: r.Disabled, CreatedAt: r.CreatedAt.UTC()}
}

const memberSelect = `SELECT m.tenant_id, m.user_id, u.account, u.name, m.role, u.disabled, m.created_at
FROM memberships m JOIN users u ON u.id = m.user_id`

// FindMembers lists a tenant's members by account; search matches
// account or name.
func (s *Store) FindMembers(ctx context.Context, tenantID string, p jobflow.ListParams) ([]*jobflow.Member, int, error) {
	if err := p.Normalize(); err != nil {
		return nil, 0, err
	}
	if _, err := s.FindTenantByID(ctx, tenantID); err != nil {
		return nil, 0, err
	}
	where, args := `m.tenant_id = ?`, []any{tenantID}
	if p.Search != "" {
		cond, condArgs := s.searchClause(p.Search, "u.account", "u.name")
		where += ` AND ` + cond
		args = append(args, condArgs...)
	}
	var total int
	countQ := `SELECT COUNT(*) FROM memberships m JOIN users u ON u.id = m.user_id WHERE ` + where
	if err := s.db.GetContext(ctx, &total, s.db.Rebind(countQ), args...); err != nil {
		return nil, 0, err
	}
	var rows []memberRow
	q := memberSelect + ` WHERE ` + where + ` ORDER BY u.account, u.id LIMIT ? OFFSET ?`
	if err := s.db.SelectContext(ctx, &rows, s.db.Rebind(q), append(args, p.PageSize, p.Offset())...); err != nil {
		return nil, 0, err
	}
	out := make([]*jobflow.Member, len(rows))
	for i, r := range rows {
		out[i] = r.toDomain()
	}
	return out, total, nil
}

// lockMember reads a membership in tx with the tenant row locked, so two
// concurrent demotions of the last two admins cannot both pass the check.
func (s *Store) lockMember(ctx context.Context, tx *sqlx.Tx, tenantID, userID string) (*memberRow, error) {
	var id string
	if err := tx.GetContext(ctx, &id, tx.Rebind(`SELECT id FROM tenants WHERE id = ?`+s.forUpdate()), tenantID); err != nil {
		return nil, notFound(err, "tenant")
	}
	var r memberRow
	if err := tx.GetContext(ctx, &r, tx.Rebind(memberSelect+` WHERE m.tenant_id = ? AND m.user_id = ?`), tenantID, userID); err != nil {
		return nil, notFound(err, "member")
	}
	return &r, nil
}

// keepAnAdmin refuses to take away the tenant's last TENANT_ADMIN.
func (s *Store) keepAnAdmin(ctx context.Context, tx *sqlx.Tx, m *memberRow) error {
	if jobflow.Role(m.Role) != jobflow.RoleTenantAdmin {
		return nil
	}
	var n int
	const q = `SELECT COUNT(*) FROM memberships WHERE tenant_id = ? AND role = ?`
	if err := tx.GetContext(ctx, &n, tx.Rebind(q), m.TenantID, string(jobflow.RoleTenantAdmin)); err != nil {
		return err
	}
	if n <= 1 {
		return conflictf("%s is the tenant's only TENANT_ADMIN: make another member TENANT_ADMIN first", m.Account)
	}
	return nil
}

// ChangeMemberRole changes an existing member's role.
func (s *Store) ChangeMemberRole(ctx context.Context, tenantID, userID string, role jobflow.Role) (*jobflow.Member, error) {
	if !jobflow.ValidRole(role) {
		return nil, jobflow.Errorf(jobflow.EINVALID, "role must be TENANT_ADMIN or MEMBER").WithDetails(map[string]string{"field": "role"})
	}
	var out *jobflow.Member
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		m, err := s.lockMember(ctx, tx, tenantID, userID)
		if err != nil {
			return err
		}
		if role != jobflow.RoleTenantAdmin {
			if err := s.keepAnAdmin(ctx, tx, m); err != nil {
				return err
			}
		}
		const q = `UPDATE memberships SET role = ? WHERE tenant_id = ? AND user_id = ?`
		if _, err := tx.ExecContext(ctx, tx.Rebind(q), string(role), tenantID, userID); err != nil {
			return err
		}
		m.Role = string(role)
		out = m.toDomain()
		return nil
	})
	return out, err
}

// RemoveMember takes the user out of the tenant; its API tokens for the
// tenant go too.
func (s *Store) RemoveMember(ctx context.Context, tenantID, userID string) error {
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		m, err := s.lockMember(ctx, tx, tenantID, userID)
		if err != nil {
			return err
		}
		if err := s.keepAnAdmin(ctx, tx, m); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, tx.Rebind(`DELETE FROM memberships WHERE tenant_id = ? AND user_id = ?`), tenantID, userID); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, tx.Rebind(`DELETE FROM api_tokens WHERE tenant_id = ? AND user_id = ?`), tenantID, userID)
		return err
	})
}
