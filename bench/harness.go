// Package bench measures FlowRun's interpretation overhead: it runs FlowRun
// and a hand-written Temporal workflow of the same DAG shape side by side on
// one in-process Temporal server, with no-op activities, so the difference
// is what interpreting the DAG costs. It also records the FlowRun histories
// that workflows' replay test replays.
package bench

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
	"go.temporal.io/server/common/dynamicconfig"
	"go.temporal.io/server/temporal"
	"go.temporal.io/server/temporaltest"

	"jobflow"
	"jobflow/activities"
	"jobflow/temporalserver"
	"jobflow/workflows"
)

// TaskQueue is the queue of workflows and jobs in the harness.
const TaskQueue = "flowbench"

// Harness is one in-process Temporal server with one worker running
// FlowRun, HandWritten and the harness activities.
type Harness struct {
	Client client.Client
	server *temporaltest.TestServer

	mu    sync.Mutex
	snaps map[string]*jobflow.Snapshot // by run id: what LoadSnapshot serves
}

// Options of the harness.
type Options struct {
	// SuggestContinueAsNewAt overrides the history length at which Temporal
	// suggests continue-as-new (default: the server's, 4096 events).
	SuggestContinueAsNewAt int
	// Worker are the worker's options (MaxHeartbeatThrottleInterval is
	// always 1 s).
	Worker worker.Options
	// QueuePollRPS is the history queues' read rate (default
	// temporalserver.QueuePollRPS, as in standalone; Temporal's own
	// default is 20).
	QueuePollRPS int
	// Partitions sets the task queues' partitions (0: temporaltest's
	// default; the embedded server of standalone has 1).
	Partitions int
	// NoFairness leaves Temporal's task-queue fairness off (the server's
	// default), for the fairness benchmark's contrast.
	NoFairness bool
	// Activities, when set, are the real activities (real jobs and store
	// writes) instead of the harness's no-op ones.
	Activities *activities.Activities
	// RunJob, when set, replaces the no-op RunJob (e.g. to time it).
	RunJob func(context.Context, workflows.RunJobInput) (workflows.RunJobResult, error)
}

// Start starts the server and the worker. Stop them with Stop.
func Start(opts Options) (*Harness, error) {
	dc := dynamicconfig.StaticClient{ // temporaltest's own setting, and ours
		dynamicconfig.ForceSearchAttributesCacheRefreshOnRead.Key(): []dynamicconfig.ConstrainedValue{{Value: true}},
	}
	temporalserver.AddQueueSettings(dc, opts.QueuePollRPS)
	if !opts.NoFairness {
		temporalserver.AddFairness(dc)
	}
	if opts.Partitions > 0 {
		dc[dynamicconfig.MatchingNumTaskqueueReadPartitions.Key()] = []dynamicconfig.ConstrainedValue{{Value: opts.Partitions}}
		dc[dynamicconfig.MatchingNumTaskqueueWritePartitions.Key()] = []dynamicconfig.ConstrainedValue{{Value: opts.Partitions}}
	}
	if opts.SuggestContinueAsNewAt > 0 {
		dc[dynamicconfig.HistoryCountSuggestContinueAsNew.Key()] = []dynamicconfig.ConstrainedValue{{Value: opts.SuggestContinueAsNewAt}}
	}
	serverOpts := []temporal.ServerOption{temporal.WithDynamicConfigClient(dc)}
	quiet := sdklog.NewStructuredLogger(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError})))
	ts := temporaltest.NewServer(
		temporaltest.WithBaseServerOptions(serverOpts...),
		temporaltest.WithBaseClientOptions(client.Options{Logger: quiet}),
	)
	h := &Harness{server: ts, Client: ts.GetDefaultClient(), snaps: map[string]*jobflow.Snapshot{}}
	// FlowRun tags the SUBFLOW child runs it starts with jobflow's search
	// attributes, which a server without them refuses.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := temporalserver.RegisterSearchAttributes(ctx, h.Client.OperatorService(), ts.GetDefaultNamespace()); err != nil {
		ts.Stop()
		return nil, fmt.Errorf("register search attributes: %w", err)
	}
	workerOpts := opts.Worker
	workerOpts.MaxHeartbeatThrottleInterval = time.Second
	if workerOpts.DeadlockDetectionTimeout == 0 {
		workerOpts.DeadlockDetectionTimeout = workflows.DeadlockDetectionTimeout
	}
	// Heartbeats go out at least every second (the SDK would wait up to
	// 80 % of the heartbeat timeout), so an abort reaches a job at once.
	runJob := RunJob
	if opts.RunJob != nil {
		runJob = opts.RunJob
	}
	ts.NewWorkerWithOptions(TaskQueue, func(r worker.Registry) {
		workflows.Register(r)
		r.RegisterWorkflowWithOptions(HandWritten, workflow.RegisterOptions{Name: HandWrittenName})
		if opts.Activities != nil {
			opts.Activities.Register(r)
			return
		}
		r.RegisterActivityWithOptions(runJob, activity.RegisterOptions{Name: workflows.RunJobActivity})
		r.RegisterActivityWithOptions(RecordRun, activity.RegisterOptions{Name: workflows.RecordRunActivity})
		r.RegisterActivityWithOptions(RunAt, activity.RegisterOptions{Name: workflows.RunAtActivity})
		r.RegisterActivityWithOptions(AdmitRun, activity.RegisterOptions{Name: workflows.AdmitRunActivity})
		r.RegisterActivityWithOptions(AcquirePool, activity.RegisterOptions{Name: workflows.AcquirePoolActivity})
		r.RegisterActivityWithOptions(ReleasePool, activity.RegisterOptions{Name: workflows.ReleasePoolActivity})
		r.RegisterActivityWithOptions(h.loadSnapshot, activity.RegisterOptions{Name: workflows.LoadSnapshotActivity})
		r.RegisterActivityWithOptions(CheckDependent, activity.RegisterOptions{Name: workflows.CheckDependentActivity})
		r.RegisterActivityWithOptions(ForgetDependent, activity.RegisterOptions{Name: workflows.ForgetDependentActivity})
		r.RegisterActivityWithOptions(PrepareSubflow, activity.RegisterOptions{Name: workflows.PrepareSubflowActivity})
		r.RegisterActivityWithOptions(EndSubflow, activity.RegisterOptions{Name: workflows.EndSubflowActivity})
		r.RegisterActivityWithOptions(PrepareForEach, activity.RegisterOptions{Name: workflows.PrepareForEachActivity})
		r.RegisterActivityWithOptions(NextForEachItems, activity.RegisterOptions{Name: workflows.NextForEachItemsActivity})
		r.RegisterActivityWithOptions(StartForEachItem, activity.RegisterOptions{Name: workflows.StartForEachItemActivity})
		r.RegisterActivityWithOptions(AbortForEachItem, activity.RegisterOptions{Name: workflows.AbortForEachItemActivity})
		r.RegisterActivityWithOptions(EvaluateBaseline, activity.RegisterOptions{Name: workflows.EvaluateBaselineActivity})
		r.RegisterActivityWithOptions(SendBaselineAlarm, activity.RegisterOptions{Name: workflows.SendBaselineAlarmActivity})
	}, workerOpts)
	return h, nil
}

// input is FlowRun's input for a run of snap, as the engine makes it: a
// snapshot over workflows.InlineSnapshotMax goes by reference, served by
// the harness's LoadSnapshot (the store's stand-in).
func (h *Harness) input(id string, snap jobflow.Snapshot) workflows.FlowRunInput {
	// A manual run, whose row the engine writes before it starts FlowRun.
	in := workflows.FlowRunInput{RunID: id, Snapshot: snap, Trigger: jobflow.TriggerManual, TaskQueue: TaskQueue,
		LogicalTime: time.Now().UTC().Truncate(time.Second), Created: true}
	if workflows.ByReference(&snap) {
		h.keep(id, snap)
		in.Snapshot, in.SnapshotRef = workflows.SnapshotHeader(snap), &workflows.SnapshotRef{TenantID: snap.TenantID, RunID: id}
	}
	return in
}

func (h *Harness) keep(runID string, snap jobflow.Snapshot) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.snaps[runID] = &snap
}

// loadSnapshot stands in for the real LoadSnapshot, on the snapshots kept.
func (h *Harness) loadSnapshot(_ context.Context, in workflows.LoadSnapshotInput) ([]byte, error) {
	h.mu.Lock()
	s := h.snaps[in.Ref.RunID]
	h.mu.Unlock()
	if s == nil {
		return nil, fmt.Errorf("no snapshot kept for run %q", in.Ref.RunID)
	}
	return workflows.EncodeSnapshotPage(s, in.From)
}

// Stop stops the worker and the server.
func (h *Harness) Stop() { h.server.Stop() }

// RunJob stands in for the real RunJob. It does nothing, unless the job's
// script asks for a behaviour (used to record representative histories):
// "fail" fails, "block" heartbeats until cancelled, "sleep" takes 300 ms,
// "outputs" sets the output x=1.
func RunJob(ctx context.Context, in workflows.RunJobInput) (workflows.RunJobResult, error) {
	switch string(in.Job.Config) {
	case `{"script":"fail"}`:
		return workflows.RunJobResult{}, fmt.Errorf("exit status 1")
	case `{"script":"block"}`:
		for {
			activity.RecordHeartbeat(ctx)
			select {
			case <-ctx.Done():
				return workflows.RunJobResult{}, ctx.Err()
			case <-after(50):
			}
		}
	case `{"script":"sleep"}`:
		<-after(300)
	case `{"script":"outputs"}`:
		return workflows.RunJobResult{Outputs: map[string]string{"x": "1"}, RunRecorded: in.FinalRun != nil}, nil
	}
	// The real RunJob writes a one-job run's end when its job succeeds
	// (workflows/endrecord.go); the stand-in says it did, as it would.
	return workflows.RunJobResult{RunRecorded: in.FinalRun != nil}, nil
}

// DependentMet holds the upstream workflow ids whose items CheckDependent
// (the stand-in) finds met.
var DependentMet sync.Map

// CheckDependent stands in for the real one: an item is met when its
// workflow id is in DependentMet.
func CheckDependent(_ context.Context, in workflows.CheckDependentInput) (workflows.CheckDependentResult, error) {
	var res workflows.CheckDependentResult
	for _, it := range in.Config.Items {
		_, met := DependentMet.Load(it.WorkflowID)
		res.Items = append(res.Items, jobflow.DependentItemState{WorkflowID: it.WorkflowID, Window: it.Window, Met: met})
		res.Texts = append(res.Texts, "workflow "+it.WorkflowID)
	}
	return res, nil
}

// ForgetDependent stands in for the real one: there is nothing to forget.
func ForgetDependent(context.Context, workflows.ForgetDependentInput) error { return nil }

// Granted holds the run ids AdmitRun (the stand-in) admits; others queue.
var Granted sync.Map

// AdmitRun stands in for the real one: a run is QUEUED until its id is in
// Granted.
func AdmitRun(_ context.Context, in workflows.AdmitRunInput) (jobflow.Admission, error) {
	if _, ok := Granted.Load(in.Run.ID); ok {
		return jobflow.Admission{Status: jobflow.RunRunning, Holders: 1}, nil
	}
	return jobflow.Admission{Status: jobflow.RunQueued, Position: 1, Holders: 1}, nil
}

// AcquirePool stands in for the real one: a node's slots are granted
// once "<run id>/<job id>" is in Granted.
func AcquirePool(_ context.Context, req jobflow.PoolRequest) (jobflow.PoolGrant, error) {
	if _, ok := Granted.Load(req.RunID + "/" + req.JobID); ok {
		return jobflow.PoolGrant{Granted: true, Used: 1, Slots: 1}, nil
	}
	return jobflow.PoolGrant{Position: 1, Used: 1, Slots: 1}, nil
}

// ReleasePool stands in for the real one: there is nothing to release.
func ReleasePool(context.Context, workflows.ReleasePoolInput) error { return nil }

// RecordRun stands in for the real RecordRun: it stores nothing.
func RecordRun(context.Context, workflows.RecordRunInput) error { return nil }
