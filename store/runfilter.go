package store

import (
	"strings"
	"time"

	"jobflow"
)

// maxRunQuery bounds RunFilter.Q, like a list's search.
const maxRunQuery = 200

// runRangeAndQuery is the part of FindRuns' WHERE for the console's
// filters: started_at within [From, To] and Q a substring of the id or the
// params JSON (% and _ literal). A bad value is INVALID naming its field.
func (s *Store) runRangeAndQuery(f jobflow.RunFilter) (string, []any, error) {
	where, args, err := timeRange("started_at", f.From, f.To)
	if err != nil {
		return "", nil, err
	}
	if q := strings.TrimSpace(f.Q); q != "" {
		if len(q) > maxRunQuery {
			return "", nil, jobflow.Errorf(jobflow.EINVALID, "q must be at most %d characters", maxRunQuery).
				WithDetails(map[string]string{"field": "q"})
		}
		clause, qargs := s.searchClause(q, "id", "params")
		where += ` AND ` + clause
		args = append(args, qargs...)
	}
	return where, args, nil
}

// timeRange is " AND col >= from AND col <= to" for the bounds that are
// set; to before from is INVALID naming to.
func timeRange(col string, from, to *time.Time) (string, []any, error) {
	if from != nil && to != nil && to.Before(*from) {
		return "", nil, jobflow.Errorf(jobflow.EINVALID, "to must not be before from").
			WithDetails(map[string]string{"field": "to"})
	}
	var where string
	var args []any
	if from != nil {
		where += ` AND ` + col + ` >= ?`
		args = append(args, dbTime(*from))
	}
	if to != nil {
		where += ` AND ` + col + ` <= ?`
		args = append(args, dbTime(*to))
	}
	return where, args, nil
}
