package workflows

import (
	"encoding/json"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"jobflow"
	"jobflow/jobtypes"
)

// APPROVAL nodes (docs/run-semantics.md#approval-jobs). An APPROVAL node
// is WAITING — holding no parallelism slot — until an approver decides
// through the approve update (the engine checks who may; the validator
// that the node waits), or its timeout decides by the config's onTimeout.
// Approved, the node succeeds with outputs decision and by; rejected, it
// fails with who and why. The decision (who, when, comment) is the node
// run's result. Across continue-as-new a waiting node is carried PENDING,
// waits again and keeps its deadline (from its StartedAt, carried too).

const approvalVersion = "approval"

// Approval decisions, as the node's result and outputs say them.
const (
	DecisionApproved = "APPROVED"
	DecisionRejected = "REJECTED"
)

// ApprovalResult is an APPROVAL node run's result.
type ApprovalResult struct {
	Decision string    `json:"decision"`
	By       string    `json:"by"` // a user id, or "timeout"
	Comment  string    `json:"comment,omitempty"`
	At       time.Time `json:"at"`
}

// startApproval starts APPROVAL node i waiting.
func (r *runner) startApproval(ctx workflow.Context, i int, job *jobflow.Job) {
	if workflow.GetVersion(ctx, approvalVersion, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		r.fail(i, "job type "+string(job.Type)+" is not supported by this worker yet", true)
		return
	}
	cfg, err := jobtypes.ParseApprovalConfig(job.Config)
	if err != nil {
		r.fail(i, "invalid APPROVAL config: "+jobflow.ErrorMessage(err), true)
		return
	}
	n := &r.nodes[i]
	now := workflow.Now(ctx)
	started := now
	carried := n.StartedAt != nil
	if carried { // carried across continue-as-new: the same wait goes on
		started = *n.StartedAt
	}
	n.Status, n.StartedAt, n.EndedAt, n.Error = jobflow.NodeWaiting, &started, nil, ""
	n.Attempt = max(n.Attempt, 1)
	r.ours[i] = true // no RunJob writes this node: FlowRun does
	r.newlyWaiting = append(r.newlyWaiting, i)
	wait := started.Add(cfg.Timeout()).Sub(now)
	if !carried && wait > 0 {
		r.askApproval(ctx, i, cfg, started.Add(cfg.Timeout()))
	}
	if wait <= 0 {
		r.approvalTimedOut(ctx, i, cfg)
		return
	}
	tctx, cancel := workflow.WithCancel(r.jobsCtx)
	r.timerCancel[i] = cancel
	r.timers++
	t := workflow.NewTimerWithOptions(tctx, wait, workflow.TimerOptions{Summary: "approval of " + job.Name})
	r.sel.AddFuture(t, func(f workflow.Future) {
		r.timers--
		if err := f.Get(ctx, nil); err != nil {
			return // decided, broken or aborted: its timer was cancelled
		}
		r.timerCancel[i] = nil
		if r.nodes[i].Status == jobflow.NodeWaiting {
			r.approvalTimedOut(ctx, i, cfg)
		}
	})
}

// approvalTimedOut applies the config's onTimeout.
func (r *runner) approvalTimedOut(ctx workflow.Context, i int, cfg jobtypes.ApprovalConfig) {
	r.decideApproval(ctx, i, cfg.OnTimeout == jobtypes.OnTimeoutApprove, "timeout", "no decision within the approval's timeout")
}

// validateApproval admits a decision on a WAITING APPROVAL node of a run
// that goes on; who may decide is the engine's check.
func (r *runner) validateApproval(_ workflow.Context, d ApprovalDecision) error {
	i, err := r.liveNode(d.JobID, "ApprovalRejected")
	if err != nil {
		return err
	}
	if job := r.g.jobs[i]; job == nil || job.Type != jobflow.JobApproval {
		return temporal.NewApplicationError("job "+d.JobID+" is not an APPROVAL job", "ApprovalRejected")
	}
	if st := r.nodes[i].Status; st != jobflow.NodeWaiting {
		return temporal.NewApplicationError("job "+d.JobID+" is "+string(st)+": only a WAITING approval can be decided", "ApprovalRejected")
	}
	if d.By == "" {
		return temporal.NewApplicationError("a decision needs its user", "ApprovalRejected")
	}
	return nil
}

// approve applies a user's decision.
func (r *runner) approve(ctx workflow.Context, d ApprovalDecision) error {
	if err := r.validateApproval(ctx, d); err != nil {
		return err
	}
	i := r.g.index[d.JobID]
	if r.timerCancel[i] != nil {
		r.timerCancel[i]()
		r.timerCancel[i] = nil
	}
	r.decideApproval(ctx, i, d.Approve, d.By, d.Comment)
	r.wake.SendAsync(true)
	return nil
}

// decideApproval ends node i with the decision: SUCCESS with outputs
// decision and by, or FAIL saying who rejected it and why.
func (r *runner) decideApproval(ctx workflow.Context, i int, approved bool, by, comment string) {
	res := ApprovalResult{Decision: DecisionRejected, By: by, Comment: clip(comment), At: workflow.Now(ctx)}
	if approved {
		res.Decision = DecisionApproved
	}
	raw, _ := json.Marshal(res)
	n := &r.nodes[i]
	now := workflow.Now(ctx)
	n.EndedAt = &now
	r.ours[i] = true
	if approved {
		r.succeed(i, RunJobResult{Outputs: map[string]string{"decision": res.Decision, "by": by}})
	} else {
		why := "rejected by " + by
		if comment != "" {
			why += ": " + comment
		}
		r.fail(i, why, true)
	}
	n.Result = raw
	r.newlyDecided = append(r.newlyDecided, i)
}
