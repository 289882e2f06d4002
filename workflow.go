package jobflow

import "time"

// WorkflowStatus is the publication state of a workflow.
type WorkflowStatus string

// Workflow statuses.
const (
	StatusDraft     WorkflowStatus = "DRAFT"     // never published
	StatusPublished WorkflowStatus = "PUBLISHED" // on its schedule; invocable
	StatusOffline   WorkflowStatus = "OFFLINE"   // was published, taken offline
)

// ValidWorkflowStatus reports whether s is a workflow status.
func ValidWorkflowStatus(s WorkflowStatus) bool {
	return s == StatusDraft || s == StatusPublished || s == StatusOffline
}

// Workflow (作业流) is a DAG of jobs with its configuration.
type Workflow struct {
	ID                 string         `json:"id"`
	TenantID           string         `json:"tenantId"`
	Name               string         `json:"name"`
	Remark             string         `json:"remark"`
	Status             WorkflowStatus `json:"status"`
	Canvas             Canvas         `json:"canvas"`
	Config             WorkflowConfig `json:"config"`
	NextRunTime        *time.Time     `json:"nextRunTime" required:"true"`
	PublishedVersionID string         `json:"publishedVersionId"`
	Revision           int64          `json:"revision"`
	CreatedAt          time.Time      `json:"createdAt"`
	UpdatedAt          time.Time      `json:"updatedAt"`
	CreatedBy          string         `json:"createdBy"`
	UpdatedBy          string         `json:"updatedBy"`

	Jobs []*Job `json:"jobs,omitempty"` // filled by FindWorkflowByID
}

// Validate checks the fields a user sets directly on create.
func (w *Workflow) Validate() error {
	if err := ValidateName("name", w.Name); err != nil {
		return err
	}
	return ValidateRemark(w.Remark)
}

// WorkflowUpdate is a partial edit (编辑) of name and remark.
type WorkflowUpdate struct {
	Name   *string `json:"name"`
	Remark *string `json:"remark"`
}

// Validate checks the fields that are set.
func (u WorkflowUpdate) Validate() error {
	if u.Name != nil {
		if err := ValidateName("name", *u.Name); err != nil {
			return err
		}
	}
	if u.Remark != nil {
		return ValidateRemark(*u.Remark)
	}
	return nil
}

// WorkflowFilter selects workflows of one tenant.
type WorkflowFilter struct {
	ListParams
	Status WorkflowStatus
}
