package jobflow

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// DEPENDENT jobs (docs/run-semantics.md#dependent-jobs): a node that waits for SUCCESS runs of other
// workflows (or of single jobs in them) whose logical time falls in a window
// of this run's logical time. The windows are DolphinScheduler's date
// cycles, computed in the waiting workflow's schedule zone; they are never
// matched against start or end times (DolphinScheduler #15807, #15129).

// Limits of a DEPENDENT config.
const (
	MaxDependentItems            = 20
	MaxDependentHours            = 720 // lastNHours:N
	MaxDependentDays             = 366 // lastNDays:N
	DefaultDependentCheckSeconds = 60
	MinDependentCheckSeconds     = 5
	MaxDependentCheckSeconds     = 86400
	// DefaultDependentTimeout bounds a wait with neither its own timeout
	// nor the job's.
	DefaultDependentTimeout = 24 * time.Hour
)

// DependentWindows are the window names without a number; lastNHours:N and
// lastNDays:N take one.
var DependentWindows = []string{"today", "yesterday", "thisHour", "lastHour", "thisWeek", "lastWeek", "thisMonth", "lastMonth"}

// DependentWindow is the window [from, to) of logical times that window
// names, for a run whose logical time is logical, in zone loc. Days, weeks
// (starting Monday) and months are calendar ones in loc, so a day across a
// DST change is 23 or 25 hours long; hours are absolute ones.
//
// As DolphinScheduler: thisWeek and thisMonth run from their first day to
// the end of the logical day (not to the end of the week or month);
// lastNHours:N and lastNDays:N end where the current hour or day starts.
func DependentWindow(window string, logical time.Time, loc *time.Location) (from, to time.Time, err error) {
	l := logical.In(loc)
	day := func(offset int) time.Time { return time.Date(l.Year(), l.Month(), l.Day()+offset, 0, 0, 0, 0, loc) }
	hour := l.Add(-(time.Duration(l.Minute())*time.Minute + time.Duration(l.Second())*time.Second + time.Duration(l.Nanosecond())))
	monday := day(-((int(l.Weekday()) + 6) % 7))
	month := func(offset int) time.Time {
		return time.Date(l.Year(), l.Month()+time.Month(offset), 1, 0, 0, 0, 0, loc)
	}

	name, arg, hasArg := strings.Cut(window, ":")
	switch {
	case hasArg && (name == "lastNHours" || name == "lastNDays"):
		n, convErr := strconv.Atoi(arg)
		limit := MaxDependentHours
		if name == "lastNDays" {
			limit = MaxDependentDays
		}
		if convErr != nil || n < 1 || n > limit || strconv.Itoa(n) != arg {
			return from, to, fmt.Errorf("%s:N needs N between 1 and %d, got %q", name, limit, arg)
		}
		if name == "lastNHours" {
			return hour.Add(-time.Duration(n) * time.Hour), hour, nil
		}
		return day(-n), day(0), nil
	case hasArg:
	case window == "today":
		return day(0), day(1), nil
	case window == "yesterday":
		return day(-1), day(0), nil
	case window == "thisHour":
		return hour, hour.Add(time.Hour), nil
	case window == "lastHour":
		return hour.Add(-time.Hour), hour, nil
	case window == "thisWeek":
		return monday, day(1), nil
	case window == "lastWeek":
		return time.Date(monday.Year(), monday.Month(), monday.Day()-7, 0, 0, 0, 0, loc), monday, nil
	case window == "thisMonth":
		return month(0), day(1), nil
	case window == "lastMonth":
		return month(-1), month(0), nil
	}
	return from, to, fmt.Errorf("unknown window %q (want one of %s, lastNHours:N, lastNDays:N)", window, strings.Join(DependentWindows, ", "))
}

// DependentItemState is what one check found for one item of a DEPENDENT
// node; the node's outputs show them (key "items", a JSON array).
type DependentItemState struct {
	WorkflowID   string    `json:"workflowId"`
	WorkflowName string    `json:"workflowName,omitempty"`
	JobID        string    `json:"jobId,omitempty"`
	JobName      string    `json:"jobName,omitempty"`
	Window       string    `json:"window"`
	From         time.Time `json:"from"` // the window, [from, to)
	To           time.Time `json:"to"`
	Met          bool      `json:"met"`
	RunID        string    `json:"runId,omitempty"`  // the SUCCESS run that met it, or the FAIL run that failed it
	Failed       bool      `json:"failed,omitempty"` // the newest run (or node run) in the window ended FAIL
}

// Describe names the item for messages: `workflow "etl" (window yesterday,
// logical time in [from, to))`.
func (s DependentItemState) Describe(loc *time.Location) string {
	what := fmt.Sprintf("workflow %q", firstNonEmpty(s.WorkflowName, s.WorkflowID))
	if s.JobID != "" {
		what = fmt.Sprintf("job %q of %s", firstNonEmpty(s.JobName, s.JobID), what)
	}
	const layout = "2006-01-02 15:04 MST"
	return fmt.Sprintf("%s (window %s: logical time in [%s, %s))", what, s.Window,
		s.From.In(loc).Format(layout), s.To.In(loc).Format(layout))
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// DependentWait says that a DEPENDENT node of a run waits for runs of an
// upstream workflow: when one of them ends, RecordRun signals the waiting
// FlowRun (TemporalWorkflowID) so it checks again at once.
type DependentWait struct {
	TenantID           string
	RunID              string
	JobID              string
	UpstreamWorkflowID string
	TemporalWorkflowID string
}

// DependentMatch is what the store finds for one item in its window.
type DependentMatch struct {
	WorkflowName string // the upstream workflow's and job's names, for messages ("" if gone)
	JobName      string
	SuccessRunID string // a SUCCESS run (or node run) in the window, newest first; "" if none
	NewestRunID  string // the newest run (or node run) in the window, by start
	NewestFailed bool   // ... and it ended FAIL (or, for a job, FAIL or UPSTREAM_FAILED)
}

// DependentService keeps who waits for whom, and answers a DEPENDENT
// node's check.
type DependentService interface {
	// AddDependentWaits registers waits (idempotent).
	AddDependentWaits(ctx context.Context, waits []DependentWait) error
	// RemoveDependentWaits forgets the waits of a run's node, or with
	// jobID "" of every node of the run.
	RemoveDependentWaits(ctx context.Context, runID, jobID string) error
	// FindDependentWaiters lists the waits on an upstream workflow.
	FindDependentWaiters(ctx context.Context, tenantID, upstreamWorkflowID string) ([]DependentWait, error)
	// MatchDependent looks for runs of workflowID (or node runs of jobID
	// in them, when jobID is set) whose logical time is in [from, to).
	MatchDependent(ctx context.Context, tenantID, workflowID, jobID string, from, to time.Time) (DependentMatch, error)
}
