package jobflow

import "strings"

// ListParams are the paging and search parameters every list route takes.
type ListParams struct {
	Page     int    `json:"page"`     // from 1
	PageSize int    `json:"pageSize"` // 1–200
	Search   string `json:"search"`   // case-insensitive substring of name or remark; % and _ literal
}

// Paging limits.
const (
	DefaultPageSize = 20
	MaxPageSize     = 200
)

// Normalize fills defaults and rejects out-of-range values.
func (p *ListParams) Normalize() error {
	if p.Page == 0 {
		p.Page = 1
	}
	if p.PageSize == 0 {
		p.PageSize = DefaultPageSize
	}
	if p.Page < 1 {
		return Errorf(EINVALID, "page must be 1 or more")
	}
	if p.PageSize < 1 || p.PageSize > MaxPageSize {
		return Errorf(EINVALID, "pageSize must be between 1 and %d", MaxPageSize)
	}
	p.Search = strings.TrimSpace(p.Search)
	if len(p.Search) > 200 {
		return Errorf(EINVALID, "search must be at most 200 characters")
	}
	return nil
}

// Offset is the number of rows before the page.
func (p ListParams) Offset() int { return (p.Page - 1) * p.PageSize }

// List is one page of a list answer.
type List[T any] struct {
	Items    []T `json:"items"`
	Total    int `json:"total"`
	Page     int `json:"page"`
	PageSize int `json:"pageSize"`
	// TotalCapped says Total is a lower bound: there are more (run lists
	// count at most RunCountLimit rows, see there).
	TotalCapped bool `json:"totalCapped,omitempty"`
}

// RunCountCap bounds how many runs a run list counts for its total. An
// exact count of a workflow with a long history reads its whole index range
// (10,000 runs took 6-15 ms on PostgreSQL here, a million 250 ms); counting
// up to a cap keeps the list within its 10 ms target however long the
// history grows, and the page being read is always within the count.
const RunCountCap = 1000

// RunCountLimit is the most runs a list with p counts: the cap, or enough
// to know whether a page after p exists; the store counts up to it plus
// one, and a count above it means "more".
func RunCountLimit(p ListParams) int { return max(RunCountCap, p.Offset()+p.PageSize) }
