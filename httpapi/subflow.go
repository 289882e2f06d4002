package httpapi

import (
	"context"

	"jobflow"
)

// checkSubflow checks a SUBFLOW job about to be saved into workflow
// workflowID: its target is a workflow of the tenant, and the calls
// between workflows stay free of recursion and at most
// jobflow.MaxSubflowDepth deep (a 400 naming config.workflowId).
func (s *Server) checkSubflow(ctx context.Context, tenantID, workflowID string, job *jobflow.Job) error {
	if job.Type != jobflow.JobSubflow {
		return nil // a job that calls nothing cannot close a loop
	}
	w, err := s.deps.Workflows.FindWorkflowByID(ctx, tenantID, workflowID)
	if err != nil {
		return err
	}
	jobs := make([]*jobflow.Job, 0, len(w.Jobs)+1)
	for _, j := range w.Jobs {
		if j.ID != job.ID {
			jobs = append(jobs, j)
		}
	}
	jobs = append(jobs, job)
	return jobflow.CheckSubflows(ctx, s.subflowLookup(), tenantID, w, jobs, []*jobflow.Job{job})
}

// subflowLookup reads workflows and their published versions; a store
// without versions makes the check see drafts only.
func (s *Server) subflowLookup() jobflow.SubflowLookup {
	if l, ok := s.deps.Workflows.(jobflow.SubflowLookup); ok {
		return l
	}
	return draftsOnly{s.deps.Workflows}
}

type draftsOnly struct{ jobflow.WorkflowService }

func (draftsOnly) FindVersionByID(context.Context, string, string) (*jobflow.Version, error) {
	return nil, jobflow.Errorf(jobflow.ENOTFOUND, "version not found")
}
