package temporalserver

import (
	"time"

	"go.temporal.io/server/common/dynamicconfig"
)

// QueuePollRPS is how often per second the history service may read its
// transfer, timer and visibility queues. Temporal's default is 20: every
// sequential step of a run (an activity's completion → the next workflow
// task → the next activity) waits for the next transfer-queue read, which
// comes 50 ms apart, so a 50-job chain took 2.5 s whatever the jobs did.
// At this rate a step is a few milliseconds and CPU-bound; reads only
// happen when there are new tasks, so an idle server does not pay for it.
const QueuePollRPS = 1000

// QueueCheckpointInterval is how often the history queues checkpoint.
// A queue reader keeps every task it loaded, done or not, until its next
// checkpoint (Temporal's default: every 30 s), and each new read walks all
// of them (service/history/queues/tracker.go, executableTracker.split). At
// QueuePollRPS reads a second, a storm of 1,000 schedules made that walk
// quadratic: 5-7 s of CPU in a 40 s storm of jobflow's runs (under 0.5 s in
// a bare workflow's). A checkpoint a second keeps the walk short, for one
// shard write a second per queue.
const QueueCheckpointInterval = time.Second

// AddFairness turns on Temporal's task-queue fairness
// (matching.enableFairness, off by default in server v1.32): tasks are
// dispatched in proportion to their fairness key's weight, and jobflow
// keys every execution by its tenant (engine.Fairness). The embedded
// server, the test rig, the benchmarks and deploy/temporal/dynamicconfig.yaml
// all set it.
func AddFairness(dc dynamicconfig.StaticClient) {
	dc[dynamicconfig.MatchingEnableFairness.Key()] = []dynamicconfig.ConstrainedValue{{Value: true}}
}

// AddQueueSettings sets the queue read rates of QueuePollRPS (or rps) and
// QueueCheckpointInterval in dc: the embedded server uses it, and so do
// tests and benchmarks on temporaltest, so that they measure what
// standalone users get.
func AddQueueSettings(dc dynamicconfig.StaticClient, rps int) {
	if rps <= 0 {
		rps = QueuePollRPS
	}
	for _, k := range []dynamicconfig.Key{
		dynamicconfig.TransferProcessorMaxPollRPS.Key(),
		dynamicconfig.TimerProcessorMaxPollRPS.Key(),
		dynamicconfig.VisibilityProcessorMaxPollRPS.Key(),
	} {
		dc[k] = []dynamicconfig.ConstrainedValue{{Value: rps}}
	}
	for _, k := range []dynamicconfig.Key{
		dynamicconfig.TransferProcessorUpdateAckInterval.Key(),
		dynamicconfig.TimerProcessorUpdateAckInterval.Key(),
		dynamicconfig.VisibilityProcessorUpdateAckInterval.Key(),
	} {
		dc[k] = []dynamicconfig.ConstrainedValue{{Value: QueueCheckpointInterval}}
	}
}
