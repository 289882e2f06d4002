package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/url"
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
		Logger:       log,
	})
	if err != nil {
		return nil, fmt.Errorf("embedded temporal server (data in %s): %w", filepath.Join(cfg.DataDir, "temporal.db"), err)
	}
	cfg.TemporalAddress = srv.FrontendAddress()
	if cfg.TemporalUIURL == "" {
		cfg.TemporalUIURL = uiLink(cfg.TemporalUIAddr, srv.UIURL(), cfg.PublicURL)
	}
	log.Info("embedded temporal started", "frontend", srv.FrontendAddress(), "ui", srv.UIURL())
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

// uiLink is the base URL of run links into the embedded Web UI. A UI that
// listens on every interface is reached under the host users reach jobflow
// by (JOBFLOW_PUBLIC_URL), not under the loopback address it was probed on.
func uiLink(uiAddr, uiURL, publicURL string) string {
	host, _, err := net.SplitHostPort(uiAddr)
	if err != nil || (host != "" && host != "0.0.0.0" && host != "::") {
		return uiURL
	}
	pub, err := url.Parse(publicURL)
	if err != nil || pub.Hostname() == "" {
		return uiURL
	}
	u, err := url.Parse(uiURL)
	if err != nil {
		return uiURL
	}
	u.Host = net.JoinHostPort(pub.Hostname(), u.Port())
	return u.String()
}
