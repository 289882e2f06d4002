package jobflow

import (
	"context"
	"regexp"
	"time"
)

// Pools (资源池, docs/run-semantics.md#pools) are a tenant's shared
// capacity, as Airflow's pools and DolphinScheduler's task groups: a job
// that names a pool runs only while it holds poolSlots of the pool's
// slots, so twenty workflows hitting one database take turns. A job
// waiting for slots is WAITING (holding no maxParallelism slot) with the
// reason on its node run; waiters are served by priority (1 first), then
// in the order they came. A slot is a lease of one node run, taken by its
// FlowRun and released when the node ends, however it ends; the run
// reconciler releases those of a run whose execution ended behind
// jobflow's back.

// PrefixPool is the id prefix of pools.
const PrefixPool = "pool"

// Pool limits.
const (
	MaxPoolSlots    = 10000
	MaxPoolName     = 64
	DefaultPriority = 3 // a job's priority when it names none (Temporal's default key)
)

var poolNameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]*$`)

// Pool is a tenant's pool of slots. Used, Holders and Waiters are read
// with one pool (GET /pools/{id}); Used also in lists.
type Pool struct {
	ID          string      `json:"id"`
	TenantID    string      `json:"tenantId"`
	Name        string      `json:"name"`
	Slots       int         `json:"slots"`
	Description string      `json:"description"`
	Used        int         `json:"used"`
	Waiting     int         `json:"waiting"`
	Holders     []PoolLease `json:"holders,omitempty"`
	Waiters     []PoolLease `json:"waiters,omitempty"`
	CreatedAt   time.Time   `json:"createdAt"`
	UpdatedAt   time.Time   `json:"updatedAt"`

	// Granted are the waiters an update's new slots granted, whose FlowRuns
	// are to be signalled (not shown).
	Granted []PoolLease `json:"-"`
}

// PoolUpdate is a pool's writable fields (nil: unchanged).
type PoolUpdate struct {
	Name        *string `json:"name" doc:"letters, digits, '_', '-', '.'; unique in the tenant; jobs name the pool by it"`
	Slots       *int    `json:"slots" doc:"slots, 1 to 10000; lowering it below what is held lets holders finish and grants nothing until under it"`
	Description *string `json:"description"`
}

// Apply copies the set fields into p and checks it.
func (u PoolUpdate) Apply(p *Pool) error {
	if u.Name != nil {
		p.Name = *u.Name
	}
	if u.Slots != nil {
		p.Slots = *u.Slots
	}
	if u.Description != nil {
		p.Description = *u.Description
	}
	if err := ValidPoolName(p.Name, "name"); err != nil {
		return err
	}
	if p.Slots < 1 || p.Slots > MaxPoolSlots {
		return InvalidField("slots", "slots must be between 1 and %d", MaxPoolSlots)
	}
	if len(p.Description) > 1000 {
		return InvalidField("description", "description must be at most 1000 bytes")
	}
	return nil
}

// ValidPoolName checks a pool name; field names it in the error.
func ValidPoolName(name, field string) error {
	if name == "" || len(name) > MaxPoolName || !poolNameRE.MatchString(name) {
		return InvalidField(field, "%s must be 1 to %d letters, digits, '_', '-' or '.', starting with a letter or digit", field, MaxPoolName)
	}
	return nil
}

// PoolLease is one node run's hold on (or wait for) a pool's slots.
type PoolLease struct {
	RunID        string    `json:"runId"`
	JobID        string    `json:"jobId"`
	JobName      string    `json:"jobName"`
	WorkflowID   string    `json:"workflowId"`
	WorkflowName string    `json:"workflowName"`
	Slots        int       `json:"slots"`
	Priority     int       `json:"priority"`
	Position     int       `json:"position,omitempty"` // a waiter's place, from 1
	Since        time.Time `json:"since"`              // held since, or waiting since

	TemporalWorkflowID string `json:"-"` // the FlowRun to signal when it is granted
}

// PoolRequest asks for a node run's slots.
type PoolRequest struct {
	TenantID           string `json:"tenantId"`
	Pool               string `json:"pool"` // the pool's name
	RunID              string `json:"runId"`
	JobID              string `json:"jobId"`
	JobName            string `json:"jobName"`
	WorkflowID         string `json:"workflowId"`
	WorkflowName       string `json:"workflowName"`
	TemporalWorkflowID string `json:"temporalWorkflowId"`
	Slots              int    `json:"slots"`
	Priority           int    `json:"priority"`
}

// PoolGrant is the answer to a PoolRequest.
type PoolGrant struct {
	Granted  bool `json:"granted"`
	Position int  `json:"position,omitempty"` // not granted: its place among the waiters
	Used     int  `json:"used"`               // slots held in the pool
	Slots    int  `json:"slots"`              // the pool's size
	// Error says why the request can never be granted (no such pool, more
	// slots than the pool has): the node fails with it.
	Error string `json:"error,omitempty"`
}

// PoolService keeps a tenant's pools and their leases (store/pool.go).
type PoolService interface {
	CreatePool(ctx context.Context, p *Pool) error
	FindPools(ctx context.Context, tenantID string, p ListParams) ([]*Pool, int, error)
	FindPoolByID(ctx context.Context, tenantID, id string) (*Pool, error) // with Holders and Waiters
	UpdatePool(ctx context.Context, tenantID, id string, u PoolUpdate) (*Pool, error)
	DeletePool(ctx context.Context, tenantID, id string) error // CONFLICT while leases exist

	// AcquirePoolSlots grants the node run its slots or queues it; asked
	// again, it answers the same lease (granting it if its turn has come).
	AcquirePoolSlots(ctx context.Context, req PoolRequest) (PoolGrant, error)
	// ReleasePoolSlots drops the node run's lease (held or waiting) and
	// returns the leases that the freed slots granted; jobID "" drops every
	// lease of the run.
	ReleasePoolSlots(ctx context.Context, tenantID, runID, jobID string) ([]PoolLease, error)
}

// normalizePool checks a job's pool fields: a pool name, 1 to MaxPoolSlots
// slots (1 by default; none without a pool), priority 0 to 5.
func (j *Job) normalizePool() error {
	if j.Priority < 0 || j.Priority > 5 {
		return InvalidField("priority", "priority must be between 1 (highest) and 5, or 0 for the default (3)")
	}
	if j.Pool == "" {
		if j.PoolSlots > 1 {
			return InvalidField("poolSlots", "poolSlots needs a pool")
		}
		j.PoolSlots = 0
		return nil
	}
	if err := ValidPoolName(j.Pool, "pool"); err != nil {
		return err
	}
	if j.PoolSlots == 0 {
		j.PoolSlots = 1
	}
	if j.PoolSlots < 1 || j.PoolSlots > MaxPoolSlots {
		return InvalidField("poolSlots", "poolSlots must be between 1 and %d", MaxPoolSlots)
	}
	return nil
}

// EffectivePriority is the job's priority, DefaultPriority when unset.
func (j *Job) EffectivePriority() int {
	if j.Priority == 0 {
		return DefaultPriority
	}
	return j.Priority
}
