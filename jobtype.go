package jobflow

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"
)

// Job types are a registry, in the manner of database/sql drivers: package
// jobtypes defines one JobTypeDef per type (its config, defaults,
// validation, outputs, JSON Schema and executor) and registers them all
// when it is imported. This package only holds the interface and the
// lookup, so that Job.Normalize can reach a type without importing it
// (docs/architecture.md).

// JobKind says who runs a job type.
type JobKind string

// Job kinds.
const (
	// KindActivity: a worker runs the job as a RunJob activity.
	KindActivity JobKind = "ACTIVITY"
	// KindControl: FlowRun runs the job itself (workflows/control.go).
	KindControl JobKind = "CONTROL"
)

// JobTypeDef is one job type of the registry.
type JobTypeDef interface {
	// Type is the name jobs carry in their type field.
	Type() JobType
	// Kind says who runs the type's jobs.
	Kind() JobKind
	// Normalize decodes a config strictly, fills its defaults and
	// validates it; it returns the config's canonical form (what is
	// stored) or an EINVALID error naming the field.
	Normalize(raw json.RawMessage) (any, error)
	// Defaults is the config a new job's form starts from.
	Defaults() any
	// Schema is the config's JSON Schema (for the console's form and the
	// API document).
	Schema() map[string]any
	// Outputs names the outputs every job of the type sets; Free says a
	// job may set others of its own (docs/run-semantics.md).
	Outputs() JobOutputs
}

// JobOutputs declares what outputs a job type produces.
type JobOutputs struct {
	Names []string `json:"names"`          // always or sometimes set by the type itself
	Free  bool     `json:"free,omitempty"` // the job's own code may set any name
}

var jobTypes struct {
	sync.RWMutex
	order []JobType
	defs  map[JobType]JobTypeDef
}

// RegisterJobType adds a job type to the registry. It panics when the type
// is registered twice, as sql.Register does.
func RegisterJobType(d JobTypeDef) {
	jobTypes.Lock()
	defer jobTypes.Unlock()
	if jobTypes.defs == nil {
		jobTypes.defs = map[JobType]JobTypeDef{}
	}
	if _, dup := jobTypes.defs[d.Type()]; dup {
		panic(fmt.Sprintf("jobflow: job type %s registered twice", d.Type()))
	}
	jobTypes.defs[d.Type()] = d
	jobTypes.order = append(jobTypes.order, d.Type())
}

// LookupJobType returns the registered type t, or nil.
func LookupJobType(t JobType) JobTypeDef {
	jobTypes.RLock()
	defer jobTypes.RUnlock()
	return jobTypes.defs[t]
}

// JobTypes lists the registered types in registration order.
func JobTypes() []JobTypeDef {
	jobTypes.RLock()
	defer jobTypes.RUnlock()
	out := make([]JobTypeDef, 0, len(jobTypes.order))
	for _, t := range jobTypes.order {
		out = append(out, jobTypes.defs[t])
	}
	return out
}

// IsControl reports whether FlowRun runs jobs of type t itself.
func IsControl(t JobType) bool {
	d := LookupJobType(t)
	return d != nil && d.Kind() == KindControl
}

func unknownJobType() *Error {
	names := make([]string, 0, 8)
	for _, d := range JobTypes() {
		names = append(names, string(d.Type()))
	}
	return InvalidField("type", "type must be one of %s", strings.Join(names, ", "))
}

// The domain's draft checks (CheckDraft) need to read a few things out of
// configs whose structs belong to their types. A type answers through
// these optional interfaces, so the checks stay generic and the structs
// stay in package jobtypes (docs/architecture.md).

// BranchChooser is a type whose jobs choose which of their children run
// (CONDITION): every target it names must be a child on the canvas.
type BranchChooser interface {
	// Branches lists the children a config names, by the config field
	// that names them; nil when the config does not parse.
	Branches(raw json.RawMessage) []Branch
	// RenameBranches rewrites every child the config names with rename
	// (ids to names for an export, names to ids for an import); a child
	// rename does not know is an error naming it.
	RenameBranches(raw json.RawMessage, rename func(string) (string, bool)) (json.RawMessage, error)
}

// Branch is a config field naming children of the job on the canvas.
type Branch struct {
	Field string
	To    []string
}

// OutputReader is a type whose config reads other jobs' outputs outside
// ${…} texts (a CONDITION's expressions read outputs.<job>).
type OutputReader interface {
	// ReadsOutputsOf lists the job names the config reads outputs of.
	ReadsOutputsOf(raw json.RawMessage) []string
}

// WorkflowCaller is a type whose jobs run another workflow of the tenant
// (SUBFLOW): the call graph between workflows must have no loop.
type WorkflowCaller interface {
	// CalledWorkflow is the workflow a config runs, "" when it does not
	// parse.
	CalledWorkflow(raw json.RawMessage) string
}

// CalledWorkflow returns the workflow job j runs as a child run, "" for a
// job of another type.
func (j *Job) CalledWorkflow() string {
	if j == nil {
		return ""
	}
	if c, ok := LookupJobType(j.Type).(WorkflowCaller); ok {
		return c.CalledWorkflow(j.Config)
	}
	return ""
}
