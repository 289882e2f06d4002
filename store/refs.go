package store

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/jmoiron/sqlx"

	"jobflow"
	"jobflow/jobtypes"
)

// The ids that a job config or a workflow config carries are checked
// against the writer's tenant here, inside the write transaction, by every
// path that stores them: job create and update, config save, import (and
// `jobflow apply`, which imports) and version restore. A foreign or unknown
// id is a 400 INVALID whose message and details name the field and the id,
// and the transaction writes nothing.
//
//   - SQL: config.datasourceId, a datasource of the tenant;
//   - SUBFLOW: config.workflowId, a workflow of the tenant;
//   - DEPENDENT: config.items[i].workflowId (and jobId), of the tenant;
//   - CONDITION: config.cases[i].to and config.default, jobs of the same
//     workflow;
//   - workflow config: alarms[i].channelIds, alarm channels of the tenant.

// refError is the 400 of a reference that is not the tenant's.
func refError(field, id, format string, args ...any) *jobflow.Error {
	return jobflow.Errorf(jobflow.EINVALID, "%s: %s", field, fmt.Sprintf(format, args...)).
		WithDetails(map[string]string{"field": field, "id": id})
}

// exists reports whether table holds a row with this id in the tenant.
func exists(ctx context.Context, q sqlx.ExtContext, table, tenantID, id string) (bool, error) {
	var n int
	query := `SELECT COUNT(*) FROM ` + table + ` WHERE id = ? AND tenant_id = ?`
	if err := sqlx.GetContext(ctx, q, &n, q.Rebind(query), id, tenantID); err != nil {
		return false, err
	}
	return n > 0, nil
}

// workflowJobIDs are the ids of the jobs stored in a workflow.
func workflowJobIDs(ctx context.Context, q sqlx.ExtContext, tenantID, workflowID string) (map[string]bool, error) {
	var ids []string
	const query = `SELECT id FROM jobs WHERE workflow_id = ? AND tenant_id = ?`
	if err := sqlx.SelectContext(ctx, q, &ids, q.Rebind(query), workflowID, tenantID); err != nil {
		return nil, err
	}
	out := make(map[string]bool, len(ids)+1)
	for _, id := range ids {
		out[id] = true
	}
	return out, nil
}

// checkJobRefs checks every id j's (normalized) config carries against
// j.TenantID; siblings are the ids of the jobs of j's workflow (j's own
// included), which CONDITION targets must be among.
func (s *Store) checkJobRefs(ctx context.Context, q sqlx.ExtContext, j *jobflow.Job, siblings map[string]bool) error {
	switch j.Type {
	case jobflow.JobSQL:
		var c jobtypes.SQLConfig
		if err := json.Unmarshal(j.Config, &c); err != nil {
			return err
		}
		ok, err := exists(ctx, q, "datasources", j.TenantID, c.DatasourceID)
		if err != nil {
			return err
		}
		if !ok {
			return refError("config.datasourceId", c.DatasourceID, "no datasource %q in this tenant", c.DatasourceID)
		}
	case jobflow.JobSubflow:
		var c jobflow.SubflowConfig
		if err := json.Unmarshal(j.Config, &c); err != nil {
			return err
		}
		ok, err := exists(ctx, q, "workflows", j.TenantID, c.WorkflowID)
		if err != nil {
			return err
		}
		if !ok {
			return refError("config.workflowId", c.WorkflowID, "no workflow %q in this tenant", c.WorkflowID)
		}
	case jobflow.JobDependent:
		return s.checkDependentTargets(ctx, q, j)
	case jobflow.JobCondition:
		var c jobflow.ConditionConfig
		if err := json.Unmarshal(j.Config, &c); err != nil {
			return err
		}
		check := func(field, id string) error {
			if siblings[id] && id != j.ID {
				return nil
			}
			return refError(field, id, "no job %q in this workflow (a CONDITION chooses among its own workflow's jobs)", id)
		}
		for k, cs := range c.Cases {
			for _, id := range cs.To {
				if err := check(fmt.Sprintf("config.cases[%d].to", k), id); err != nil {
					return err
				}
			}
		}
		for _, id := range c.Default {
			if err := check("config.default", id); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkConfigRefs checks the alarm channel ids of a workflow config.
func (s *Store) checkConfigRefs(ctx context.Context, q sqlx.ExtContext, tenantID string, cfg jobflow.WorkflowConfig) error {
	for i, r := range cfg.Alarms {
		for k, id := range r.ChannelIDs {
			ok, err := exists(ctx, q, "alarm_channels", tenantID, id)
			if err != nil {
				return err
			}
			if !ok {
				return refError(fmt.Sprintf("alarms[%d].channelIds[%d]", i, k), id, "no alarm channel %q in this tenant", id)
			}
		}
	}
	return nil
}

// about prefixes an INVALID error with the object it is about (kind
// "workflow" or "job" and its name) and adds that to its details: import
// writes many workflows and jobs at once.
func about(err error, kind, name string) error {
	e, ok := err.(*jobflow.Error)
	if !ok || e.Code != jobflow.EINVALID {
		return err
	}
	d := map[string]string{kind: name}
	if m, ok := e.Details.(map[string]string); ok {
		for k, v := range m {
			d[k] = v
		}
	}
	return jobflow.Errorf(e.Code, "%s %q: %s", kind, name, e.Message).WithDetails(d)
}
