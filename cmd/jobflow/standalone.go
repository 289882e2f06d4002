package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"jobflow/temporalserver"
)

// embeddedTemporal is the Temporal server a standalone jobflow runs itself.
type embeddedTemporal struct {
	srv *temporalserver.Server
}

// prepareStandalone readies what `jobflow standalone` provides itself: the
// data dir, the generated secrets, and, unless JOBFLOW_TEMPORAL_ADDRESS
// points at a cluster, an embedded Temporal server with its Web UI. It
// fills cfg with the embedded server's addresses. The SQLite store's path
// was set by loadConfig.
func prepareStandalone(ctx context.Context, cfg *Config, log *slog.Logger) (*embeddedTemporal, error) {
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("data dir %s (JOBFLOW_DATA_DIR): %w", cfg.DataDir, err)
	}
	// Secrets, the store and Temporal's database live here: nobody else
	// (no job user) may enter, whatever mode an older install left it in.
	if err := os.Chmod(cfg.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("data dir %s (JOBFLOW_DATA_DIR): %w", cfg.DataDir, err)
	}
	if err := loadSecrets(cfg); err != nil {
		return nil, err
	}
	if cfg.TemporalAddress != "" {
		return nil, nil // an external cluster; the UI is that cluster's
	}
	srv, err := temporalserver.Start(ctx, temporalserver.Config{
		DataDir:      cfg.DataDir,
		FrontendPort: cfg.TemporalPort,
		Namespaces:   []string{cfg.TemporalNamespace},
		UIAddr:       cfg.TemporalUIAddr,
		UINamespace:  cfg.TemporalNamespace,
		UIWrite:      cfg.TemporalUIWrite,
		Logger:       log,
	})
	if err != nil {
		return nil, fmt.Errorf("embedded temporal server (data in %s): %w", filepath.Join(cfg.DataDir, "temporal.db"), err)
	}
	// jobflow's own clients reach the embedded frontend exactly as they
	// would a production cluster: over TLS, with the API key.
	cfg.TemporalAddress = srv.FrontendAddress()
	cfg.TemporalAPIKey = srv.APIKey()
	cfg.TemporalTLS = srv.ClientTLS()
	if srv.UIURL() != "" {
		// People reach the UI only through jobflow's proxy, which logs
		// them in as SYS_ADMIN and adds the UI's key.
		cfg.TemporalUIUpstream, cfg.TemporalUIKey = srv.UIURL(), srv.UIKey()
		if cfg.TemporalUIURL == "" {
			// With JOBFLOW_PUBLIC_URL unset this is a path, which the API
			// makes absolute on each request's own host (httpapi.absoluteURL).
			cfg.TemporalUIURL = cfg.PublicURL + temporalserver.UIPublicPath
		}
	}
	log.Info("embedded temporal started", "frontend", srv.FrontendAddress(), "ui", srv.UIURL(), "uiWrite", cfg.TemporalUIWrite)
	return &embeddedTemporal{srv: srv}, nil
}

func (e *embeddedTemporal) stop(log *slog.Logger) {
	if e == nil {
		return
	}
	if err := e.srv.Stop(); err != nil {
		log.Warn("embedded temporal stop", "err", err)
	}
}
