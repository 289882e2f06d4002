// Package document holds what the workflow lifecycle (docs/lifecycle.md) shares
// between the API and the jobflow command: the structured diff of two
// states of a workflow (versions, the draft, an import), and the
// apiVersion jobflow/v1 documents that export, import and `jobflow apply`
// read and write. It depends on the domain package only.
package document

import (
	"bytes"
	"encoding/json"
	"regexp"
	"slices"
	"sort"
	"strconv"

	"jobflow"
)

// Side is one state of a workflow: the jobs (those on the canvas for a
// version or the draft), the canvas and the config.
type Side struct {
	Jobs   []jobflow.Job
	Canvas jobflow.Canvas
	Config jobflow.WorkflowConfig
}

// Change is one changed field: its dotted path and the old and new values
// (either absent when the field was added or removed). Secret-bearing
// fields show "******".
type Change struct {
	Path string `json:"path"`
	Old  any    `json:"old"`
	New  any    `json:"new"`
}

// JobRef names a job of one side.
type JobRef struct {
	ID   string          `json:"id,omitempty"`
	Name string          `json:"name"`
	Type jobflow.JobType `json:"type"`
}

// JobChange is a job present on both sides with what changed in it.
type JobChange struct {
	JobRef
	Changes []Change `json:"changes"`
}

// EdgeRef is an edge by its jobs' names.
type EdgeRef struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// Diff is the structured difference between two sides.
type Diff struct {
	From      string `json:"from"`
	To        string `json:"to"`
	Identical bool   `json:"identical"`
	Jobs      struct {
		Added   []JobRef    `json:"added"`
		Removed []JobRef    `json:"removed"`
		Changed []JobChange `json:"changed"`
	} `json:"jobs"`
	Edges struct {
		Added   []EdgeRef `json:"added"`
		Removed []EdgeRef `json:"removed"`
	} `json:"edges"`
	Config []Change `json:"config"`
}

// Key says how jobs of the two sides are matched.
type Key func(j *jobflow.Job) string

// Matching keys: ByID for two states of one workflow (a renamed job is a
// change), ByName across installations (ids differ there).
var (
	ByID   Key = func(j *jobflow.Job) string { return j.ID }
	ByName Key = func(j *jobflow.Job) string { return j.Name }
)

// Redacted replaces the value of a secret-bearing field.
const Redacted = "******"

// secretRE matches the names of fields whose values are secrets: HTTP
// headers such as Authorization, env variables and params such as
// DB_PASSWORD or API_TOKEN.
var secretRE = regexp.MustCompile(`(?i)(password|passwd|secret|token|authorization|cookie|api[-_]?key|access[-_]?key|private[-_]?key|credential)`)

// jobFields is what is compared of a job: everything a user sets.
type jobFields struct {
	Name           string              `json:"name"`
	Type           jobflow.JobType     `json:"type"`
	Config         json.RawMessage     `json:"config"`
	TimeoutSeconds int                 `json:"timeoutSeconds"`
	TimeoutAction  string              `json:"timeoutAction,omitempty"` // "" for FAIL
	Retry          jobflow.RetryPolicy `json:"retry"`
	WorkerGroup    string              `json:"workerGroup"`
	Pool           string              `json:"pool,omitempty"`
	PoolSlots      int                 `json:"poolSlots,omitempty"`
	Priority       int                 `json:"priority,omitempty"`
	Cron           string              `json:"cron"`
	Remark         string              `json:"remark"`
	Position       *position           `json:"position"`
}

// position is the job's canvas node: where, and its trigger rule.
type position struct {
	X            float64             `json:"x"`
	Y            float64             `json:"y"`
	Trigger      jobflow.TriggerRule `json:"trigger,omitempty"`
	AllowFailure bool                `json:"allowFailure,omitempty"`
	Disabled     bool                `json:"disabled,omitempty"`
}

// Compare returns the diff from a to b, matching jobs by key.
func Compare(fromLabel string, a Side, toLabel string, b Side, key Key) *Diff {
	d := &Diff{From: fromLabel, To: toLabel}
	d.Jobs.Added, d.Jobs.Removed, d.Jobs.Changed = []JobRef{}, []JobRef{}, []JobChange{}
	d.Edges.Added, d.Edges.Removed = []EdgeRef{}, []EdgeRef{}
	aJobs, aNames := index(a, key)
	bJobs, bNames := index(b, key)
	for _, k := range sortedKeys(aJobs) {
		ja := aJobs[k]
		jb, ok := bJobs[k]
		if !ok {
			d.Jobs.Removed = append(d.Jobs.Removed, ref(ja.job))
			continue
		}
		if ch := changes("", generic(ja.fields), generic(jb.fields)); len(ch) > 0 {
			d.Jobs.Changed = append(d.Jobs.Changed, JobChange{JobRef: ref(jb.job), Changes: ch})
		}
	}
	for _, k := range sortedKeys(bJobs) {
		if _, ok := aJobs[k]; !ok {
			d.Jobs.Added = append(d.Jobs.Added, ref(bJobs[k].job))
		}
	}
	aEdges, bEdges := edges(a, key, aNames), edges(b, key, bNames)
	for e, r := range aEdges {
		if _, ok := bEdges[e]; !ok {
			d.Edges.Removed = append(d.Edges.Removed, r)
		}
	}
	for e, r := range bEdges {
		if _, ok := aEdges[e]; !ok {
			d.Edges.Added = append(d.Edges.Added, r)
		}
	}
	sortEdges(d.Edges.Added)
	sortEdges(d.Edges.Removed)
	ca, cb := a.Config, b.Config
	ca.Normalize()
	cb.Normalize()
	d.Config = changes("", generic(ca), generic(cb))
	if d.Config == nil {
		d.Config = []Change{}
	}
	d.Identical = len(d.Jobs.Added)+len(d.Jobs.Removed)+len(d.Jobs.Changed)+
		len(d.Edges.Added)+len(d.Edges.Removed)+len(d.Config) == 0
	return d
}

type keyedJob struct {
	job    *jobflow.Job
	fields jobFields
}

func index(s Side, key Key) (map[string]keyedJob, map[string]string) {
	pos := make(map[string]position, len(s.Canvas.Nodes))
	for _, n := range s.Canvas.Nodes {
		pos[n.JobID] = position{X: n.X, Y: n.Y, Trigger: n.Trigger, AllowFailure: n.AllowFailure, Disabled: n.Disabled}
	}
	out := make(map[string]keyedJob, len(s.Jobs))
	keyOfID := make(map[string]string, len(s.Jobs))
	for i := range s.Jobs {
		j := &s.Jobs[i]
		f := jobFields{Name: j.Name, Type: j.Type, Config: j.Config, TimeoutSeconds: j.TimeoutSeconds,
			Retry: j.Retry, WorkerGroup: j.WorkerGroup, Cron: j.Cron, Remark: j.Remark, Pool: j.Pool, PoolSlots: j.PoolSlots, Priority: j.Priority}
		if j.TimeoutAction != jobflow.TimeoutFail {
			f.TimeoutAction = j.TimeoutAction // versions saved before the field have ""
		}
		if p, ok := pos[j.ID]; ok {
			f.Position = &p
		}
		out[key(j)] = keyedJob{job: j, fields: f}
		keyOfID[j.ID] = key(j)
	}
	return out, keyOfID
}

func ref(j *jobflow.Job) JobRef { return JobRef{ID: j.ID, Name: j.Name, Type: j.Type} }

// edges maps each edge, by its jobs' keys, to its names.
func edges(s Side, key Key, keyOfID map[string]string) map[[2]string]EdgeRef {
	name := make(map[string]string, len(s.Jobs))
	for i := range s.Jobs {
		name[s.Jobs[i].ID] = s.Jobs[i].Name
	}
	out := make(map[[2]string]EdgeRef, len(s.Canvas.Edges))
	for _, e := range s.Canvas.Edges {
		out[[2]string{keyOfID[e.From], keyOfID[e.To]}] = EdgeRef{From: name[e.From], To: name[e.To]}
	}
	return out
}

func sortEdges(es []EdgeRef) {
	sort.Slice(es, func(i, j int) bool {
		if es[i].From != es[j].From {
			return es[i].From < es[j].From
		}
		return es[i].To < es[j].To
	})
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

// generic turns v into JSON's generic form (maps, slices, float64, …).
func generic(v any) any {
	b, _ := json.Marshal(v)
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var out any
	_ = d.Decode(&out)
	return out
}

// changes lists the leaf differences between a and b under path. Objects
// are compared key by key, arrays of equal length index by index; any
// other difference is one change of the whole value.
func changes(path string, a, b any) []Change {
	am, aok := a.(map[string]any)
	bm, bok := b.(map[string]any)
	if aok && bok {
		keys := map[string]bool{}
		for k := range am {
			keys[k] = true
		}
		for k := range bm {
			keys[k] = true
		}
		var out []Change
		for _, k := range sortedKeys(keys) {
			out = append(out, changes(join(path, k), am[k], bm[k])...)
		}
		return out
	}
	as, aok := a.([]any)
	bs, bok := b.([]any)
	if aok && bok && len(as) == len(bs) {
		var out []Change
		for i := range as {
			out = append(out, changes(join(path, strconv.Itoa(i)), as[i], bs[i])...)
		}
		return out
	}
	if equal(a, b) {
		return nil
	}
	c := Change{Path: path, Old: a, New: b}
	if secretRE.MatchString(path) {
		if a != nil {
			c.Old = Redacted
		}
		if b != nil {
			c.New = Redacted
		}
	}
	return []Change{c}
}

func equal(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return bytes.Equal(x, y)
}

func join(path, k string) string {
	if path == "" {
		return k
	}
	return path + "." + k
}
