package jobflow

import (
	"context"
	"time"
)

// The workflow lifecycle (docs/lifecycle.md): version history, the audit log,
// personal API tokens and tenant members. The services are implemented by
// store/ on both dialects.

// VersionSummary is one row of a workflow's version history.
type VersionSummary struct {
	ID          string    `json:"id"`
	Number      int       `json:"number"`
	PublishedAt time.Time `json:"publishedAt"`
	PublishedBy string    `json:"publishedBy"`
	Note        string    `json:"note"`
	JobCount    int       `json:"jobCount"`
	Current     bool      `json:"current"` // the version the workflow is published on
}

// MaxNoteLength bounds a publish note.
const MaxNoteLength = 500

// VersionHistoryService lists versions and brings one back into the draft.
type VersionHistoryService interface {
	// FindVersions lists the workflow's versions, newest first.
	FindVersions(ctx context.Context, tenantID, workflowID string, p ListParams) ([]*VersionSummary, int, error)
	FindVersionByNumber(ctx context.Context, tenantID, workflowID string, number int) (*Version, error)
	// RestoreVersion copies version number's canvas, jobs (with their ids)
	// and config into the draft, in one transaction: jobs of the draft that
	// are not in the version are deleted. revision, when not 0, must be
	// the draft's current one (CONFLICT otherwise); it then goes up.
	RestoreVersion(ctx context.Context, tenantID, workflowID string, number int, revision int64, by string) (*Workflow, error)
}

// AuditEntry is one row of the audit log.
type AuditEntry struct {
	ID         string    `json:"id"`
	At         time.Time `json:"at"`
	TenantID   string    `json:"tenantId"`
	UserID     string    `json:"userId"`
	TokenID    string    `json:"tokenId,omitempty"` // the personal API token used, if any
	Action     string    `json:"action"`            // e.g. workflow.publish, run.abort, auth.login
	ObjectType string    `json:"objectType"`
	ObjectID   string    `json:"objectId"`
	ObjectName string    `json:"objectName"`
	Version    int       `json:"version,omitempty"`
	Result     string    `json:"result"` // "ok" or the error code
	RequestID  string    `json:"requestId"`
	ClientAddr string    `json:"clientAddr"`
	Summary    string    `json:"summary"`
}

// AuditOK is the result of an action that succeeded.
const AuditOK = "ok"

// AuditFilter selects audit rows; empty fields select all. AllTenants is
// a SYS_ADMIN's view; otherwise TenantID is required.
type AuditFilter struct {
	ListParams
	TenantID   string
	AllTenants bool
	ObjectID   string
	UserID     string
	Action     string
	From, To   *time.Time
}

// AuditService keeps the audit log.
type AuditService interface {
	CreateAuditEntry(ctx context.Context, e *AuditEntry) error
	FindAuditEntries(ctx context.Context, f AuditFilter) ([]*AuditEntry, int, error)
	// PurgeAuditEntries deletes rows older than before and says how many.
	PurgeAuditEntries(ctx context.Context, before time.Time) (int64, error)
}

// APITokenPrefix starts the text of every personal API token.
const APITokenPrefix = "jf_pat_"

// APIToken is a personal API token (never its text, which is shown once).
type APIToken struct {
	ID         string     `json:"id"`
	UserID     string     `json:"userId"`
	TenantID   string     `json:"tenantId"`
	TenantName string     `json:"tenantName"`
	Name       string     `json:"name"`
	Role       Role       `json:"role"`
	Hash       string     `json:"-"`
	CreatedAt  time.Time  `json:"createdAt"`
	LastUsedAt *time.Time `json:"lastUsedAt"`
	ExpiresAt  *time.Time `json:"expiresAt"`
}

// APITokenService keeps personal API tokens.
type APITokenService interface {
	CreateAPIToken(ctx context.Context, t *APIToken) error // CONFLICT on a name the user already uses
	FindAPITokens(ctx context.Context, userID string) ([]*APIToken, error)
	FindAPITokenByHash(ctx context.Context, hash string) (*APIToken, error)
	DeleteAPIToken(ctx context.Context, userID, id string) error
	DeleteUserAPITokens(ctx context.Context, userID string) error
	// TouchAPIToken sets last used to at unless it is already later than
	// at minus a minute, so a busy token costs at most a write a minute.
	TouchAPIToken(ctx context.Context, id string, at time.Time) error
}

// Member is a user's membership seen from its tenant.
type Member struct {
	TenantID  string    `json:"tenantId"`
	UserID    string    `json:"userId"`
	Account   string    `json:"account"`
	Name      string    `json:"name"`
	Role      Role      `json:"role"`
	Disabled  bool      `json:"disabled"`
	CreatedAt time.Time `json:"createdAt"`
}

// MemberService lists and changes the members of a tenant. A change that
// would leave the tenant without a TENANT_ADMIN is a CONFLICT.
type MemberService interface {
	FindMembers(ctx context.Context, tenantID string, p ListParams) ([]*Member, int, error)
	ChangeMemberRole(ctx context.Context, tenantID, userID string, role Role) (*Member, error)
	RemoveMember(ctx context.Context, tenantID, userID string) error
}

// ID prefixes of the lifecycle's objects.
const (
	PrefixAudit    = "au"
	PrefixAPIToken = "pat"
)

// DraftImport is one workflow of an import (or a copy): its draft, with
// job ids already chosen (kept for jobs matched by name in an overwrite,
// new otherwise).
type DraftImport struct {
	WorkflowID string // the workflow whose draft is overwritten; "" creates a DRAFT
	Name       string
	Remark     string
	Jobs       []*Job
	Canvas     Canvas
	Config     WorkflowConfig
}

// ImportService writes imported drafts.
type ImportService interface {
	FindWorkflowByName(ctx context.Context, tenantID, name string) (*Workflow, error) // with Jobs
	// ImportDrafts writes every item in one transaction: all or nothing.
	// New workflows count against the limit of CreateWorkflow (with
	// licenseMax; LIMIT_EXCEEDED beyond it); a taken name is a CONFLICT.
	ImportDrafts(ctx context.Context, tenantID string, items []*DraftImport, licenseMax int, by string) ([]*Workflow, error)
}
