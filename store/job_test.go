package store_test

import (
	"encoding/json"
	"testing"

	"jobflow"
	"jobflow/jobtypes"
	"jobflow/store"
	"jobflow/store/storetest"
)

func TestJobService_Create(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		tn := mustTenant(t, s, "acme")
		w := mustWorkflow(t, s, tn.ID, "flow", "")
		j := &jobflow.Job{
			TenantID: tn.ID, WorkflowID: w.ID, Name: "load", Type: jobflow.JobHTTP,
			Config:         json.RawMessage(`{"url":"https://example.com/x","method":"post"}`),
			TimeoutSeconds: 30, Retry: jobflow.RetryPolicy{MaxAttempts: 3, IntervalSeconds: 5, Backoff: 2},
			WorkerGroup: "gpu", Cron: "0 30 2 * * ?", Remark: "r", CreatedBy: "us_x",
		}
		if err := s.CreateJob(ctx, j); err != nil {
			t.Fatal(err)
		}
		got, err := s.FindJobByID(ctx, tn.ID, j.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Name != "load" || got.Type != jobflow.JobHTTP || got.TimeoutSeconds != 30 || got.Retry != j.Retry ||
			got.WorkerGroup != "gpu" || got.Cron != "0 30 2 * * ?" || got.Remark != "r" || got.CreatedBy != "us_x" ||
			!got.CreatedAt.Equal(j.CreatedAt) || got.WorkflowID != w.ID {
			t.Fatalf("FindJobByID = %+v", got)
		}
		var cfg jobtypes.HTTPConfig
		if err := json.Unmarshal(got.Config, &cfg); err != nil || cfg.Method != "POST" {
			t.Fatalf("config not normalized: %s", got.Config)
		}

		t.Run("ErrNameTaken", func(t *testing.T) {
			dup := &jobflow.Job{TenantID: tn.ID, WorkflowID: w.ID, Name: "load", Type: jobflow.JobShell, Config: json.RawMessage(`{"script":"true"}`)}
			err := s.CreateJob(ctx, dup)
			wantCode(t, err, jobflow.ECONFLICT)
			if jobflow.ErrorMessage(err) != `a job named "load" already exists in this workflow` {
				t.Fatalf("message = %q", jobflow.ErrorMessage(err))
			}
		})
		t.Run("SameNameOtherWorkflow", func(t *testing.T) {
			w2 := mustWorkflow(t, s, tn.ID, "flow2", "")
			mustShellJob(t, s, tn.ID, w2.ID, "load")
		})
		t.Run("ErrInvalid", func(t *testing.T) {
			bad := &jobflow.Job{TenantID: tn.ID, WorkflowID: w.ID, Name: "x", Type: jobflow.JobShell, Config: json.RawMessage(`{"script":""}`)}
			wantCode(t, s.CreateJob(ctx, bad), jobflow.EINVALID)
			jobs, _ := s.FindJobs(ctx, tn.ID, w.ID)
			if len(jobs) != 1 {
				t.Fatalf("%d jobs, want 1", len(jobs))
			}
		})
		t.Run("ErrWorkflowNotFound", func(t *testing.T) {
			j := &jobflow.Job{TenantID: tn.ID, WorkflowID: "wf_nope", Name: "x", Type: jobflow.JobShell, Config: json.RawMessage(`{"script":"true"}`)}
			wantCode(t, s.CreateJob(ctx, j), jobflow.ENOTFOUND)
		})
	})
}

func TestJobService_Update(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		tn := mustTenant(t, s, "acme")
		other := mustTenant(t, s, "other")
		w := mustWorkflow(t, s, tn.ID, "flow", "")
		a := mustShellJob(t, s, tn.ID, w.ID, "a")
		mustShellJob(t, s, tn.ID, w.ID, "b")
		script := json.RawMessage(`{"script":"echo changed"}`)
		got, err := s.UpdateJob(ctx, tn.ID, a.ID, jobflow.JobUpdate{Config: &script, TimeoutSeconds: ptr(9)})
		if err != nil {
			t.Fatal(err)
		}
		if got.TimeoutSeconds != 9 || got.Name != "a" {
			t.Fatalf("UpdateJob = %+v", got)
		}
		again, _ := s.FindJobByID(ctx, tn.ID, a.ID)
		var cfg jobtypes.ShellConfig
		if err := json.Unmarshal(again.Config, &cfg); err != nil || cfg.Script != "echo changed" || again.TimeoutSeconds != 9 {
			t.Fatalf("stored = %+v", again)
		}
		t.Run("ErrNameTaken", func(t *testing.T) {
			_, err := s.UpdateJob(ctx, tn.ID, a.ID, jobflow.JobUpdate{Name: ptr("b")})
			wantCode(t, err, jobflow.ECONFLICT)
		})
		t.Run("ErrInvalid", func(t *testing.T) {
			_, err := s.UpdateJob(ctx, tn.ID, a.ID, jobflow.JobUpdate{TimeoutSeconds: ptr(-1)})
			wantCode(t, err, jobflow.EINVALID)
			if now, _ := s.FindJobByID(ctx, tn.ID, a.ID); now.TimeoutSeconds != 9 {
				t.Fatalf("timeout changed to %d", now.TimeoutSeconds)
			}
		})
		t.Run("ErrOtherTenant", func(t *testing.T) {
			_, err := s.UpdateJob(ctx, other.ID, a.ID, jobflow.JobUpdate{Name: ptr("stolen")})
			wantCode(t, err, jobflow.ENOTFOUND)
			_, err = s.FindJobByID(ctx, other.ID, a.ID)
			wantCode(t, err, jobflow.ENOTFOUND)
			wantCode(t, s.DeleteJob(ctx, other.ID, a.ID), jobflow.ENOTFOUND)
			if now, err := s.FindJobByID(ctx, tn.ID, a.ID); err != nil || now.Name != "a" {
				t.Fatalf("job changed: %+v %v", now, err)
			}
		})
	})
}

func TestJobService_Delete(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		tn := mustTenant(t, s, "acme")
		w := mustWorkflow(t, s, tn.ID, "flow", "")
		a := mustShellJob(t, s, tn.ID, w.ID, "a")
		b := mustShellJob(t, s, tn.ID, w.ID, "b")
		c := jobflow.Canvas{Nodes: []jobflow.CanvasNode{{JobID: a.ID}}}
		if _, err := s.SaveCanvas(ctx, tn.ID, w.ID, c, 1, "us_x"); err != nil {
			t.Fatal(err)
		}
		t.Run("ErrOnCanvas", func(t *testing.T) {
			wantCode(t, s.DeleteJob(ctx, tn.ID, a.ID), jobflow.ECONFLICT)
			if _, err := s.FindJobByID(ctx, tn.ID, a.ID); err != nil {
				t.Fatalf("job gone: %v", err)
			}
		})
		if err := s.DeleteJob(ctx, tn.ID, b.ID); err != nil {
			t.Fatal(err)
		}
		jobs, err := s.FindJobs(ctx, tn.ID, w.ID)
		if err != nil || len(jobs) != 1 || jobs[0].ID != a.ID {
			t.Fatalf("FindJobs = %v, %v", jobs, err)
		}
		wantCode(t, s.DeleteJob(ctx, tn.ID, b.ID), jobflow.ENOTFOUND)
	})
}
