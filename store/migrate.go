package store

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"

	"github.com/jmoiron/sqlx"
)

// Migrations live in migrations/<dialect>/NNNN_name.sql, one file per
// version and dialect; a version is applied once, recorded in
// schema_migrations.
//
//go:embed migrations
var migrationFS embed.FS

type migration struct {
	version int
	name    string
	sql     string
}

// migrations returns the dialect's migrations in version order.
func migrations(dialect string) ([]migration, error) {
	dir := path.Join("migrations", dialect)
	entries, err := fs.ReadDir(migrationFS, dir)
	if err != nil {
		return nil, err
	}
	var ms []migration
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".sql") {
			continue
		}
		num, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v < 1 {
			return nil, fmt.Errorf("store: migration file %s must be named NNNN_name.sql", e.Name())
		}
		b, err := fs.ReadFile(migrationFS, path.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{version: v, name: e.Name(), sql: string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	for i := 1; i < len(ms); i++ {
		if ms[i].version == ms[i-1].version {
			return nil, fmt.Errorf("store: two migrations with version %d", ms[i].version)
		}
	}
	return ms, nil
}

// migrationLockID is the PostgreSQL advisory lock that keeps two processes
// (say an api and a worker starting together) from migrating at once.
const migrationLockID = 7123401

// Migrate applies the migrations not applied yet, all in one transaction:
// either the schema reaches the newest version or nothing changes. Running
// it again is a no-op.
func (s *Store) Migrate(ctx context.Context) error {
	ms, err := migrations(s.dialect)
	if err != nil {
		return err
	}
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		if s.dialect == DialectPostgres {
			if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, migrationLockID); err != nil {
				return err
			}
		}
		const create = `
CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    applied_at TIMESTAMP NOT NULL
)`
		if _, err := tx.ExecContext(ctx, create); err != nil {
			return fmt.Errorf("store: create schema_migrations: %w", err)
		}
		var applied []int
		if err := tx.SelectContext(ctx, &applied, `SELECT version FROM schema_migrations`); err != nil {
			return err
		}
		done := make(map[int]bool, len(applied))
		for _, v := range applied {
			done[v] = true
		}
		for _, m := range ms {
			if done[m.version] {
				continue
			}
			if _, err := tx.ExecContext(ctx, m.sql); err != nil {
				return fmt.Errorf("store: migration %s: %w", m.name, err)
			}
			const q = `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`
			if _, err := tx.ExecContext(ctx, tx.Rebind(q), m.version, m.name, now()); err != nil {
				return err
			}
		}
		return nil
	})
}

// SchemaVersion is the newest applied migration, 0 before any.
func (s *Store) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	const q = `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`
	err := s.db.GetContext(ctx, &v, q)
	return v, err
}
