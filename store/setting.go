package store

import (
	"context"
	"database/sql"
	"errors"

	"jobflow"
)

var _ jobflow.SettingService = (*Store)(nil)

// GetSetting returns the value of an installation-wide setting and whether
// it is set.
func (s *Store) GetSetting(ctx context.Context, key string) (string, bool, error) {
	var v string
	const q = `SELECT value FROM settings WHERE name = ?`
	err := s.db.GetContext(ctx, &v, s.db.Rebind(q), key)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	} else if err != nil {
		return "", false, err
	}
	return v, true, nil
}

// PutSetting sets a setting, replacing any value.
func (s *Store) PutSetting(ctx context.Context, key, value string) error {
	if key == "" {
		return jobflow.Errorf(jobflow.EINVALID, "a setting needs a key")
	}
	const q = `
INSERT INTO settings (name, value, updated_at) VALUES (?, ?, ?)
ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`
	_, err := s.db.ExecContext(ctx, s.db.Rebind(q), key, value, now())
	return err
}
