package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"

	"go.temporal.io/sdk/client"

	"jobflow/engine"
	"jobflow/httpapi"
	"jobflow/store"
)

// newAPI builds the REST API over the store and the run engine.
func newAPI(cfg *Config, st *store.Store, c client.Client, eng *engine.Engine, tel *telemetry, log *slog.Logger) http.Handler {
	deps := httpapi.NewDeps(st)
	deps.Engine = eng
	api := httpapi.New(httpapi.Config{
		JWTSecret:        cfg.JWTSecret,
		CORSOrigins:      cfg.CORSOrigins,
		PublicURL:        cfg.PublicURL,
		TrustedProxies:   cfg.TrustedProxies,
		LicensePublicKey: cfg.LicensePublicKey,
		Logger:           log,
		TemporalUI:       httpapi.TemporalUI{Upstream: cfg.TemporalUIUpstream, Key: cfg.TemporalUIKey, Write: cfg.TemporalUIWrite},
		Registry:         tel.reg,
		Metrics:          tel.m,
		EgressAllow:      cfg.EgressAllow,
		EgressDeny:       egressDeny(context.Background(), cfg, log),
		Ready: []httpapi.Check{
			{Name: "store", Check: st.Ping},
			{Name: "temporal", Check: func(ctx context.Context) error {
				_, err := c.CheckHealth(ctx, &client.CheckHealthRequest{})
				return err
			}},
		},
	}, deps)
	return api.Handler()
}

// bootstrap creates the admin user and the default tenant on the first
// start; the admin password, when generated, is printed once to stdout.
func bootstrap(ctx context.Context, st *store.Store, cfg *Config, log *slog.Logger, stdout io.Writer) error {
	generated, err := httpapi.Bootstrap(ctx, httpapi.NewDeps(st), cfg.AdminPassword)
	if err != nil {
		return fmt.Errorf("create the admin user: %w", err)
	}
	if generated != "" {
		fmt.Fprintf(stdout, "\n  jobflow created the system administrator.\n  account: admin\n  password: %s\n  (shown once; set JOBFLOW_ADMIN_PASSWORD before the first start to choose it)\n\n", generated)
		log.Info("admin user created", "account", "admin", "password", "printed to stdout")
	}
	return nil
}
