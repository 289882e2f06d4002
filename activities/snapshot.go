package activities

import (
	"context"
	"sync"

	"go.temporal.io/sdk/temporal"

	"jobflow"
	"jobflow/workflows"
)

// snapshotFinder is the store's side of LoadSnapshot: a run's snapshot and
// a published version's (jobflow.RunSnapshotService, jobflow.VersionService).
type snapshotFinder interface {
	FindRunSnapshot(ctx context.Context, tenantID, runID string) (*jobflow.Snapshot, error)
	FindVersionByID(ctx context.Context, tenantID, id string) (*jobflow.Version, error)
}

// LoadSnapshot returns one page of the snapshot a large run executes
// (workflows/bigdag.go), gzipped. Snapshots never change once written, so
// the last few read are kept: every page and every continue-as-new of one
// run reads the store once.
func (a *Activities) LoadSnapshot(ctx context.Context, in workflows.LoadSnapshotInput) ([]byte, error) {
	s, err := a.findSnapshot(ctx, in.Ref)
	if err != nil {
		return nil, err
	}
	return workflows.EncodeSnapshotPage(s, in.From)
}

func (a *Activities) findSnapshot(ctx context.Context, ref workflows.SnapshotRef) (*jobflow.Snapshot, error) {
	if s := snapshots.get(ref); s != nil {
		return s, nil
	}
	f, ok := a.Runs.(snapshotFinder)
	if !ok {
		return nil, temporal.NewNonRetryableApplicationError("this worker's store keeps no snapshots", workflows.ErrTypeSnapshotMissing, nil)
	}
	var s *jobflow.Snapshot
	var err error
	switch {
	case ref.RunID != "":
		s, err = f.FindRunSnapshot(ctx, ref.TenantID, ref.RunID)
	case ref.VersionID != "":
		var v *jobflow.Version
		if v, err = f.FindVersionByID(ctx, ref.TenantID, ref.VersionID); err == nil {
			s = &v.Snapshot
		}
	default:
		return nil, temporal.NewNonRetryableApplicationError("the snapshot reference names neither a run nor a version", workflows.ErrTypeSnapshotMissing, nil)
	}
	if jobflow.ErrorCode(err) == jobflow.ENOTFOUND {
		return nil, temporal.NewNonRetryableApplicationError(err.Error(), workflows.ErrTypeSnapshotMissing, err)
	} else if err != nil {
		a.logger().Error("load snapshot", "ref", ref, "err", err)
		return nil, temporal.NewApplicationError("cannot read the run's snapshot", ErrTypeStoreFailed)
	}
	snapshots.put(ref, s)
	return s, nil
}

// snapshotCache keeps the last few snapshots read, by reference.
type snapshotCache struct {
	mu   sync.Mutex
	refs []workflows.SnapshotRef
	snap []*jobflow.Snapshot
}

const snapshotCacheSize = 4

var snapshots snapshotCache

func (c *snapshotCache) get(ref workflows.SnapshotRef) *jobflow.Snapshot {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i, r := range c.refs {
		if r == ref {
			return c.snap[i]
		}
	}
	return nil
}

func (c *snapshotCache) put(ref workflows.SnapshotRef, s *jobflow.Snapshot) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.refs, c.snap = append(c.refs, ref), append(c.snap, s)
	if len(c.refs) > snapshotCacheSize {
		c.refs, c.snap = c.refs[1:], c.snap[1:]
	}
}
