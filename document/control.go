package document

import (
	"encoding/json"

	"jobflow"
)

// Job types whose configs name the job's children (CONDITION, through
// jobflow.BranchChooser) name them by job id; a document names them by job
// name, like every other reference.

// renameBranches rewrites the children named in cfg, the config of a job
// of type t, with rename; a config of another type is left as it is.
func renameBranches(t jobflow.JobType, cfg map[string]any, rename func(string) (string, bool)) (map[string]any, error) {
	bc, ok := jobflow.LookupJobType(t).(jobflow.BranchChooser)
	if !ok {
		return cfg, nil
	}
	raw, err := json.Marshal(cfg)
	if err != nil {
		return nil, err
	}
	if raw, err = bc.RenameBranches(raw, rename); err != nil {
		return nil, err
	}
	var out map[string]any
	if err := json.Unmarshal(raw, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// ResolveJobRefs turns the job names in branch-choosing configs into the
// ids the jobs were given (idOf: name -> id). A name that is not a job of
// the draft is left as it is, and the canvas check refuses it as not a
// child.
func (d *Draft) ResolveJobRefs(idOf map[string]string) {
	for _, j := range d.Jobs {
		bc, ok := jobflow.LookupJobType(j.Type).(jobflow.BranchChooser)
		if !ok {
			continue
		}
		raw, err := bc.RenameBranches(j.Config, func(name string) (string, bool) {
			if id, ok := idOf[name]; ok {
				return id, true
			}
			return name, true
		})
		if err == nil {
			j.Config = raw
		}
	}
}
