package store_test

import (
	"encoding/json"
	"strings"
	"testing"

	"jobflow"
	"jobflow/store"
	"jobflow/store/storetest"
)

// tenantState is everything the store holds of a tenant's workflows and
// jobs, as JSON, with the row counts, for before/after comparisons.
func tenantState(t *testing.T, s *store.Store, tenantID string) (string, int, int) {
	t.Helper()
	ws, n, err := s.FindWorkflows(ctx, tenantID, jobflow.WorkflowFilter{ListParams: jobflow.ListParams{Page: 1, PageSize: 200}})
	if err != nil {
		t.Fatal(err)
	}
	var full []*jobflow.Workflow
	jobs := 0
	for _, w := range ws {
		fw, err := s.FindWorkflowByID(ctx, tenantID, w.ID)
		if err != nil {
			t.Fatal(err)
		}
		jobs += len(fw.Jobs)
		full = append(full, fw)
	}
	b, _ := json.Marshal(full)
	return string(b), n, jobs
}

// wantRef fails unless err is a 400 naming field and id.
func wantRef(t *testing.T, what string, err error, field, id string) {
	t.Helper()
	e, ok := err.(*jobflow.Error)
	if !ok || e.Code != jobflow.EINVALID {
		t.Fatalf("%s: err = %v, want INVALID", what, err)
	}
	d, _ := e.Details.(map[string]string)
	if d["field"] != field || d["id"] != id || !strings.Contains(e.Message, field) || !strings.Contains(e.Message, id) {
		t.Fatalf("%s: %q %v, want field %s and id %s named", what, e.Message, e.Details, field, id)
	}
}

// TestRefs_ForeignIDsRefused: tenant B's datasource, workflow, job,
// member and alarm channel ids, and another workflow's job as a CONDITION target, are
// refused by job create and update, config save and import, each a 400
// naming the field and the id, with tenant A's workflows and jobs
// unchanged.
func TestRefs_ForeignIDsRefused(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		a, b := mustTenant(t, s, "tenant-a"), mustTenant(t, s, "tenant-b")
		dsB := newDatasource(b.ID, "b-warehouse", "b-pass-123")
		if err := s.CreateDatasource(ctx, dsB); err != nil {
			t.Fatal(err)
		}
		dsA := newDatasource(a.ID, "a-warehouse", "a-pass-123")
		if err := s.CreateDatasource(ctx, dsA); err != nil {
			t.Fatal(err)
		}
		chB, err := s.CreateAlarmChannel(ctx, b.ID, webhookInput("b-ops", "https://hooks.example.com/b"))
		if err != nil {
			t.Fatal(err)
		}
		chA, err := s.CreateAlarmChannel(ctx, a.ID, webhookInput("a-ops", "https://hooks.example.com/a"))
		if err != nil {
			t.Fatal(err)
		}
		wfB := mustWorkflow(t, s, b.ID, "b-flow", "")
		jobB := mustShellJob(t, s, b.ID, wfB.ID, "b-job")
		wfA := mustWorkflow(t, s, a.ID, "a-flow", "")
		other := mustWorkflow(t, s, a.ID, "a-other", "")
		otherJob := mustShellJob(t, s, a.ID, other.ID, "other-job")
		sibling := mustShellJob(t, s, a.ID, wfA.ID, "sibling")
		userOf := func(tenantID, account string) *jobflow.User {
			u := &jobflow.User{Account: account, Name: account}
			if err := s.CreateUser(ctx, u); err != nil {
				t.Fatal(err)
			}
			if err := s.SetMembership(ctx, tenantID, u.ID, jobflow.RoleMember); err != nil {
				t.Fatal(err)
			}
			return u
		}
		annA, bobB := userOf(a.ID, "ann"), userOf(b.ID, "bob")
		if err := s.CreateJob(ctx, &jobflow.Job{TenantID: a.ID, WorkflowID: wfA.ID, Name: "gate", Type: jobflow.JobApproval,
			Config: json.RawMessage(`{"approvers":{"users":["` + annA.ID + `"]}}`)}); err != nil {
			t.Fatalf("own member as approver refused: %v", err)
		}
		sqlJob := &jobflow.Job{TenantID: a.ID, WorkflowID: wfA.ID, Name: "load", Type: jobflow.JobSQL,
			Config: json.RawMessage(`{"datasourceId":"` + dsA.ID + `","sql":"select 1"}`)}
		if err := s.CreateJob(ctx, sqlJob); err != nil {
			t.Fatalf("own datasource refused: %v", err)
		}
		if _, err := s.SaveConfig(ctx, a.ID, wfA.ID, jobflow.WorkflowConfig{Alarms: []jobflow.AlarmRule{{Events: []jobflow.AlarmEvent{"RUN_FAIL"}, ChannelIDs: []string{chA.ID}}}}, "us_x"); err != nil {
			t.Fatalf("own channel refused: %v", err)
		}
		before, nw, nj := tenantState(t, s, a.ID)

		job := func(name string, typ jobflow.JobType, cfg string) *jobflow.Job {
			return &jobflow.Job{TenantID: a.ID, WorkflowID: wfA.ID, Name: name, Type: typ, Config: json.RawMessage(cfg)}
		}
		cond := func(target string) string {
			return `{"cases":[{"when":"true","to":["` + sibling.ID + `","` + target + `"]}],"default":[]}`
		}
		for _, c := range []struct {
			what, field, id string
			j               *jobflow.Job
		}{
			{"SQL with B's datasource", "config.datasourceId", dsB.ID, job("x1", jobflow.JobSQL, `{"datasourceId":"`+dsB.ID+`","sql":"select 1"}`)},
			{"SUBFLOW of B's workflow", "config.workflowId", wfB.ID, job("x2", jobflow.JobSubflow, `{"workflowId":"`+wfB.ID+`","version":"DRAFT"}`)},
			{"DEPENDENT on B's workflow", "config.items[0].workflowId", wfB.ID, job("x3", jobflow.JobDependent, `{"items":[{"workflowId":"`+wfB.ID+`","window":"today"}]}`)},
			{"DEPENDENT on B's job", "config.items[0].jobId", jobB.ID, job("x4", jobflow.JobDependent, `{"items":[{"workflowId":"`+other.ID+`","jobId":"`+jobB.ID+`","window":"today"}]}`)},
			{"CONDITION to another workflow's job", "config.cases[0].to", otherJob.ID, job("x5", jobflow.JobCondition, cond(otherJob.ID))},
			{"CONDITION to B's job", "config.cases[0].to", jobB.ID, job("x6", jobflow.JobCondition, cond(jobB.ID))},
			{"APPROVAL by B's member", "config.approvers.users[1]", bobB.ID, job("x7", jobflow.JobApproval, `{"approvers":{"users":["`+annA.ID+`","`+bobB.ID+`"]}}`)},
		} {
			wantRef(t, "create "+c.what, s.CreateJob(ctx, c.j), c.field, c.id)
			// The same config as an edit of an existing job.
			typ, cfg := c.j.Type, c.j.Config
			_, err := s.UpdateJob(ctx, a.ID, sqlJob.ID, jobflow.JobUpdate{Type: &typ, Config: &cfg})
			wantRef(t, "update "+c.what, err, c.field, c.id)
			// And in an import, as a new workflow and over wfA's draft.
			for _, over := range []string{"", wfA.ID} {
				j := *c.j
				j.ID, j.WorkflowID = "", ""
				keep := &jobflow.Job{Name: "sibling", Type: jobflow.JobShell, Config: json.RawMessage(`{"script":"true"}`), ID: sibling.ID}
				items := []*jobflow.DraftImport{{WorkflowID: over, Name: map[string]string{"": "imported", wfA.ID: "a-flow"}[over],
					Jobs: []*jobflow.Job{keep, &j}, Config: jobflow.DefaultConfig()}}
				j.ID = "job_imported"
				_, err := s.ImportDrafts(ctx, a.ID, items, 100, "us_x")
				wantRef(t, "import "+c.what, err, c.field, c.id)
				if d := err.(*jobflow.Error).Details.(map[string]string); d["job"] != c.j.Name {
					t.Fatalf("import %s: details %v do not name the job", c.what, d)
				}
			}
		}
		cfg := jobflow.WorkflowConfig{Alarms: []jobflow.AlarmRule{{Events: []jobflow.AlarmEvent{"RUN_FAIL"}, ChannelIDs: []string{chA.ID, chB.ID}}}}
		_, err = s.SaveConfig(ctx, a.ID, wfA.ID, cfg, "us_x")
		wantRef(t, "config with B's channel", err, "alarms[0].channelIds[1]", chB.ID)
		_, err = s.ImportDrafts(ctx, a.ID, []*jobflow.DraftImport{{Name: "imported", Config: cfg}}, 100, "us_x")
		wantRef(t, "import with B's channel", err, "alarms[0].channelIds[1]", chB.ID)

		after, nw2, nj2 := tenantState(t, s, a.ID)
		if nw2 != nw || nj2 != nj || after != before {
			t.Fatalf("tenant A changed: %d workflows %d jobs -> %d, %d\nbefore %s\nafter  %s", nw, nj, nw2, nj2, before, after)
		}
		if _, bw, bj := tenantState(t, s, b.ID); bw != 1 || bj != 1 {
			t.Fatalf("tenant B holds %d workflows, %d jobs; want 1, 1", bw, bj)
		}
	})
}
