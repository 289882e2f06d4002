package store

import (
	"context"
	"time"

	"jobflow"
)

type invokeTokenRow struct {
	JTI        string     `db:"jti"`
	TenantID   string     `db:"tenant_id"`
	WorkflowID string     `db:"workflow_id"`
	ExpiresAt  time.Time  `db:"expires_at"`
	CreatedAt  time.Time  `db:"created_at"`
	CreatedBy  string     `db:"created_by"`
	RevokedAt  *time.Time `db:"revoked_at"`
}

const invokeTokenColumns = `jti, tenant_id, workflow_id, expires_at, created_at, created_by, revoked_at`

// CreateInvokeToken records an issued token. The workflow must be the
// tenant's (NOT_FOUND otherwise).
func (s *Store) CreateInvokeToken(ctx context.Context, t *jobflow.InvokeToken) error {
	if t.JTI == "" || t.TenantID == "" || t.WorkflowID == "" {
		return jobflow.Errorf(jobflow.EINVALID, "an invoke token needs a jti, a tenant and a workflow")
	}
	if _, err := s.getWorkflow(ctx, s.db, t.TenantID, t.WorkflowID, false); err != nil {
		return err
	}
	t.CreatedAt = now()
	t.ExpiresAt = dbTime(t.ExpiresAt)
	t.RevokedAt = nil
	const q = `INSERT INTO invoke_tokens (` + invokeTokenColumns + `) VALUES (?, ?, ?, ?, ?, ?, NULL)`
	_, err := s.db.ExecContext(ctx, s.db.Rebind(q), t.JTI, t.TenantID, t.WorkflowID, t.ExpiresAt, t.CreatedAt, t.CreatedBy)
	if isUniqueViolation(err) {
		return conflictf("an invoke token with this jti already exists")
	} else if isForeignKeyViolation(err) {
		return notFoundf("workflow not found")
	}
	return err
}

// FindInvokeTokens lists the tokens of a workflow of the tenant, newest
// first, revoked ones included.
func (s *Store) FindInvokeTokens(ctx context.Context, tenantID, workflowID string) ([]*jobflow.InvokeToken, error) {
	if _, err := s.getWorkflow(ctx, s.db, tenantID, workflowID, false); err != nil {
		return nil, err
	}
	var rows []invokeTokenRow
	const q = `SELECT ` + invokeTokenColumns + ` FROM invoke_tokens WHERE tenant_id = ? AND workflow_id = ?
ORDER BY created_at DESC, jti`
	if err := s.db.SelectContext(ctx, &rows, s.db.Rebind(q), tenantID, workflowID); err != nil {
		return nil, err
	}
	out := make([]*jobflow.InvokeToken, len(rows))
	for i, r := range rows {
		out[i] = &jobflow.InvokeToken{JTI: r.JTI, TenantID: r.TenantID, WorkflowID: r.WorkflowID, ExpiresAt: r.ExpiresAt.UTC(),
			CreatedAt: r.CreatedAt.UTC(), CreatedBy: r.CreatedBy, RevokedAt: utcPtr(r.RevokedAt)}
	}
	return out, nil
}

// RevokeInvokeToken revokes a token of a workflow of the tenant; revoking
// it again keeps the first revocation time. NOT_FOUND for a jti that is not
// the workflow's.
func (s *Store) RevokeInvokeToken(ctx context.Context, tenantID, workflowID, jti string) error {
	const q = `UPDATE invoke_tokens SET revoked_at = COALESCE(revoked_at, ?)
WHERE jti = ? AND tenant_id = ? AND workflow_id = ?`
	res, err := s.db.ExecContext(ctx, s.db.Rebind(q), now(), jti, tenantID, workflowID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return notFoundf("invoke token not found")
	}
	return nil
}

// InvokeTokenRevoked reports whether the token with this jti may not be
// used: revoked, or never issued by this installation (a token signed with
// the right key but unknown here is refused too). It is the
// invoke.RevocationChecker of the invoke endpoint.
func (s *Store) InvokeTokenRevoked(ctx context.Context, jti string) (bool, error) {
	var live []int
	const q = `SELECT CASE WHEN revoked_at IS NULL THEN 1 ELSE 0 END FROM invoke_tokens WHERE jti = ?`
	if err := s.db.SelectContext(ctx, &live, s.db.Rebind(q), jti); err != nil {
		return false, err
	}
	return len(live) == 0 || live[0] == 0, nil
}
