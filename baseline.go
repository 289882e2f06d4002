package jobflow

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"time"
)

// Baselines (基线, docs/baselines.md) are a committed finish time per
// data date for a set of target workflows or jobs: for each date an
// instance is SAFE, WARNING (the predicted finish passes finishBy − margin),
// BREACHED (finishBy passed with a target unfinished or failed) or MET.
// One long-lived Temporal workflow per baseline watches the instances.

// PrefixBaseline is the id prefix of baselines.
const PrefixBaseline = "bl"

// Baseline limits.
const (
	MaxBaselineTargets  = 50
	MaxBaselineChannels = 20
	MaxBaselineMargin   = 24 * 60
)

// BaselineStatus is the state of one data date of a baseline.
type BaselineStatus string

// Baseline statuses.
const (
	BaselineSafe     BaselineStatus = "SAFE"     // 安全: predicted in time
	BaselineWarning  BaselineStatus = "WARNING"  // 预警: predicted past finishBy − margin, or a target failed
	BaselineBreached BaselineStatus = "BREACHED" // 破线: finishBy passed with a target unfinished or failed
	BaselineMet      BaselineStatus = "MET"      // every target finished by finishBy
)

// Final reports whether a date in status s is settled.
func (s BaselineStatus) Final() bool { return s == BaselineBreached || s == BaselineMet }

// BaselineTarget is a workflow, or one job of it, that must finish.
type BaselineTarget struct {
	WorkflowID string `json:"workflowId" required:"true"`
	JobID      string `json:"jobId,omitempty" doc:"a job of the workflow; empty: the whole run"`
}

// Baseline is a tenant's baseline.
type Baseline struct {
	ID            string           `json:"id"`
	TenantID      string           `json:"tenantId"`
	Name          string           `json:"name"`
	Targets       []BaselineTarget `json:"targets"`
	FinishBy      string           `json:"finishBy"`
	Timezone      string           `json:"timezone"`
	MarginMinutes int              `json:"marginMinutes"`
	ChannelIDs    []string         `json:"channelIds"`
	Priority      int              `json:"priority"`
	CreatedAt     time.Time        `json:"createdAt"`
	UpdatedAt     time.Time        `json:"updatedAt"`
}

// BaselineUpdate is a baseline's writable fields (nil: unchanged).
type BaselineUpdate struct {
	Name          *string           `json:"name" doc:"1 to 100 characters"`
	Targets       *[]BaselineTarget `json:"targets" doc:"1 to 50 workflows (or jobs of them) of the tenant; several workflows allowed"`
	FinishBy      *string           `json:"finishBy" doc:"the committed finish, HH:MM on the data date, or +1d HH:MM on the day after"`
	Timezone      *string           `json:"timezone" doc:"IANA zone of the data date and finishBy; default Asia/Shanghai"`
	MarginMinutes *int              `json:"marginMinutes" doc:"预警余量: WARNING when the predicted finish passes finishBy minus this (0 to 1440)"`
	ChannelIDs    *[]string         `json:"channelIds" doc:"alarm channels told of BASELINE_WARNING, BASELINE_BREACHED and BASELINE_RECOVERED"`
	Priority      *int              `json:"priority" doc:"1 (first) to 5: the Temporal priority key given to key-path jobs not yet started while WARNING"`
}

var finishByRE = regexp.MustCompile(`^(\+1d )?([01][0-9]|2[0-3]):([0-5][0-9])$`)

// Apply copies the set fields into b and checks it; the store checks that
// targets and channels exist in the tenant.
func (u BaselineUpdate) Apply(b *Baseline) error {
	if u.Name != nil {
		b.Name = *u.Name
	}
	if u.Targets != nil {
		b.Targets = *u.Targets
	}
	if u.FinishBy != nil {
		b.FinishBy = *u.FinishBy
	}
	if u.Timezone != nil {
		b.Timezone = *u.Timezone
	}
	if u.MarginMinutes != nil {
		b.MarginMinutes = *u.MarginMinutes
	}
	if u.ChannelIDs != nil {
		b.ChannelIDs = *u.ChannelIDs
	}
	if u.Priority != nil {
		b.Priority = *u.Priority
	}
	if b.Timezone == "" {
		b.Timezone = "Asia/Shanghai"
	}
	if b.Priority == 0 {
		b.Priority = 1
	}
	if b.ChannelIDs == nil {
		b.ChannelIDs = []string{}
	}
	if n := len([]rune(b.Name)); n < 1 || n > 100 {
		return InvalidField("name", "name must be 1 to 100 characters")
	}
	if len(b.Targets) < 1 || len(b.Targets) > MaxBaselineTargets {
		return InvalidField("targets", "targets must list 1 to %d workflows or jobs", MaxBaselineTargets)
	}
	seen := map[BaselineTarget]bool{}
	for i, t := range b.Targets {
		if t.WorkflowID == "" {
			return InvalidField(fmt.Sprintf("targets[%d].workflowId", i), "each target needs a workflowId")
		}
		if seen[t] {
			return InvalidField(fmt.Sprintf("targets[%d]", i), "target %s %s is listed twice", t.WorkflowID, t.JobID)
		}
		seen[t] = true
	}
	if !finishByRE.MatchString(b.FinishBy) {
		return InvalidField("finishBy", `finishBy must be "HH:MM" or "+1d HH:MM" (24-hour clock)`)
	}
	if _, err := time.LoadLocation(b.Timezone); err != nil {
		return InvalidField("timezone", "timezone %q is not a known IANA zone", b.Timezone)
	}
	if b.MarginMinutes < 0 || b.MarginMinutes > MaxBaselineMargin {
		return InvalidField("marginMinutes", "marginMinutes must be between 0 and %d", MaxBaselineMargin)
	}
	if len(b.ChannelIDs) > MaxBaselineChannels {
		return InvalidField("channelIds", "at most %d channels", MaxBaselineChannels)
	}
	if b.Priority < 1 || b.Priority > 5 {
		return InvalidField("priority", "priority must be between 1 and 5")
	}
	return nil
}

// Deadline is the committed finish of data date (YYYY-MM-DD), and the
// moment a prediction past it is a warning (deadline − margin).
func (b *Baseline) Deadline(date string) (deadline, warnAt time.Time, err error) {
	loc, err := time.LoadLocation(b.Timezone)
	if err != nil {
		return time.Time{}, time.Time{}, err
	}
	d, err := time.ParseInLocation(time.DateOnly, date, loc)
	if err != nil {
		return time.Time{}, time.Time{}, InvalidField("date", "date must be YYYY-MM-DD")
	}
	m := finishByRE.FindStringSubmatch(b.FinishBy)
	if m == nil {
		return time.Time{}, time.Time{}, fmt.Errorf("baseline %s: bad finishBy %q", b.ID, b.FinishBy)
	}
	hh, _ := strconv.Atoi(m[2])
	mm, _ := strconv.Atoi(m[3])
	days := 0
	if m[1] != "" {
		days = 1
	}
	deadline = time.Date(d.Year(), d.Month(), d.Day()+days, hh, mm, 0, 0, loc)
	return deadline, deadline.Add(-time.Duration(b.MarginMinutes) * time.Minute), nil
}

// FirstDate is the earliest data date whose deadline is after now: the
// date a new baseline starts watching.
func (b *Baseline) FirstDate(now time.Time) string {
	loc, err := time.LoadLocation(b.Timezone)
	if err != nil {
		loc = time.UTC
	}
	day := now.In(loc).AddDate(0, 0, -1)
	for i := 0; i < 3; i++ {
		date := day.AddDate(0, 0, i).Format(time.DateOnly)
		if dl, _, err := b.Deadline(date); err == nil && dl.After(now) {
			return date
		}
	}
	return now.In(loc).Format(time.DateOnly)
}

// NextDate is the data date after date.
func NextDate(date string) string {
	d, err := time.Parse(time.DateOnly, date)
	if err != nil {
		return date
	}
	return d.AddDate(0, 0, 1).Format(time.DateOnly)
}

// BaselineInstance is one data date of a baseline.
type BaselineInstance struct {
	BaselineID        string                `json:"baselineId"`
	Date              string                `json:"date"`
	Status            BaselineStatus        `json:"status" enum:"SAFE,WARNING,BREACHED,MET" doc:"SAFE; WARNING: predicted past finishBy minus the margin, or a target failed; BREACHED: finishBy passed with a target unfinished or failed; MET"`
	Deadline          time.Time             `json:"deadline" doc:"finishBy of the date"`
	WarnAt            time.Time             `json:"warnAt" doc:"finishBy minus the margin"`
	PredictedFinishAt *time.Time            `json:"predictedFinishAt" doc:"the latest predicted finish of the targets (the finish, once all finished); null when none can be predicted"`
	FinishedAt        *time.Time            `json:"finishedAt" doc:"when the last target finished, once all did"`
	KeyPath           []BaselineKeyJob      `json:"keyPath" doc:"the remaining chain of jobs deciding predictedFinishAt"`
	Targets           []BaselineTargetState `json:"targets"`
	Reason            string                `json:"reason" doc:"why the status is what it is"`
	CheckedAt         time.Time             `json:"checkedAt" doc:"when the baseline's workflow last judged the date"`
}

// BaselineKeyJob is one job on an instance's key path: the remaining chain
// that decides its predicted finish.
type BaselineKeyJob struct {
	WorkflowID string `json:"workflowId"`
	RunID      string `json:"runId,omitempty"`
	JobID      string `json:"jobId"`
}

// BaselineTargetState is where one target stands on a data date.
type BaselineTargetState struct {
	BaselineTarget
	WorkflowName string `json:"workflowName"`
	// RunID is the target's run of the date ("" while none started).
	RunID string `json:"runId"`
	// Status: NOT_STARTED, RUNNING, SUCCESS or FAILED.
	Status            string     `json:"status" enum:"NOT_STARTED,RUNNING,SUCCESS,FAILED"`
	PredictedFinishAt *time.Time `json:"predictedFinishAt"`
	FinishedAt        *time.Time `json:"finishedAt"`

	// TemporalWorkflowID is the run's FlowRun, to boost (not shown).
	TemporalWorkflowID string           `json:"-"`
	KeyPath            []BaselineKeyJob `json:"-"`
	Basis              string           `json:"-"`
}

// Target statuses of a BaselineTargetState.
const (
	TargetNotStarted = "NOT_STARTED"
	TargetRunning    = "RUNNING"
	TargetSuccess    = "SUCCESS"
	TargetFailed     = "FAILED"
)

// Judge sets the instance's status, predicted finish and key path from its
// targets' states, as seen at now (docs/baselines.md#statuses).
func (in *BaselineInstance) Judge(now time.Time) {
	in.CheckedAt = now
	in.PredictedFinishAt, in.FinishedAt, in.KeyPath, in.Reason = nil, nil, []BaselineKeyJob{}, ""
	allDone, failed, unknown := true, "", ""
	var finished, predicted time.Time
	for _, t := range in.Targets {
		switch t.Status {
		case TargetSuccess:
			if t.FinishedAt != nil && t.FinishedAt.After(finished) {
				finished = *t.FinishedAt
			}
			continue
		case TargetFailed:
			failed = t.WorkflowName
		}
		allDone = false
		if t.PredictedFinishAt == nil {
			if unknown == "" {
				unknown = t.WorkflowName + ": " + t.Basis
			}
			continue
		}
		if t.PredictedFinishAt.After(predicted) {
			predicted, in.KeyPath = *t.PredictedFinishAt, t.KeyPath
		}
	}
	if in.KeyPath == nil {
		in.KeyPath = []BaselineKeyJob{}
	}
	switch {
	case allDone:
		in.FinishedAt, in.PredictedFinishAt = &finished, &finished
		in.Status = BaselineMet
		if finished.After(in.Deadline) {
			in.Status, in.Reason = BaselineBreached, "the targets finished after finishBy"
		}
	case !now.Before(in.Deadline):
		in.Status, in.Reason = BaselineBreached, "finishBy passed with a target unfinished"
		if failed != "" {
			in.Reason = "finishBy passed with a target failed: " + failed
		}
	case failed != "":
		in.Status, in.Reason = BaselineWarning, "a target failed: "+failed
	default:
		if !predicted.IsZero() {
			in.PredictedFinishAt = &predicted
		}
		in.Status = BaselineSafe
		switch {
		case !predicted.IsZero() && predicted.After(in.WarnAt):
			in.Status, in.Reason = BaselineWarning, "the predicted finish is past finishBy minus the margin"
		case !now.Before(in.WarnAt):
			in.Status, in.Reason = BaselineWarning, "finishBy minus the margin passed with a target unfinished"
		case unknown != "":
			in.Reason = "no prediction for " + unknown
		}
	}
}

// BaselineService keeps baselines and their instances (store).
type BaselineService interface {
	CreateBaseline(ctx context.Context, b *Baseline) error
	FindBaselines(ctx context.Context, tenantID string, p ListParams) ([]*Baseline, int, error)
	FindBaselineByID(ctx context.Context, tenantID, id string) (*Baseline, error)
	UpdateBaseline(ctx context.Context, tenantID, id string, u BaselineUpdate) (*Baseline, error)
	DeleteBaseline(ctx context.Context, tenantID, id string) error
	// AllBaselines lists every tenant's baselines, for the engine's
	// start-up check that each has its workflow.
	AllBaselines(ctx context.Context) ([]*Baseline, error)
	PutBaselineInstance(ctx context.Context, tenantID string, in *BaselineInstance) error
	FindBaselineInstance(ctx context.Context, tenantID, baselineID, date string) (*BaselineInstance, error)
	// FindBaselineInstances lists the latest instances, newest date first.
	FindBaselineInstances(ctx context.Context, tenantID, baselineID string, limit int) ([]*BaselineInstance, error)
	// FindTargetRun is the latest run of a workflow whose logical time falls
	// in [from, to) (the data date in the baseline's zone), or nil.
	FindTargetRun(ctx context.Context, tenantID, workflowID string, from, to time.Time) (*Run, error)
}
