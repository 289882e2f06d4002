package jobtypes

import (
	"encoding/json"
	"slices"
	"strings"
	"time"

	"jobflow"
)

// Approval timeout outcomes.
const (
	OnTimeoutReject  = "REJECT"
	OnTimeoutApprove = "APPROVE"
)

// Approval limits.
const (
	DefaultApprovalTimeout = 24 * time.Hour
	MaxApprovers           = 50
	MaxApprovalMessage     = 2000
)

// ApprovalConfig is the config of an APPROVAL job
// (docs/run-semantics.md#approval-jobs): the node waits (WAITING, no
// parallelism slot) until a user it names approves or rejects it, or its
// timeout decides.
type ApprovalConfig struct {
	Approvers      Approvers `json:"approvers"`
	TimeoutSeconds int       `json:"timeoutSeconds"` // 0: 24 h
	OnTimeout      string    `json:"onTimeout"`      // REJECT (default) or APPROVE
	Message        string    `json:"message"`
}

// Approvers are who may decide: any user with one of Roles in the run's
// tenant, or one of Users (user ids).
type Approvers struct {
	Roles []jobflow.Role `json:"roles"`
	Users []string       `json:"users"`
}

// Allows reports whether a user with role in the tenant may decide.
func (a Approvers) Allows(userID string, role jobflow.Role) bool {
	return slices.Contains(a.Users, userID) || (role != "" && slices.Contains(a.Roles, role))
}

// Timeout is how long the node waits for a decision.
func (c ApprovalConfig) Timeout() time.Duration {
	if c.TimeoutSeconds <= 0 {
		return DefaultApprovalTimeout
	}
	return time.Duration(c.TimeoutSeconds) * time.Second
}

// approvalType: FlowRun waits for the decision (workflows/approval.go).
type approvalType struct{}

func (approvalType) Type() jobflow.JobType { return jobflow.JobApproval }
func (approvalType) Kind() jobflow.JobKind { return jobflow.KindControl }
func (approvalType) Defaults() any {
	return ApprovalConfig{Approvers: Approvers{Roles: []jobflow.Role{jobflow.RoleTenantAdmin}, Users: []string{}}, OnTimeout: OnTimeoutReject}
}

// Outputs: an APPROVAL sets decision (APPROVED or REJECTED) and by.
func (approvalType) Outputs() jobflow.JobOutputs {
	return jobflow.JobOutputs{Names: []string{"decision", "by"}}
}

func (approvalType) Schema() map[string]any {
	roles := map[string]any{"type": "array", "description": "roles in the run's tenant whose users may decide",
		"items": map[string]any{"type": "string", "enum": []string{string(jobflow.RoleTenantAdmin), string(jobflow.RoleMember)}}}
	users := map[string]any{"type": "array", "description": "user ids who may decide", "items": map[string]any{"type": "string"}}
	return object(map[string]any{
		"approvers":      object(map[string]any{"roles": roles, "users": users}),
		"timeoutSeconds": integer("how long to wait for a decision; 0: 24 h", 0, jobflow.MaxTimeoutSeconds),
		"onTimeout":      enum("what the timeout decides: REJECT fails the node, APPROVE lets it succeed", OnTimeoutReject, OnTimeoutReject, OnTimeoutApprove),
		"message":        str("what the approvers are asked"),
	}, "approvers")
}

// Normalize validates an APPROVAL config and fills its defaults.
func (approvalType) Normalize(raw json.RawMessage) (any, error) {
	var c ApprovalConfig
	if err := jobflow.StrictUnmarshal(raw, &c); err != nil {
		return nil, err
	}
	if c.Approvers.Roles == nil {
		c.Approvers.Roles = []jobflow.Role{}
	}
	if c.Approvers.Users == nil {
		c.Approvers.Users = []string{}
	}
	for i, r := range c.Approvers.Roles {
		if r != jobflow.RoleTenantAdmin && r != jobflow.RoleMember {
			return nil, jobflow.InvalidField("config.approvers.roles", "config.approvers.roles[%d] must be TENANT_ADMIN or MEMBER", i)
		}
	}
	for i := range c.Approvers.Users {
		c.Approvers.Users[i] = strings.TrimSpace(c.Approvers.Users[i])
		if c.Approvers.Users[i] == "" {
			return nil, jobflow.InvalidField("config.approvers.users", "config.approvers.users[%d] is empty", i)
		}
	}
	if len(c.Approvers.Roles)+len(c.Approvers.Users) == 0 {
		return nil, jobflow.InvalidField("config.approvers", "config.approvers must name at least one role or user")
	}
	if len(c.Approvers.Users) > MaxApprovers {
		return nil, jobflow.InvalidField("config.approvers.users", "config.approvers.users may name at most %d users", MaxApprovers)
	}
	if c.OnTimeout == "" {
		c.OnTimeout = OnTimeoutReject
	}
	if c.OnTimeout != OnTimeoutReject && c.OnTimeout != OnTimeoutApprove {
		return nil, jobflow.InvalidField("config.onTimeout", "config.onTimeout must be REJECT or APPROVE")
	}
	if c.TimeoutSeconds < 0 || c.TimeoutSeconds > jobflow.MaxTimeoutSeconds {
		return nil, jobflow.InvalidField("config.timeoutSeconds", "config.timeoutSeconds must be between 0 and %d", jobflow.MaxTimeoutSeconds)
	}
	if len(c.Message) > MaxApprovalMessage {
		return nil, jobflow.InvalidField("config.message", "config.message must be at most %d bytes", MaxApprovalMessage)
	}
	return c, nil
}

// ParseApprovalConfig reads a stored (normalized) APPROVAL config.
func ParseApprovalConfig(raw json.RawMessage) (ApprovalConfig, error) {
	v, err := approvalType{}.Normalize(raw)
	if err != nil {
		return ApprovalConfig{}, err
	}
	return v.(ApprovalConfig), nil
}
