package document

import (
	"encoding/json"
	"fmt"

	"jobflow"
)

// A CONDITION job's cases name its children by job id; a document names
// them by job name, like every other reference.

// conditionTargets rewrites the targets of a CONDITION config (cases[].to
// and default) with rename; a target rename does not know is an error.
func conditionTargets(cfg map[string]any, rename func(string) (string, bool)) error {
	apply := func(v any) error {
		list, ok := v.([]any)
		if !ok {
			return nil
		}
		for i, x := range list {
			s, ok := x.(string)
			if !ok {
				continue
			}
			n, found := rename(s)
			if !found {
				return fmt.Errorf("its case target %s is not a job of the workflow", s)
			}
			list[i] = n
		}
		return nil
	}
	cases, _ := cfg["cases"].([]any)
	for _, c := range cases {
		if m, ok := c.(map[string]any); ok {
			if err := apply(m["to"]); err != nil {
				return err
			}
		}
	}
	if _, isCondition := cfg["cases"]; !isCondition {
		return nil
	}
	return apply(cfg["default"])
}

// ResolveJobRefs turns the job names in CONDITION configs into the ids the
// jobs were given (idOf: name -> id). A name that is not a job of the
// draft is left as it is, and the canvas check refuses it as not a child.
func (d *Draft) ResolveJobRefs(idOf map[string]string) {
	for _, j := range d.Jobs {
		if j.Type != jobflow.JobCondition {
			continue
		}
		var cfg map[string]any
		if json.Unmarshal(j.Config, &cfg) != nil {
			continue
		}
		_ = conditionTargets(cfg, func(name string) (string, bool) {
			if id, ok := idOf[name]; ok {
				return id, true
			}
			return name, true
		})
		if raw, err := json.Marshal(cfg); err == nil {
			j.Config = raw
		}
	}
}
