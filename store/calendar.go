package store

import (
	"context"
	"encoding/json"
	"time"

	"github.com/jmoiron/sqlx"

	"jobflow"
)

var _ jobflow.CalendarService = (*Store)(nil)

type calendarRow struct {
	ID        string    `db:"id"`
	TenantID  string    `db:"tenant_id"`
	Name      string    `db:"name"`
	Timezone  string    `db:"timezone"`
	Days      string    `db:"days"`
	Remark    string    `db:"remark"`
	Version   int       `db:"version"`
	CreatedAt time.Time `db:"created_at"`
	UpdatedAt time.Time `db:"updated_at"`
	CreatedBy string    `db:"created_by"`
	UpdatedBy string    `db:"updated_by"`
}

type calendarDays struct {
	Weekdays []int    `json:"weekdays"`
	Holidays []string `json:"holidays"`
	Workdays []string `json:"workdays"`
}

const calendarColumns = `id, tenant_id, name, timezone, days, remark, version, created_at, updated_at, created_by, updated_by`

func (r calendarRow) toDomain() (*jobflow.Calendar, error) {
	var d calendarDays
	if err := json.Unmarshal([]byte(r.Days), &d); err != nil {
		return nil, err
	}
	c := &jobflow.Calendar{ID: r.ID, TenantID: r.TenantID, Shared: r.TenantID == "", Name: r.Name, Timezone: r.Timezone,
		Weekdays: d.Weekdays, Holidays: d.Holidays, Workdays: d.Workdays, Remark: r.Remark, Version: r.Version,
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(), CreatedBy: r.CreatedBy, UpdatedBy: r.UpdatedBy}
	c.Normalize()
	return c, nil
}

func calendarDaysJSON(c *jobflow.Calendar) string {
	return mustJSON(calendarDays{Weekdays: c.Weekdays, Holidays: c.Holidays, Workdays: c.Workdays})
}

// insertCalendarVersion keeps the content of c's current version.
func (s *Store) insertCalendarVersion(ctx context.Context, tx *sqlx.Tx, c *jobflow.Calendar) error {
	const q = `INSERT INTO calendar_versions (calendar_id, version, content, created_at, created_by) VALUES (?, ?, ?, ?, ?)`
	_, err := tx.ExecContext(ctx, tx.Rebind(q), c.ID, c.Version, mustJSON(c), c.UpdatedAt, c.UpdatedBy)
	return err
}

// CreateCalendar validates c and inserts it as version 1; c.Shared (or an
// empty TenantID) makes it a shared calendar (empty tenant_id).
func (s *Store) CreateCalendar(ctx context.Context, c *jobflow.Calendar) error {
	if err := c.Validate(); err != nil {
		return err
	}
	if c.Shared {
		c.TenantID = ""
	}
	c.Shared = c.TenantID == ""
	if c.ID == "" {
		c.ID = jobflow.NewID(jobflow.PrefixCalendar)
	}
	c.Version = 1
	c.CreatedAt = now()
	c.UpdatedAt, c.UpdatedBy = c.CreatedAt, c.CreatedBy
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		const q = `
INSERT INTO calendars (id, tenant_id, name, timezone, days, remark, version, created_at, updated_at, created_by, updated_by)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
		_, err := tx.ExecContext(ctx, tx.Rebind(q), c.ID, c.TenantID, c.Name, c.Timezone, calendarDaysJSON(c), c.Remark,
			c.Version, c.CreatedAt, c.UpdatedAt, c.CreatedBy, c.UpdatedBy)
		if isUniqueViolation(err) {
			return conflictf("a calendar named %q already exists", c.Name)
		} else if err != nil {
			return err
		}
		return s.insertCalendarVersion(ctx, tx, c)
	})
}

// FindCalendarByID finds a calendar of the tenant, or a shared one.
func (s *Store) FindCalendarByID(ctx context.Context, tenantID, id string) (*jobflow.Calendar, error) {
	var r calendarRow
	q := `SELECT ` + calendarColumns + ` FROM calendars WHERE id = ? AND (tenant_id = ? OR tenant_id = '')`
	if err := s.db.GetContext(ctx, &r, s.db.Rebind(q), id, tenantID); err != nil {
		return nil, notFound(err, "calendar")
	}
	return r.toDomain()
}

// FindCalendarVersion returns the content of one version of a calendar
// the tenant sees.
func (s *Store) FindCalendarVersion(ctx context.Context, tenantID, id string, version int) (*jobflow.Calendar, error) {
	if _, err := s.FindCalendarByID(ctx, tenantID, id); err != nil {
		return nil, err
	}
	var content string
	const q = `SELECT content FROM calendar_versions WHERE calendar_id = ? AND version = ?`
	if err := s.db.GetContext(ctx, &content, s.db.Rebind(q), id, version); err != nil {
		return nil, notFound(err, "calendar version")
	}
	var c jobflow.Calendar
	if err := json.Unmarshal([]byte(content), &c); err != nil {
		return nil, err
	}
	return &c, nil
}

// FindCalendars lists the tenant's calendars and the shared ones, by name.
func (s *Store) FindCalendars(ctx context.Context, tenantID string, f jobflow.CalendarFilter) ([]*jobflow.Calendar, int, error) {
	p := f.ListParams
	if err := p.Normalize(); err != nil {
		return nil, 0, err
	}
	where, args := `(tenant_id = ? OR tenant_id = '')`, []any{tenantID}
	if p.Search != "" {
		cond, condArgs := s.searchClause(p.Search, "name", "remark")
		where += ` AND ` + cond
		args = append(args, condArgs...)
	}
	var total int
	if err := s.db.GetContext(ctx, &total, s.db.Rebind(`SELECT COUNT(*) FROM calendars WHERE `+where), args...); err != nil {
		return nil, 0, err
	}
	var rows []calendarRow
	q := `SELECT ` + calendarColumns + ` FROM calendars WHERE ` + where + ` ORDER BY name, id LIMIT ? OFFSET ?`
	if err := s.db.SelectContext(ctx, &rows, s.db.Rebind(q), append(args, p.PageSize, p.Offset())...); err != nil {
		return nil, 0, err
	}
	out := make([]*jobflow.Calendar, 0, len(rows))
	for _, r := range rows {
		c, err := r.toDomain()
		if err != nil {
			return nil, 0, err
		}
		out = append(out, c)
	}
	return out, total, nil
}

// UpdateCalendar validates c and stores it as version c.Version+1, unless
// the stored version is no longer c.Version (a concurrent change): CONFLICT.
// The tenant of a calendar never changes.
func (s *Store) UpdateCalendar(ctx context.Context, c *jobflow.Calendar) error {
	if err := c.Validate(); err != nil {
		return err
	}
	next := *c
	next.Version = c.Version + 1
	next.UpdatedAt = now()
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		const q = `
UPDATE calendars SET name = ?, timezone = ?, days = ?, remark = ?, version = ?, updated_at = ?, updated_by = ?
WHERE id = ? AND tenant_id = ? AND version = ?`
		res, err := tx.ExecContext(ctx, tx.Rebind(q), next.Name, next.Timezone, calendarDaysJSON(&next), next.Remark,
			next.Version, next.UpdatedAt, next.UpdatedBy, next.ID, next.TenantID, c.Version)
		if isUniqueViolation(err) {
			return conflictf("a calendar named %q already exists", next.Name)
		} else if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return conflictf("the calendar was changed meanwhile (version %d is no longer current); reload it", c.Version)
		}
		return s.insertCalendarVersion(ctx, tx, &next)
	})
	if err != nil {
		return err
	}
	*c = next
	return nil
}

// DeleteCalendar deletes a calendar of the tenant (the empty tenant id for a shared one).
// Published versions keep their copy; a draft or publish naming it later
// is refused.
func (s *Store) DeleteCalendar(ctx context.Context, tenantID, id string) error {
	res, err := s.db.ExecContext(ctx, s.db.Rebind(`DELETE FROM calendars WHERE id = ? AND tenant_id = ?`), id, tenantID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return notFoundf("calendar not found")
	}
	return nil
}
