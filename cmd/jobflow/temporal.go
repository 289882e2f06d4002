package main

import (
	"context"
	"crypto/tls"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/worker"
	"google.golang.org/grpc"
	"google.golang.org/grpc/backoff"

	"jobflow/activities"
	"jobflow/store"
	"jobflow/temporalserver"
	"jobflow/workflows"
)

// dialTemporal connects to the Temporal frontend at cfg.TemporalAddress,
// over TLS and with an API key when configured (JOBFLOW_TEMPORAL_TLS_*,
// JOBFLOW_TEMPORAL_API_KEY; standalone: the embedded server's), checks that
// it answers and that the namespace exists, and registers jobflow's search
// attributes there. A TLS or credential failure names the setting to fix.
// The client reconnects by itself later, so a Temporal that goes away after
// start-up only makes the engine routes answer 503.
func dialTemporal(ctx context.Context, cfg *Config, mh client.MetricsHandler, log *slog.Logger) (client.Client, error) {
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	addr, namespace := cfg.TemporalAddress, cfg.TemporalNamespace
	// Several frontends (host:port,host:port): one channel over all of them.
	target, resolve := frontendTarget(addr)
	opts := client.Options{
		HostPort:  target,
		Namespace: namespace,
		Logger:    sdklog.NewStructuredLogger(log.With("component", "temporal-client")),
		// The SDK's worker and request metrics go to the process's /metrics.
		MetricsHandler: mh,
		ConnectionOptions: client.ConnectionOptions{DialOptions: append([]grpc.DialOption{
			// After an outage the connection comes back within 5 s of the
			// server (gRPC's default backoff grows to 2 minutes): the
			// workers' reports of jobs that ended meanwhile, which the SDK
			// retries for 60 s, must land before their heartbeat timeout.
			grpc.WithConnectParams(grpc.ConnectParams{
				Backoff:           backoff.Config{BaseDelay: 500 * time.Millisecond, Multiplier: 1.6, Jitter: 0.2, MaxDelay: 5 * time.Second},
				MinConnectTimeout: 5 * time.Second,
			}),
		}, resolve...)},
	}
	apiKey := cfg.TemporalAPIKey != ""
	if apiKey {
		// The SDK turns TLS on (system roots) for an API key.
		opts.Credentials = client.NewAPIKeyStaticCredentials(cfg.TemporalAPIKey)
	}
	if tc := cfg.TemporalTLS; tc != nil || apiKey {
		if tc == nil {
			tc = &tls.Config{MinVersion: tls.VersionTLS12}
		}
		tc = withServerName(addr, tc)
		opts.ConnectionOptions.TLS = tc
		if err := probeTLS(ctx, firstFrontend(addr), tc, apiKey); err != nil {
			return nil, err
		}
	}
	c, err := client.DialContext(ctx, opts)
	if err != nil && opts.ConnectionOptions.TLS == nil && servesTLS(ctx, firstFrontend(addr)) {
		return nil, &settingError{envTLSCA, fmt.Sprintf("temporal at %s serves TLS: set %s to the CA of its certificate (and %s, %s if it wants a client certificate)",
			addr, envTLSCA, envTLSCert, envTLSKey)}
	}
	if err != nil {
		return nil, fmt.Errorf("temporal at %s (JOBFLOW_TEMPORAL_ADDRESS) is not reachable: %w", addr, err)
	}
	if _, err := c.WorkflowService().DescribeNamespace(ctx, &workflowservice.DescribeNamespaceRequest{Namespace: namespace}); err != nil {
		c.Close()
		if cerr := credentialError(addr, apiKey, err); cerr != nil {
			return nil, cerr
		}
		return nil, fmt.Errorf("temporal namespace %q (JOBFLOW_TEMPORAL_NAMESPACE) at %s: %w", namespace, addr, err)
	}
	if err := temporalserver.RegisterSearchAttributes(ctx, c.OperatorService(), namespace); err != nil {
		c.Close()
		return nil, fmt.Errorf("temporal at %s: %w", addr, err)
	}
	log.Info("temporal ready", "address", addr, "namespace", namespace, "tls", opts.ConnectionOptions.TLS != nil, "apiKey", apiKey)
	return c, nil
}

// workers polls the default task queue (FlowRun and the jobs without a
// worker group) and one queue per extra worker group (jobs only).
type workers []worker.Worker

func startWorkers(c client.Client, st *store.Store, cfg *Config, tel *telemetry, log *slog.Logger) (workers, *activities.Activities, error) {
	if cfg.OldJobUser {
		log.Warn("JOBFLOW_JOB_USER is no longer used: each tenant's jobs run as the tenant's own OS user (jf-<tenant>, created on demand) or the tenant's osUser")
	}
	activities.ReportSandbox(log)
	// Processes of jobs whose worker died on this machine go before any new job starts.
	activities.KillLeftovers(log)
	acts := &activities.Activities{Runs: st, Datasources: st, Alarms: st, Tenants: st, Variables: st, Dependents: st, Baselines: st, Signaller: c, PublicURL: cfg.PublicURL, JobDir: cfg.JobDir, JobWritable: cfg.JobWritable, Metrics: tel.m,
		Logger: log.With("component", "activities"), EgressAllow: cfg.EgressAllow, EgressDeny: egressDeny(context.Background(), cfg, log)}
	opts := worker.Options{
		// On SIGTERM, drain gives running jobs JOBFLOW_WORKER_STOP_TIMEOUT
		// and then stops them itself; the SDK's own timeout is only a
		// backstop behind that (their processes' kill grace, the reports).
		WorkerStopTimeout: cfg.WorkerStopTimeout + time.Minute,
		// Heartbeats carry cancellation to running jobs: throttled to the
		// default 8 s, an abort could take longer than its 10 s promise.
		MaxHeartbeatThrottleInterval: time.Second,
		DeadlockDetectionTimeout:     workflows.DeadlockDetectionTimeout,
		// Jobs past this wait in Temporal's queue, where fairness serves
		// the tenants in turn (docs/operations.md#fairness); 0 keeps the
		// SDK's 1,000.
		MaxConcurrentActivityExecutionSize: cfg.WorkerJobs,
	}
	var ws workers
	queues := []string{cfg.TaskQueue}
	for _, g := range cfg.WorkerGroups {
		queues = append(queues, workflows.TaskQueue(cfg.TaskQueue, g))
	}
	for i, q := range queues {
		w := worker.New(c, q, opts)
		if i == 0 {
			workflows.Register(w)
		}
		acts.Register(w)
		if err := w.Start(); err != nil {
			ws.stop()
			return nil, nil, fmt.Errorf("start worker on task queue %s: %w", q, err)
		}
		ws = append(ws, w)
	}
	log.Info("worker started", "taskQueues", queues)
	return ws, acts, nil
}

// stop stops every worker (in parallel: each waits for its own running
// tasks) and returns when all have stopped.
func (ws workers) stop() {
	var wg sync.WaitGroup
	for _, w := range ws {
		wg.Add(1)
		go func() { defer wg.Done(); w.Stop() }()
	}
	wg.Wait()
}

// drain is the graceful stop of SIGTERM: the workers take no new task at
// once, running jobs get timeout to finish, and those still running then
// are stopped (activities.StopJobs: they fail "worker stopped" and are
// retried by their policy elsewhere). It returns when the workers have
// reported every task to Temporal.
func (ws workers) drain(acts *activities.Activities, timeout time.Duration, log *slog.Logger) {
	done := make(chan struct{})
	go func() { ws.stop(); close(done) }()
	select {
	case <-done:
		return
	case <-time.After(timeout):
	}
	if n := acts.StopJobs(); n > 0 {
		log.Warn("worker stop timeout passed: stopping the jobs still running", "jobs", n, "timeout", timeout)
	}
	<-done
}
