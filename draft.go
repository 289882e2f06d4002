package jobflow

import (
	"context"
	"fmt"
)

// One validity check for a workflow draft: the HTTP layer decodes, and every write of a draft — canvas
// save, job create and update, config save, import and apply, version
// restore — runs CheckDraft inside the store's write transaction; publish
// runs it again, since a draft saved before a rule existed, or whose
// references were deleted since, must not go live. A job's own fields and
// its type's config are Job.Normalize's.

// MaxWorkflowJobs bounds the jobs of one workflow, placed or not: a
// workflow cannot hold more jobs than its canvas can place.
const MaxWorkflowJobs = MaxCanvasNodes

// Draft is a workflow as a write will leave it.
type Draft struct {
	// Workflow carries the id, tenant, name and published version, and the
	// Canvas, Config and Jobs as they will be once written.
	Workflow *Workflow
	// Changed are the jobs the write adds or edits: the ids their configs
	// carry are checked against the tenant (the others were when saved).
	Changed []*Job
	// ConfigChanged: the write sets the config, whose alarm channel ids are
	// checked against the tenant.
	ConfigChanged bool
	// NameJobs: a write of many jobs at once (import, restore); an error
	// about a changed job's references names the job.
	NameJobs bool
}

// RefKind names what a reference in a config points to.
type RefKind string

// Reference kinds.
const (
	RefDatasource   RefKind = "datasource"
	RefWorkflow     RefKind = "workflow"
	RefAlarmChannel RefKind = "alarm channel"
	RefPool         RefKind = "pool"   // by name, not id
	RefMember       RefKind = "member" // a user id with a membership in the tenant
)

// DraftRefs is what CheckDraft reads of the tenant. The store implements it
// over its write transaction (store/refs.go), so what was checked is what
// is written.
type DraftRefs interface {
	SubflowLookup
	// RefExists reports whether the tenant holds an object of kind with id.
	RefExists(ctx context.Context, kind RefKind, tenantID, id string) (bool, error)
	// JobExists reports whether workflow workflowID of the tenant holds job jobID.
	JobExists(ctx context.Context, tenantID, workflowID, jobID string) (bool, error)
}

// CheckDraft checks a draft: the number of jobs, the DAG (CheckShape), and
// with refs the ids that the changed jobs and config carry against the
// tenant and the SUBFLOW call graph between workflows. Errors are INVALID
// (LIMIT_EXCEEDED for too many jobs) and name the field at fault.
func CheckDraft(ctx context.Context, d Draft, refs DraftRefs) error {
	if err := CheckShape(d.Workflow); err != nil {
		return err
	}
	if refs == nil {
		return nil
	}
	w := d.Workflow
	siblings := make(map[string]bool, len(w.Jobs))
	for _, j := range w.Jobs {
		siblings[j.ID] = true
	}
	subflows := false
	for _, j := range d.Changed {
		if err := checkJobRefs(ctx, refs, w.TenantID, j, siblings); err != nil {
			if d.NameJobs {
				return About(err, "job", j.Name)
			}
			return err
		}
		subflows = subflows || j.CalledWorkflow() != ""
	}
	if d.ConfigChanged {
		if err := checkConfigRefs(ctx, refs, w.TenantID, w.Config); err != nil {
			return err
		}
		if err := checkAlarmJobs(w); err != nil {
			return err
		}
	}
	if !subflows {
		return nil // a write that adds no call cannot close a loop
	}
	return CheckSubflows(ctx, refs, w.TenantID, w, w.Jobs, d.Changed)
}

// CheckShape is the part of CheckDraft that reads nothing else: at most
// MaxWorkflowJobs jobs, the canvas a DAG of the jobs (Canvas.Validate), the
// outputs references and CONDITION targets (ValidateControl), and the
// config (WorkflowConfig.Validate).
func CheckShape(w *Workflow) error {
	if len(w.Jobs) > MaxWorkflowJobs {
		return Errorf(ELIMITEXCEEDED, "a workflow holds at most %d jobs", MaxWorkflowJobs).
			WithDetails(map[string]any{"field": "jobs", "limit": MaxWorkflowJobs})
	}
	ids := make([]string, len(w.Jobs))
	for i, j := range w.Jobs {
		ids[i] = j.ID
	}
	if err := w.Canvas.Validate(ids); err != nil {
		return err
	}
	if err := ValidateControl(w.Canvas, w.Jobs); err != nil {
		return err
	}
	return w.Config.Validate()
}

// refError is the 400 of a reference that is not the tenant's.
func refError(field, id, format string, args ...any) *Error {
	return Errorf(EINVALID, "%s: %s", field, fmt.Sprintf(format, args...)).
		WithDetails(map[string]string{"field": field, "id": id})
}

// RefChecker is a job type whose config names other objects of the
// tenant (a datasource, a workflow, a job); CheckDraft has it check them
// against the tenant, through the write transaction, so each type's
// references live with the type (package jobtypes).
type RefChecker interface {
	CheckRefs(ctx context.Context, rc RefCheck, j *Job) error
}

// RefCheck is what a RefChecker checks against: the tenant's objects and
// the ids of the jobs of j's workflow (j's own included).
type RefCheck struct {
	Refs     DraftRefs
	TenantID string
	Siblings map[string]bool
}

// Exists refuses id unless the tenant has an object of kind with it: a 400
// naming field and id.
func (rc RefCheck) Exists(ctx context.Context, kind RefKind, field, id string) error {
	ok, err := rc.Refs.RefExists(ctx, kind, rc.TenantID, id)
	if err != nil {
		return err
	}
	if !ok {
		return refError(field, id, "no %s %q in this tenant", kind, id)
	}
	return nil
}

// JobExists refuses jobID unless it is a job of the tenant's workflow.
func (rc RefCheck) JobExists(ctx context.Context, field, workflowID, jobID string) error {
	ok, err := rc.Refs.JobExists(ctx, rc.TenantID, workflowID, jobID)
	if err != nil {
		return err
	}
	if !ok {
		return refError(field, jobID, "no job %q in workflow %q", jobID, workflowID)
	}
	return nil
}

// Sibling refuses id unless it names another job of j's workflow.
func (rc RefCheck) Sibling(j *Job, field, id string) error {
	if rc.Siblings[id] && id != j.ID {
		return nil
	}
	return refError(field, id, "no job %q in this workflow (a CONDITION chooses among its own workflow's jobs)", id)
}

// checkJobRefs checks every id j's (normalized) config carries against the
// tenant, through its type.
func checkJobRefs(ctx context.Context, refs DraftRefs, tenantID string, j *Job, siblings map[string]bool) error {
	if j.Pool != "" {
		if err := (RefCheck{Refs: refs, TenantID: tenantID}).Exists(ctx, RefPool, "pool", j.Pool); err != nil {
			return err
		}
	}
	rc, ok := LookupJobType(j.Type).(RefChecker)
	if !ok {
		return nil
	}
	return rc.CheckRefs(ctx, RefCheck{Refs: refs, TenantID: tenantID, Siblings: siblings}, j)
}

// checkConfigRefs checks the alarm channel ids of a workflow config.
func checkConfigRefs(ctx context.Context, refs DraftRefs, tenantID string, cfg WorkflowConfig) error {
	for i, r := range cfg.Alarms {
		for k, id := range r.ChannelIDs {
			ok, err := refs.RefExists(ctx, RefAlarmChannel, tenantID, id)
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

// About prefixes an INVALID error with the object it is about (kind
// "workflow" or "job" and its name) and adds that to its details: import
// writes many workflows and jobs at once.
func About(err error, kind, name string) error {
	e, ok := err.(*Error)
	if !ok || e.Code != EINVALID {
		return err
	}
	d := map[string]string{kind: name}
	if m, ok := e.Details.(map[string]string); ok {
		for k, v := range m {
			d[k] = v
		}
	}
	return Errorf(e.Code, "%s %q: %s", kind, name, e.Message).WithDetails(d)
}

// checkAlarmJobs refuses a config whose alarm rules name jobs that are not
// the workflow's. Checked when the config is written: a job deleted later
// only stops matching.
func checkAlarmJobs(w *Workflow) error {
	have := make(map[string]bool, len(w.Jobs))
	for _, j := range w.Jobs {
		have[j.ID] = true
	}
	for i, rule := range w.Config.Alarms {
		for k, id := range rule.JobIDs {
			if !have[id] {
				return refError(fmt.Sprintf("alarms[%d].jobIds[%d]", i, k), id, "no job %q in this workflow", id)
			}
		}
	}
	return nil
}
