package jobtypes

import (
	"context"
	"encoding/json"
	"regexp"
	"strings"

	"jobflow"
)

// ShellConfig is the config of SHELL and PYTHON jobs.
type ShellConfig struct {
	Script string            `json:"script"`
	Env    map[string]string `json:"env,omitempty"`
	// Limits lower the tenant's jobLimits for this job (docs/security.md);
	// a value above the tenant's fails the job.
	Limits *jobflow.JobLimits `json:"limits,omitempty"`
}

var envNameRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// shellType is SHELL (bash) or PYTHON (python3): the same config, another
// interpreter.
type shellType struct{ t jobflow.JobType }

func (s shellType) Type() jobflow.JobType { return s.t }
func (shellType) Kind() jobflow.JobKind   { return jobflow.KindActivity }
func (shellType) Defaults() any           { return ShellConfig{} }

// Outputs: a script sets its own, by ${setValue(name=value)} lines or the
// $JOBFLOW_OUTPUT file (docs/run-semantics.md).
func (shellType) Outputs() jobflow.JobOutputs {
	return jobflow.JobOutputs{Names: []string{}, Free: true}
}

func (s shellType) Schema() map[string]any {
	return object(map[string]any{
		"script": map[string]any{"type": "string", "description": "the " + strings.ToLower(string(s.t)) + " script; variables are resolved at node start", "maxLength": jobflow.MaxScriptBytes},
		"env":    stringMap("environment variables of the job (names: letters, digits and '_')"),
		"limits": map[string]any{"type": "object", "description": "lowers the tenant's job limits for this job"},
	}, "script")
}

func (shellType) Normalize(raw json.RawMessage) (any, error) {
	var c ShellConfig
	if err := jobflow.StrictUnmarshal(raw, &c); err != nil {
		return nil, err
	}
	if strings.TrimSpace(c.Script) == "" {
		return nil, jobflow.InvalidField("config.script", "config.script is required")
	}
	if len(c.Script) > jobflow.MaxScriptBytes {
		return nil, jobflow.InvalidField("config.script", "config.script must be at most %d bytes", jobflow.MaxScriptBytes)
	}
	for k := range c.Env {
		if !envNameRE.MatchString(k) {
			return nil, jobflow.InvalidField("config.env", "config.env: %q is not a valid variable name", k)
		}
	}
	if c.Limits != nil {
		if err := c.Limits.ValidateAs("config.limits"); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// Execute writes the script to job.sh (run by bash) or job.py (run by
// python3 -u, unbuffered so that the log follows the job) and runs it in
// the sandbox.
func (s shellType) Execute(ctx context.Context, env Env, job *jobflow.Job) (Outcome, error) {
	var cfg ShellConfig
	if err := decodeStored(job, &cfg); err != nil {
		return Outcome{}, err
	}
	text, err := env.Resolve("script", cfg.Script)
	if err != nil {
		return Outcome{}, err
	}
	sc := Script{File: "job.sh", Argv: []string{"bash", "job.sh"}, Text: text, Env: cfg.Env, Limits: cfg.Limits}
	if s.t == jobflow.JobPython {
		sc.File, sc.Argv = "job.py", []string{"python3", "-u", "job.py"}
	}
	return env.RunScript(ctx, sc)
}
