package temporalserver

import "go.temporal.io/server/common/dynamicconfig"

// QueuePollRPS is how often per second the history service may read its
// transfer, timer and visibility queues. Temporal's default is 20: every
// sequential step of a run (an activity's completion → the next workflow
// task → the next activity) waits for the next transfer-queue read, which
// comes 50 ms apart, so a 50-job chain took 2.5 s whatever the jobs did.
// At this rate a step is a few milliseconds and CPU-bound; reads only
// happen when there are new tasks, so an idle server does not pay for it.
const QueuePollRPS = 1000

// AddQueueSettings sets the queue read rates of QueuePollRPS (or rps) in
// dc: the embedded server uses it, and so do tests and benchmarks on
// temporaltest, so that they measure what standalone users get.
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
}
