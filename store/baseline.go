package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"jobflow"
)

var _ jobflow.BaselineService = (*Store)(nil)

// Baselines and their instances per data date (docs/baselines.md).

type baselineRow struct {
	ID            string    `db:"id"`
	TenantID      string    `db:"tenant_id"`
	Name          string    `db:"name"`
	Targets       string    `db:"targets"`
	FinishBy      string    `db:"finish_by"`
	Timezone      string    `db:"timezone"`
	MarginMinutes int       `db:"margin_minutes"`
	ChannelIDs    string    `db:"channel_ids"`
	Priority      int       `db:"priority"`
	CreatedAt     time.Time `db:"created_at"`
	UpdatedAt     time.Time `db:"updated_at"`
}

func (r baselineRow) toDomain() (*jobflow.Baseline, error) {
	b := &jobflow.Baseline{ID: r.ID, TenantID: r.TenantID, Name: r.Name, FinishBy: r.FinishBy, Timezone: r.Timezone,
		MarginMinutes: r.MarginMinutes, Priority: r.Priority, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
	if err := json.Unmarshal([]byte(r.Targets), &b.Targets); err != nil {
		return nil, fmt.Errorf("baseline %s: targets: %w", r.ID, err)
	}
	if err := json.Unmarshal([]byte(r.ChannelIDs), &b.ChannelIDs); err != nil {
		return nil, fmt.Errorf("baseline %s: channel ids: %w", r.ID, err)
	}
	return b, nil
}

const baselineColumns = `id, tenant_id, name, targets, finish_by, timezone, margin_minutes, channel_ids, priority, created_at, updated_at`

// CreateBaseline implements jobflow.BaselineService.
func (s *Store) CreateBaseline(ctx context.Context, b *jobflow.Baseline) error {
	if err := (jobflow.BaselineUpdate{}).Apply(b); err != nil {
		return err
	}
	if b.ID == "" {
		b.ID = jobflow.NewID(jobflow.PrefixBaseline)
	}
	b.CreatedAt = now()
	b.UpdatedAt = b.CreatedAt
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		if err := checkBaselineRefs(ctx, tx, b); err != nil {
			return err
		}
		const q = `INSERT INTO baselines (` + baselineColumns + `) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
		_, err := tx.ExecContext(ctx, tx.Rebind(q), b.ID, b.TenantID, b.Name, mustJSON(b.Targets), b.FinishBy, b.Timezone,
			b.MarginMinutes, mustJSON(b.ChannelIDs), b.Priority, b.CreatedAt, b.UpdatedAt)
		if isUniqueViolation(err) {
			return conflictf("a baseline named %q already exists", b.Name)
		} else if isForeignKeyViolation(err) {
			return notFoundf("tenant not found")
		}
		return err
	})
}

// checkBaselineRefs checks that b's targets and channels exist in its
// tenant: a 400 naming the first that does not.
func checkBaselineRefs(ctx context.Context, tx *sqlx.Tx, b *jobflow.Baseline) error {
	count := func(q string, args ...any) (int, error) {
		var n int
		err := tx.GetContext(ctx, &n, tx.Rebind(q), args...)
		return n, err
	}
	for i, t := range b.Targets {
		n, err := count(`SELECT COUNT(*) FROM workflows WHERE id = ? AND tenant_id = ?`, t.WorkflowID, b.TenantID)
		if err != nil {
			return err
		}
		if n == 0 {
			return jobflow.InvalidField(fmt.Sprintf("targets[%d].workflowId", i), "workflow %q does not exist in this tenant", t.WorkflowID)
		}
		if t.JobID == "" {
			continue
		}
		if n, err = count(`SELECT COUNT(*) FROM jobs WHERE id = ? AND workflow_id = ? AND tenant_id = ?`, t.JobID, t.WorkflowID, b.TenantID); err != nil {
			return err
		}
		if n == 0 {
			return jobflow.InvalidField(fmt.Sprintf("targets[%d].jobId", i), "job %q is not a job of workflow %q", t.JobID, t.WorkflowID)
		}
	}
	for i, id := range b.ChannelIDs {
		n, err := count(`SELECT COUNT(*) FROM alarm_channels WHERE id = ? AND tenant_id = ?`, id, b.TenantID)
		if err != nil {
			return err
		}
		if n == 0 {
			return jobflow.InvalidField(fmt.Sprintf("channelIds[%d]", i), "alarm channel %q does not exist in this tenant", id)
		}
	}
	return nil
}

// FindBaselines implements jobflow.BaselineService: by name.
func (s *Store) FindBaselines(ctx context.Context, tenantID string, p jobflow.ListParams) ([]*jobflow.Baseline, int, error) {
	if err := p.Normalize(); err != nil {
		return nil, 0, err
	}
	where, args := `tenant_id = ?`, []any{tenantID}
	if p.Search != "" {
		cond, condArgs := s.searchClause(p.Search, "name")
		where += ` AND ` + cond
		args = append(args, condArgs...)
	}
	var total int
	if err := s.db.GetContext(ctx, &total, s.db.Rebind(`SELECT COUNT(*) FROM baselines WHERE `+where), args...); err != nil {
		return nil, 0, err
	}
	var rows []baselineRow
	q := `SELECT ` + baselineColumns + ` FROM baselines WHERE ` + where + ` ORDER BY name, id LIMIT ? OFFSET ?`
	if err := s.db.SelectContext(ctx, &rows, s.db.Rebind(q), append(args, p.PageSize, p.Offset())...); err != nil {
		return nil, 0, err
	}
	out, err := baselinesOf(rows)
	return out, total, err
}

func baselinesOf(rows []baselineRow) ([]*jobflow.Baseline, error) {
	out := make([]*jobflow.Baseline, len(rows))
	for i, r := range rows {
		b, err := r.toDomain()
		if err != nil {
			return nil, err
		}
		out[i] = b
	}
	return out, nil
}

// AllBaselines implements jobflow.BaselineService.
func (s *Store) AllBaselines(ctx context.Context) ([]*jobflow.Baseline, error) {
	var rows []baselineRow
	if err := s.db.SelectContext(ctx, &rows, `SELECT `+baselineColumns+` FROM baselines ORDER BY id`); err != nil {
		return nil, err
	}
	return baselinesOf(rows)
}

// FindBaselineByID implements jobflow.BaselineService.
func (s *Store) FindBaselineByID(ctx context.Context, tenantID, id string) (*jobflow.Baseline, error) {
	var r baselineRow
	q := `SELECT ` + baselineColumns + ` FROM baselines WHERE id = ? AND tenant_id = ?`
	if err := s.db.GetContext(ctx, &r, s.db.Rebind(q), id, tenantID); err != nil {
		return nil, notFound(err, "baseline")
	}
	return r.toDomain()
}

// UpdateBaseline implements jobflow.BaselineService.
func (s *Store) UpdateBaseline(ctx context.Context, tenantID, id string, u jobflow.BaselineUpdate) (*jobflow.Baseline, error) {
	var b *jobflow.Baseline
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var r baselineRow
		q := `SELECT ` + baselineColumns + ` FROM baselines WHERE id = ? AND tenant_id = ?` + s.forUpdate()
		if err := tx.GetContext(ctx, &r, tx.Rebind(q), id, tenantID); err != nil {
			return notFound(err, "baseline")
		}
		var err error
		if b, err = r.toDomain(); err != nil {
			return err
		}
		if err := u.Apply(b); err != nil {
			return err
		}
		if err := checkBaselineRefs(ctx, tx, b); err != nil {
			return err
		}
		b.UpdatedAt = now()
		const upd = `UPDATE baselines SET name = ?, targets = ?, finish_by = ?, timezone = ?, margin_minutes = ?,
channel_ids = ?, priority = ?, updated_at = ? WHERE id = ?`
		_, err = tx.ExecContext(ctx, tx.Rebind(upd), b.Name, mustJSON(b.Targets), b.FinishBy, b.Timezone, b.MarginMinutes,
			mustJSON(b.ChannelIDs), b.Priority, b.UpdatedAt, b.ID)
		if isUniqueViolation(err) {
			return conflictf("a baseline named %q already exists", b.Name)
		}
		return err
	})
	return b, err
}

// DeleteBaseline implements jobflow.BaselineService; its instances go
// with it.
func (s *Store) DeleteBaseline(ctx context.Context, tenantID, id string) error {
	res, err := s.db.ExecContext(ctx, s.db.Rebind(`DELETE FROM baselines WHERE id = ? AND tenant_id = ?`), id, tenantID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return notFoundf("baseline not found")
	}
	return nil
}

// PutBaselineInstance implements jobflow.BaselineService: insert or
// replace the row of (baseline, date). A deleted baseline's instance is
// NOT_FOUND.
func (s *Store) PutBaselineInstance(ctx context.Context, tenantID string, in *jobflow.BaselineInstance) error {
	body := mustJSON(in)
	const q = `INSERT INTO baseline_instances (baseline_id, date, tenant_id, status, body, checked_at) VALUES (?, ?, ?, ?, ?, ?)
ON CONFLICT (baseline_id, date) DO UPDATE SET status = excluded.status, body = excluded.body, checked_at = excluded.checked_at`
	_, err := s.db.ExecContext(ctx, s.db.Rebind(q), in.BaselineID, in.Date, tenantID, string(in.Status), body, in.CheckedAt)
	if isForeignKeyViolation(err) {
		return notFoundf("baseline not found")
	}
	return err
}

// FindBaselineInstance implements jobflow.BaselineService.
func (s *Store) FindBaselineInstance(ctx context.Context, tenantID, baselineID, date string) (*jobflow.BaselineInstance, error) {
	var body string
	const q = `SELECT body FROM baseline_instances WHERE baseline_id = ? AND date = ? AND tenant_id = ?`
	if err := s.db.GetContext(ctx, &body, s.db.Rebind(q), baselineID, date, tenantID); err != nil {
		return nil, notFound(err, "baseline instance")
	}
	var in jobflow.BaselineInstance
	if err := json.Unmarshal([]byte(body), &in); err != nil {
		return nil, fmt.Errorf("baseline instance %s %s: %w", baselineID, date, err)
	}
	return &in, nil
}

// FindBaselineInstances implements jobflow.BaselineService.
func (s *Store) FindBaselineInstances(ctx context.Context, tenantID, baselineID string, limit int) ([]*jobflow.BaselineInstance, error) {
	var bodies []string
	const q = `SELECT body FROM baseline_instances WHERE baseline_id = ? AND tenant_id = ? ORDER BY date DESC LIMIT ?`
	if err := s.db.SelectContext(ctx, &bodies, s.db.Rebind(q), baselineID, tenantID, limit); err != nil {
		return nil, err
	}
	out := make([]*jobflow.BaselineInstance, 0, len(bodies))
	for _, b := range bodies {
		var in jobflow.BaselineInstance
		if err := json.Unmarshal([]byte(b), &in); err != nil {
			return nil, err
		}
		out = append(out, &in)
	}
	return out, nil
}

// FindTargetRun implements jobflow.BaselineService. SUBFLOW and FOREACH
// children are runs of their parent's data date too, so any trigger counts.
func (s *Store) FindTargetRun(ctx context.Context, tenantID, workflowID string, from, to time.Time) (*jobflow.Run, error) {
	var id string
	const q = `SELECT id FROM runs WHERE tenant_id = ? AND workflow_id = ? AND logical_time >= ? AND logical_time < ?
ORDER BY started_at DESC, id DESC LIMIT 1`
	err := s.db.GetContext(ctx, &id, s.db.Rebind(q), tenantID, workflowID, from.UTC(), to.UTC())
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	return s.FindRunByID(ctx, tenantID, id)
}
