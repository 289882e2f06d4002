// Package jobtypes is the registry of job types, in the manner of
// riverqueue/river's kinds and database/sql's drivers: one file per type
// owns its config struct and defaults, its validation (what Job.Normalize
// runs for the type), the outputs it sets, the JSON Schema of its config
// (for the console's form and the API document) and either its executor
// or the declaration that FlowRun runs it itself (docs/architecture.md).
//
// Importing the package registers every type in All with the root
// package, whose Job.Normalize looks types up; cmd/, the store, the API,
// the activities and FlowRun import it. Adding a type is a file here, an
// entry in All, and the console's form.
//
// An executor receives an Env: the activities' mechanics (the sandbox,
// datasource pools, the egress-checked HTTP client, the node log,
// variables) behind a narrow interface, so that what a type does lives
// here and how a worker does it stays in package activities.
package jobtypes

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"

	"jobflow"
)

// All are the job types, in the order the API lists them.
var All = []jobflow.JobTypeDef{
	shellType{jobflow.JobShell},
	shellType{jobflow.JobPython},
	sqlType{},
	httpType{},
	conditionType{},
	subflowType{},
	dependentType{},
	approvalType{},
	forEachType{},
}

func init() {
	for _, d := range All {
		jobflow.RegisterJobType(d)
	}
}

// Executor runs the jobs of an ACTIVITY type on a worker.
type Executor interface {
	Execute(ctx context.Context, env Env, job *jobflow.Job) (Outcome, error)
}

// ExecutorOf is the executor of type t, nil for a CONTROL or unknown type.
func ExecutorOf(t jobflow.JobType) Executor {
	e, _ := jobflow.LookupJobType(t).(Executor)
	return e
}

// Env is what an executor may use of the worker running it.
type Env interface {
	// Resolve replaces the variables in text (docs/run-semantics.md); an
	// unknown one is a config error naming field.
	Resolve(field, text string) (string, error)
	// Logf appends a line to the node log; Log appends raw output.
	Logf(format string, args ...any)
	Log(p []byte)
	// RunScript runs a script in the job sandbox (docs/security.md) and
	// returns its exit code and the outputs it set.
	RunScript(ctx context.Context, s Script) (Outcome, error)
	// OpenSQL finds a datasource of the job's tenant and its pool, whose
	// connections go through the tenant's egress policy.
	OpenSQL(ctx context.Context, datasourceID string) (*SQLSource, error)
	// HTTPClient is the job tenant's egress-checked client; call
	// closeIdle when done.
	HTTPClient() (c *http.Client, closeIdle func())
}

// Script is a script job for Env.RunScript.
type Script struct {
	File   string            // its file name in the working directory
	Argv   []string          // argv[0] is looked up in the job user's PATH
	Text   string            // variables resolved
	Env    map[string]string // the job's own env, variables not yet resolved
	Limits *jobflow.JobLimits
}

// SQLSource is a datasource Env.OpenSQL found.
type SQLSource struct {
	Datasource jobflow.Datasource
	// Connect opens a fresh connection, which close does not pool; a
	// cancelled ctx cancels its running statement on the server.
	Connect func(ctx context.Context) (conn *sql.Conn, close func(), err error)
}

// Outcome is what an executor returns: a result, and on failure perhaps an
// exit code or partial result worth keeping on the node run too.
type Outcome struct {
	ExitCode *int
	Result   json.RawMessage
	Outputs  map[string]string // docs/run-semantics.md
}

// JobError is a failure an executor reports: the message shown on the node
// run, and whether retrying could help.
type JobError struct {
	Msg    string
	Config bool // the job cannot run as configured: never retried
}

func (e *JobError) Error() string { return e.Msg }

// Failf is a job failure its retry policy may retry.
func Failf(format string, args ...any) error {
	return &JobError{Msg: fmt.Sprintf(format, args...)}
}

// ConfigErrorf is a failure of a job that cannot run as configured.
func ConfigErrorf(format string, args ...any) error {
	return &JobError{Msg: fmt.Sprintf(format, args...), Config: true}
}

// decodeStored reads a normalized config stored with a job.
func decodeStored(job *jobflow.Job, v any) error {
	if err := json.Unmarshal(job.Config, v); err != nil {
		return ConfigErrorf("config of %s job: %v", job.Type, err)
	}
	return nil
}

// Info is a job type as the API lists it (GET /api/v1/job-types): the
// console's forms start from Defaults.
type Info struct {
	Type     jobflow.JobType    `json:"type"`
	Kind     jobflow.JobKind    `json:"kind"`
	Schema   map[string]any     `json:"schema"`
	Defaults any                `json:"defaults"`
	Outputs  jobflow.JobOutputs `json:"outputs"`
}

// Infos lists the registered types in the order of All.
func Infos() []Info {
	defs := jobflow.JobTypes()
	out := make([]Info, 0, len(defs))
	for _, d := range defs {
		out = append(out, Info{Type: d.Type(), Kind: d.Kind(), Schema: d.Schema(), Defaults: d.Defaults(), Outputs: d.Outputs()})
	}
	return out
}
