package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"jobflow"
)

var _ jobflow.TenantService = (*Store)(nil)

type tenantRow struct {
	ID           string    `db:"id"`
	Name         string    `db:"name"`
	MaxWorkflows int       `db:"max_workflows"`
	OSUser       string    `db:"os_user"`
	EgressAllow  string    `db:"egress_allow"`
	JobLimits    string    `db:"job_limits"`
	CreatedAt    time.Time `db:"created_at"`
	UpdatedAt    time.Time `db:"updated_at"`
}

func (r tenantRow) toDomain() (*jobflow.Tenant, error) {
	t := &jobflow.Tenant{
		ID:           r.ID,
		Name:         r.Name,
		MaxWorkflows: r.MaxWorkflows,
		OSUser:       r.OSUser,
		CreatedAt:    r.CreatedAt.UTC(),
		UpdatedAt:    r.UpdatedAt.UTC(),
	}
	if r.EgressAllow != "" {
		if err := json.Unmarshal([]byte(r.EgressAllow), &t.EgressAllow); err != nil {
			return nil, fmt.Errorf("tenant %s: egress_allow: %w", r.ID, err)
		}
	}
	if t.EgressAllow == nil {
		t.EgressAllow = []string{}
	}
	if r.JobLimits != "" {
		if err := json.Unmarshal([]byte(r.JobLimits), &t.JobLimits); err != nil {
			return nil, fmt.Errorf("tenant %s: job_limits: %w", r.ID, err)
		}
	}
	return t, nil
}

// tenantJSON is the stored form of a tenant's egressAllow and jobLimits.
func tenantJSON(t *jobflow.Tenant) (egressAllow, jobLimits string) {
	if t.EgressAllow == nil {
		t.EgressAllow = []string{}
	}
	a, _ := json.Marshal(t.EgressAllow)
	l, _ := json.Marshal(t.JobLimits)
	return string(a), string(l)
}

const tenantColumns = `id, name, max_workflows, os_user, egress_allow, job_limits, created_at, updated_at`

// CreateTenant validates and inserts t, filling ID, a default MaxWorkflows
// and the timestamps.
func (s *Store) CreateTenant(ctx context.Context, t *jobflow.Tenant) error {
	if t.ID == "" {
		t.ID = jobflow.NewID(jobflow.PrefixTenant)
	}
	if t.MaxWorkflows == 0 {
		t.MaxWorkflows = jobflow.DefaultMaxWorkflows
	}
	if err := t.Validate(); err != nil {
		return err
	}
	t.CreatedAt = now()
	t.UpdatedAt = t.CreatedAt
	allow, limits := tenantJSON(t)
	const q = `INSERT INTO tenants (id, name, max_workflows, os_user, egress_allow, job_limits, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`
	_, err := s.db.ExecContext(ctx, s.db.Rebind(q), t.ID, t.Name, t.MaxWorkflows, t.OSUser, allow, limits, t.CreatedAt, t.UpdatedAt)
	if isUniqueViolation(err) {
		return conflictf("a tenant named %q already exists", t.Name)
	}
	return err
}

// FindTenantByID returns one tenant.
func (s *Store) FindTenantByID(ctx context.Context, id string) (*jobflow.Tenant, error) {
	var r tenantRow
	const q = `SELECT ` + tenantColumns + ` FROM tenants WHERE id = ?`
	if err := s.db.GetContext(ctx, &r, s.db.Rebind(q), id); err != nil {
		return nil, notFound(err, "tenant")
	}
	return r.toDomain()
}

// FindTenants lists tenants by name; Search matches the name.
func (s *Store) FindTenants(ctx context.Context, p jobflow.ListParams) ([]*jobflow.Tenant, int, error) {
	if err := p.Normalize(); err != nil {
		return nil, 0, err
	}
	where, args := `1 = 1`, []any{}
	if p.Search != "" {
		cond, condArgs := s.searchClause(p.Search, "name")
		where += ` AND ` + cond
		args = append(args, condArgs...)
	}
	var total int
	if err := s.db.GetContext(ctx, &total, s.db.Rebind(`SELECT COUNT(*) FROM tenants WHERE `+where), args...); err != nil {
		return nil, 0, err
	}
	var rows []tenantRow
	q := `SELECT ` + tenantColumns + ` FROM tenants WHERE ` + where + ` ORDER BY name, id LIMIT ? OFFSET ?`
	if err := s.db.SelectContext(ctx, &rows, s.db.Rebind(q), append(args, p.PageSize, p.Offset())...); err != nil {
		return nil, 0, err
	}
	out := make([]*jobflow.Tenant, len(rows))
	for i, r := range rows {
		var err error
		if out[i], err = r.toDomain(); err != nil {
			return nil, 0, err
		}
	}
	return out, total, nil
}

// UpdateTenant changes the fields upd sets (name, workflow limit, OS user,
// egress allow-list, job limits).
func (s *Store) UpdateTenant(ctx context.Context, id string, upd jobflow.TenantUpdate) (*jobflow.Tenant, error) {
	t, err := s.FindTenantByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if upd.Name != nil {
		t.Name = *upd.Name
	}
	if upd.MaxWorkflows != nil {
		t.MaxWorkflows = *upd.MaxWorkflows
	}
	if upd.OSUser != nil {
		t.OSUser = *upd.OSUser
	}
	if upd.EgressAllow != nil {
		t.EgressAllow = *upd.EgressAllow
	}
	if upd.JobLimits != nil {
		t.JobLimits = *upd.JobLimits
	}
	if err := t.Validate(); err != nil {
		return nil, err
	}
	t.UpdatedAt = now()
	allow, limits := tenantJSON(t)
	const q = `UPDATE tenants SET name = ?, max_workflows = ?, os_user = ?, egress_allow = ?, job_limits = ?, updated_at = ? WHERE id = ?`
	res, err := s.db.ExecContext(ctx, s.db.Rebind(q), t.Name, t.MaxWorkflows, t.OSUser, allow, limits, t.UpdatedAt, id)
	if isUniqueViolation(err) {
		return nil, conflictf("a tenant named %q already exists", t.Name)
	} else if err != nil {
		return nil, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil, notFoundf("tenant not found")
	}
	return t, nil
}

// CountTenants counts all tenants (the license limits them).
func (s *Store) CountTenants(ctx context.Context) (int, error) {
	var n int
	err := s.db.GetContext(ctx, &n, `SELECT COUNT(*) FROM tenants`)
	return n, err
}
