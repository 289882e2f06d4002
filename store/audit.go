package store

import (
	"context"
	"log/slog"
	"time"

	"github.com/jmoiron/sqlx"

	"jobflow"
)

var _ jobflow.AuditService = (*Store)(nil)

type auditRow struct {
	ID         string    `db:"id"`
	At         time.Time `db:"at"`
	TenantID   string    `db:"tenant_id"`
	UserID     string    `db:"user_id"`
	TokenID    string    `db:"token_id"`
	Action     string    `db:"action"`
	ObjectType string    `db:"object_type"`
	ObjectID   string    `db:"object_id"`
	ObjectName string    `db:"object_name"`
	Version    int       `db:"version"`
	Result     string    `db:"result"`
	RequestID  string    `db:"request_id"`
	ClientAddr string    `db:"client_addr"`
	Summary    string    `db:"summary"`
}

const auditColumns = `id, at, tenant_id, user_id, token_id, action, object_type, object_id, object_name,
version, result, request_id, client_addr, summary`

// CreateAuditEntry appends one row; At is now unless given.
func (s *Store) CreateAuditEntry(ctx context.Context, e *jobflow.AuditEntry) error {
	if e.ID == "" {
		e.ID = jobflow.NewID(jobflow.PrefixAudit)
	}
	if e.At.IsZero() {
		e.At = now()
	}
	e.At = dbTime(e.At)
	if e.Action == "" || e.Result == "" {
		return jobflow.Errorf(jobflow.EINVALID, "an audit entry needs an action and a result")
	}
	const q = `INSERT INTO audit_logs (` + auditColumns + `) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	_, err := s.db.ExecContext(ctx, s.db.Rebind(q), e.ID, e.At, e.TenantID, e.UserID, e.TokenID, e.Action,
		e.ObjectType, e.ObjectID, e.ObjectName, e.Version, e.Result, e.RequestID, e.ClientAddr, e.Summary)
	return err
}

// FindAuditEntries lists rows newest first.
func (s *Store) FindAuditEntries(ctx context.Context, f jobflow.AuditFilter) ([]*jobflow.AuditEntry, int, error) {
	if err := f.ListParams.Normalize(); err != nil {
		return nil, 0, err
	}
	where, args := `1 = 1`, []any{}
	if !f.AllTenants || f.TenantID != "" {
		if f.TenantID == "" {
			return nil, 0, jobflow.Errorf(jobflow.EINVALID, "a tenant is required")
		}
		where += ` AND tenant_id = ?`
		args = append(args, f.TenantID)
	}
	for _, c := range []struct{ col, v string }{{"object_id", f.ObjectID}, {"user_id", f.UserID}, {"action", f.Action}} {
		if c.v != "" {
			where += ` AND ` + c.col + ` = ?`
			args = append(args, c.v)
		}
	}
	if f.From != nil {
		where += ` AND at >= ?`
		args = append(args, dbTime(*f.From))
	}
	if f.To != nil {
		where += ` AND at <= ?`
		args = append(args, dbTime(*f.To))
	}
	var total int
	if err := s.db.GetContext(ctx, &total, s.db.Rebind(`SELECT COUNT(*) FROM audit_logs WHERE `+where), args...); err != nil {
		return nil, 0, err
	}
	var rows []auditRow
	q := `SELECT ` + auditColumns + ` FROM audit_logs WHERE ` + where + ` ORDER BY at DESC, id DESC LIMIT ? OFFSET ?`
	if err := s.db.SelectContext(ctx, &rows, s.db.Rebind(q), append(args, f.PageSize, f.Offset())...); err != nil {
		return nil, 0, err
	}
	out := make([]*jobflow.AuditEntry, len(rows))
	for i, r := range rows {
		e := jobflow.AuditEntry(r)
		e.At = e.At.UTC()
		out[i] = &e
	}
	return out, total, nil
}

// PurgeAuditEntries deletes rows older than before.
func (s *Store) PurgeAuditEntries(ctx context.Context, before time.Time) (int64, error) {
	res, err := s.db.ExecContext(ctx, s.db.Rebind(`DELETE FROM audit_logs WHERE at < ?`), dbTime(before))
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// DefaultAuditRetention is how long audit rows are kept unless
// JOBFLOW_AUDIT_RETENTION says otherwise.
const DefaultAuditRetention = 180 * 24 * time.Hour

// RunAuditRetention deletes audit rows older than retention at once and
// then every interval, until ctx is done. Several api processes may run it:
// the delete is idempotent.
func (s *Store) RunAuditRetention(ctx context.Context, retention, interval time.Duration, log *slog.Logger) {
	if retention <= 0 {
		return
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		n, err := s.PurgeAuditEntries(ctx, time.Now().Add(-retention))
		if err != nil && ctx.Err() == nil {
			log.Warn("audit retention: delete failed", "err", err)
		} else if n > 0 {
			log.Info("audit retention: old rows deleted", "rows", n, "retention", retention.String())
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// auditScheduledRun records the start of a run that no API call made (a
// Temporal Schedule fired), once per run: RecordScheduledRun calls it in
// the transaction that first keeps the run's snapshot.
func (s *Store) auditScheduledRun(ctx context.Context, tx *sqlx.Tx, r *jobflow.Run) error {
	var number int
	const q = `SELECT number FROM workflow_versions WHERE id = ?`
	if err := tx.GetContext(ctx, &number, tx.Rebind(q), r.VersionID); err != nil {
		return err
	}
	e := &jobflow.AuditEntry{ID: jobflow.NewID(jobflow.PrefixAudit), At: now(), TenantID: r.TenantID, Action: "run.schedule",
		ObjectType: "run", ObjectID: r.ID, ObjectName: r.WorkflowName, Version: number, Result: jobflow.AuditOK,
		Summary: "trigger=" + string(r.Trigger) + " workflowId=" + r.WorkflowID}
	const ins = `INSERT INTO audit_logs (` + auditColumns + `) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	_, err := tx.ExecContext(ctx, tx.Rebind(ins), e.ID, e.At, e.TenantID, e.UserID, e.TokenID, e.Action,
		e.ObjectType, e.ObjectID, e.ObjectName, e.Version, e.Result, e.RequestID, e.ClientAddr, e.Summary)
	return err
}
