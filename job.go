package jobflow

import (
	"encoding/json"
	"fmt"
	"net/url"
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
	Retry          RetryPolicy     `json:"retry"`
	WorkerGroup    string          `json:"workerGroup"` // "" is the default task queue
	Cron           string          `json:"cron"`        // discrete scheduling only
	Remark         string          `json:"remark"`
	CreatedAt      time.Time       `json:"createdAt"`
	UpdatedAt      time.Time       `json:"updatedAt"`
	CreatedBy      string          `json:"createdBy"`
}

// RetryPolicy of a job. Jobs are not assumed idempotent: one attempt by default.
type RetryPolicy struct {
	MaxAttempts     int     `json:"maxAttempts"`     // 1 = no retry
	IntervalSeconds int     `json:"intervalSeconds"` // before the second attempt
	Backoff         float64 `json:"backoff"`         // interval multiplier, >= 1
}

// ShellConfig is the config of SHELL and PYTHON jobs.
type ShellConfig struct {
	Script string            `json:"script"`
	Env    map[string]string `json:"env,omitempty"`
	// Limits lower the tenant's jobLimits for this job (docs/security.md);
	// a value above the tenant's fails the job.
	Limits *JobLimits `json:"limits,omitempty"`
}

// SQL modes.
const (
	SQLExecute = "EXECUTE"
	SQLQuery   = "QUERY"
)

// SQLConfig is the config of SQL jobs.
type SQLConfig struct {
	DatasourceID string `json:"datasourceId"`
	SQL          string `json:"sql"`
	Mode         string `json:"mode"` // EXECUTE (default) or QUERY
}

// HTTPConfig is the config of HTTP jobs.
type HTTPConfig struct {
	Method       string            `json:"method"`
	URL          string            `json:"url"`
	Headers      map[string]string `json:"headers,omitempty"`
	Body         string            `json:"body,omitempty"`
	SuccessCodes []int             `json:"successCodes,omitempty"` // default: any 2xx
}

// Limits on job fields.
const (
	MaxScriptBytes     = 256 << 10
	MaxTimeoutSeconds  = 7 * 24 * 3600
	MaxRetryAttempts   = 100
	MaxRetryInterval   = 24 * 3600
	MaxWorkerGroupName = 64
)

var workerGroupRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*$`)

// Normalize fills defaults (retry of one attempt, SQL mode, HTTP method) and
// validates the job, its type and its type's config. It rewrites Config in its
// canonical form so that stored configs hold only known fields.
func (j *Job) Normalize() error {
	if err := ValidateName("name", j.Name); err != nil {
		return err
	}
	if err := ValidateRemark(j.Remark); err != nil {
		return err
	}
	if j.TimeoutSeconds < 0 || j.TimeoutSeconds > MaxTimeoutSeconds {
		return invalidField("timeoutSeconds", "timeoutSeconds must be between 0 and %d", MaxTimeoutSeconds)
	}
	if j.Retry.MaxAttempts == 0 {
		j.Retry.MaxAttempts = 1
	}
	if j.Retry.Backoff == 0 {
		j.Retry.Backoff = 1
	}
	if j.Retry.MaxAttempts < 1 || j.Retry.MaxAttempts > MaxRetryAttempts {
		return invalidField("retry.maxAttempts", "retry.maxAttempts must be between 1 and %d", MaxRetryAttempts)
	}
	if j.Retry.IntervalSeconds < 0 || j.Retry.IntervalSeconds > MaxRetryInterval {
		return invalidField("retry.intervalSeconds", "retry.intervalSeconds must be between 0 and %d", MaxRetryInterval)
	}
	if j.Retry.Backoff < 1 || j.Retry.Backoff > 10 {
		return invalidField("retry.backoff", "retry.backoff must be between 1 and 10")
	}
	if j.WorkerGroup != "" && (len(j.WorkerGroup) > MaxWorkerGroupName || !workerGroupRE.MatchString(j.WorkerGroup)) {
		return invalidField("workerGroup", "workerGroup must be lower-case letters, digits, '-' or '_', at most %d characters", MaxWorkerGroupName)
	}
	if j.Cron != "" {
		if _, err := cron.Parse(j.Cron); err != nil {
			return invalidField("cron", "cron: %v", err)
		}
	}
	cfg, err := normalizeJobConfig(j.Type, j.Config)
	if err != nil {
		return err
	}
	if j.Type == JobSubflow && j.Retry.MaxAttempts > 1 {
		// A child run is not retried whole: its own jobs have retries,
		// and a rerun of the parent reruns the child's failed jobs.
		return invalidField("retry.maxAttempts", "retry.maxAttempts must be 1 for a SUBFLOW job (set retries on the child's jobs)")
	}
	j.Config = cfg
	return nil
}

func normalizeJobConfig(t JobType, raw json.RawMessage) (json.RawMessage, error) {
	if len(raw) == 0 || string(raw) == "null" {
		raw = json.RawMessage("{}")
	}
	var v any
	switch t {
	case JobShell, JobPython:
		var c ShellConfig
		if err := strictUnmarshal(raw, &c); err != nil {
			return nil, err
		}
		if strings.TrimSpace(c.Script) == "" {
			return nil, invalidField("config.script", "config.script is required")
		}
		if len(c.Script) > MaxScriptBytes {
			return nil, invalidField("config.script", "config.script must be at most %d bytes", MaxScriptBytes)
		}
		for k := range c.Env {
			if !envNameRE.MatchString(k) {
				return nil, invalidField("config.env", "config.env: %q is not a valid variable name", k)
			}
		}
		if c.Limits != nil {
			if err := c.Limits.ValidateAs("config.limits"); err != nil {
				return nil, err
			}
		}
		v = c
	case JobSQL:
		var c SQLConfig
		if err := strictUnmarshal(raw, &c); err != nil {
			return nil, err
		}
		if c.DatasourceID == "" {
			return nil, invalidField("config.datasourceId", "config.datasourceId is required")
		}
		if strings.TrimSpace(c.SQL) == "" {
			return nil, invalidField("config.sql", "config.sql is required")
		}
		if len(c.SQL) > MaxScriptBytes {
			return nil, invalidField("config.sql", "config.sql must be at most %d bytes", MaxScriptBytes)
		}
		if c.Mode == "" {
			c.Mode = SQLExecute
		}
		if c.Mode != SQLExecute && c.Mode != SQLQuery {
			return nil, invalidField("config.mode", "config.mode must be EXECUTE or QUERY")
		}
		v = c
	case JobHTTP:
		var c HTTPConfig
		if err := strictUnmarshal(raw, &c); err != nil {
			return nil, err
		}
		if c.Method == "" {
			c.Method = "GET"
		}
		c.Method = strings.ToUpper(c.Method)
		switch c.Method {
		case "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS":
		default:
			return nil, invalidField("config.method", "config.method %q is not supported", c.Method)
		}
		if err := validateJobURL(c.URL); err != nil {
			return nil, err
		}
		for _, code := range c.SuccessCodes {
			if code < 100 || code > 599 {
				return nil, invalidField("config.successCodes", "config.successCodes: %d is not an HTTP status", code)
			}
		}
		if len(c.Body) > MaxScriptBytes {
			return nil, invalidField("config.body", "config.body must be at most %d bytes", MaxScriptBytes)
		}
		v = c
	case JobCondition:
		c, err := normalizeCondition(raw)
		if err != nil {
			return nil, err
		}
		v = c
	case JobDependent:
		c, err := normalizeDependentConfig(raw)
		if err != nil {
			return nil, err
		}
		v = c
	case JobSubflow:
		c, err := normalizeSubflowConfig(raw)
		if err != nil {
			return nil, err
		}
		v = c
	default:
		return nil, invalidField("type", "type must be one of SHELL, PYTHON, SQL, HTTP, CONDITION, SUBFLOW, DEPENDENT")
	}
	out, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return out, nil
}

var envNameRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// validateJobURL accepts absolute http(s) URLs; variables like ${params.host}
// may stand in them and are resolved at node start.
func validateJobURL(raw string) error {
	if raw == "" {
		return invalidField("config.url", "config.url is required")
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		if strings.Contains(raw, "${") || strings.Contains(raw, "$[") {
			return nil
		}
		return invalidField("config.url", "config.url must be an absolute http or https URL")
	}
	return nil
}

// strictUnmarshal decodes a config and rejects unknown fields and wrong types
// with a message naming the field.
func strictUnmarshal(raw json.RawMessage, v any) error {
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return invalidField("config", "config: %s", describeJSONError(err))
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

func invalidField(field, format string, args ...any) *Error {
	return Errorf(EINVALID, format, args...).WithDetails(map[string]string{"field": field})
}

// JobUpdate is a partial update of a job; nil fields stay.
type JobUpdate struct {
	Name           *string          `json:"name"`
	Type           *JobType         `json:"type"`
	Config         *json.RawMessage `json:"config"`
	TimeoutSeconds *int             `json:"timeoutSeconds"`
	Retry          *RetryPolicy     `json:"retry"`
	WorkerGroup    *string          `json:"workerGroup"`
	Cron           *string          `json:"cron"`
	Remark         *string          `json:"remark"`
}

// Apply applies u to a copy of j and normalizes the result.
func (u JobUpdate) Apply(j Job) (*Job, error) {
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
	if u.Retry != nil {
		j.Retry = *u.Retry
	}
	if u.WorkerGroup != nil {
		j.WorkerGroup = *u.WorkerGroup
	}
	if u.Cron != nil {
		j.Cron = *u.Cron
	}
	if u.Remark != nil {
		j.Remark = *u.Remark
	}
	if err := j.Normalize(); err != nil {
		return nil, err
	}
	return &j, nil
}
