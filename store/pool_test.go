package store_test

import (
	"fmt"
	"sync"
	"testing"

	"jobflow"
	"jobflow/store"
	"jobflow/store/storetest"
)

func poolReq(tenantID, pool, runID, jobID string, slots, priority int) jobflow.PoolRequest {
	return jobflow.PoolRequest{TenantID: tenantID, Pool: pool, RunID: runID, JobID: jobID, JobName: jobID,
		TemporalWorkflowID: runID, Slots: slots, Priority: priority}
}

// A pool of 2: two jobs hold a slot each, the rest wait in line by
// priority, then age; a release grants the head of the line and no one
// else; a repeat ask answers the same lease; the pool lists holders and
// waiters with their places; a grown pool grants at once.
func TestPools_Leases(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		tn := mustTenant(t, s, "acme")
		p := &jobflow.Pool{TenantID: tn.ID, Name: "db-prod", Slots: 2}
		if err := s.CreatePool(ctx, p); err != nil {
			t.Fatal(err)
		}
		ask := func(run string, slots, prio int) jobflow.PoolGrant {
			t.Helper()
			g, err := s.AcquirePoolSlots(ctx, poolReq(tn.ID, "db-prod", run, "job", slots, prio))
			if err != nil {
				t.Fatal(err)
			}
			return g
		}
		if g := ask("r1", 1, 3); !g.Granted || g.Used != 1 {
			t.Fatalf("r1: %+v", g)
		}
		if g := ask("r2", 1, 3); !g.Granted || g.Used != 2 {
			t.Fatalf("r2: %+v", g)
		}
		if g := ask("r3", 1, 5); g.Granted || g.Position != 1 {
			t.Fatalf("r3 (low priority): %+v", g)
		}
		if g := ask("r4", 2, 1); g.Granted || g.Position != 1 {
			t.Fatalf("r4 (high priority, 2 slots) goes ahead of r3: %+v", g)
		}
		if g := ask("r3", 1, 5); g.Granted || g.Position != 2 {
			t.Fatalf("r3 asked again: %+v", g)
		}
		got, err := s.FindPoolByID(ctx, tn.ID, p.ID)
		if err != nil || got.Used != 2 || len(got.Holders) != 2 || len(got.Waiters) != 2 || got.Waiters[0].RunID != "r4" || got.Waiters[1].Position != 2 {
			t.Fatalf("pool %+v, %v", got, err)
		}

		// r1 ends: one slot is free, but the head of the line needs two —
		// r3 behind it does not overtake it.
		granted, err := s.ReleasePoolSlots(ctx, tn.ID, "r1", "job")
		if err != nil || len(granted) != 0 {
			t.Fatalf("release r1: %+v, %v", granted, err)
		}
		granted, err = s.ReleasePoolSlots(ctx, tn.ID, "r2", "")
		if err != nil || len(granted) != 1 || granted[0].RunID != "r4" || granted[0].TemporalWorkflowID != "r4" {
			t.Fatalf("release r2: %+v, %v", granted, err)
		}
		if g := ask("r4", 2, 1); !g.Granted || g.Used != 2 {
			t.Fatalf("r4 after the grant: %+v", g)
		}
		// Growing the pool grants r3 at once.
		three := 3
		up, err := s.UpdatePool(ctx, tn.ID, p.ID, jobflow.PoolUpdate{Slots: &three})
		if err != nil || len(up.Granted) != 1 || up.Granted[0].RunID != "r3" || up.Used != 3 {
			t.Fatalf("grow: %+v, %v", up, err)
		}
		// A waiting lease can be dropped too (an aborted run); releasing
		// what is gone is harmless.
		if _, err := s.ReleasePoolSlots(ctx, tn.ID, "r3", ""); err != nil {
			t.Fatal(err)
		}
		if _, err := s.ReleasePoolSlots(ctx, tn.ID, "r3", ""); err != nil {
			t.Fatal(err)
		}
		wantCode(t, s.DeletePool(ctx, tn.ID, p.ID), jobflow.ECONFLICT) // r4 holds
		if _, err := s.ReleasePoolSlots(ctx, tn.ID, "r4", ""); err != nil {
			t.Fatal(err)
		}
		if err := s.DeletePool(ctx, tn.ID, p.ID); err != nil {
			t.Fatal(err)
		}
	})
}

// Requests that can never be granted answer why; bad pools are refused;
// another tenant's pool is not there.
func TestPools_Refusals(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		tn := mustTenant(t, s, "acme")
		other := mustTenant(t, s, "other")
		if err := s.CreatePool(ctx, &jobflow.Pool{TenantID: tn.ID, Name: "small", Slots: 1}); err != nil {
			t.Fatal(err)
		}
		g, err := s.AcquirePoolSlots(ctx, poolReq(tn.ID, "small", "r1", "job", 2, 3))
		if err != nil || g.Granted || g.Error != `the job needs 2 slots of pool "small", which has 1` {
			t.Fatalf("too big: %+v, %v", g, err)
		}
		g, err = s.AcquirePoolSlots(ctx, poolReq(other.ID, "small", "r2", "job", 1, 3))
		if err != nil || g.Error != `pool "small" does not exist in this tenant` {
			t.Fatalf("other tenant: %+v, %v", g, err)
		}
		wantCode(t, s.CreatePool(ctx, &jobflow.Pool{TenantID: tn.ID, Name: "small", Slots: 1}), jobflow.ECONFLICT)
		for _, bad := range []jobflow.Pool{{Name: "", Slots: 1}, {Name: "a b", Slots: 1}, {Name: "x", Slots: 0}, {Name: "x", Slots: 10001}} {
			bad.TenantID = tn.ID
			wantCode(t, s.CreatePool(ctx, &bad), jobflow.EINVALID)
		}
		if list, total, err := s.FindPools(ctx, tn.ID, jobflow.ListParams{}); err != nil || total != 1 || list[0].Name != "small" {
			t.Fatalf("pools: %+v %d %v", list, total, err)
		}
		if list, total, _ := s.FindPools(ctx, other.ID, jobflow.ListParams{}); total != 0 || len(list) != 0 {
			t.Fatalf("the other tenant sees %d pools", total)
		}
	})
}

// Twenty jobs asking a pool of 3 at once: exactly 3 hold it.
func TestPools_ConcurrentAsks(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		tn := mustTenant(t, s, "acme")
		if err := s.CreatePool(ctx, &jobflow.Pool{TenantID: tn.ID, Name: "db", Slots: 3}); err != nil {
			t.Fatal(err)
		}
		var (
			wg      sync.WaitGroup
			mu      sync.Mutex
			granted int
			errs    []error
		)
		for i := range 20 {
			wg.Go(func() {
				g, err := s.AcquirePoolSlots(ctx, poolReq(tn.ID, "db", fmt.Sprintf("r%02d", i), "job", 1, 3))
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					errs = append(errs, err)
				} else if g.Granted {
					granted++
				}
			})
		}
		wg.Wait()
		if len(errs) > 0 || granted != 3 {
			t.Fatalf("%d granted (want 3), errors %v", granted, errs)
		}
	})
}
