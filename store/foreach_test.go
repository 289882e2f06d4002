package store_test

import (
	"fmt"
	"testing"
	"time"

	"jobflow"
	"jobflow/store"
	"jobflow/store/storetest"
)

// A FOREACH node's items: written once, read in order without the carried
// ones, each item's status its child run's; paged and counted; the parent's
// view does not list the item children; another tenant sees nothing.
func TestForEachItems(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		f := newRunFixture(t, s)
		child := mustWorkflow(t, s, f.tenant.ID, "child", "")
		start := time.Date(2026, 11, 25, 2, 0, 0, 0, time.UTC)
		parent := f.run(jobflow.TriggerManual, start)
		if err := s.UpsertRun(ctx, parent); err != nil {
			t.Fatal(err)
		}
		itemID := func(i int) string { return fmt.Sprintf("%s-fe-i%d", parent.ID, i) }
		items := make([]jobflow.ForEachItem, 1203) // more than one INSERT batch
		for i := range items {
			items[i] = jobflow.ForEachItem{Index: i, Item: fmt.Sprintf("item-%d", i)}
		}
		items[1].Carried, items[1].RunID = true, "rn_old-fe-i1"
		if err := s.CreateForEachItems(ctx, f.tenant.ID, parent.ID, "fe", items); err != nil {
			t.Fatal(err)
		}
		// A retried write changes nothing.
		if err := s.CreateForEachItems(ctx, f.tenant.ID, parent.ID, "fe", items[:2]); err != nil {
			t.Fatal(err)
		}
		next, err := s.NextForEachItems(ctx, f.tenant.ID, parent.ID, "fe", -1, 3)
		if err != nil {
			t.Fatal(err)
		}
		if len(next) != 3 || next[0].Index != 0 || next[1].Index != 2 || next[2].Index != 3 || next[1].Item != "item-2" {
			t.Fatalf("next = %+v, want 0, 2, 3 (1 is carried)", next)
		}
		if last, _ := s.NextForEachItems(ctx, f.tenant.ID, parent.ID, "fe", 1200, 100); len(last) != 2 {
			t.Fatalf("after 1200: %d items, want 2", len(last))
		}
		// Items 0 and 2 start; 0's child fails.
		for _, i := range []int{0, 2} {
			id := itemID(i)
			c := &jobflow.Run{ID: id, TenantID: f.tenant.ID, WorkflowID: child.ID, WorkflowName: child.Name, Trigger: jobflow.TriggerSubflow,
				Status: jobflow.RunRunning, StartedAt: start.Add(time.Minute), ParentRunID: parent.ID, ParentJobID: "fe"}
			if err := s.UpsertRun(ctx, c); err != nil {
				t.Fatal(err)
			}
			if err := s.SetForEachItemRun(ctx, f.tenant.ID, parent.ID, "fe", i, id); err != nil {
				t.Fatal(err)
			}
		}
		end := start.Add(2 * time.Minute)
		if err := s.UpsertRun(ctx, &jobflow.Run{ID: itemID(0), TenantID: f.tenant.ID, WorkflowID: child.ID,
			Status: jobflow.RunFail, Error: "job x failed", StartedAt: start.Add(time.Minute), EndedAt: &end}); err != nil {
			t.Fatal(err)
		}
		wantCode(t, s.SetForEachItemRun(ctx, f.tenant.ID, parent.ID, "fe", 5000, "x"), jobflow.ENOTFOUND)

		page, err := s.FindForEachItems(ctx, f.tenant.ID, parent.ID, "fe", jobflow.ForEachItemFilter{After: -1, PageSize: 2})
		if err != nil {
			t.Fatal(err)
		}
		if page.Total != 1203 || page.Counts["PENDING"] != 1201 || page.Counts["FAIL"] != 1 || page.Counts["RUNNING"] != 1 || page.Counts["SUCCESS"] != 0 {
			t.Errorf("counts %v total %d", page.Counts, page.Total)
		}
		// Item 1's carried child is not in this store: PENDING, but carried.
		if len(page.Items) != 2 || page.Next != 1 || page.Items[0].Status != jobflow.RunFail || page.Items[0].Error != "job x failed" ||
			page.Items[0].EndedAt == nil || !page.Items[1].Carried || page.Items[1].RunID != "rn_old-fe-i1" {
			t.Errorf("page %+v", page)
		}
		fails, err := s.FindForEachItems(ctx, f.tenant.ID, parent.ID, "fe", jobflow.ForEachItemFilter{After: -1, Status: jobflow.RunFail})
		if err != nil || len(fails.Items) != 1 || fails.Items[0].Index != 0 || fails.Next != -1 {
			t.Errorf("FAIL filter: %+v, %v", fails, err)
		}
		other := mustTenant(t, s, "stranger")
		if none, err := s.FindForEachItems(ctx, other.ID, parent.ID, "fe", jobflow.ForEachItemFilter{After: -1}); err != nil || none.Total != 0 || len(none.Items) != 0 {
			t.Errorf("another tenant read %+v, %v", none, err)
		}
		p, err := s.FindRunByID(ctx, f.tenant.ID, parent.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Children) != 0 {
			t.Errorf("the parent lists %d item children", len(p.Children))
		}
	})
}
