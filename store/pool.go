package store

import (
	"context"
	"time"

	"github.com/jmoiron/sqlx"

	"jobflow"
)

var _ jobflow.PoolService = (*Store)(nil)

// Pools and their leases (docs/run-semantics.md#pools). Every decision
// about one pool's slots is taken in a transaction that first locks the
// pool's row, as the run queue does with a workflow's (runqueue.go).

type poolRow struct {
	ID          string    `db:"id"`
	TenantID    string    `db:"tenant_id"`
	Name        string    `db:"name"`
	Slots       int       `db:"slots"`
	Description string    `db:"description"`
	CreatedAt   time.Time `db:"created_at"`
	UpdatedAt   time.Time `db:"updated_at"`
	Used        int       `db:"used"`
	Waiting     int       `db:"waiting"`
}

func (r poolRow) toDomain() *jobflow.Pool {
	return &jobflow.Pool{ID: r.ID, TenantID: r.TenantID, Name: r.Name, Slots: r.Slots, Description: r.Description,
		Used: r.Used, Waiting: r.Waiting, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
}

// poolColumns selects a pool with its slots held and its waiters.
const poolColumns = `id, tenant_id, name, slots, description, created_at, updated_at,
(SELECT COALESCE(SUM(l.slots), 0) FROM pool_leases l WHERE l.pool_id = pools.id AND l.held = 1) AS used,
(SELECT COUNT(*) FROM pool_leases l WHERE l.pool_id = pools.id AND l.held = 0) AS waiting`

// CreatePool implements jobflow.PoolService.
func (s *Store) CreatePool(ctx context.Context, p *jobflow.Pool) error {
	if err := (jobflow.PoolUpdate{}).Apply(p); err != nil {
		return err
	}
	if p.ID == "" {
		p.ID = jobflow.NewID(jobflow.PrefixPool)
	}
	p.CreatedAt = now()
	p.UpdatedAt = p.CreatedAt
	const q = `INSERT INTO pools (id, tenant_id, name, slots, description, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)`
	_, err := s.db.ExecContext(ctx, s.db.Rebind(q), p.ID, p.TenantID, p.Name, p.Slots, p.Description, p.CreatedAt, p.UpdatedAt)
	if isUniqueViolation(err) {
		return conflictf("a pool named %q already exists", p.Name)
	} else if isForeignKeyViolation(err) {
		return notFoundf("tenant not found")
	}
	return err
}

// FindPools implements jobflow.PoolService: the tenant's pools by name.
func (s *Store) FindPools(ctx context.Context, tenantID string, p jobflow.ListParams) ([]*jobflow.Pool, int, error) {
	if err := p.Normalize(); err != nil {
		return nil, 0, err
	}
	where, args := `tenant_id = ?`, []any{tenantID}
	if p.Search != "" {
		cond, condArgs := s.searchClause(p.Search, "name", "description")
		where += ` AND ` + cond
		args = append(args, condArgs...)
	}
	var total int
	if err := s.db.GetContext(ctx, &total, s.db.Rebind(`SELECT COUNT(*) FROM pools WHERE `+where), args...); err != nil {
		return nil, 0, err
	}
	var rows []poolRow
	q := `SELECT ` + poolColumns + ` FROM pools WHERE ` + where + ` ORDER BY name, id LIMIT ? OFFSET ?`
	if err := s.db.SelectContext(ctx, &rows, s.db.Rebind(q), append(args, p.PageSize, p.Offset())...); err != nil {
		return nil, 0, err
	}
	out := make([]*jobflow.Pool, len(rows))
	for i, r := range rows {
		out[i] = r.toDomain()
	}
	return out, total, nil
}

// FindPoolByID implements jobflow.PoolService: the pool with its holders
// (oldest first) and its waiters (in the order they will be served).
func (s *Store) FindPoolByID(ctx context.Context, tenantID, id string) (*jobflow.Pool, error) {
	var r poolRow
	q := `SELECT ` + poolColumns + ` FROM pools WHERE id = ? AND tenant_id = ?`
	if err := s.db.GetContext(ctx, &r, s.db.Rebind(q), id, tenantID); err != nil {
		return nil, notFound(err, "pool")
	}
	p := r.toDomain()
	leases, err := s.poolLeases(ctx, s.db, p.ID)
	if err != nil {
		return nil, err
	}
	p.Holders, p.Waiters = []jobflow.PoolLease{}, []jobflow.PoolLease{}
	for _, l := range leases {
		if l.held {
			p.Holders = append(p.Holders, l.PoolLease)
		} else {
			l.Position = len(p.Waiters) + 1
			p.Waiters = append(p.Waiters, l.PoolLease)
		}
	}
	return p, nil
}

// UpdatePool implements jobflow.PoolService.
func (s *Store) UpdatePool(ctx context.Context, tenantID, id string, u jobflow.PoolUpdate) (*jobflow.Pool, error) {
	var granted []jobflow.PoolLease
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		p, err := s.lockPool(ctx, tx, tenantID, id)
		if err != nil {
			return err
		}
		if err := u.Apply(p); err != nil {
			return err
		}
		const q = `UPDATE pools SET name = ?, slots = ?, description = ?, updated_at = ? WHERE id = ?`
		_, err = tx.ExecContext(ctx, tx.Rebind(q), p.Name, p.Slots, p.Description, now(), id)
		if isUniqueViolation(err) {
			return conflictf("a pool named %q already exists", p.Name)
		} else if err != nil {
			return err
		}
		granted, err = s.grantPool(ctx, tx, p) // more slots: waiters may go
		return err
	})
	if err != nil {
		return nil, err
	}
	p, err := s.FindPoolByID(ctx, tenantID, id)
	if p != nil {
		p.Holders, p.Waiters = nil, nil
		p.Granted = granted
	}
	return p, err
}

// DeletePool implements jobflow.PoolService: refused while a job holds or
// waits for its slots.
func (s *Store) DeletePool(ctx context.Context, tenantID, id string) error {
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := s.lockPool(ctx, tx, tenantID, id); err != nil {
			return err
		}
		var n int
		if err := tx.GetContext(ctx, &n, tx.Rebind(`SELECT COUNT(*) FROM pool_leases WHERE pool_id = ?`), id); err != nil {
			return err
		}
		if n > 0 {
			return conflictf("%d job(s) hold or wait for this pool's slots: delete it once they have ended", n)
		}
		_, err := tx.ExecContext(ctx, tx.Rebind(`DELETE FROM pools WHERE id = ?`), id)
		return err
	})
}

// lockPool reads and locks a pool of the tenant.
func (s *Store) lockPool(ctx context.Context, tx *sqlx.Tx, tenantID, id string) (*jobflow.Pool, error) {
	var r poolRow
	q := `SELECT id, tenant_id, name, slots, description, created_at, updated_at FROM pools WHERE id = ? AND tenant_id = ?` + s.forUpdate()
	if err := tx.GetContext(ctx, &r, tx.Rebind(q), id, tenantID); err != nil {
		return nil, notFound(err, "pool")
	}
	return r.toDomain(), nil
}
