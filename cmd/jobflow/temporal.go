package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/worker"

	"jobflow/activities"
	"jobflow/store"
	"jobflow/temporalserver"
	"jobflow/workflows"
)

// dialTemporal connects to the Temporal frontend at addr, checks that it
// answers and that the namespace exists, and registers jobflow's search
// attributes there. The client reconnects by itself later, so a Temporal
// that goes away after start-up only makes the engine routes answer 503.
func dialTemporal(ctx context.Context, addr, namespace string, log *slog.Logger) (client.Client, error) {
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	c, err := client.DialContext(ctx, client.Options{
		HostPort:  addr,
		Namespace: namespace,
		Logger:    sdklog.NewStructuredLogger(log.With("component", "temporal-client")),
	})
	if err != nil {
		return nil, fmt.Errorf("temporal at %s (JOBFLOW_TEMPORAL_ADDRESS) is not reachable: %w", addr, err)
	}
	if _, err := c.WorkflowService().DescribeNamespace(ctx, &workflowservice.DescribeNamespaceRequest{Namespace: namespace}); err != nil {
		c.Close()
		return nil, fmt.Errorf("temporal namespace %q (JOBFLOW_TEMPORAL_NAMESPACE) at %s: %w", namespace, addr, err)
	}
	if err := temporalserver.RegisterSearchAttributes(ctx, c.OperatorService(), namespace); err != nil {
		c.Close()
		return nil, fmt.Errorf("temporal at %s: %w", addr, err)
	}
	log.Info("temporal ready", "address", addr, "namespace", namespace)
	return c, nil
}

// workers polls the default task queue (FlowRun and the jobs without a
// worker group) and one queue per extra worker group (jobs only).
type workers []worker.Worker

func startWorkers(c client.Client, st *store.Store, cfg *Config, log *slog.Logger) (workers, *activities.Activities, error) {
	shared, err := activities.CheckJobUser(cfg.JobUser)
	if err != nil {
		return nil, nil, fmt.Errorf("job user (JOBFLOW_JOB_USER): %w", err)
	}
	if shared {
		log.Warn("the worker does not run as root: SHELL and PYTHON jobs run as the worker's own user and can read that user's files (the data dir included); run the worker as root to give jobs an unprivileged user (JOBFLOW_JOB_USER)")
	}
	// Processes of jobs whose worker died on this machine go before any new job starts.
	activities.KillLeftovers(log)
	acts := &activities.Activities{Runs: st, Datasources: st, Alarms: st, Tenants: st, Variables: st, JobUser: cfg.JobUser,
		Logger: log.With("component", "activities")}
	opts := worker.Options{
		// On SIGTERM, running jobs get this long to finish before their
		// context is cancelled.
		WorkerStopTimeout: 10 * time.Second,
		// Heartbeats carry cancellation to running jobs: throttled to the
		// default 8 s, an abort could take longer than its 10 s promise.
		MaxHeartbeatThrottleInterval: time.Second,
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

func (ws workers) stop() {
	for _, w := range ws {
		w.Stop()
	}
}
