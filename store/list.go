package store

import (
	"context"

	"jobflow"
)

// listTenantRows pages the rows of a tenant-scoped table by name, searching
// name and remark, and counts all that match.
func listTenantRows[R any](ctx context.Context, s *Store, table, columns, tenantID string, p jobflow.ListParams) ([]R, int, error) {
	if err := p.Normalize(); err != nil {
		return nil, 0, err
	}
	where, args := `tenant_id = ?`, []any{tenantID}
	if p.Search != "" {
		cond, condArgs := s.searchClause(p.Search, "name", "remark")
		where += ` AND ` + cond
		args = append(args, condArgs...)
	}
	var total int
	if err := s.db.GetContext(ctx, &total, s.db.Rebind(`SELECT COUNT(*) FROM `+table+` WHERE `+where), args...); err != nil {
		return nil, 0, err
	}
	var rows []R
	q := `SELECT ` + columns + ` FROM ` + table + ` WHERE ` + where + ` ORDER BY name, id LIMIT ? OFFSET ?`
	if err := s.db.SelectContext(ctx, &rows, s.db.Rebind(q), append(args, p.PageSize, p.Offset())...); err != nil {
		return nil, 0, err
	}
	return rows, total, nil
}
