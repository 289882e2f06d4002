package jobflow

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"jobflow/egress"
)

// Role is what a user may do, system-wide or in one tenant.
type Role string

// Roles.
const (
	RoleSysAdmin    Role = "SYS_ADMIN"    // the whole system; implies TENANT_ADMIN everywhere
	RoleTenantAdmin Role = "TENANT_ADMIN" // one tenant
	RoleMember      Role = "MEMBER"       // one tenant
)

// Tenant (租户) isolates everything below it.
type Tenant struct {
	ID           string `json:"id"`
	Name         string `json:"name"`
	MaxWorkflows int    `json:"maxWorkflows"`
	// OSUser is the OS user the tenant's SHELL and PYTHON jobs run as when
	// the worker runs as root (DolphinScheduler's tenant code); empty: the
	// tenant's own jf-<tenant> user, which workers create. Set by a SYS_ADMIN.
	OSUser string `json:"osUser,omitempty"`
	// EgressAllow opens closed destinations (loopback, private, link-local
	// addresses …) to the tenant's SQL and HTTP jobs, datasources and alarm
	// channels: rules of jobflow/egress (ParseRules), added to
	// JOBFLOW_EGRESS_ALLOW. Set by a SYS_ADMIN.
	EgressAllow []string `json:"egressAllow"`
	// JobLimits bound the tenant's SHELL and PYTHON jobs; zero fields take
	// the defaults. Set by a SYS_ADMIN.
	JobLimits JobLimits `json:"jobLimits"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
}

// JobLimits are the resource limits of one tenant's jobs; a zero field
// means the default.
type JobLimits struct {
	MemoryMiB       int `json:"memoryMiB,omitempty"`       // default 2048, 16..1048576
	Processes       int `json:"processes,omitempty"`       // default 512, 8..65536
	CPUWeight       int `json:"cpuWeight,omitempty"`       // default 100, 1..10000
	WorkDirMiB      int `json:"workDirMiB,omitempty"`      // default 10240, 1..1048576
	LogKiBPerSecond int `json:"logKiBPerSecond,omitempty"` // default 256, 1..1048576
}

// Job limit defaults, for a zero field of JobLimits.
const (
	DefaultJobMemoryMiB       = 2048
	DefaultJobProcesses       = 512
	DefaultJobCPUWeight       = 100
	DefaultJobWorkDirMiB      = 10240
	DefaultJobLogKiBPerSecond = 256
)

// WithDefaults returns l with every zero field set to its default.
func (l JobLimits) WithDefaults() JobLimits {
	def := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	def(&l.MemoryMiB, DefaultJobMemoryMiB)
	def(&l.Processes, DefaultJobProcesses)
	def(&l.CPUWeight, DefaultJobCPUWeight)
	def(&l.WorkDirMiB, DefaultJobWorkDirMiB)
	def(&l.LogKiBPerSecond, DefaultJobLogKiBPerSecond)
	return l
}

// Validate checks each set field against its range.
func (l JobLimits) Validate() error { return l.ValidateAs("jobLimits") }

// ValidateAs is Validate with field naming the limits in errors (a job's
// own are config.limits).
func (l JobLimits) ValidateAs(field string) error {
	for _, f := range []struct {
		name     string
		v        int
		min, max int
	}{
		{"memoryMiB", l.MemoryMiB, 16, 1048576},
		{"processes", l.Processes, 8, 65536},
		{"cpuWeight", l.CPUWeight, 1, 10000},
		{"workDirMiB", l.WorkDirMiB, 1, 1048576},
		{"logKiBPerSecond", l.LogKiBPerSecond, 1, 1048576},
	} {
		if f.v != 0 && (f.v < f.min || f.v > f.max) {
			return InvalidField(field+"."+f.name, "%s.%s must be between %d and %d (or 0 for the default)", field, f.name, f.min, f.max)
		}
	}
	return nil
}

// MaxEgressRules bounds a tenant's egressAllow.
const MaxEgressRules = 100

// DefaultMaxWorkflows is a new tenant's workflow limit when none is given.
const DefaultMaxWorkflows = 1000

// Validate checks a tenant before it is stored.
func (t *Tenant) Validate() error {
	if err := ValidateName("name", t.Name); err != nil {
		return err
	}
	if t.MaxWorkflows < 1 || t.MaxWorkflows > 1000000 {
		return Errorf(EINVALID, "maxWorkflows must be between 1 and 1000000").WithDetails(map[string]string{"field": "maxWorkflows"})
	}
	if len(t.EgressAllow) > MaxEgressRules {
		return InvalidField("egressAllow", "egressAllow holds at most %d rules", MaxEgressRules)
	}
	for i, e := range t.EgressAllow {
		if _, err := egress.ParseRules([]string{e}); err != nil {
			return Errorf(EINVALID, "egressAllow[%d]: %v", i, err).WithDetails(map[string]string{"field": fmt.Sprintf("egressAllow[%d]", i), "entry": e})
		}
	}
	if err := t.JobLimits.Validate(); err != nil {
		return err
	}
	if t.OSUser != "" && (!osUserRE.MatchString(t.OSUser) || t.OSUser == "root") {
		return Errorf(EINVALID, "osUser must be an unprivileged OS user name (lower-case letters, digits, '_' and '-', at most 32)").WithDetails(map[string]string{"field": "osUser"})
	}
	return nil
}

// osUserRE is what an OS user name may look like (useradd's rule, narrowed).
var osUserRE = regexp.MustCompile(`^[a-z_][a-z0-9_-]{0,31}$`)

// ValidOSUser reports whether name may name the OS user jobs run as.
func ValidOSUser(name string) bool { return osUserRE.MatchString(name) && name != "root" }

// TenantUpdate is a partial update; nil fields stay.
type TenantUpdate struct {
	Name         *string    `json:"name"`
	MaxWorkflows *int       `json:"maxWorkflows"`
	OSUser       *string    `json:"osUser"`
	EgressAllow  *[]string  `json:"egressAllow"`
	JobLimits    *JobLimits `json:"jobLimits"`
}

// User is a person who logs in.
type User struct {
	ID       string `json:"id"`
	Account  string `json:"account"`
	Name     string `json:"name"`
	SysAdmin bool   `json:"sysAdmin"`
	Disabled bool   `json:"disabled"`
	// ServiceAccount: a user with no password, made by a SYS_ADMIN to hold
	// personal API tokens for scripts; it cannot log in.
	ServiceAccount bool   `json:"serviceAccount"`
	PasswordHash   string `json:"-"`
	// TokenVersion is written into login tokens; moving it on (password
	// change, reset, disable) revokes every token issued before.
	TokenVersion int       `json:"-"`
	CreatedAt    time.Time `json:"createdAt"`
}

// UserUpdate is a partial update of a user; nil fields stay.
type UserUpdate struct {
	Name     *string `json:"name"`
	Disabled *bool   `json:"disabled"`
}

// Membership is a user's role in one tenant.
type Membership struct {
	TenantID   string `json:"id"`
	TenantName string `json:"name"`
	UserID     string `json:"-"`
	Role       Role   `json:"role"`
}

// ValidRole reports whether r is a tenant role (SYS_ADMIN is not a tenant role).
func ValidRole(r Role) bool { return r == RoleTenantAdmin || r == RoleMember }

// ValidateName checks a required display name: 1–100 characters after trimming.
func ValidateName(field, name string) error {
	if strings.TrimSpace(name) == "" {
		return Errorf(EINVALID, "%s is required", field).WithDetails(map[string]string{"field": field})
	}
	if utf8.RuneCountInString(name) > 100 {
		return Errorf(EINVALID, "%s must be at most 100 characters", field).WithDetails(map[string]string{"field": field})
	}
	return nil
}

// ValidateRemark checks an optional remark: at most 500 characters.
func ValidateRemark(remark string) error {
	if utf8.RuneCountInString(remark) > 500 {
		return Errorf(EINVALID, "remark must be at most 500 characters").WithDetails(map[string]string{"field": "remark"})
	}
	return nil
}

// Actor is the authenticated caller of a request: who, and in which tenant.
type Actor struct {
	UserID   string
	SysAdmin bool
	TenantID string // empty on routes that are not tenant-scoped
	Role     Role   // role in TenantID
}

// IsTenantAdmin reports whether the actor administers its current tenant.
func (a Actor) IsTenantAdmin() bool { return a.SysAdmin || a.Role == RoleTenantAdmin }

type actorKey struct{}

// NewContextWithActor returns ctx carrying a.
func NewContextWithActor(ctx context.Context, a Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// ActorFromContext returns the actor of ctx, if any.
func ActorFromContext(ctx context.Context) (Actor, bool) {
	a, ok := ctx.Value(actorKey{}).(Actor)
	return a, ok
}

// License (许可证) limits an installation; it is a signed EdDSA JWT.
type License struct {
	Subject               string    `json:"subject"`
	MaxTenants            int       `json:"maxTenants"`
	MaxWorkflowsPerTenant int       `json:"maxWorkflowsPerTenant"`
	ExpiresAt             time.Time `json:"expiresAt"`
	IssuedAt              time.Time `json:"issuedAt"`
}

// WorkflowLimit returns how many workflows a tenant may hold:
// min(license.maxWorkflowsPerTenant, tenant.maxWorkflows). Without a license
// (or with 0 in it) only the tenant's own limit counts.
func WorkflowLimit(lic *License, tenantMax int) int {
	limit := tenantMax
	if lic != nil && lic.MaxWorkflowsPerTenant > 0 && lic.MaxWorkflowsPerTenant < limit {
		limit = lic.MaxWorkflowsPerTenant
	}
	return limit
}
