package jobflow

import "time"

// RunGrid is a workflow's recent runs by job, Airflow's grid view: the
// draft's jobs down the side, the runs across, a cell per node run.
type RunGrid struct {
	Jobs []GridJob `json:"jobs"` // the draft canvas's jobs, in canvas order
	Runs []GridRun `json:"runs"` // newest first
}

// GridJob is a row of the grid.
type GridJob struct {
	ID   string  `json:"id"`
	Name string  `json:"name"`
	Type JobType `json:"type"`
}

// GridRun is a column of the grid. Cells are keyed by job id; a job that
// has left the canvas since may have cells without a row in Jobs.
type GridRun struct {
	ID            string              `json:"id"`
	Status        RunStatus           `json:"status"`
	Trigger       Trigger             `json:"trigger"`
	StartedAt     time.Time           `json:"startedAt"`
	EndedAt       *time.Time          `json:"endedAt" required:"true"`
	VersionNumber int                 `json:"versionNumber,omitempty"` // absent for a run of the draft
	Cells         map[string]GridCell `json:"cells"`
}

// GridCell is one node run of the grid.
type GridCell struct {
	Status     NodeStatus `json:"status"`
	DurationMs *int64     `json:"durationMs" required:"true"` // null until the node ended
	Attempt    int        `json:"attempt"`
}

// RunGridDefault and RunGridMax bound the runs of a RunGrid.
const (
	RunGridDefault = 25
	RunGridMax     = 100
)

// DurationMs is the milliseconds from start to end, nil unless both are set.
func DurationMs(start, end *time.Time) *int64 {
	if start == nil || end == nil {
		return nil
	}
	ms := end.Sub(*start).Milliseconds()
	return &ms
}
