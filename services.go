package jobflow

import (
	"context"
	"time"
)

// The services below are implemented by store/ on PostgreSQL and SQLite.
// Every tenant-scoped method takes the tenant id first and answers NOT_FOUND
// for an object of another tenant, so no caller can forget the scoping.

// TenantService manages tenants.
type TenantService interface {
	CreateTenant(ctx context.Context, t *Tenant) error // CONFLICT on a taken name
	FindTenantByID(ctx context.Context, id string) (*Tenant, error)
	FindTenants(ctx context.Context, p ListParams) ([]*Tenant, int, error)
	UpdateTenant(ctx context.Context, id string, upd TenantUpdate) (*Tenant, error)
	CountTenants(ctx context.Context) (int, error)
}

// UserService manages users and their memberships.
type UserService interface {
	CreateUser(ctx context.Context, u *User) error // CONFLICT on a taken account
	FindUserByID(ctx context.Context, id string) (*User, error)
	FindUserByAccount(ctx context.Context, account string) (*User, error)
	FindUsers(ctx context.Context, p ListParams) ([]*User, int, error)
	// SetMembership adds the user to the tenant, or changes its role there.
	SetMembership(ctx context.Context, tenantID, userID string, role Role) error
	FindMemberships(ctx context.Context, userID string) ([]*Membership, error)
	// SetPassword stores a new password hash and moves the user's token
	// version on, which revokes every login token issued before.
	SetPassword(ctx context.Context, id, passwordHash string) (*User, error)
	// UpdateUser renames or disables/enables a user; disabling revokes the
	// user's tokens like SetPassword.
	UpdateUser(ctx context.Context, id string, upd UserUpdate) (*User, error)
}

// SessionService keeps what login security needs across api processes:
// revoked login tokens (logout) and failed logins (throttling).
type SessionService interface {
	// RevokeToken refuses the login token jti from now on; the row can go
	// once the token would have expired anyway.
	RevokeToken(ctx context.Context, jti string, expiresAt time.Time) error
	IsTokenRevoked(ctx context.Context, jti string) (bool, error)
	// RecordLoginFailure counts one failed login against key (a PAIR of
	// account and client address, or an ADDR) under policy p and returns
	// the key's state after it: its failures within p.Window and, past
	// p.Threshold, the time it is blocked until. Keys idle for longer than
	// the window are forgotten on the way.
	RecordLoginFailure(ctx context.Context, key LoginThrottleKey, at time.Time, p ThrottlePolicy) (*LoginThrottle, error)
	// LoginBlockedUntil is the latest blockedUntil among keys after at
	// (zero time when none is blocked).
	LoginBlockedUntil(ctx context.Context, at time.Time, keys ...LoginThrottleKey) (time.Time, error)
	// ClearLoginThrottle forgets one key (a good login clears its PAIR).
	ClearLoginThrottle(ctx context.Context, key LoginThrottleKey) error
	// ListLoginThrottles lists every key with failures, blocked first.
	ListLoginThrottles(ctx context.Context) ([]*LoginThrottle, error)
	// DeleteLoginThrottles forgets the keys of account and/or address
	// (empty: any); both empty forgets all. It returns how many went.
	DeleteLoginThrottles(ctx context.Context, account, address string) (int, error)
}

// LoginThrottleKind is what a login failure is counted against.
type LoginThrottleKind string

// Login throttle kinds. Neither is an account alone: failures never lock an
// account for other client addresses.
const (
	ThrottlePair    LoginThrottleKind = "PAIR" // one account from one client address
	ThrottleAddress LoginThrottleKind = "ADDR" // one client address, any account
)

// LoginThrottleKey names one throttled subject; Account is "" for ADDR.
type LoginThrottleKey struct {
	Kind    LoginThrottleKind
	Account string
	Address string
}

// ThrottlePolicy is how failures turn into blocks: from Threshold failures
// within Window on, a key is blocked for Base, doubling with every further
// failure, never longer than Max.
type ThrottlePolicy struct {
	Window    time.Duration
	Threshold int
	Base      time.Duration
	Max       time.Duration
}

// BlockFor is how long n failures block a key.
func (p ThrottlePolicy) BlockFor(n int) time.Duration {
	if n < p.Threshold || p.Threshold <= 0 {
		return 0
	}
	d := p.Base
	for i := p.Threshold; i < n && d < p.Max; i++ {
		d *= 2
	}
	return min(d, p.Max)
}

// LoginThrottle is one key's state, as a SYS_ADMIN sees it.
type LoginThrottle struct {
	Kind          LoginThrottleKind `json:"kind"`
	Account       string            `json:"account,omitempty"`
	Address       string            `json:"address"`
	Failures      int               `json:"failures"`
	LastFailureAt time.Time         `json:"lastFailureAt"`
	BlockedUntil  *time.Time        `json:"blockedUntil"`
}

// WorkflowService manages workflows with their canvas and config.
type WorkflowService interface {
	// CreateWorkflow validates w, sets a new workflow's defaults and
	// inserts it unless the tenant already holds WorkflowLimit(license,
	// tenant.maxWorkflows) workflows, licenseMax being the license's
	// maxWorkflowsPerTenant (0: none); LIMIT_EXCEEDED, with the limit in
	// the message. Reading the tenant's limit, the count and the insert are
	// one atomic step, so concurrent creates cannot overshoot.
	CreateWorkflow(ctx context.Context, w *Workflow, licenseMax int) error
	FindWorkflowByID(ctx context.Context, tenantID, id string) (*Workflow, error) // with Jobs
	FindWorkflows(ctx context.Context, tenantID string, f WorkflowFilter) ([]*Workflow, int, error)
	UpdateWorkflow(ctx context.Context, tenantID, id string, upd WorkflowUpdate, by string) (*Workflow, error)
	// DeleteWorkflow deletes the workflow with its jobs, configs and
	// versions; CONFLICT while it is PUBLISHED.
	DeleteWorkflow(ctx context.Context, tenantID, id string) error
	// SaveCanvas validates c against the workflow's jobs and stores it if
	// revision is current (CONFLICT otherwise); the revision then goes up.
	SaveCanvas(ctx context.Context, tenantID, id string, c Canvas, revision int64, by string) (*Workflow, error)
	// SaveConfig stores a validated config; the revision goes up.
	SaveConfig(ctx context.Context, tenantID, id string, cfg WorkflowConfig, by string) (*Workflow, error)
}

// JobService manages the jobs of workflows.
type JobService interface {
	CreateJob(ctx context.Context, j *Job) error // CONFLICT on a name taken in the workflow
	FindJobByID(ctx context.Context, tenantID, id string) (*Job, error)
	FindJobs(ctx context.Context, tenantID, workflowID string) ([]*Job, error)
	UpdateJob(ctx context.Context, tenantID, id string, upd JobUpdate) (*Job, error)
	DeleteJob(ctx context.Context, tenantID, id string) error // CONFLICT while on the canvas
}

// DatasourceService manages datasources; passwords are encrypted at rest.
type DatasourceService interface {
	CreateDatasource(ctx context.Context, d *Datasource) error
	// FindDatasourceByID returns the datasource with its decrypted password
	// (for executors and the connection test; the API never shows it).
	FindDatasourceByID(ctx context.Context, tenantID, id string) (*Datasource, error)
	FindDatasources(ctx context.Context, tenantID string, p ListParams) ([]*Datasource, int, error)
	UpdateDatasource(ctx context.Context, tenantID, id string, in DatasourceInput) (*Datasource, error)
	DeleteDatasource(ctx context.Context, tenantID, id string) error
}

// RunService records runs and node runs. Writes are idempotent upserts, so
// an activity that is retried or replayed writes nothing twice.
type RunService interface {
	UpsertRun(ctx context.Context, r *Run) error
	UpsertNodeRun(ctx context.Context, n *NodeRun) error
	// AppendNodeLog appends to a node run's log, keeping the last
	// MaxLogBytes behind LogTruncatedMarker.
	AppendNodeLog(ctx context.Context, runID, jobID string, chunk []byte) error
	FindRunByID(ctx context.Context, tenantID, id string) (*Run, error) // with Nodes
	FindRuns(ctx context.Context, tenantID string, f RunFilter) ([]*Run, int, error)
	FindNodeLog(ctx context.Context, tenantID, runID, jobID string) (string, error)
}

// RunTimingService reads the history a run's prediction is made from.
type RunTimingService interface {
	// FindRunTimings returns the node timings of the last ended runs of a
	// workflow, newest first, leaving out the run except.
	FindRunTimings(ctx context.Context, tenantID, workflowID, except string) ([]RunTiming, error)
}

// SettingService keeps installation-wide values such as the license text.
type SettingService interface {
	GetSetting(ctx context.Context, key string) (string, bool, error)
	PutSetting(ctx context.Context, key, value string) error
}

// RunSnapshotService keeps the snapshot each run executes, so that a rerun
// executes exactly the same DAG and jobs, whatever the draft became since.
type RunSnapshotService interface {
	// CreateRun inserts the run row with its snapshot before the run starts,
	// so that the run is listed from the moment its id is returned.
	CreateRun(ctx context.Context, r *Run, s *Snapshot) error
	FindRunSnapshot(ctx context.Context, tenantID, runID string) (*Snapshot, error)
}

// InvokeTokenService keeps the issued invoke tokens (never their text).
type InvokeTokenService interface {
	CreateInvokeToken(ctx context.Context, t *InvokeToken) error
	FindInvokeTokens(ctx context.Context, tenantID, workflowID string) ([]*InvokeToken, error)
	RevokeInvokeToken(ctx context.Context, tenantID, workflowID, jti string) error
	InvokeTokenRevoked(ctx context.Context, jti string) (bool, error)
}

// AlarmService keeps a tenant's alarm channels (secrets encrypted, never
// returned) and the record of every alarm sent.
type AlarmService interface {
	CreateAlarmChannel(ctx context.Context, tenantID string, in AlarmChannelInput) (*AlarmChannel, error)
	FindAlarmChannelByID(ctx context.Context, tenantID, id string) (*AlarmChannel, error)
	FindAlarmChannelSecrets(ctx context.Context, tenantID, id string) (*AlarmChannel, AlarmSecrets, error)
	FindAlarmChannels(ctx context.Context, tenantID string, p ListParams) ([]*AlarmChannel, int, error)
	UpdateAlarmChannel(ctx context.Context, tenantID, id string, in AlarmChannelInput) (*AlarmChannel, error)
	DeleteAlarmChannel(ctx context.Context, tenantID, id string) error
	CreateAlarmRecord(ctx context.Context, r *AlarmRecord) error
	FindAlarmRecords(ctx context.Context, tenantID, runID string, p ListParams) ([]*AlarmRecord, int, error)
}
