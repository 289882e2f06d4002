package jobflow

import "maps"

// TakeSnapshot freezes a workflow's canvas, the jobs on it (in canvas order)
// and its config. It refuses what cannot run: an empty canvas, or a draft
// that fails CheckShape.
func TakeSnapshot(w *Workflow, versionID string) (*Snapshot, error) {
	if err := CheckRunnable(w); err != nil {
		return nil, err
	}
	if err := CheckShape(w); err != nil {
		return nil, err
	}
	return BuildSnapshot(w, versionID), nil
}

// CheckRunnable refuses a workflow with nothing to run.
func CheckRunnable(w *Workflow) error {
	if len(w.Canvas.Nodes) == 0 {
		return Errorf(EINVALID, "the canvas is empty: place at least one job on it")
	}
	return nil
}

// BuildSnapshot is TakeSnapshot for a draft already checked (publish runs
// the whole CheckDraft first).
func BuildSnapshot(w *Workflow, versionID string) *Snapshot {
	byID := make(map[string]*Job, len(w.Jobs))
	for _, j := range w.Jobs {
		byID[j.ID] = j
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
	return s
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
