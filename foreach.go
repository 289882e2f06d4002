package jobflow

import (
	"context"
	"time"
)

// FOREACH jobs (docs/run-semantics.md#foreach-jobs) run one child run of a
// workflow per item of a list. The items of a FOREACH node run are rows of
// their own; an item's status is its child run's, PENDING until it starts.

// MaxForEachItems bounds a FOREACH job's list.
const MaxForEachItems = 10000

// ForEachItem is one item of a FOREACH node run.
type ForEachItem struct {
	Index int    `json:"index"`
	Item  string `json:"item"`
	// RunID is the item's child run, "" while it waits to start; for a
	// carried item, the child of an earlier run that succeeded.
	RunID string `json:"runId,omitempty"`
	// Status is PENDING until the child starts, then the child run's.
	Status RunStatus `json:"status"`
	// Carried: the item succeeded in the run this one reruns and was not
	// run again.
	Carried   bool       `json:"carried,omitempty"`
	StartedAt *time.Time `json:"startedAt,omitempty"`
	EndedAt   *time.Time `json:"endedAt,omitempty"`
	Error     string     `json:"error,omitempty"`
}

// ItemPending is the status of an item whose child has not started.
const ItemPending RunStatus = "PENDING"

// ForEachItemFilter pages a FOREACH node's items, by index.
type ForEachItemFilter struct {
	Status   RunStatus // "" for all
	After    int       // items with a greater index; -1 for the first page
	PageSize int       // 1..1000, default 100
}

// ForEachItems is a page of a FOREACH node's items and the count of all
// its items by status.
type ForEachItems struct {
	Items  []ForEachItem  `json:"items"`
	Counts map[string]int `json:"counts"`
	Total  int            `json:"total"`
	// Next is the After of the next page, -1 when this page is the last.
	Next int `json:"next"`
}

// ForEachService keeps the items of FOREACH node runs (store).
type ForEachService interface {
	// CreateForEachItems writes a node run's items once: a second call
	// for the same node run changes nothing.
	CreateForEachItems(ctx context.Context, tenantID, runID, jobID string, items []ForEachItem) error
	// NextForEachItems are up to limit items after index after that
	// are not carried, in index order.
	NextForEachItems(ctx context.Context, tenantID, runID, jobID string, after, limit int) ([]ForEachItem, error)
	// SetForEachItemRun records the child run an item started.
	SetForEachItemRun(ctx context.Context, tenantID, runID, jobID string, index int, childRunID string) error
	// FindForEachItems pages a node run's items with their children's state.
	FindForEachItems(ctx context.Context, tenantID, runID, jobID string, f ForEachItemFilter) (*ForEachItems, error)
}
