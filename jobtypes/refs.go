package jobtypes

import (
	"context"
	"encoding/json"
	"fmt"

	"jobflow"
)

// The ids a config names are checked against the tenant by the draft check
// (jobflow.CheckDraft, inside the store's write transaction); each type
// knows which of its fields are ids (docs/security.md: ids are never
// trusted from a request).

func (sqlType) CheckRefs(ctx context.Context, rc jobflow.RefCheck, j *jobflow.Job) error {
	var c SQLConfig
	if err := json.Unmarshal(j.Config, &c); err != nil {
		return err
	}
	return rc.Exists(ctx, jobflow.RefDatasource, "config.datasourceId", c.DatasourceID)
}

func (subflowType) CheckRefs(ctx context.Context, rc jobflow.RefCheck, j *jobflow.Job) error {
	var c SubflowConfig
	if err := json.Unmarshal(j.Config, &c); err != nil {
		return err
	}
	return rc.Exists(ctx, jobflow.RefWorkflow, "config.workflowId", c.WorkflowID)
}

func (forEachType) CheckRefs(ctx context.Context, rc jobflow.RefCheck, j *jobflow.Job) error {
	var c ForEachConfig
	if err := json.Unmarshal(j.Config, &c); err != nil {
		return err
	}
	return rc.Exists(ctx, jobflow.RefWorkflow, "config.workflowId", c.WorkflowID)
}

// CheckRefs refuses items naming a workflow, or a job in it, that is not
// the tenant's, or the DEPENDENT job itself.
func (dependentType) CheckRefs(ctx context.Context, rc jobflow.RefCheck, j *jobflow.Job) error {
	c, err := ParseDependentConfig(j.Config)
	if err != nil {
		return err
	}
	for k, it := range c.Items {
		field := fmt.Sprintf("config.items[%d]", k)
		if err := rc.Exists(ctx, jobflow.RefWorkflow, field+".workflowId", it.WorkflowID); err != nil {
			return err
		}
		if it.JobID == "" {
			continue
		}
		if err := rc.JobExists(ctx, field+".jobId", it.WorkflowID, it.JobID); err != nil {
			return err
		}
		if it.JobID == j.ID {
			return jobflow.Errorf(jobflow.EINVALID, "%s.jobId: a DEPENDENT job cannot wait for itself", field).
				WithDetails(map[string]string{"field": field + ".jobId"})
		}
	}
	return nil
}

// CheckRefs refuses targets that are not other jobs of the same workflow.
func (conditionType) CheckRefs(_ context.Context, rc jobflow.RefCheck, j *jobflow.Job) error {
	var c ConditionConfig
	if err := json.Unmarshal(j.Config, &c); err != nil {
		return err
	}
	for k, cs := range c.Cases {
		for _, id := range cs.To {
			if err := rc.Sibling(j, fmt.Sprintf("config.cases[%d].to", k), id); err != nil {
				return err
			}
		}
	}
	for _, id := range c.Default {
		if err := rc.Sibling(j, "config.default", id); err != nil {
			return err
		}
	}
	return nil
}

// CheckRefs refuses approver user ids that are not members of the tenant:
// a user of another tenant could otherwise be named to decide this
// tenant's run (docs/security.md).
func (approvalType) CheckRefs(ctx context.Context, rc jobflow.RefCheck, j *jobflow.Job) error {
	var c ApprovalConfig
	if err := json.Unmarshal(j.Config, &c); err != nil {
		return err
	}
	for k, u := range c.Approvers.Users {
		if err := rc.Exists(ctx, jobflow.RefMember, fmt.Sprintf("config.approvers.users[%d]", k), u); err != nil {
			return err
		}
	}
	return nil
}
