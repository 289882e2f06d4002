package workflows

import "jobflow"

// A run of one job starts when its job does, and ends when its job does.
//
// Its start record (the run row RUNNING, its node PENDING) is a local
// activity in FlowRun's first workflow task; when the engine wrote the run
// row before it started the execution (FlowRunInput.Created: manual,
// invoke, rerun) and the one job starts at once, RunJob writes the run row
// with the node's start instead, in one transaction. The decision is the
// input's, so a replay makes the same one; histories recorded before the
// input had Created record the start as they did.
//
// A run of one job ends when its job does. Its final record (the run row
// SUCCESS) is then written by RunJob beside the node's own, instead of by
// a local activity of FlowRun after the job's result came back: the most
// common run, a one-job workflow invoked or scheduled, costs one local
// activity, one history marker and one workflow task payload fewer
// (docs/benchmarks.md#where-a-run-costs-more).
//
// Replay decides on the recorded RunJob result (RunJobResult.RunRecorded),
// never on the input, so histories recorded before this replay as they
// were: their results do not say RunRecorded, and FlowRun records the end.

// finalRunFor is the run row RunJob writes if job, the run's only job,
// succeeds; nil when FlowRun must write the end itself because something
// other than the job's success can still decide the run's outcome or
// needs to come before the run reads as ended: a timer of FlowRun's (a
// warning timeout, the run's maximum duration), a queue to wake, a pool
// slot to give back (whoever sees the run ended sees its slot free), a run
// carried across executions or loaded by reference.
func (r *runner) finalRunFor(job *jobflow.Job) *jobflow.Run {
	if len(r.nodes) != 1 || r.large || r.in.continued() || r.cfg.Concurrency.Limited() ||
		r.cfg.MaxDurationSeconds > 0 || warnsOnTimeout(job) || job.Pool != "" || r.cancelled {
		return nil
	}
	run := r.runRow(jobflow.RunSuccess)
	return &run
}

// startWithJob reports whether the run's start record goes with its only
// job's start (see above), and if so leaves it to RunJob: nothing but the
// job's start can come first (a control job, a disabled node, a pool, a
// cron wait, a queue, a rerun's plan or a paused start all can).
func (r *runner) startWithJob() bool {
	if !r.in.Created || r.in.Plan != nil || r.large || r.in.Paused || len(r.nodes) != 1 ||
		len(r.ready) != 1 || r.nodes[0].Status != jobflow.NodePending || r.cfg.Concurrency.Limited() {
		return false
	}
	job := r.g.jobs[0]
	if job == nil || r.g.disabled[0] || job.Pool != "" || (r.discrete && job.Cron != "") {
		return false
	}
	if _, control := controlStarters[job.Type]; control {
		return false
	}
	r.startInJob, r.startRecorded = true, true
	return true
}

// startRunFor is the run row RunJob writes with its node's start, once.
func (r *runner) startRunFor() *jobflow.Run {
	if !r.startInJob {
		return nil
	}
	r.startInJob = false
	run := r.runRow(jobflow.RunRunning)
	return &run
}
