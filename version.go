package jobflow

import (
	"context"
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

// Expr parses the schedule's cron and loads its time zone.
func (s Schedule) Expr() (*cron.Expr, *time.Location, error) {
	e, err := cron.Parse(s.Cron)
	if err != nil {
		return nil, nil, invalidField("schedule.cron", "schedule.cron: %v", err)
	}
	loc, err := LoadLocation(s.Timezone)
	if err != nil {
		return nil, nil, err
	}
	return e, loc, nil
}

// NextTimes returns up to n fire times of the schedule after after,
// within startAt and endAt (both inclusive, as Temporal reads them).
func (s Schedule) NextTimes(after time.Time, n int) ([]time.Time, error) {
	e, loc, err := s.Expr()
	if err != nil {
		return nil, err
	}
	if s.StartAt != nil && after.Before(*s.StartAt) {
		after = s.StartAt.Add(-time.Nanosecond)
	}
	var out []time.Time
	for len(out) < n {
		t := e.Next(after, loc)
		if t.IsZero() || (s.EndAt != nil && t.After(*s.EndAt)) {
			break
		}
		out = append(out, t.UTC())
		after = t
	}
	return out, nil
}

// FireTimes returns the schedule's fire times in [start, end], at most max;
// more than max is an INVALID error naming the limit.
func (s Schedule) FireTimes(start, end time.Time, max int) ([]time.Time, error) {
	e, loc, err := s.Expr()
	if err != nil {
		return nil, err
	}
	var out []time.Time
	after := start.Add(-time.Nanosecond)
	for {
		t := e.Next(after, loc)
		if t.IsZero() || t.After(end) {
			return out, nil
		}
		if len(out) == max {
			return nil, Errorf(EINVALID, "the range holds more than %d fire times of the schedule; split it", max).
				WithDetails(map[string]string{"field": "end"})
		}
		out = append(out, t.UTC())
		after = t
	}
}
