package jobflow

import (
	"encoding/json"
	"slices"

	"jobflow/vars"
)

// MaxOutputBytes bounds a node run's outputs, as JSON: a job that sets more
// fails saying so (docs/run-semantics.md#outputs). They travel in activity results and in the
// run's workflow state, which Temporal limits to a few MiB.
const MaxOutputBytes = 64 << 10

// OutputsSize is the size of outputs as stored (JSON).
func OutputsSize(outputs map[string]string) int {
	if len(outputs) == 0 {
		return 0
	}
	b, _ := json.Marshal(outputs)
	return len(b)
}

// configTexts returns every string in a job's config (scripts, SQL, URLs,
// headers, bodies, env values), the texts that variables are resolved in.
func configTexts(config json.RawMessage) []string {
	var v any
	if json.Unmarshal(config, &v) != nil {
		return nil
	}
	var out []string
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case string:
			out = append(out, x)
		case []any:
			for _, e := range x {
				walk(e)
			}
		case map[string]any:
			for _, k := range sortedAnyKeys(x) {
				walk(x[k])
			}
		}
	}
	walk(v)
	return out
}

func sortedAnyKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// OutputRefs lists the references of job j to other jobs' outputs;
// isJob settles job names that hold dots.
func (j *Job) OutputRefs(isJob func(name string) bool) ([]vars.OutputRef, error) {
	var out []vars.OutputRef
	for _, t := range configTexts(j.Config) {
		refs, err := vars.Refs(t, isJob)
		if err != nil {
			return nil, err
		}
		out = append(out, refs...)
	}
	if r, ok := LookupJobType(j.Type).(OutputReader); ok {
		for _, name := range r.ReadsOutputsOf(j.Config) {
			out = append(out, vars.OutputRef{Text: "outputs." + name, Job: name})
		}
	}
	return out, nil
}

// ValidateRefs checks that every reference to another job's outputs names a
// job of the workflow and, for a job on the canvas, one of its ancestors
// there (docs/run-semantics.md#outputs: ancestors only). A job off the canvas may name any other
// job of the workflow; its ancestry is checked when it is placed.
func ValidateRefs(c Canvas, jobs []*Job) error {
	byName := make(map[string]*Job, len(jobs))
	byID := make(map[string]*Job, len(jobs))
	for _, j := range jobs {
		byName[j.Name] = j
		byID[j.ID] = j
	}
	isJob := func(n string) bool { return byName[n] != nil }
	parents := c.Parents()
	placed := make(map[string]bool, len(c.Nodes)) // not c.Has per job: 10,000 jobs
	for _, n := range c.Nodes {
		placed[n.JobID] = true
	}
	for _, j := range jobs {
		refs, err := j.OutputRefs(isJob)
		if err != nil {
			return Errorf(EINVALID, "job %q: %v", j.Name, err).WithDetails(map[string]string{"field": "config", "jobId": j.ID})
		}
		if len(refs) == 0 {
			continue
		}
		var anc map[string]bool
		if placed[j.ID] {
			anc = ancestors(parents, j.ID)
		}
		for _, r := range refs {
			target := byName[r.Job]
			if r.ByID {
				target = byID[r.Job]
			}
			details := map[string]string{"field": "config", "jobId": j.ID, "ref": r.Text}
			switch {
			case target == nil:
				return Errorf(EINVALID, "job %q: %s names job %q, which is not a job of this workflow", j.Name, r.Text, r.Job).WithDetails(details)
			case target.ID == j.ID:
				return Errorf(EINVALID, "job %q: %s names the job itself; only upstream jobs can be read", j.Name, r.Text).WithDetails(details)
			case anc != nil && !anc[target.ID]:
				return Errorf(EINVALID, "job %q: %s names job %q, which is not upstream of it on the canvas (only ancestors can be read)", j.Name, r.Text, target.Name).WithDetails(details)
			}
		}
	}
	return nil
}

// ValidateControl checks what the canvas asks of control jobs: the outputs
// references (ValidateRefs) and the CONDITION case targets.
func ValidateControl(c Canvas, jobs []*Job) error {
	if err := ValidateRefs(c, jobs); err != nil {
		return err
	}
	return validateBranches(c, jobs)
}

// ancestors of id under parents.
func ancestors(parents map[string][]string, id string) map[string]bool {
	seen := map[string]bool{}
	queue := []string{id}
	for len(queue) > 0 {
		cur := queue[0]
		queue = queue[1:]
		for _, p := range parents[cur] {
			if !seen[p] {
				seen[p] = true
				queue = append(queue, p)
			}
		}
	}
	return seen
}
