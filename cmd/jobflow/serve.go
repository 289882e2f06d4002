package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"jobflow/engine"
	"jobflow/store"
)

const (
	// startupTimeout bounds everything before jobflow serves: database,
	// migrations, Temporal. A dependency that does not answer in time is
	// an error naming it, not a hang.
	startupTimeout = 2 * time.Minute
	// shutdownTimeout bounds the graceful stop of the HTTP server.
	shutdownTimeout = 20 * time.Second
)

// serve runs the services of mode until ctx is cancelled, then stops them
// in reverse order: HTTP, worker, store, Temporal client, embedded Temporal.
func serve(ctx context.Context, mode string, cfg *Config, log *slog.Logger, stdout io.Writer) error {
	runsAPI := mode != modeWorker
	runsWorker := mode != modeAPI

	startCtx, cancel := context.WithTimeout(ctx, startupTimeout)
	defer cancel()
	begin := time.Now()

	// The API's address is taken first: a port in use is found at once,
	// not after Temporal and the store have started. Until the API is
	// ready, requests are answered 503 (starting.go).
	var hs *httpServer
	if runsAPI {
		l, err := net.Listen("tcp", cfg.HTTPAddr)
		if err != nil {
			return fmt.Errorf("listen on %s (JOBFLOW_HTTP_ADDR): %w", cfg.HTTPAddr, err)
		}
		hs = startHTTP(l, log)
		defer hs.srv.Close()
	}

	var embedded *embeddedTemporal
	if mode == modeStandalone {
		var err error
		if embedded, err = prepareStandalone(startCtx, cfg, log); err != nil {
			return startupError(ctx, err)
		}
		defer embedded.stop(log)
	}

	tel := newTelemetry()
	c, err := dialTemporal(startCtx, cfg, tel.sdk, log)
	if err != nil {
		return startupError(ctx, err)
	}
	defer c.Close()

	st, err := openStore(startCtx, cfg, log)
	if err != nil {
		return startupError(ctx, err)
	}
	defer st.Close()

	if runsWorker {
		ws, acts, err := startWorkers(c, st, cfg, tel, log)
		if err != nil {
			return startupError(ctx, err)
		}
		defer acts.Close()
		defer ws.drain(acts, cfg.WorkerStopTimeout, log)
	}

	if !runsAPI {
		if cfg.MetricsAddr != "" {
			if err := serveMetrics(ctx, cfg.MetricsAddr, tel, log); err != nil {
				return startupError(ctx, err)
			}
		}
		log.Info("jobflow worker running", "startup", time.Since(begin).Round(time.Millisecond))
		<-ctx.Done()
		log.Info("shutting down")
		return nil
	}

	eng := &engine.Engine{
		Client:    c,
		Store:     st,
		Namespace: cfg.TemporalNamespace,
		TaskQueue: cfg.TaskQueue,
		UIURL:     cfg.TemporalUIURL,
	}
	if err := bootstrap(startCtx, st, cfg, log, stdout); err != nil {
		return startupError(ctx, err)
	}
	// The store is the source of truth of schedules: reconcile Temporal's
	// with it now and every JOBFLOW_RECONCILE_INTERVAL (default 5m).
	go eng.RunReconciler(ctx, cfg.ReconcileInterval, log)
	go purgeRuns(ctx, st, cfg.RunRetention, log)
	go st.RunAuditRetention(ctx, cfg.AuditRetention, auditPurgeEvery, log)
	eng.Metrics = tel.m
	handler := newAPI(cfg, st, c, eng, tel, log)
	return hs.serve(ctx, handler, log, func() {
		attrs := []any{"mode", mode, "addr", cfg.HTTPAddr, "startup", time.Since(begin).Round(time.Millisecond)}
		if cfg.TemporalUIURL != "" {
			attrs = append(attrs, "temporalUI", cfg.TemporalUIURL)
		}
		log.Info("jobflow ready", attrs...)
	})
}

// startupError turns a failure caused by an interrupt during start-up into
// a clean exit; anything else is returned as it is.
func startupError(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return nil
	}
	return err
}

// httpServer is the API's HTTP server, serving from the moment its address
// is taken: startingHandler until serve hands it the API.
type httpServer struct {
	srv  *http.Server
	late *startingHandler
	errc chan error
}

func startHTTP(l net.Listener, log *slog.Logger) *httpServer {
	s := &httpServer{late: &startingHandler{}, errc: make(chan error, 1)}
	s.srv = &http.Server{
		Handler:           s.late,
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	go func() { s.errc <- s.srv.Serve(l) }()
	return s
}

// serve serves h until ctx is cancelled, then shuts down gracefully:
// in-flight requests get shutdownTimeout to finish.
func (s *httpServer) serve(ctx context.Context, h http.Handler, log *slog.Logger, ready func()) error {
	s.late.ready(h)
	ready()

	select {
	case err := <-s.errc:
		return fmt.Errorf("http server: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := s.srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("http shutdown: %w", err)
	}
	if err := <-s.errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// purgeRuns deletes ended runs older than retention (with their node runs
// and logs) now and every hour, in batches. Every API process runs it; the
// deletes are idempotent, so several at once only repeat a little work.
func purgeRuns(ctx context.Context, st *store.Store, retention time.Duration, log *slog.Logger) {
	if retention <= 0 {
		return
	}
	for {
		n, err := st.PurgeRuns(ctx, time.Now().Add(-retention), 1000)
		if err != nil && ctx.Err() == nil {
			log.Warn("run retention", "err", err)
		} else if n > 0 {
			log.Info("run retention: deleted old runs", "runs", n, "retention", retention)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Hour):
		}
	}
}
