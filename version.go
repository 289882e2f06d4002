package jobflow

import (
	"context"
	"fmt"
	"time"

	"jobflow/cron"
)

// Version is an immutable snapshot of a workflow taken at publish (发布):
// canvas, every job on it and the config (schedule, alarms, invoke
// setting). Scheduled, invoked and backfilled runs execute it.
type Version struct {
	ID         string    `json:"id"`
	TenantID   string    `json:"tenantId"`
	WorkflowID string    `json:"workflowId"`
	Number     int       `json:"number"` // 1, 2, … per workflow, in publish order
	Snapshot   Snapshot  `json:"snapshot"`
	CreatedAt  time.Time `json:"createdAt"`
	CreatedBy  string    `json:"createdBy"`
	Note       string    `json:"note"` // the publisher's note (POST …/publish {note})
}

// PublishedVersion is a PUBLISHED workflow with the version it runs, for
// reconciling Temporal schedules with the store.
type PublishedVersion struct {
	TenantID   string
	WorkflowID string
	Version    *Version
}

// VersionService keeps the versions of workflows and their publication.
type VersionService interface {
	// CreateVersion stores v with the next number of its workflow; the
	// numbering is atomic, so concurrent publishes get distinct numbers.
	// v.Snapshot.VersionID is set to v.ID.
	CreateVersion(ctx context.Context, v *Version) error
	FindVersionByID(ctx context.Context, tenantID, id string) (*Version, error)
	// SetPublished marks the workflow PUBLISHED on version v, with its next
	// run time, unless it already is published on a version with a higher
	// number (a concurrent publish won): then it changes nothing and
	// reports false.
	SetPublished(ctx context.Context, v *Version, next *time.Time) (bool, error)
	// SetOffline marks a PUBLISHED workflow OFFLINE with no next run time;
	// CONFLICT unless it is PUBLISHED.
	SetOffline(ctx context.Context, tenantID, workflowID string) error
	// FindPublishedVersions lists every PUBLISHED workflow of every tenant
	// with its version.
	FindPublishedVersions(ctx context.Context) ([]*PublishedVersion, error)
	// RecordScheduledRun is called when a run of a version starts outside
	// the engine (a Temporal Schedule started it): it keeps the version's
	// snapshot as the run's (so the run can be rerun) and, the first time,
	// refreshes the workflow's next run time from the version's schedule.
	RecordScheduledRun(ctx context.Context, r *Run) error
}

// MaxFireTimes bounds the fire times one call lists (backfill ranges).
const MaxFireTimes = 1000

// Expr parses the schedule's first cron and loads its time zone.
func (s Schedule) Expr() (*cron.Expr, *time.Location, error) {
	list := s.CronList()
	if len(list) == 0 {
		return nil, nil, InvalidField("schedule.cron", "schedule.cron is required")
	}
	e, err := cron.Parse(list[0])
	if err != nil {
		return nil, nil, InvalidField("schedule.cron", "schedule.cron: %v", err)
	}
	loc, err := LoadLocation(s.Timezone)
	if err != nil {
		return nil, nil, err
	}
	return e, loc, nil
}

// Plan is the schedule's whole decision (every cron, the zone, the DST
// policy and the calendar cal, whose id the schedule names; nil: no
// calendar). A nil DST reads as the defaults SHIFT and ONCE.
func (s Schedule) Plan(cal *Calendar) (*cron.Plan, error) {
	list := s.CronList()
	if len(list) == 0 {
		return nil, InvalidField("schedule.cron", "schedule.cron is required")
	}
	loc, err := LoadLocation(s.Timezone)
	if err != nil {
		return nil, err
	}
	p := &cron.Plan{Loc: loc, Missing: cron.MissingShift, Repeated: cron.RepeatedOnce}
	for i, x := range list {
		e, err := cron.Parse(x)
		if err != nil {
			field := "schedule.cron"
			if s.Cron == "" || i > 0 {
				field = fmt.Sprintf("schedule.crons[%d]", i-len(list)+len(s.Crons))
			}
			return nil, InvalidField(field, "%s: %v", field, err)
		}
		p.Exprs = append(p.Exprs, e)
	}
	if s.DST != nil {
		if s.DST.Missing != "" {
			p.Missing = s.DST.Missing
		}
		if s.DST.Repeated != "" {
			p.Repeated = s.DST.Repeated
		}
	}
	if s.Calendar != nil && cal != nil {
		if p.Calendar, err = cal.Days(); err != nil {
			return nil, err
		}
		p.Policy = s.Calendar.Policy
	}
	return p, nil
}

// firstCal is the optional calendar argument.
func firstCal(cal []*Calendar) *Calendar {
	if len(cal) > 0 {
		return cal[0]
	}
	return nil
}

// NextTimes returns up to n fire times of the schedule after after,
// within startAt and endAt (both inclusive, as Temporal reads them), under
// its DST policy and, when given, its calendar (under DRY_RUN the days
// that are not calendar days are listed too: they fire, as dry runs).
func (s Schedule) NextTimes(after time.Time, n int, cal ...*Calendar) ([]time.Time, error) {
	fires, err := s.NextFires(after, n, firstCal(cal))
	if err != nil {
		return nil, err
	}
	var out []time.Time
	for _, f := range fires {
		out = append(out, f.Time)
	}
	return out, nil
}

// NextFires is NextTimes telling the dry-run days.
func (s Schedule) NextFires(after time.Time, n int, cal *Calendar) ([]cron.Fire, error) {
	p, err := s.Plan(cal)
	if err != nil {
		return nil, err
	}
	if s.StartAt != nil && after.Before(*s.StartAt) {
		after = s.StartAt.Add(-time.Nanosecond)
	}
	var out []cron.Fire
	for len(out) < n {
		f := p.Next(after)
		if f.Time.IsZero() || (s.EndAt != nil && f.Time.After(*s.EndAt)) {
			break
		}
		f.Time = f.Time.UTC()
		out = append(out, f)
		after = f.Time
	}
	return out, nil
}

// FireTimes returns the schedule's fire times in [start, end], at most max;
// more than max is an INVALID error naming the limit.
func (s Schedule) FireTimes(start, end time.Time, max int, cal ...*Calendar) ([]time.Time, error) {
	p, err := s.Plan(firstCal(cal))
	if err != nil {
		return nil, err
	}
	var out []time.Time
	after := start.Add(-time.Nanosecond)
	for {
		f := p.Next(after)
		if f.Time.IsZero() || f.Time.After(end) {
			return out, nil
		}
		if len(out) == max {
			return nil, Errorf(EINVALID, "the range holds more than %d fire times of the schedule; split it", max).
				WithDetails(map[string]string{"field": "end"})
		}
		out = append(out, f.Time.UTC())
		after = f.Time
	}
}
