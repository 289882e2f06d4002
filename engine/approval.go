package engine

import (
	"context"
	"strings"

	"jobflow"
	"jobflow/jobtypes"
	"jobflow/workflows"
)

// Approver is who decides an APPROVAL node: the user, their account (shown
// on the node) and their role in the run's tenant.
type Approver struct {
	UserID  string
	Account string
	Role    jobflow.Role
	// Link is the channel of the one-click link that decides (its token
	// was checked and used): the holder of the link decides, whoever it is.
	Link string
}

// MaxApprovalComment bounds a decision's comment.
const MaxApprovalComment = 2000

// Decide approves or rejects a WAITING APPROVAL node
// (docs/run-semantics.md#approval-jobs). Only a user the job's approvers
// name may (403 otherwise); FlowRun's validator has the last word on the
// node's state (409).
func (e *Engine) Decide(ctx context.Context, tenantID, runID, jobID string, who Approver, approve bool, comment string) (*jobflow.Run, error) {
	if err := e.check(); err != nil {
		return nil, err
	}
	comment = strings.TrimSpace(comment)
	if len(comment) > MaxApprovalComment {
		return nil, jobflow.InvalidField("comment", "comment must be at most %d bytes", MaxApprovalComment)
	}
	run, err := e.Store.FindRunByID(ctx, tenantID, runID)
	if err != nil {
		return nil, err
	}
	if run.Node(jobID) == nil {
		return nil, jobflow.Errorf(jobflow.ENOTFOUND, "job %q is not a node of this run", jobID)
	}
	snap, err := e.Store.FindRunSnapshot(ctx, tenantID, runID)
	if err != nil {
		return nil, err
	}
	var job *jobflow.Job
	for i := range snap.Jobs {
		if snap.Jobs[i].ID == jobID {
			job = &snap.Jobs[i]
		}
	}
	if job == nil || job.Type != jobflow.JobApproval {
		return nil, jobflow.Errorf(jobflow.ECONFLICT, "job %q is not an APPROVAL job", jobID)
	}
	cfg, err := jobtypes.ParseApprovalConfig(job.Config)
	if err != nil {
		return nil, err
	}
	if who.Link == "" && !cfg.Approvers.Allows(who.UserID, who.Role) {
		return nil, jobflow.Errorf(jobflow.EFORBIDDEN, "you are not an approver of job %q", job.Name)
	}
	if run.Status != jobflow.RunRunning && run.Status != jobflow.RunPaused {
		return nil, jobflow.Errorf(jobflow.ECONFLICT, "only an approval of a RUNNING or PAUSED run can be decided; this run is %s", run.Status)
	}
	by := who.Account
	if by == "" {
		by = who.UserID
	}
	if who.Link != "" {
		by = "link via " + who.Link
	}
	err = e.update(ctx, run, workflows.UpdateApprove, workflows.ApprovalDecision{JobID: jobID, Approve: approve, By: by, Comment: comment})
	return run, err
}

// Approvals lists the WAITING approvals of the tenant that who may decide,
// oldest first, with each one's message and deadline from its run's
// snapshot.
func (e *Engine) Approvals(ctx context.Context, tenantID string, who Approver) ([]jobflow.PendingApproval, error) {
	as, ok := e.Store.(jobflow.ApprovalService)
	if !ok {
		return nil, jobflow.Errorf(jobflow.EUNAVAILABLE, "approvals are not available")
	}
	waiting, err := as.FindWaitingApprovals(ctx, tenantID, 1000)
	if err != nil {
		return nil, err
	}
	out := []jobflow.PendingApproval{}
	snaps := map[string]*jobflow.Snapshot{}
	for _, p := range waiting {
		snap, ok := snaps[p.RunID]
		if !ok {
			if snap, err = e.Store.FindRunSnapshot(ctx, tenantID, p.RunID); err != nil {
				continue // a run without its snapshot cannot say who decides
			}
			snaps[p.RunID] = snap
		}
		for i := range snap.Jobs {
			j := &snap.Jobs[i]
			if j.ID != p.JobID || j.Type != jobflow.JobApproval {
				continue
			}
			cfg, err := jobtypes.ParseApprovalConfig(j.Config)
			if err != nil || !cfg.Approvers.Allows(who.UserID, who.Role) {
				continue
			}
			p.Message, p.OnTimeout, p.Deadline = cfg.Message, cfg.OnTimeout, p.Since.Add(cfg.Timeout())
			out = append(out, p)
		}
	}
	return out, nil
}
