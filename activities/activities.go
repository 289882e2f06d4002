// Package activities holds the Temporal activities of jobflow: the job
// executors (SHELL, PYTHON, SQL, HTTP) behind RunJob, and RecordRun, which
// writes run rows. Activities are methods of one struct whose dependencies
// (the run store, the datasource store, a logger) are injected at worker
// start-up, so tests build one over a real store.
//
// RunJob records its own node run: RUNNING when it starts, then SUCCESS,
// FAIL or ABORTED. It heartbeats every second so that an abort (activity
// cancellation) reaches it, and it streams the job's output into the node
// log while the job runs.
package activities

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"net/netip"
	"slices"
	"sync"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"

	"jobflow"
	"jobflow/alarms"
	"jobflow/egress"
	"jobflow/jobtypes"
	"jobflow/metrics"
	"jobflow/vars"
	"jobflow/workflows"
)

// Error types of RunJob's application errors, for retry policies and for
// the workflow to tell a failed job from a misconfigured one.
const (
	ErrTypeJobFailed   = "JobFailed"   // the job ran and failed (or timed out); retryable
	ErrTypeConfig      = "JobConfig"   // the job cannot run as configured; never retried
	ErrTypeStoreFailed = "StoreFailed" // the node run could not be recorded; retryable
)

// Defaults of the tunables in Activities.
const (
	DefaultKillGrace     = 5 * time.Second
	DefaultHeartbeat     = time.Second
	DefaultLogFlushEvery = time.Second
)

// Activities are jobflow's Temporal activities. Fill the exported fields and
// call Register on a worker.
type Activities struct {
	Runs        jobflow.RunService
	Datasources jobflow.DatasourceService
	Logger      *slog.Logger
	// Alarms keeps alarm channels and records (SendAlarm); AlarmSender
	// sends them (alarms.Default when nil).
	Alarms      AlarmStore
	AlarmSender *alarms.Sender
	// PublicURL is the API's base URL, for the one-click approval links
	// of APPROVAL_WAITING alarms (none when empty).
	PublicURL string

	// Tenants gives each job its tenant's osUser, jobLimits and
	// egressAllow (sandbox.go); nil: none of them.
	Tenants jobflow.TenantService
	// JobDir is where a root worker makes jobs' working directories
	// (DefaultJobDir when empty); JobWritable are host paths a sandboxed
	// job may write to besides its own directory (JOBFLOW_JOB_WRITABLE).
	JobDir      string
	JobWritable []string
	// Metrics receives run, job and alarm metrics (none when nil).
	Metrics *metrics.Metrics
	// Variables are the tenant variables and secrets jobs may name
	// (none when nil).
	Variables jobflow.VariableService
	// Dependents keeps who waits for whom and checks DEPENDENT jobs
	// (dependent.go); without it DEPENDENT jobs fail and no run's end
	// signals waiters. Signaller sends those signals
	// (activity.GetClient(ctx) when nil).
	Dependents jobflow.DependentService
	Signaller  Signaller

	// Baselines is the store of the Baseline workflow's activities
	// (baseline.go); nil where no baseline runs.
	Baselines BaselineStore

	// EgressAllow are rules every tenant's egressAllow is added to
	// (JOBFLOW_EGRESS_ALLOW); EgressDeny are addresses refused unless a
	// rule names them exactly: jobflow's own store and Temporal. SQL and
	// HTTP jobs and alarm sends connect only where the tenant's policy
	// allows (egress.go).
	EgressAllow []egress.Rule
	EgressDeny  []netip.AddrPort

	// KillGrace is how long a cancelled or timed-out process group has
	// between SIGTERM and SIGKILL (DefaultKillGrace when zero).
	KillGrace time.Duration
	// HTTPClient runs HTTP jobs (a client without its own timeout when nil;
	// the job's context bounds each request).
	HTTPClient *http.Client

	mu      sync.Mutex
	dbs     map[string]*cachedDB    // SQL connection pools by datasource id
	tenants map[string]cachedTenant // tenant id -> tenant, see tenant (sandbox.go)

	jobs running // jobs in flight, for StopJobs (stop.go)
}

// Register registers the activities under the names of the workflows contract.
func (a *Activities) Register(w worker.Registry) {
	w.RegisterActivityWithOptions(a.RunJob, activity.RegisterOptions{Name: workflows.RunJobActivity})
	w.RegisterActivityWithOptions(a.RecordRun, activity.RegisterOptions{Name: workflows.RecordRunActivity})
	w.RegisterActivityWithOptions(a.AdmitRun, activity.RegisterOptions{Name: workflows.AdmitRunActivity})
	w.RegisterActivityWithOptions(a.AcquirePool, activity.RegisterOptions{Name: workflows.AcquirePoolActivity})
	w.RegisterActivityWithOptions(a.ReleasePool, activity.RegisterOptions{Name: workflows.ReleasePoolActivity})
	w.RegisterActivityWithOptions(a.RunAt, activity.RegisterOptions{Name: workflows.RunAtActivity})
	w.RegisterActivityWithOptions(a.LoadVariables, activity.RegisterOptions{Name: workflows.LoadVariablesActivity})
	w.RegisterActivityWithOptions(a.SendAlarm, activity.RegisterOptions{Name: workflows.SendAlarmActivity})
	w.RegisterActivityWithOptions(a.LoadSnapshot, activity.RegisterOptions{Name: workflows.LoadSnapshotActivity})
	w.RegisterActivityWithOptions(a.CheckDependent, activity.RegisterOptions{Name: workflows.CheckDependentActivity})
	w.RegisterActivityWithOptions(a.ForgetDependent, activity.RegisterOptions{Name: workflows.ForgetDependentActivity})
	w.RegisterActivityWithOptions(a.PrepareSubflow, activity.RegisterOptions{Name: workflows.PrepareSubflowActivity})
	w.RegisterActivityWithOptions(a.EndSubflow, activity.RegisterOptions{Name: workflows.EndSubflowActivity})
	w.RegisterActivityWithOptions(a.PrepareForEach, activity.RegisterOptions{Name: workflows.PrepareForEachActivity})
	w.RegisterActivityWithOptions(a.NextForEachItems, activity.RegisterOptions{Name: workflows.NextForEachItemsActivity})
	w.RegisterActivityWithOptions(a.StartForEachItem, activity.RegisterOptions{Name: workflows.StartForEachItemActivity})
	w.RegisterActivityWithOptions(a.AbortForEachItem, activity.RegisterOptions{Name: workflows.AbortForEachItemActivity})
	w.RegisterActivityWithOptions(a.EvaluateBaseline, activity.RegisterOptions{Name: workflows.EvaluateBaselineActivity})
	w.RegisterActivityWithOptions(a.SendBaselineAlarm, activity.RegisterOptions{Name: workflows.SendBaselineAlarmActivity})
}

// Close closes the cached SQL connection pools.
func (a *Activities) Close() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	var errs []error
	for id, c := range a.dbs {
		errs = append(errs, c.db.Close())
		delete(a.dbs, id)
	}
	return errors.Join(errs...)
}

func (a *Activities) logger() *slog.Logger {
	if a.Logger == nil {
		return slog.Default()
	}
	return a.Logger
}

// jobError is a failure an executor reports (jobtypes.JobError).
type jobError = jobtypes.JobError

var (
	failf        = jobtypes.Failf
	configErrorf = jobtypes.ConfigErrorf
)

// outcome is what an executor returns (jobtypes.Outcome).
type outcome = jobtypes.Outcome

// RunJob executes one job of a run and records its node run. A failed job is
// an application error of type ErrTypeJobFailed (retried per the job's retry
// policy), a misconfigured one ErrTypeConfig (never retried), an aborted one
// a cancellation.
func (a *Activities) RunJob(ctx context.Context, in workflows.RunJobInput) (workflows.RunJobResult, error) {
	attempt := attemptOf(ctx)
	started := time.Now().UTC()
	node := &jobflow.NodeRun{
		RunID:     in.RunID,
		TenantID:  in.TenantID,
		JobID:     in.Job.ID,
		JobName:   in.Job.Name,
		JobType:   in.Job.Type,
		Status:    jobflow.NodeRunning,
		Attempt:   attempt,
		StartedAt: &started,
	}
	// Store writes must outlive an abort: the ABORTED row is written after
	// the activity context is cancelled.
	storeCtx := context.WithoutCancel(ctx)
	// The heartbeat starts first: while the store is down the start is
	// retried (the job has not run, so waiting is safe), and Temporal must
	// not take the wait for a dead worker.
	stopHeartbeat := heartbeat(ctx)
	defer stopHeartbeat()
	if prev := a.endedBefore(storeCtx, in, attempt); prev != nil {
		msg := fmt.Sprintf("attempt %d: the job ended SUCCESS on attempt %d, whose report to Temporal was lost; it does not run again\n", attempt, prev.Attempt)
		if err := a.Runs.AppendNodeLog(storeCtx, in.RunID, in.Job.ID, []byte(msg)); err != nil {
			a.logger().Warn("node log", "run", in.RunID, "job", in.Job.ID, "err", err)
		}
		a.logger().Warn("job ended on an earlier attempt: not run again", "run", in.RunID, "job", in.Job.ID, "attempt", attempt, "ended", prev.Attempt)
		return workflows.RunJobResult{ExitCode: prev.ExitCode, Result: prev.Result, Outputs: prev.Outputs}, nil
	}
	if err := retryStore(ctx, a.logger(), "node start", func(c context.Context) error {
		return a.recordNodeStart(c, in.StartRun, node)
	}); err != nil {
		a.logger().Error("record node start", "run", in.RunID, "job", in.Job.ID, "err", err)
		return workflows.RunJobResult{}, temporal.NewApplicationError("cannot record the node run", ErrTypeStoreFailed)
	}

	if activity.IsActivity(ctx) {
		info := activity.GetInfo(ctx)
		a.Metrics.JobWaited(string(in.Job.Type), info.StartedTime.Sub(info.ScheduledTime))
	}

	// The job runs on base, which survives a Temporal outage (outage.go).
	// The job's own timeout gives a message that says so; the activity's
	// StartToClose timeout set by the workflow is a backstop. A timeout
	// that warns is FlowRun's timer instead (docs/run-semantics.md#job-timeouts-and-a-runs-maximum-duration).
	base := a.jobBase(ctx, in.TenantID, in.RunID)
	defer base.stop()
	jobCtx, cancel := context.Context(base), context.CancelFunc(func() {})
	warns := in.Job.TimeoutAction == jobflow.TimeoutWarn || in.Job.TimeoutAction == jobflow.TimeoutWarnAndFail
	if in.Job.TimeoutSeconds > 0 && !warns {
		jobCtx, cancel = context.WithTimeout(base, time.Duration(in.Job.TimeoutSeconds)*time.Second)
	}
	defer cancel()
	jobCtx, stopJob := context.WithCancelCause(jobCtx)
	defer stopJob(nil)
	defer a.jobs.track(stopJob)()

	log := newNodeLog(storeCtx, a.Runs, in.RunID, in.Job.ID, a.logger())
	if attempt > 1 {
		log.Printf("attempt %d started at %s", attempt, started.Format(time.RFC3339))
	}
	plain, secrets, err := a.tenantVars(ctx, in)
	masker := newSecretMasker(secrets)
	log.masker = masker
	out := outcome{}
	if err == nil {
		out, err = a.execute(jobCtx, in, log, plain, secrets)
	}
	out, err = masker.outcome(out, err)
	if size := jobflow.OutputsSize(out.Outputs); size > jobflow.MaxOutputBytes {
		out.Outputs = nil
		if err == nil {
			err = failf("the job's outputs are %d bytes; at most %d (64 KiB) are kept", size, jobflow.MaxOutputBytes)
		}
	}
	// A job stopped by its worker's shutdown fails "worker stopped" and is
	// retried by its policy elsewhere (stop.go). An abort is the activity
	// context cancelled while the job ran; a job that finished anyway keeps
	// its outcome.
	stopping := err != nil && workerStopped(ctx, jobCtx)
	aborted := err != nil && !stopping && errors.Is(base.Err(), context.Canceled)
	if err != nil && !aborted && !stopping && jobCtx.Err() != nil {
		err = failf("timed out after %d s", timeoutSeconds(in.Job.TimeoutSeconds, started, jobCtx))
	}
	switch {
	case stopping:
		log.Printf("stopped: the worker is shutting down")
	case aborted:
		log.Printf("aborted")
	case err != nil:
		log.Printf("failed: %s", err)
	}
	log.Close()

	ended := time.Now().UTC()
	node.EndedAt = &ended
	node.ExitCode = out.ExitCode
	node.Result = out.Result
	node.Outputs = out.Outputs
	switch {
	case stopping:
		node.Status = jobflow.NodeFail
		node.Error = MsgWorkerStopped
	case aborted:
		node.Status = jobflow.NodeAborted
		node.Error = "aborted"
	case err != nil:
		node.Status = jobflow.NodeFail
		node.Error = err.Error()
	default:
		node.Status = jobflow.NodeSuccess
	}
	// The outcome is retried through a store outage (FlowRun's RecordRun
	// writes the final node states too, so this is not the only copy).
	if rerr := retryStore(storeCtx, a.logger(), "node outcome", func(c context.Context) error {
		return a.Runs.UpsertNodeRun(c, node)
	}); rerr != nil {
		a.logger().Error("record node outcome", "run", in.RunID, "job", in.Job.ID, "status", node.Status, "err", rerr)
	}
	a.Metrics.JobFinished(string(in.Job.Type), string(node.Status), ended.Sub(started))
	recorded := node.Status == jobflow.NodeSuccess && a.recordRunEnd(storeCtx, in.FinalRun, ended)
	base.awaitTemporal(ctx, a.logger().With("run", in.RunID, "job", in.Job.ID))

	switch {
	case stopping:
		return workflows.RunJobResult{}, temporal.NewApplicationError(MsgWorkerStopped, ErrTypeWorkerStopped)
	case aborted:
		return workflows.RunJobResult{}, temporal.NewCanceledError("aborted")
	case err != nil:
		var je *jobError
		if errors.As(err, &je) && je.Config {
			return workflows.RunJobResult{}, temporal.NewNonRetryableApplicationError(err.Error(), ErrTypeConfig, nil)
		}
		return workflows.RunJobResult{}, temporal.NewApplicationError(err.Error(), ErrTypeJobFailed)
	}
	return workflows.RunJobResult{ExitCode: out.ExitCode, Result: out.Result, Outputs: out.Outputs, RunRecorded: recorded}, nil
}

// endedBefore is the node run of an earlier attempt of this job that
// ended SUCCESS, if the store has one. Temporal retries an activity whose
// worker died (or lost Temporal for good) after it recorded the job's end
// and before it reported it: that job has done its work and must not run
// again, so its recorded outcome is reported instead. (A worker that dies
// between the job's end and that record still leaves the job to its retry
// policy: nothing then says it ended.) A store that does not answer counts
// as no record.
func (a *Activities) endedBefore(ctx context.Context, in workflows.RunJobInput, attempt int) *jobflow.NodeRun {
	if attempt < 2 {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	r, err := a.Runs.FindRunByID(ctx, in.TenantID, in.RunID)
	if err != nil {
		return nil
	}
	for _, n := range r.Nodes {
		if n.JobID == in.Job.ID && n.Status == jobflow.NodeSuccess && n.Attempt < attempt {
			return n
		}
	}
	return nil
}

// execute runs the job with its type's executor (package jobtypes).
func (a *Activities) execute(ctx context.Context, in workflows.RunJobInput, log *nodeLog, plain, secrets map[string]string) (outcome, error) {
	vars, err := newResolver(in)
	if err != nil {
		return outcome{}, err
	}
	vars.scope.Globals, vars.scope.Secrets = plain, secrets
	ex := jobtypes.ExecutorOf(in.Job.Type)
	if ex == nil {
		return outcome{}, configErrorf("unknown job type %q", in.Job.Type)
	}
	return ex.Execute(ctx, &executorEnv{a: a, in: in, vars: vars, log: log}, &in.Job)
}

// heartbeat records a heartbeat every second until stopped, so that the
// server can deliver a cancellation and detect a dead worker. Outside an
// activity (a direct call in a test) it does nothing.
func heartbeat(ctx context.Context) (stop func()) {
	if !activity.IsActivity(ctx) {
		return func() {}
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(DefaultHeartbeat)
		defer t.Stop()
		// Heartbeats outlive a context that the SDK ended because one did
		// not reach Temporal (outage.go): they resume when it answers.
		hctx := context.WithoutCancel(ctx)
		for {
			select {
			case <-done:
				return
			case <-t.C:
				activity.RecordHeartbeat(hctx)
			}
		}
	}()
	return func() { close(done); wg.Wait() }
}

func workerStopping(ctx context.Context) bool {
	if !activity.IsActivity(ctx) {
		return false
	}
	select {
	case <-activity.GetWorkerStopChannel(ctx):
		return true
	default:
		return false
	}
}

// timeoutSeconds is the timeout to name in a message: the job's own, else
// the activity deadline's distance from the start.
func timeoutSeconds(job int, started time.Time, ctx context.Context) int {
	if job > 0 {
		return job
	}
	if dl, ok := ctx.Deadline(); ok {
		return int(math.Round(dl.Sub(started).Seconds()))
	}
	return 0
}

func intPtr(n int) *int { return &n }

// attemptOf is the activity's attempt number (1 outside an activity).
func attemptOf(ctx context.Context) int {
	if activity.IsActivity(ctx) {
		return int(activity.GetInfo(ctx).Attempt)
	}
	return 1
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// resolver evaluates the variables of docs/contract.md#variables in job texts, from the run's
// logical time in the schedule's time zone and the run's params.
type resolver struct {
	logicalTime time.Time
	loc         *time.Location
	scope       vars.Scope
}

func newResolver(in workflows.RunJobInput) (resolver, error) {
	tz := in.Timezone
	if tz == "" {
		tz = jobflow.DefaultConfig().Schedule.Timezone
	}
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return resolver{}, configErrorf("time zone %q is not an IANA time zone", tz)
	}
	return resolver{logicalTime: in.LogicalTime, loc: loc, scope: vars.Scope{Params: in.Params, Upstream: in.Upstream}.WithCache()}, nil
}

// resolve returns text with its variables replaced; an unknown variable is
// a config error naming it (and the field it is in).
func (r resolver) resolve(field, text string) (string, error) {
	out, err := vars.ResolveScope(text, r.logicalTime, r.loc, r.scope)
	if err != nil {
		return "", configErrorf("%s: %v", field, err)
	}
	return out, nil
}
