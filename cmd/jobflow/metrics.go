package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.temporal.io/sdk/client"

	"jobflow/metrics"
)

// telemetry is the process's one metrics registry: jobflow's domain
// metrics, the Temporal SDK's, and (in API modes) the HTTP metrics.
type telemetry struct {
	reg *prometheus.Registry
	m   *metrics.Metrics
	sdk client.MetricsHandler
}

func newTelemetry() *telemetry {
	reg := prometheus.NewRegistry()
	return &telemetry{reg: reg, m: metrics.New(reg), sdk: metrics.SDKHandler(reg)}
}

// serveMetrics serves /metrics and /healthz on addr for `jobflow worker`,
// which has no API to serve them on, until ctx ends.
func serveMetrics(ctx context.Context, addr string, tel *telemetry, log *slog.Logger) error {
	// The API registers these with its HTTP metrics; the worker has none.
	tel.reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen on %s (JOBFLOW_METRICS_ADDR): %w", addr, err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(tel.reg, promhttp.HandlerOpts{}))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, `{"status":"ok"}`) })
	srv := &http.Server{Handler: mux}
	go func() {
		<-ctx.Done()
		srv.Close()
	}()
	go srv.Serve(l)
	log.Info("worker metrics", "addr", l.Addr().String())
	return nil
}
