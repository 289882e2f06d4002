package jobflow

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"time"

	"jobflow/cron"
)

// JobType says which executor runs a job.
type JobType string

// Job types.
const (
	JobShell  JobType = "SHELL"
	JobPython JobType = "PYTHON"
	JobSQL    JobType = "SQL"
	JobHTTP   JobType = "HTTP"
)

// Job (作业) is one node of a workflow's DAG.
type Job struct {
	ID             string          `json:"id"`
	TenantID       string          `json:"tenantId"`
	WorkflowID     string          `json:"workflowId"`
	Name           string          `json:"name"`
	Type           JobType         `json:"type"`
	Config         json.RawMessage `json:"config"`
	TimeoutSeconds int             `json:"timeoutSeconds"` // 0: no timeout of its own
	// TimeoutAction is what the timeout does (docs/run-semantics.md#job-timeouts-and-a-runs-maximum-duration).
	TimeoutAction string      `json:"timeoutAction" enum:"FAIL,WARN,WARN_AND_FAIL" doc:"what timeoutSeconds does: FAIL (the default) stops the job and fails it, WARN sends the JOB_TIMEOUT alarm and lets it go on, WARN_AND_FAIL sends the alarm, then stops the job and fails it"`
	Retry         RetryPolicy `json:"retry"`
	WorkerGroup   string      `json:"workerGroup"` // "" is the default task queue
	// Pool names the tenant's pool whose PoolSlots slots the job holds while
	// it runs (docs/run-semantics.md#pools); "" is none.
	Pool      string `json:"pool" doc:"the tenant pool whose slots the job holds while it runs; empty for none"`
	PoolSlots int    `json:"poolSlots" doc:"slots of the pool it holds, 1 (the default) to the pool's size"`
	// Priority 1 (highest) to 5 orders a pool's waiters and is the job
	// activity's Temporal priority key; 0 reads as DefaultPriority.
	Priority  int       `json:"priority" doc:"1 (highest) to 5; orders the waiters of a pool and is the Temporal task-queue priority of the job; 0 is the default (3)"`
	Cron      string    `json:"cron"` // discrete scheduling only
	Remark    string    `json:"remark"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
	CreatedBy string    `json:"createdBy"`
}

// RetryPolicy of a job. Jobs are not assumed idempotent: one attempt by default.
type RetryPolicy struct {
	MaxAttempts     int     `json:"maxAttempts"`     // 1 = no retry
	IntervalSeconds int     `json:"intervalSeconds"` // before the second attempt
	Backoff         float64 `json:"backoff"`         // interval multiplier, >= 1
}

// Timeout actions (docs/run-semantics.md#job-timeouts-and-a-runs-maximum-duration).
const (
	TimeoutFail        = "FAIL"          // the job is stopped and fails (the default)
	TimeoutWarn        = "WARN"          // a JOB_TIMEOUT alarm; the job goes on
	TimeoutWarnAndFail = "WARN_AND_FAIL" // the alarm, then the job is stopped and fails
)

// Limits on job fields.
const (
	MaxScriptBytes     = 256 << 10
	MaxTimeoutSeconds  = 7 * 24 * 3600
	MaxRetryAttempts   = 100
	MaxRetryInterval   = 24 * 3600
	MaxWorkerGroupName = 64
)

var envNameRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

var workerGroupRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*$`)

// Normalize fills defaults (retry of one attempt, then the type's own) and
// validates the job, its type and its type's config (the type's Normalize,
// package jobtypes). It rewrites Config in its canonical form so that
// stored configs hold only known fields.
func (j *Job) Normalize() error {
	if err := ValidateName("name", j.Name); err != nil {
		return err
	}
	if err := ValidateRemark(j.Remark); err != nil {
		return err
	}
	if j.TimeoutSeconds < 0 || j.TimeoutSeconds > MaxTimeoutSeconds {
		return InvalidField("timeoutSeconds", "timeoutSeconds must be between 0 and %d", MaxTimeoutSeconds)
	}
	switch j.TimeoutAction {
	case "":
		j.TimeoutAction = TimeoutFail
	case TimeoutFail, TimeoutWarn, TimeoutWarnAndFail:
	default:
		return InvalidField("timeoutAction", "timeoutAction must be FAIL, WARN or WARN_AND_FAIL")
	}
	if j.TimeoutAction != TimeoutFail && j.TimeoutSeconds == 0 {
		return InvalidField("timeoutAction", "timeoutAction %s needs a timeoutSeconds", j.TimeoutAction)
	}
	if j.Retry.MaxAttempts == 0 {
		j.Retry.MaxAttempts = 1
	}
	if j.Retry.Backoff == 0 {
		j.Retry.Backoff = 1
	}
	if j.Retry.MaxAttempts < 1 || j.Retry.MaxAttempts > MaxRetryAttempts {
		return InvalidField("retry.maxAttempts", "retry.maxAttempts must be between 1 and %d", MaxRetryAttempts)
	}
	if j.Retry.IntervalSeconds < 0 || j.Retry.IntervalSeconds > MaxRetryInterval {
		return InvalidField("retry.intervalSeconds", "retry.intervalSeconds must be between 0 and %d", MaxRetryInterval)
	}
	if j.Retry.Backoff < 1 || j.Retry.Backoff > 10 {
		return InvalidField("retry.backoff", "retry.backoff must be between 1 and 10")
	}
	if j.WorkerGroup != "" && (len(j.WorkerGroup) > MaxWorkerGroupName || !workerGroupRE.MatchString(j.WorkerGroup)) {
		return InvalidField("workerGroup", "workerGroup must be lower-case letters, digits, '-' or '_', at most %d characters", MaxWorkerGroupName)
	}
	if err := j.normalizePool(); err != nil {
		return err
	}
	if j.Cron != "" {
		if _, err := cron.Parse(j.Cron); err != nil {
			return InvalidField("cron", "cron: %v", err)
		}
	}
	def := LookupJobType(j.Type)
	if def == nil {
		return unknownJobType()
	}
	raw := j.Config
	if len(raw) == 0 || string(raw) == "null" {
		raw = json.RawMessage("{}")
	}
	v, err := def.Normalize(raw)
	if err != nil {
		return err
	}
	// A type may check the job's own fields against its kind (SUBFLOW: no
	// retries).
	if c, ok := def.(interface{ CheckJob(*Job) error }); ok {
		if err := c.CheckJob(j); err != nil {
			return err
		}
	}
	cfg, err := json.Marshal(v)
	if err != nil {
		return err
	}
	j.Config = cfg
	return nil
}

// StrictUnmarshal decodes a config and rejects unknown fields and wrong types
// with a message naming the field.
func StrictUnmarshal(raw json.RawMessage, v any) error {
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return InvalidField("config", "config: %s", describeJSONError(err))
	}
	return nil
}

// describeJSONError turns a decoding error into a message without Go type names.
func describeJSONError(err error) string {
	switch e := err.(type) {
	case *json.UnmarshalTypeError:
		if e.Field != "" {
			return fmt.Sprintf("field %q must be %s", e.Field, jsonKind(e.Type.Kind().String()))
		}
		return fmt.Sprintf("must be %s", jsonKind(e.Type.Kind().String()))
	case *json.SyntaxError:
		return fmt.Sprintf("malformed JSON at byte %d", e.Offset)
	}
	msg := err.Error()
	if strings.HasPrefix(msg, "json: unknown field ") {
		return "unknown field " + strings.TrimPrefix(msg, "json: unknown field ")
	}
	return strings.TrimPrefix(msg, "json: ")
}

func jsonKind(k string) string {
	switch k {
	case "string":
		return "a string"
	case "int", "int64", "int32", "uint", "uint64", "float64", "float32":
		return "a number"
	case "bool":
		return "a boolean"
	case "slice", "array":
		return "an array"
	case "map", "struct", "ptr", "interface":
		return "an object"
	}
	return "of another type"
}

// DescribeJSONError is describeJSONError for the API's body decoding.
func DescribeJSONError(err error) string { return describeJSONError(err) }

// InvalidField is the EINVALID error of a job field, naming it in details.
func InvalidField(field, format string, args ...any) *Error {
	return Errorf(EINVALID, format, args...).WithDetails(map[string]string{"field": field})
}

// JobUpdate is a partial update of a job; nil fields stay.
type JobUpdate struct {
	Name           *string          `json:"name"`
	Type           *JobType         `json:"type"`
	Config         *json.RawMessage `json:"config"`
	TimeoutSeconds *int             `json:"timeoutSeconds"`
	TimeoutAction  *string          `json:"timeoutAction"`
	Retry          *RetryPolicy     `json:"retry"`
	WorkerGroup    *string          `json:"workerGroup"`
	Pool           *string          `json:"pool"`
	PoolSlots      *int             `json:"poolSlots"`
	Priority       *int             `json:"priority"`
	Cron           *string          `json:"cron"`
	Remark         *string          `json:"remark"`
}

// Apply applies u to a copy of j and normalizes the result.
func (u JobUpdate) Apply(j Job) (*Job, error) {
	out := u.Merge(j)
	if err := out.Normalize(); err != nil {
		return nil, err
	}
	return out, nil
}

// Merge applies u to a copy of j without checking anything: the handler
// of a new job builds it so, and the store normalizes and checks it once.
func (u JobUpdate) Merge(j Job) *Job {
	if u.Name != nil {
		j.Name = *u.Name
	}
	if u.Type != nil {
		j.Type = *u.Type
	}
	if u.Config != nil {
		j.Config = *u.Config
	}
	if u.TimeoutSeconds != nil {
		j.TimeoutSeconds = *u.TimeoutSeconds
	}
	if u.TimeoutAction != nil {
		j.TimeoutAction = *u.TimeoutAction
	}
	if u.Retry != nil {
		j.Retry = *u.Retry
	}
	if u.WorkerGroup != nil {
		j.WorkerGroup = *u.WorkerGroup
	}
	if u.Pool != nil {
		j.Pool = *u.Pool
	}
	if u.PoolSlots != nil {
		j.PoolSlots = *u.PoolSlots
	}
	if u.Priority != nil {
		j.Priority = *u.Priority
	}
	if u.Cron != nil {
		j.Cron = *u.Cron
	}
	if u.Remark != nil {
		j.Remark = *u.Remark
	}
	return &j
}
