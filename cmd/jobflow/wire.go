package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"

	"go.temporal.io/sdk/client"

	"jobflow/engine"
	"jobflow/httpapi"
	"jobflow/store"
)

// newAPI builds the REST API over the store and the run engine.
func newAPI(cfg *Config, st *store.Store, c client.Client, eng *engine.Engine, log *slog.Logger) http.Handler {
	api := httpapi.New(httpapi.Config{
		JWTSecret:        cfg.JWTSecret,
		CORSOrigins:      cfg.CORSOrigins,
		PublicURL:        cfg.PublicURL,
		LicensePublicKey: cfg.LicensePublicKey,
		Logger:           log,
		Ready: []httpapi.Check{
			{Name: "store", Check: st.Ping},
			{Name: "temporal", Check: func(ctx context.Context) error {
				_, err := c.CheckHealth(ctx, &client.CheckHealthRequest{})
				return err
			}},
		},
	}, httpapi.NewDeps(st))
	_ = eng // TODO(wire): hand the engine to httpapi once it takes one (run routes).
	return api.Handler()
}

// bootstrap creates the admin user and the default tenant on the first
// start; the admin password, when generated, is printed once to stdout.
func bootstrap(ctx context.Context, st *store.Store, cfg *Config, log *slog.Logger, stdout io.Writer) error {
	// TODO(wire): call httpapi's bootstrap once it has landed.
	return nil
}
