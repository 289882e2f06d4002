package document

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"sort"

	yamlv3 "gopkg.in/yaml.v3"
	"sigs.k8s.io/yaml"

	"jobflow"
	_ "jobflow/jobtypes" // job types, for Job.Normalize
)

// The jobflow/v1 Workflow document: everything of a workflow's draft that
// a user sets, with every reference by name (datasources, alarm channels,
// SUBFLOW targets) and never an id or a secret, so it moves between
// installations and lives in Git.
//
//	apiVersion: jobflow/v1
//	kind: Workflow
//	metadata: {name: daily-report, remark: nightly numbers}
//	spec:
//	  config: {schedule: {...}, alarms: [{events, channels: [ops-webhook]}], ...}
//	  jobs:
//	  - {name: extract, type: SHELL, config: {script: ...}, position: {x: 0, y: 0}}
//	  - {name: load, type: SQL, config: {datasource: warehouse, sql: ...}}
//	  edges: [{from: extract, to: load}]
//
// A job without position is not on the canvas.

// APIVersion and Kind of a workflow document.
const (
	APIVersion = "jobflow/v1"
	Kind       = "Workflow"
)

// Document is one workflow.
type Document struct {
	APIVersion string   `json:"apiVersion"`
	Kind       string   `json:"kind"`
	Metadata   Metadata `json:"metadata"`
	Spec       Spec     `json:"spec"`
}

// Metadata names the workflow.
type Metadata struct {
	Name   string `json:"name"`
	Remark string `json:"remark,omitempty"`
}

// Spec is the workflow's draft.
type Spec struct {
	Config Config `json:"config"`
	Jobs   []Job  `json:"jobs"`
	Edges  []Edge `json:"edges"`
}

// Config is WorkflowConfig with alarm channels by name.
type Config struct {
	Schedule        jobflow.Schedule        `json:"schedule"`
	Alarms          []Alarm                 `json:"alarms"`
	Invoke          jobflow.InvokeSetting   `json:"invoke"`
	FailureStrategy jobflow.FailureStrategy `json:"failureStrategy"`
	MaxParallelism  int                     `json:"maxParallelism"`
	Params          map[string]string       `json:"params"`
}

// Alarm is an alarm rule with its channels by name.
type Alarm struct {
	Events   []jobflow.AlarmEvent `json:"events"`
	Channels []string             `json:"channels"`
	Template string               `json:"template,omitempty"`
}

// Job is a job with its references by name.
type Job struct {
	Name           string               `json:"name"`
	Type           jobflow.JobType      `json:"type"`
	Config         map[string]any       `json:"config"`
	TimeoutSeconds int                  `json:"timeoutSeconds,omitempty"`
	TimeoutAction  string               `json:"timeoutAction,omitempty"` // omitted for FAIL
	Retry          *jobflow.RetryPolicy `json:"retry,omitempty"`
	WorkerGroup    string               `json:"workerGroup,omitempty"`
	Pool           string               `json:"pool,omitempty"` // by name: the importing tenant's pool of that name
	PoolSlots      int                  `json:"poolSlots,omitempty"`
	Priority       int                  `json:"priority,omitempty"`
	Cron           string               `json:"cron,omitempty"`
	Remark         string               `json:"remark,omitempty"`
	Position       *Position            `json:"position,omitempty"`
	// Trigger, AllowFailure and Disabled are the job's canvas node's
	// (docs/run-semantics.md#trigger-rules, #disabled-nodes).
	Trigger      jobflow.TriggerRule `json:"trigger,omitempty"`
	AllowFailure bool                `json:"allowFailure,omitempty"`
	Disabled     bool                `json:"disabled,omitempty"`
}

// Position of a job on the canvas.
type Position struct {
	X float64 `json:"x"`
	Y float64 `json:"y"`
}

// Edge joins two jobs by name.
type Edge struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// Names translates between ids and names of a tenant's objects. The id
// maps are for export, the name maps for import.
type Names struct {
	Datasources, Channels, Workflows map[string]string // id -> name
}

// invert maps name -> id.
func invert(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for id, name := range m {
		out[name] = id
	}
	return out
}

// Reference fields of job configs: the id field and the name field that
// replaces it in a document.
var refFields = []struct{ id, name, kind string }{
	{"datasourceId", "datasource", "datasource"},
	{"workflowId", "workflow", "workflow"}, // SUBFLOW, DEPENDENT targets
}

// placeholderRE: a value that only refers to something (${params.X},
// ${{ secret.X }}) is not itself a secret.
var placeholderRE = regexp.MustCompile(`^\s*(\$\{.*\}|\$\{\{.*\}\})\s*$`)

// redactSecrets replaces literal values of secret-bearing keys in headers
// and env maps (e.g. Authorization, API_TOKEN) with Redacted. It reports
// whether it replaced any.
func redactSecrets(cfg map[string]any) bool {
	replaced := false
	for _, k := range []string{"headers", "env"} {
		m, ok := cfg[k].(map[string]any)
		if !ok {
			continue
		}
		for name, v := range m {
			if s, ok := v.(string); ok && secretRE.MatchString(name) && !placeholderRE.MatchString(s) && s != "" {
				m[name] = Redacted
				replaced = true
			}
		}
	}
	return replaced
}

// FromWorkflow writes a workflow's draft as a document. Jobs on the
// canvas come first, in canvas order, then the others by name, so the
// document does not depend on ids or creation order.
func FromWorkflow(w *jobflow.Workflow, names Names) (*Document, error) {
	d := &Document{APIVersion: APIVersion, Kind: Kind, Metadata: Metadata{Name: w.Name, Remark: w.Remark}}
	cfg := w.Config
	cfg.Normalize()
	d.Spec.Config = Config{Schedule: cfg.Schedule, Invoke: cfg.Invoke, FailureStrategy: cfg.FailureStrategy,
		MaxParallelism: cfg.MaxParallelism, Params: cfg.Params, Alarms: []Alarm{}}
	for _, a := range cfg.Alarms {
		al := Alarm{Events: a.Events, Template: a.Template, Channels: []string{}}
		for _, id := range a.ChannelIDs {
			n, ok := names.Channels[id]
			if !ok {
				return nil, fmt.Errorf("alarm channel %s of the config no longer exists", id)
			}
			al.Channels = append(al.Channels, n)
		}
		d.Spec.Config.Alarms = append(d.Spec.Config.Alarms, al)
	}
	byID := make(map[string]*jobflow.Job, len(w.Jobs))
	for _, j := range w.Jobs {
		byID[j.ID] = j
	}
	var ordered []*jobflow.Job
	pos := map[string]*Position{}
	nodeOf := map[string]jobflow.CanvasNode{}
	for _, n := range w.Canvas.Nodes {
		if j := byID[n.JobID]; j != nil {
			ordered = append(ordered, j)
			pos[j.ID] = &Position{X: n.X, Y: n.Y}
			nodeOf[j.ID] = n
		}
	}
	var off []*jobflow.Job
	for _, j := range w.Jobs {
		if pos[j.ID] == nil {
			off = append(off, j)
		}
	}
	sort.Slice(off, func(a, b int) bool { return off[a].Name < off[b].Name })
	d.Spec.Jobs = []Job{}
	for _, j := range append(ordered, off...) {
		dj, err := exportJob(j, names)
		if err != nil {
			return nil, err
		}
		dj.Position = pos[j.ID]
		dj.Trigger, dj.AllowFailure, dj.Disabled = nodeOf[j.ID].Trigger, nodeOf[j.ID].AllowFailure, nodeOf[j.ID].Disabled
		if dj.Config, err = renameBranches(j.Type, dj.Config, func(id string) (string, bool) {
			t := byID[id]
			if t == nil {
				return "", false
			}
			return t.Name, true
		}); err != nil {
			return nil, fmt.Errorf("job %q: %w", j.Name, err)
		}
		d.Spec.Jobs = append(d.Spec.Jobs, dj)
	}
	d.Spec.Edges = []Edge{}
	for _, e := range w.Canvas.Edges {
		if byID[e.From] == nil || byID[e.To] == nil {
			continue
		}
		d.Spec.Edges = append(d.Spec.Edges, Edge{From: byID[e.From].Name, To: byID[e.To].Name})
	}
	return d, nil
}

func exportJob(j *jobflow.Job, names Names) (Job, error) {
	dj := Job{Name: j.Name, Type: j.Type, TimeoutSeconds: j.TimeoutSeconds, WorkerGroup: j.WorkerGroup, Cron: j.Cron, Remark: j.Remark,
		Pool: j.Pool, PoolSlots: j.PoolSlots, Priority: j.Priority, TimeoutAction: j.TimeoutAction}
	if dj.TimeoutAction == jobflow.TimeoutFail {
		dj.TimeoutAction = ""
	}
	if r := j.Retry; r != (jobflow.RetryPolicy{MaxAttempts: 1, Backoff: 1}) && r != (jobflow.RetryPolicy{}) {
		dj.Retry = &r
	}
	dj.Config = map[string]any{}
	if len(j.Config) > 0 {
		if err := json.Unmarshal(j.Config, &dj.Config); err != nil {
			return Job{}, fmt.Errorf("job %q: config: %w", j.Name, err)
		}
	}
	for _, f := range refFields {
		id, ok := dj.Config[f.id].(string)
		if !ok {
			continue
		}
		delete(dj.Config, f.id)
		if id == "" {
			continue
		}
		m := names.Datasources
		if f.kind == "workflow" {
			m = names.Workflows
		}
		n, found := m[id]
		if !found {
			return Job{}, fmt.Errorf("job %q: its %s %s no longer exists", j.Name, f.kind, id)
		}
		dj.Config[f.name] = n
	}
	redactSecrets(dj.Config)
	return dj, nil
}

// Mapping renames references of a document on import (a datasource called
// "pg-test" here is "pg-prod" there).
type Mapping struct {
	Datasources map[string]string `json:"datasources"`
	Channels    map[string]string `json:"alarmChannels"`
	Workflows   map[string]string `json:"workflows"`
}

// Problem is something an import cannot do, with where it is.
type Problem struct {
	Workflow string `json:"workflow"`
	Path     string `json:"path"`
	Message  string `json:"message"`
}

func (p Problem) String() string {
	return fmt.Sprintf("%s: %s: %s", p.Workflow, p.Path, p.Message)
}

// Draft is a document resolved against a tenant: the jobs (no ids yet),
// the canvas by job name and the config, ready to be written as a draft.
type Draft struct {
	Name, Remark string
	Jobs         []*jobflow.Job
	Nodes        []NamedNode
	Edges        []Edge
	Config       jobflow.WorkflowConfig
}

// NamedNode is a canvas node by job name.
type NamedNode struct {
	Job          string
	X, Y         float64
	Trigger      jobflow.TriggerRule
	AllowFailure bool
	Disabled     bool
}

// Resolve checks a document and resolves its names in a tenant whose
// objects are names (id -> name), after renaming by m. Every problem is
// reported, not only the first.
func (d *Document) Resolve(names Names, m Mapping) (*Draft, []Problem) {
	wf := d.Metadata.Name
	var probs []Problem
	bad := func(path, format string, args ...any) {
		probs = append(probs, Problem{Workflow: wf, Path: path, Message: fmt.Sprintf(format, args...)})
	}
	if d.APIVersion != APIVersion || d.Kind != Kind {
		bad("apiVersion", "want apiVersion %s and kind %s, got %q and %q", APIVersion, Kind, d.APIVersion, d.Kind)
		return nil, probs
	}
	if err := jobflow.ValidateName("metadata.name", wf); err != nil {
		bad("metadata.name", "%s", jobflow.ErrorMessage(err))
	}
	if err := jobflow.ValidateRemark(d.Metadata.Remark); err != nil {
		bad("metadata.remark", "%s", jobflow.ErrorMessage(err))
	}
	ds, chs, wfs := invert(names.Datasources), invert(names.Channels), invert(names.Workflows)
	lookup := func(kind string, idx map[string]string, ren map[string]string, name, path string) string {
		if to, ok := ren[name]; ok {
			name = to
		}
		id, ok := idx[name]
		if !ok {
			bad(path, "no %s named %q in this tenant (map it with map.%s)", kind, name, map[string]string{
				"datasource": "datasources", "alarm channel": "alarmChannels", "workflow": "workflows"}[kind])
			return "unresolved:" + name // reported above; keeps later checks from repeating it
		}
		return id
	}
	out := &Draft{Name: wf, Remark: d.Metadata.Remark}
	c := d.Spec.Config
	out.Config = jobflow.WorkflowConfig{Schedule: c.Schedule, Invoke: c.Invoke, FailureStrategy: c.FailureStrategy,
		MaxParallelism: c.MaxParallelism, Params: c.Params}
	for i, a := range c.Alarms {
		rule := jobflow.AlarmRule{Events: a.Events, Template: a.Template, ChannelIDs: []string{}}
		for k, n := range a.Channels {
			rule.ChannelIDs = append(rule.ChannelIDs, lookup("alarm channel", chs, m.Channels, n, fmt.Sprintf("spec.config.alarms.%d.channels.%d", i, k)))
		}
		out.Config.Alarms = append(out.Config.Alarms, rule)
	}
	out.Config.Normalize()
	if err := out.Config.Validate(); err != nil {
		bad("spec.config", "%s", jobflow.ErrorMessage(err))
	}
	seen := map[string]bool{}
	for i, dj := range d.Spec.Jobs {
		path := fmt.Sprintf("spec.jobs.%d", i)
		if seen[dj.Name] {
			bad(path+".name", "job name %q appears twice", dj.Name)
		}
		seen[dj.Name] = true
		cfg := map[string]any{}
		for k, v := range dj.Config {
			cfg[k] = v
		}
		for _, f := range refFields {
			// A raw id instead of a name must still be the tenant's: the
			// names maps hold only the tenant's objects.
			if rawID, has := cfg[f.id]; has {
				id, _ := rawID.(string)
				idx := names.Datasources
				if f.kind == "workflow" {
					idx = names.Workflows
				}
				if _, ours := idx[id]; !ours {
					bad(path+".config."+f.id, "no %s %q in this tenant (a document names it: config.%s)", f.kind, id, f.name)
				}
			}
			n, ok := cfg[f.name].(string)
			if !ok {
				continue
			}
			delete(cfg, f.name)
			idx, ren, kind := ds, m.Datasources, "datasource"
			if f.kind == "workflow" {
				idx, ren, kind = wfs, m.Workflows, "workflow"
			}
			cfg[f.id] = lookup(kind, idx, ren, n, path+".config."+f.name)
		}
		raw, _ := json.Marshal(cfg)
		j := &jobflow.Job{Name: dj.Name, Type: dj.Type, Config: raw, TimeoutSeconds: dj.TimeoutSeconds,
			WorkerGroup: dj.WorkerGroup, Cron: dj.Cron, Remark: dj.Remark, Pool: dj.Pool, PoolSlots: dj.PoolSlots, Priority: dj.Priority,
			TimeoutAction: dj.TimeoutAction}
		if dj.Retry != nil {
			j.Retry = *dj.Retry
		}
		if err := j.Normalize(); err != nil {
			bad(path, "job %q: %s", dj.Name, jobflow.ErrorMessage(err))
		}
		out.Jobs = append(out.Jobs, j)
		if dj.Position != nil {
			out.Nodes = append(out.Nodes, NamedNode{Job: dj.Name, X: dj.Position.X, Y: dj.Position.Y, Trigger: dj.Trigger, AllowFailure: dj.AllowFailure, Disabled: dj.Disabled})
		}
	}
	placed := map[string]bool{}
	for _, n := range out.Nodes {
		placed[n.Job] = true
	}
	for i, e := range d.Spec.Edges {
		if !placed[e.From] || !placed[e.To] {
			bad(fmt.Sprintf("spec.edges.%d", i), "edge %s -> %s joins a job that is not in the document or has no position", e.From, e.To)
		}
	}
	out.Edges = d.Spec.Edges
	if len(probs) == 0 {
		// The canvas rules (cycles, duplicates, self-loops) by name.
		var c jobflow.Canvas
		names := make([]string, 0, len(out.Jobs))
		for _, j := range out.Jobs {
			names = append(names, j.Name)
		}
		for _, n := range out.Nodes {
			c.Nodes = append(c.Nodes, jobflow.CanvasNode{JobID: n.Job, Trigger: n.Trigger})
		}
		for _, e := range out.Edges {
			c.Edges = append(c.Edges, jobflow.Edge{From: e.From, To: e.To})
		}
		if err := c.Validate(names); err != nil {
			bad("spec.edges", "%s", jobflow.ErrorMessage(err))
		}
	}
	return out, probs
}

// Canvas is the draft's canvas once its jobs have ids.
func (d *Draft) Canvas(idOf map[string]string) jobflow.Canvas {
	c := jobflow.Canvas{Nodes: []jobflow.CanvasNode{}, Edges: []jobflow.Edge{}}
	for _, n := range d.Nodes {
		c.Nodes = append(c.Nodes, jobflow.CanvasNode{JobID: idOf[n.Job], X: n.X, Y: n.Y, Trigger: n.Trigger, AllowFailure: n.AllowFailure, Disabled: n.Disabled})
	}
	for _, e := range d.Edges {
		c.Edges = append(c.Edges, jobflow.Edge{From: idOf[e.From], To: idOf[e.To]})
	}
	return c
}

// Parse reads one or more documents: JSON (an object or an array of
// objects) or YAML (documents separated by --- lines). Unknown fields are
// an error, so a typo does not pass silently.
func Parse(b []byte) ([]*Document, error) {
	trimmed := bytes.TrimSpace(b)
	if len(trimmed) == 0 {
		return nil, fmt.Errorf("the document is empty")
	}
	var parts [][]byte
	switch trimmed[0] {
	case '[':
		var raws []json.RawMessage
		if err := json.Unmarshal(trimmed, &raws); err != nil {
			return nil, fmt.Errorf("JSON: %w", err)
		}
		for _, r := range raws {
			parts = append(parts, r)
		}
	case '{':
		parts = [][]byte{trimmed}
	default:
		// YAML 1.2 (yaml.v3): y, n, on and off are strings, as a user who
		// writes position: {x: 0, y: 0} means.
		dec := yamlv3.NewDecoder(bytes.NewReader(b))
		for i := 1; ; i++ {
			var v any
			err := dec.Decode(&v)
			if errors.Is(err, io.EOF) {
				break
			} else if err != nil {
				return nil, fmt.Errorf("YAML document %d: %w", i, err)
			}
			if v == nil {
				continue // an empty document (a trailing ---, a comment)
			}
			j, err := json.Marshal(v)
			if err != nil {
				return nil, fmt.Errorf("YAML document %d: %w", i, err)
			}
			parts = append(parts, j)
		}
	}
	var out []*Document
	for i, p := range parts {
		dec := json.NewDecoder(bytes.NewReader(p))
		dec.DisallowUnknownFields()
		var d Document
		if err := dec.Decode(&d); err != nil {
			return nil, fmt.Errorf("document %d: %w", i+1, err)
		}
		out = append(out, &d)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no document found")
	}
	return out, nil
}

// YAML writes documents as one multi-document YAML stream.
func YAML(docs ...*Document) ([]byte, error) {
	var buf bytes.Buffer
	for i, d := range docs {
		b, err := yaml.Marshal(d)
		if err != nil {
			return nil, err
		}
		if i > 0 {
			buf.WriteString("---\n")
		}
		buf.Write(b)
	}
	return buf.Bytes(), nil
}
