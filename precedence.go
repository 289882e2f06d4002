package jobflow

// Run and node rows have four writers: the engine when it starts a run,
// the RecordRun activity (FlowRun's own account of the run and its nodes),
// the RunJob activity (one node's attempts) and the reconciler (which
// settles what Temporal knows and the store does not). Writes may arrive
// late, twice or out of order; these rules decide which one a row keeps,
// whoever wrote it, so that every replay is harmless. The store applies
// them (store/run.go builds its SQL from RunWriteWins; store/noderun.go
// calls NodeWriteWins).

// RunStatuses are all the statuses of a run.
var RunStatuses = []RunStatus{RunRunning, RunSuccess, RunFail, RunAborting, RunAborted, RunPaused, RunQueued, RunSkipped}

// NodeStatuses are all the statuses of a node run.
var NodeStatuses = []NodeStatus{NodePending, NodeWaiting, NodeRunning, NodeSuccess, NodeFail,
	NodeUpstreamFailed, NodeAborted, NodeBreak, NodeSkipped, NodeNotSelected, NodeDisabled, NodeForcedSuccess}

// RunWriteWins reports whether a write of status incoming replaces the
// stored status of a run:
//   - a finished run (SUCCESS, FAIL, ABORTED) keeps its status (and its end
//     and error);
//   - RUNNING or PAUSED does not replace ABORTING (a late start, heartbeat
//     or pause must not undo an abort request);
//   - QUEUED replaces nothing but QUEUED, and RUNNING or PAUSED do not
//     replace QUEUED: only the store's grant of a slot (store/runqueue.go)
//     moves a queued run on, so a late write on either side cannot start a
//     run past its workflow's concurrency limit or send it back to the queue;
//   - anything else replaces the stored status.
func RunWriteWins(stored, incoming RunStatus) bool {
	switch {
	case stored.Finished():
		return false
	case incoming == RunQueued:
		return stored == RunQueued
	case stored == RunAborting && incoming.Live():
		return false
	case stored == RunQueued && (incoming == RunRunning || incoming == RunPaused):
		return false
	}
	return true
}

// nodeRank orders the unfinished node statuses of one attempt.
func nodeRank(s NodeStatus) int {
	switch s {
	case NodePending:
		return 0
	case NodeWaiting:
		return 1
	case NodeRunning:
		return 2
	}
	return 3
}

// NodeWriteWins reports whether a write of (incoming, attempt) replaces the
// stored (stored, storedAttempt) of a node run:
//   - a final status replaces any unfinished one (an abort or an upstream
//     failure may be written without an attempt);
//   - a final status replaces a final one of the same or an older attempt;
//   - an unfinished status replaces a final one only for a newer attempt;
//   - between unfinished statuses, the newer attempt wins, and within one
//     attempt PENDING < WAITING < RUNNING never goes back.
func NodeWriteWins(stored NodeStatus, storedAttempt int, incoming NodeStatus, attempt int) bool {
	switch {
	case incoming.Done() && !stored.Done():
		return true
	case incoming.Done() && stored.Done():
		return attempt >= storedAttempt
	case stored.Done():
		return attempt > storedAttempt
	}
	return attempt > storedAttempt || (attempt == storedAttempt && nodeRank(incoming) >= nodeRank(stored))
}
