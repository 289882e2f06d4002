package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"strings"

	"jobflow/store"
)

// openStore connects to the database and applies the migrations, so that
// whichever process starts first (api, worker or server) brings the schema
// up to date; the store serializes concurrent migrations.
func openStore(ctx context.Context, cfg *Config, log *slog.Logger) (*store.Store, error) {
	st, err := store.Open(ctx, cfg.DatabaseURL, cfg.EncryptionKey)
	if err != nil {
		return nil, fmt.Errorf("database %s (JOBFLOW_DATABASE_URL) is not reachable: %w", redactURL(cfg.DatabaseURL), err)
	}
	if err := st.Ping(ctx); err != nil {
		st.Close()
		return nil, fmt.Errorf("database %s (JOBFLOW_DATABASE_URL) is not reachable: %w", redactURL(cfg.DatabaseURL), err)
	}
	if err := st.Migrate(ctx); err != nil {
		st.Close()
		return nil, fmt.Errorf("migrate database %s: %w", redactURL(cfg.DatabaseURL), err)
	}
	log.Info("store ready", "database", redactURL(cfg.DatabaseURL))
	return st, nil
}

// migrate is `jobflow migrate`: apply the migrations and exit.
func migrate(ctx context.Context, cfg *Config, log *slog.Logger) error {
	st, err := openStore(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer st.Close()
	log.Info("migrations applied")
	return nil
}

// redactURL hides the password of a database URL in logs and errors.
func redactURL(raw string) string {
	if !strings.Contains(raw, "://") {
		return raw // a SQLite file path
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Redacted()
}
