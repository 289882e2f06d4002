package store

import (
	"context"
	"strings"

	"jobflow"
)

// FindWorkflows lists a tenant's workflows newest first. Search matches a
// case-insensitive substring of name or remark, with % and _ literal. The
// items carry no canvas, config or jobs (lists stay small and fast).
func (s *Store) FindWorkflows(ctx context.Context, tenantID string, f jobflow.WorkflowFilter) ([]*jobflow.Workflow, int, error) {
	if err := f.ListParams.Normalize(); err != nil {
		return nil, 0, err
	}
	if f.Status != "" && !jobflow.ValidWorkflowStatus(f.Status) {
		return nil, 0, jobflow.Errorf(jobflow.EINVALID, "status must be DRAFT, PUBLISHED or OFFLINE").WithDetails(map[string]string{"field": "status"})
	}
	where, args := `tenant_id = ?`, []any{tenantID}
	if f.Status != "" {
		where += ` AND status = ?`
		args = append(args, string(f.Status))
	}
	if f.Search != "" {
		cond, condArgs := s.workflowSearchClause(f.Search)
		where += ` AND ` + cond
		args = append(args, condArgs...)
	}
	rows, total, err := s.findWorkflowRows(ctx, where, args, f.ListParams)
	if err != nil {
		return nil, 0, err
	}
	out := make([]*jobflow.Workflow, len(rows))
	for i, r := range rows {
		w, err := r.toDomain()
		if err != nil {
			return nil, 0, err
		}
		out[i] = w
	}
	return out, total, nil
}

// workflowSearchClause is searchClause over name and remark; on PostgreSQL
// it uses the indexed search_text column (migration 0004) instead.
func (s *Store) workflowSearchClause(search string) (string, []any) {
	if s.dialect == DialectPostgres && !strings.ContainsRune(search, '\x1f') {
		return `search_text LIKE ? ESCAPE '\'`, []any{containsPattern(search)}
	}
	return s.searchClause(search, "name", "remark")
}

const workflowListColumns = `id, tenant_id, name, remark, status, next_run_time, published_version_id, revision,
    created_at, updated_at, created_by, updated_by`

// findWorkflowRows returns one page of the workflows matching where, and
// how many match.
//
// Without a search, the count is an index-only scan and the page an index
// scan in list order. With a search, a LIMIT query would tempt PostgreSQL
// to walk the list-order index until it found a page of matches, which is
// slow when the matches are old; so the matches are gathered once (through
// the trigram index) in a materialized CTE that both counts them and
// sorts them for the page.
func (s *Store) findWorkflowRows(ctx context.Context, where string, args []any, p jobflow.ListParams) ([]workflowRow, int, error) {
	var total int
	if p.Search == "" {
		if err := s.db.GetContext(ctx, &total, s.db.Rebind(`SELECT COUNT(*) FROM workflows WHERE `+where), args...); err != nil {
			return nil, 0, err
		}
		var rows []workflowRow
		q := `SELECT ` + workflowListColumns + ` FROM workflows WHERE ` + where + `
ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?`
		err := s.db.SelectContext(ctx, &rows, s.db.Rebind(q), append(args, p.PageSize, p.Offset())...)
		return rows, total, err
	}
	var rows []struct {
		workflowRow
		Total int `db:"total"`
	}
	q := `
WITH m AS MATERIALIZED (SELECT ` + workflowListColumns + ` FROM workflows WHERE ` + where + `)
SELECT m.*, (SELECT COUNT(*) FROM m) AS total FROM m
ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?`
	if err := s.db.SelectContext(ctx, &rows, s.db.Rebind(q), append(args, p.PageSize, p.Offset())...); err != nil {
		return nil, 0, err
	}
	if len(rows) == 0 {
		// Past the last page (or no match): the page holds no count.
		err := s.db.GetContext(ctx, &total, s.db.Rebind(`SELECT COUNT(*) FROM workflows WHERE `+where), args...)
		return nil, total, err
	}
	out := make([]workflowRow, len(rows))
	for i, r := range rows {
		out[i] = r.workflowRow
	}
	return out, rows[0].Total, nil
}
