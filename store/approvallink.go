package store

import (
	"context"
	"time"

	"github.com/jmoiron/sqlx"

	"jobflow"
)

var _ jobflow.ApprovalLinkService = (*Store)(nil)

type approvalLinkRow struct {
	TenantID    string     `db:"tenant_id"`
	RunID       string     `db:"run_id"`
	JobID       string     `db:"job_id"`
	JobName     string     `db:"job_name"`
	ChannelID   string     `db:"channel_id"`
	ChannelName string     `db:"channel_name"`
	Message     string     `db:"message"`
	ExpiresAt   time.Time  `db:"expires_at"`
	UsedAt      *time.Time `db:"used_at"`
}

func (r approvalLinkRow) toDomain() *jobflow.ApprovalLink {
	return &jobflow.ApprovalLink{TenantID: r.TenantID, RunID: r.RunID, JobID: r.JobID, JobName: r.JobName, ChannelID: r.ChannelID,
		ChannelName: r.ChannelName, Message: r.Message, ExpiresAt: r.ExpiresAt.UTC(), UsedAt: dbTimePtr(r.UsedAt)}
}

const approvalLinkColumns = `tenant_id, run_id, job_id, job_name, channel_id, channel_name, message, expires_at, used_at`

// CreateApprovalLink implements jobflow.ApprovalLinkService.
func (s *Store) CreateApprovalLink(ctx context.Context, l *jobflow.ApprovalLink, tokenHash string) error {
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		const del = `DELETE FROM approval_links WHERE run_id = ? AND job_id = ? AND channel_id = ?`
		if _, err := tx.ExecContext(ctx, tx.Rebind(del), l.RunID, l.JobID, l.ChannelID); err != nil {
			return err
		}
		const q = `INSERT INTO approval_links (token_hash, ` + approvalLinkColumns + `) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)`
		_, err := tx.ExecContext(ctx, tx.Rebind(q), tokenHash, l.TenantID, l.RunID, l.JobID, l.JobName, l.ChannelID, l.ChannelName,
			l.Message, dbTime(l.ExpiresAt))
		if isForeignKeyViolation(err) {
			return notFoundf("run %s not found", l.RunID)
		}
		return err
	})
}

// FindApprovalLink implements jobflow.ApprovalLinkService.
func (s *Store) FindApprovalLink(ctx context.Context, tokenHash string) (*jobflow.ApprovalLink, error) {
	var r approvalLinkRow
	q := `SELECT ` + approvalLinkColumns + ` FROM approval_links WHERE token_hash = ?`
	if err := s.db.GetContext(ctx, &r, s.db.Rebind(q), tokenHash); err != nil {
		return nil, notFound(err, "approval link")
	}
	return r.toDomain(), nil
}

// UseApprovalLink implements jobflow.ApprovalLinkService: one UPDATE that
// only an unused, unexpired link passes, so two clicks racing cannot both
// decide.
func (s *Store) UseApprovalLink(ctx context.Context, tokenHash string, at time.Time) (*jobflow.ApprovalLink, error) {
	const q = `UPDATE approval_links SET used_at = ? WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?`
	res, err := s.db.ExecContext(ctx, s.db.Rebind(q), dbTime(at), tokenHash, dbTime(at))
	if err != nil {
		return nil, err
	}
	l, err := s.FindApprovalLink(ctx, tokenHash)
	if err != nil {
		return nil, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		if l.UsedAt != nil {
			return nil, conflictf("this link has been used already")
		}
		return nil, conflictf("this link expired at %s", l.ExpiresAt.Format(time.RFC3339))
	}
	return l, nil
}

// ReleaseApprovalLink implements jobflow.ApprovalLinkService.
func (s *Store) ReleaseApprovalLink(ctx context.Context, tokenHash string) error {
	_, err := s.db.ExecContext(ctx, s.db.Rebind(`UPDATE approval_links SET used_at = NULL WHERE token_hash = ?`), tokenHash)
	return err
}
