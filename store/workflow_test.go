package store_test

import (
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"

	"jobflow"
	"jobflow/store"
	"jobflow/store/storetest"
)

func TestWorkflowService_Create(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		tn := mustTenant(t, s, "acme")
		w := mustWorkflow(t, s, tn.ID, "daily", "the daily load")
		if !strings.HasPrefix(w.ID, "wf_") || w.Status != jobflow.StatusDraft || w.Revision != 1 {
			t.Fatalf("created = %+v", w)
		}
		got, err := s.FindWorkflowByID(ctx, tn.ID, w.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Name != "daily" || got.Remark != "the daily load" || got.Status != jobflow.StatusDraft ||
			got.Revision != 1 || !got.CreatedAt.Equal(w.CreatedAt) || got.CreatedBy != "us_test" ||
			got.Config.MaxParallelism != jobflow.DefaultMaxParallelism || got.Canvas.Nodes == nil || len(got.Jobs) != 0 {
			t.Fatalf("FindWorkflowByID = %+v", got)
		}

		t.Run("ErrNameTaken", func(t *testing.T) {
			err := s.CreateWorkflow(ctx, &jobflow.Workflow{TenantID: tn.ID, Name: "daily"}, 1000)
			wantCode(t, err, jobflow.ECONFLICT)
			if jobflow.ErrorMessage(err) != `a workflow named "daily" already exists` {
				t.Fatalf("message = %q", jobflow.ErrorMessage(err))
			}
		})
		t.Run("SameNameOtherTenant", func(t *testing.T) {
			other := mustTenant(t, s, "other")
			mustWorkflow(t, s, other.ID, "daily", "")
		})
		t.Run("ErrInvalid", func(t *testing.T) {
			wantCode(t, s.CreateWorkflow(ctx, &jobflow.Workflow{TenantID: tn.ID, Name: ""}, 1000), jobflow.EINVALID)
			wantCode(t, s.CreateWorkflow(ctx, &jobflow.Workflow{TenantID: tn.ID, Name: strings.Repeat("x", 101)}, 1000), jobflow.EINVALID)
			_, total, _ := s.FindWorkflows(ctx, tn.ID, jobflow.WorkflowFilter{})
			if total != 1 {
				t.Fatalf("total = %d after invalid creates, want 1", total)
			}
		})
		t.Run("ErrTenantNotFound", func(t *testing.T) {
			wantCode(t, s.CreateWorkflow(ctx, &jobflow.Workflow{TenantID: "tn_nope", Name: "x"}, 1000), jobflow.ENOTFOUND)
		})
	})
}

func TestWorkflowService_Create_Limit(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		tn := mustTenant(t, s, "acme")
		const workers, limit = 20, 5
		var wg sync.WaitGroup
		errs := make([]error, workers)
		for i := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[i] = s.CreateWorkflow(ctx, &jobflow.Workflow{TenantID: tn.ID, Name: fmt.Sprintf("wf-%d", i)}, limit)
			}()
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			switch jobflow.ErrorCode(err) {
			case "":
				ok++
			case jobflow.ELIMITEXCEEDED:
				if !strings.Contains(jobflow.ErrorMessage(err), "5") {
					t.Errorf("message %q does not name the limit", jobflow.ErrorMessage(err))
				}
			default:
				t.Errorf("unexpected error: %v", err)
			}
		}
		_, total, err := s.FindWorkflows(ctx, tn.ID, jobflow.WorkflowFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if ok != limit || total != limit {
			t.Fatalf("%d creates succeeded and %d workflows exist, want %d", ok, total, limit)
		}
	})
}

func TestWorkflowService_Find(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		tn := mustTenant(t, s, "acme")
		other := mustTenant(t, s, "other")
		for _, n := range []string{"50%_off", "500ff", "a_b", "axb", "A\\B"} {
			mustWorkflow(t, s, tn.ID, n, "")
		}
		mustWorkflow(t, s, tn.ID, "plain", "Remark with 100% effort")
		mustWorkflow(t, s, other.ID, "50%_off", "")

		search := func(q string) []string {
			t.Helper()
			list, total, err := s.FindWorkflows(ctx, tn.ID, jobflow.WorkflowFilter{ListParams: jobflow.ListParams{Search: q}})
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, w := range list {
				out = append(out, w.Name)
			}
			if total != len(out) {
				t.Fatalf("search %q: total %d but %d items", q, total, len(out))
			}
			sort.Strings(out)
			return out
		}
		for _, tc := range []struct{ q, want string }{
			{"%", "50%_off plain"},
			{"_", "50%_off a_b"},
			{"0%_", "50%_off"},
			{"a_b", "a_b"},
			{`\`, `A\B`},
			{"AX", "axb"},
			{"EFFORT", "plain"},
			{"nothing", ""},
		} {
			if got := strings.Join(search(tc.q), " "); got != tc.want {
				t.Errorf("search %q = %q, want %q", tc.q, got, tc.want)
			}
		}

		t.Run("NewestFirstAndPages", func(t *testing.T) {
			var all []string
			for page := 1; page <= 3; page++ {
				list, total, err := s.FindWorkflows(ctx, tn.ID, jobflow.WorkflowFilter{ListParams: jobflow.ListParams{Page: page, PageSize: 4}})
				if err != nil {
					t.Fatal(err)
				}
				if total != 6 {
					t.Fatalf("total = %d, want 6", total)
				}
				for _, w := range list {
					if w.TenantID != tn.ID {
						t.Fatalf("listed another tenant's workflow %+v", w)
					}
					all = append(all, w.Name)
				}
			}
			if got := strings.Join(all, " "); got != `plain A\B axb a_b 500ff 50%_off` {
				t.Fatalf("pages = %q", got)
			}
		})
		t.Run("SearchPages", func(t *testing.T) {
			// "a" is in a_b, axb, A\B and plain (by its remark): four matches.
			var got []string
			for page := 1; page <= 3; page++ {
				list, total, err := s.FindWorkflows(ctx, tn.ID, jobflow.WorkflowFilter{ListParams: jobflow.ListParams{Search: "a", Page: page, PageSize: 3}})
				if err != nil {
					t.Fatal(err)
				}
				if total != 4 {
					t.Fatalf("page %d: total = %d, want 4", page, total)
				}
				for _, w := range list {
					got = append(got, w.Name)
				}
			}
			if strings.Join(got, " ") != `plain A\B axb a_b` {
				t.Fatalf("search pages = %q", got)
			}
		})
		t.Run("Status", func(t *testing.T) {
			list, _, _ := s.FindWorkflows(ctx, tn.ID, jobflow.WorkflowFilter{})
			if err := s.SetWorkflowStatus(ctx, tn.ID, list[0].ID, jobflow.StatusPublished); err != nil {
				t.Fatal(err)
			}
			got, total, err := s.FindWorkflows(ctx, tn.ID, jobflow.WorkflowFilter{Status: jobflow.StatusPublished})
			if err != nil || total != 1 || len(got) != 1 || got[0].ID != list[0].ID {
				t.Fatalf("status filter = %v, %d, %v", got, total, err)
			}
			_, _, err = s.FindWorkflows(ctx, tn.ID, jobflow.WorkflowFilter{Status: "BOGUS"})
			wantCode(t, err, jobflow.EINVALID)
		})
		t.Run("ErrBadPage", func(t *testing.T) {
			_, _, err := s.FindWorkflows(ctx, tn.ID, jobflow.WorkflowFilter{ListParams: jobflow.ListParams{PageSize: 201}})
			wantCode(t, err, jobflow.EINVALID)
		})
	})
}

func TestWorkflowService_CrossTenant(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		a := mustTenant(t, s, "a")
		b := mustTenant(t, s, "b")
		w := mustWorkflow(t, s, a.ID, "mine", "")

		_, err := s.FindWorkflowByID(ctx, b.ID, w.ID)
		wantCode(t, err, jobflow.ENOTFOUND)
		_, err = s.UpdateWorkflow(ctx, b.ID, w.ID, jobflow.WorkflowUpdate{Name: ptr("stolen")}, "us_b")
		wantCode(t, err, jobflow.ENOTFOUND)
		_, err = s.SaveCanvas(ctx, b.ID, w.ID, jobflow.Canvas{}, 1, "us_b")
		wantCode(t, err, jobflow.ENOTFOUND)
		_, err = s.SaveConfig(ctx, b.ID, w.ID, jobflow.DefaultConfig(), "us_b")
		wantCode(t, err, jobflow.ENOTFOUND)
		wantCode(t, s.SetWorkflowStatus(ctx, b.ID, w.ID, jobflow.StatusPublished), jobflow.ENOTFOUND)
		wantCode(t, s.DeleteWorkflow(ctx, b.ID, w.ID), jobflow.ENOTFOUND)
		_, err = s.FindJobs(ctx, b.ID, w.ID)
		wantCode(t, err, jobflow.ENOTFOUND)
		wantCode(t, s.CreateJob(ctx, &jobflow.Job{TenantID: b.ID, WorkflowID: w.ID, Name: "j", Type: jobflow.JobShell,
			Config: []byte(`{"script":"true"}`)}), jobflow.ENOTFOUND)

		got, err := s.FindWorkflowByID(ctx, a.ID, w.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Name != "mine" || got.Revision != 1 || got.Status != jobflow.StatusDraft || !got.UpdatedAt.Equal(w.UpdatedAt) {
			t.Fatalf("another tenant changed the workflow: %+v", got)
		}
	})
}

func TestWorkflowService_Update(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		tn := mustTenant(t, s, "acme")
		w := mustWorkflow(t, s, tn.ID, "one", "r1")
		mustWorkflow(t, s, tn.ID, "two", "")
		got, err := s.UpdateWorkflow(ctx, tn.ID, w.ID, jobflow.WorkflowUpdate{Remark: ptr("r2")}, "us_editor")
		if err != nil {
			t.Fatal(err)
		}
		if got.Name != "one" || got.Remark != "r2" || got.UpdatedBy != "us_editor" || got.Revision != 2 {
			t.Fatalf("UpdateWorkflow = %+v", got)
		}
		t.Run("ErrNameTaken", func(t *testing.T) {
			_, err := s.UpdateWorkflow(ctx, tn.ID, w.ID, jobflow.WorkflowUpdate{Name: ptr("two")}, "us_editor")
			wantCode(t, err, jobflow.ECONFLICT)
			if got, _ := s.FindWorkflowByID(ctx, tn.ID, w.ID); got.Name != "one" || got.Revision != 2 {
				t.Fatalf("changed: %+v", got)
			}
		})
		t.Run("ErrInvalid", func(t *testing.T) {
			_, err := s.UpdateWorkflow(ctx, tn.ID, w.ID, jobflow.WorkflowUpdate{Name: ptr(" ")}, "us_editor")
			wantCode(t, err, jobflow.EINVALID)
		})
	})
}

func TestWorkflowService_SaveCanvas(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		tn := mustTenant(t, s, "acme")
		w := mustWorkflow(t, s, tn.ID, "flow", "")
		a := mustShellJob(t, s, tn.ID, w.ID, "a")
		b := mustShellJob(t, s, tn.ID, w.ID, "b")
		c := jobflow.Canvas{
			Nodes: []jobflow.CanvasNode{{JobID: a.ID, X: 1, Y: 2}, {JobID: b.ID, X: 3, Y: 4}},
			Edges: []jobflow.Edge{{From: a.ID, To: b.ID}},
		}
		got, err := s.SaveCanvas(ctx, tn.ID, w.ID, c, 1, "us_editor")
		if err != nil {
			t.Fatal(err)
		}
		if got.Revision != 2 || len(got.Canvas.Nodes) != 2 || got.Canvas.Nodes[1] != c.Nodes[1] ||
			len(got.Canvas.Edges) != 1 || got.UpdatedBy != "us_editor" || len(got.Jobs) != 2 {
			t.Fatalf("SaveCanvas = %+v", got)
		}

		unchanged := func(t *testing.T) {
			t.Helper()
			now, err := s.FindWorkflowByID(ctx, tn.ID, w.ID)
			if err != nil {
				t.Fatal(err)
			}
			if now.Revision != 2 || len(now.Canvas.Edges) != 1 || now.Canvas.Edges[0] != c.Edges[0] {
				t.Fatalf("workflow changed: revision %d canvas %+v", now.Revision, now.Canvas)
			}
		}
		t.Run("ErrStaleRevision", func(t *testing.T) {
			_, err := s.SaveCanvas(ctx, tn.ID, w.ID, jobflow.Canvas{}, 1, "us_other")
			wantCode(t, err, jobflow.ECONFLICT)
			if !strings.Contains(jobflow.ErrorMessage(err), "revision 1 is stale") {
				t.Fatalf("message = %q", jobflow.ErrorMessage(err))
			}
			unchanged(t)
		})
		t.Run("ErrUnknownJob", func(t *testing.T) {
			other := mustWorkflow(t, s, tn.ID, "other", "")
			foreign := mustShellJob(t, s, tn.ID, other.ID, "foreign")
			bad := jobflow.Canvas{Nodes: []jobflow.CanvasNode{{JobID: a.ID}, {JobID: foreign.ID}}}
			_, err := s.SaveCanvas(ctx, tn.ID, w.ID, bad, 2, "us_editor")
			wantCode(t, err, jobflow.EINVALID)
			unchanged(t)
		})
		t.Run("ErrCycle", func(t *testing.T) {
			bad := jobflow.Canvas{Nodes: c.Nodes, Edges: []jobflow.Edge{{From: a.ID, To: b.ID}, {From: b.ID, To: a.ID}}}
			_, err := s.SaveCanvas(ctx, tn.ID, w.ID, bad, 2, "us_editor")
			wantCode(t, err, jobflow.EINVALID)
			if !strings.Contains(jobflow.ErrorMessage(err), "cycle") {
				t.Fatalf("message = %q", jobflow.ErrorMessage(err))
			}
			unchanged(t)
		})
	})
}

func TestWorkflowService_SaveConfig(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		tn := mustTenant(t, s, "acme")
		w := mustWorkflow(t, s, tn.ID, "flow", "")
		cfg := jobflow.DefaultConfig()
		cfg.Schedule.Cron = "0 0 2 * * ?"
		cfg.Schedule.Enabled = true
		cfg.FailureStrategy = jobflow.FailureEnd
		cfg.Params = map[string]string{"region": "eu"}
		got, err := s.SaveConfig(ctx, tn.ID, w.ID, cfg, "us_editor")
		if err != nil {
			t.Fatal(err)
		}
		if got.Revision != 2 || got.Config.Schedule.Cron != "0 0 2 * * ?" || got.Config.FailureStrategy != jobflow.FailureEnd ||
			got.Config.Params["region"] != "eu" {
			t.Fatalf("SaveConfig = %+v", got.Config)
		}
		t.Run("ErrInvalid", func(t *testing.T) {
			bad := cfg
			bad.Schedule.Timezone = "Mars/Olympus"
			_, err := s.SaveConfig(ctx, tn.ID, w.ID, bad, "us_editor")
			wantCode(t, err, jobflow.EINVALID)
			now, _ := s.FindWorkflowByID(ctx, tn.ID, w.ID)
			if now.Revision != 2 || now.Config.Schedule.Timezone != "Asia/Shanghai" {
				t.Fatalf("config changed: %+v", now.Config)
			}
		})
	})
}

func TestWorkflowService_Delete(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		tn := mustTenant(t, s, "acme")
		w := mustWorkflow(t, s, tn.ID, "flow", "")
		j := mustShellJob(t, s, tn.ID, w.ID, "a")

		t.Run("ErrPublished", func(t *testing.T) {
			if err := s.SetWorkflowStatus(ctx, tn.ID, w.ID, jobflow.StatusPublished); err != nil {
				t.Fatal(err)
			}
			wantCode(t, s.DeleteWorkflow(ctx, tn.ID, w.ID), jobflow.ECONFLICT)
			if _, err := s.FindWorkflowByID(ctx, tn.ID, w.ID); err != nil {
				t.Fatalf("workflow gone: %v", err)
			}
		})
		if err := s.SetWorkflowStatus(ctx, tn.ID, w.ID, jobflow.StatusOffline); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteWorkflow(ctx, tn.ID, w.ID); err != nil {
			t.Fatal(err)
		}
		_, err := s.FindWorkflowByID(ctx, tn.ID, w.ID)
		wantCode(t, err, jobflow.ENOTFOUND)
		_, err = s.FindJobByID(ctx, tn.ID, j.ID)
		wantCode(t, err, jobflow.ENOTFOUND)
		// The name is free again.
		mustWorkflow(t, s, tn.ID, "flow", "")
	})
}

func TestWorkflowService_SaveCanvas_Concurrent(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		tn := mustTenant(t, s, "acme")
		w := mustWorkflow(t, s, tn.ID, "flow", "")
		a := mustShellJob(t, s, tn.ID, w.ID, "a")
		const n = 10
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				c := jobflow.Canvas{Nodes: []jobflow.CanvasNode{{JobID: a.ID, X: float64(i)}}}
				_, errs[i] = s.SaveCanvas(ctx, tn.ID, w.ID, c, 1, "us_x")
			}()
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			switch jobflow.ErrorCode(err) {
			case "":
				ok++
			case jobflow.ECONFLICT:
			default:
				t.Errorf("unexpected error: %v", err)
			}
		}
		got, _ := s.FindWorkflowByID(ctx, tn.ID, w.ID)
		if ok != 1 || got.Revision != 2 {
			t.Fatalf("%d saves of revision 1 succeeded, revision now %d; want exactly 1 and 2", ok, got.Revision)
		}
	})
}

func TestWorkflowService_Find_NameAndRemarkApart(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		tn := mustTenant(t, s, "acme")
		mustWorkflow(t, s, tn.ID, "Ab", "Cd")
		for _, tc := range []struct {
			q    string
			want int
		}{{"ab", 1}, {"CD", 1}, {"bc", 0}, {"b c", 0}, {"b\x1fc", 0}} {
			_, total, err := s.FindWorkflows(ctx, tn.ID, jobflow.WorkflowFilter{ListParams: jobflow.ListParams{Search: tc.q}})
			if err != nil || total != tc.want {
				t.Errorf("search %q: total %d, %v; want %d", tc.q, total, err, tc.want)
			}
		}
	})
}

// The license × tenant limit is the store's: the smaller of the license's
// per-tenant maximum (0: none) and the tenant's own maxWorkflows, read in
// the create's transaction.
func TestWorkflowService_Create_LicenseTimesTenant(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		tn := mustTenant(t, s, "acme")
		if _, err := s.UpdateTenant(ctx, tn.ID, jobflow.TenantUpdate{MaxWorkflows: ptr(3)}); err != nil {
			t.Fatal(err)
		}
		create := func(name string, licenseMax int) error {
			return s.CreateWorkflow(ctx, &jobflow.Workflow{TenantID: tn.ID, Name: name}, licenseMax)
		}
		if err := create("a", 2); err != nil {
			t.Fatal(err)
		}
		if err := create("b", 2); err != nil {
			t.Fatal(err)
		}
		wantCode(t, create("c", 2), jobflow.ELIMITEXCEEDED) // the license's 2
		if err := create("c", 0); err != nil {              // no license: the tenant's 3
			t.Fatal(err)
		}
		err := create("d", 100) // a generous license: still the tenant's 3
		wantCode(t, err, jobflow.ELIMITEXCEEDED)
		if !strings.Contains(jobflow.ErrorMessage(err), "3") {
			t.Fatalf("message %q does not name the limit", jobflow.ErrorMessage(err))
		}
	})
}
