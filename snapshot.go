package jobflow

import "maps"

// TakeSnapshot freezes a workflow's canvas, the jobs on it (in canvas order)
// and its config. It refuses what cannot run: an empty or invalid canvas.
func TakeSnapshot(w *Workflow, versionID string) (*Snapshot, error) {
	if len(w.Canvas.Nodes) == 0 {
		return nil, Errorf(EINVALID, "the canvas is empty: place at least one job on it")
	}
	ids := make([]string, 0, len(w.Jobs))
	byID := make(map[string]*Job, len(w.Jobs))
	for _, j := range w.Jobs {
		ids = append(ids, j.ID)
		byID[j.ID] = j
	}
	if err := w.Canvas.Validate(ids); err != nil {
		return nil, err
	}
	if err := ValidateControl(w.Canvas, w.Jobs); err != nil {
		return nil, err
	}
	s := &Snapshot{
		TenantID:     w.TenantID,
		WorkflowID:   w.ID,
		WorkflowName: w.Name,
		VersionID:    versionID,
		Canvas:       w.Canvas,
		Config:       w.Config,
	}
	s.Config.Normalize()
	for _, n := range w.Canvas.Nodes {
		s.Jobs = append(s.Jobs, *byID[n.JobID])
	}
	return s, nil
}

// MergeParams returns the workflow's default params overridden by the
// caller's, after checking the caller's names.
func MergeParams(defaults, given map[string]string) (map[string]string, error) {
	if len(given) > MaxParams {
		return nil, Errorf(EINVALID, "at most %d params", MaxParams)
	}
	for k, v := range given {
		if !ValidParamName(k) {
			return nil, Errorf(EINVALID, "param name %q must be letters, digits and '_'", k)
		}
		if len(v) > 64<<10 {
			return nil, Errorf(EINVALID, "param %q is longer than 64 KiB", k)
		}
	}
	out := make(map[string]string, len(defaults)+len(given))
	maps.Copy(out, defaults)
	maps.Copy(out, given)
	return out, nil
}
