package store_test

import (
	"encoding/json"
	"testing"
	"time"

	"jobflow"
	"jobflow/store"
	"jobflow/store/storetest"
)

// publishDraft stores a version of the workflow's draft as a publish
// would, with a note.
func publishDraft(t *testing.T, s *store.Store, tenantID, wfID, note string) *jobflow.Version {
	t.Helper()
	w, err := s.FindWorkflowByID(ctx, tenantID, wfID)
	if err != nil {
		t.Fatal(err)
	}
	snap := jobflow.Snapshot{WorkflowName: w.Name, Canvas: w.Canvas, Config: w.Config}
	for _, n := range w.Canvas.Nodes {
		for _, j := range w.Jobs {
			if j.ID == n.JobID {
				snap.Jobs = append(snap.Jobs, *j)
			}
		}
	}
	v := &jobflow.Version{TenantID: tenantID, WorkflowID: wfID, Snapshot: snap, CreatedBy: "us_pub", Note: note}
	if err := s.CreateVersion(ctx, v); err != nil {
		t.Fatal(err)
	}
	return v
}

func place(t *testing.T, s *store.Store, tenantID, wfID string, edges [][2]string, jobs ...*jobflow.Job) {
	t.Helper()
	w, err := s.FindWorkflowByID(ctx, tenantID, wfID)
	if err != nil {
		t.Fatal(err)
	}
	var c jobflow.Canvas
	for i, j := range jobs {
		c.Nodes = append(c.Nodes, jobflow.CanvasNode{JobID: j.ID, X: float64(i * 100)})
	}
	for _, e := range edges {
		c.Edges = append(c.Edges, jobflow.Edge{From: e[0], To: e[1]})
	}
	if _, err := s.SaveCanvas(ctx, tenantID, wfID, c, w.Revision, "us_test"); err != nil {
		t.Fatal(err)
	}
}

func TestVersionHistory(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		tn := mustTenant(t, s, "acme")
		other := mustTenant(t, s, "other")
		w := mustWorkflow(t, s, tn.ID, "etl", "")
		a := mustShellJob(t, s, tn.ID, w.ID, "a")
		b := mustShellJob(t, s, tn.ID, w.ID, "b")
		place(t, s, tn.ID, w.ID, [][2]string{{a.ID, b.ID}}, a, b)
		v1 := publishDraft(t, s, tn.ID, w.ID, "first")
		// Version 2: b renamed, a third job c after b.
		if _, err := s.UpdateJob(ctx, tn.ID, b.ID, jobflow.JobUpdate{Name: ptr("b2")}); err != nil {
			t.Fatal(err)
		}
		c := mustShellJob(t, s, tn.ID, w.ID, "c")
		place(t, s, tn.ID, w.ID, [][2]string{{a.ID, b.ID}, {b.ID, c.ID}}, a, b, c)
		v2 := publishDraft(t, s, tn.ID, w.ID, "")
		if _, err := s.SetPublished(ctx, v2, nil); err != nil {
			t.Fatal(err)
		}

		t.Run("List", func(t *testing.T) {
			items, total, err := s.FindVersions(ctx, tn.ID, w.ID, jobflow.ListParams{})
			if err != nil {
				t.Fatal(err)
			}
			if total != 2 || len(items) != 2 || items[0].Number != 2 || items[1].Number != 1 {
				t.Fatalf("total %d, items %+v: want 2, newest first", total, items)
			}
			if items[0].JobCount != 3 || !items[0].Current || items[1].JobCount != 2 || items[1].Current ||
				items[1].Note != "first" || items[1].PublishedBy != "us_pub" || items[1].ID != v1.ID {
				t.Fatalf("items %+v %+v", items[0], items[1])
			}
			page2, total, err := s.FindVersions(ctx, tn.ID, w.ID, jobflow.ListParams{Page: 2, PageSize: 1})
			if err != nil || total != 2 || len(page2) != 1 || page2[0].Number != 1 {
				t.Fatalf("page 2: %+v %d %v", page2, total, err)
			}
			_, _, err = s.FindVersions(ctx, other.ID, w.ID, jobflow.ListParams{})
			wantCode(t, err, jobflow.ENOTFOUND)
		})

		t.Run("ByNumber", func(t *testing.T) {
			v, err := s.FindVersionByNumber(ctx, tn.ID, w.ID, 1)
			if err != nil || v.ID != v1.ID || v.Note != "first" || len(v.Snapshot.Jobs) != 2 {
				t.Fatalf("v %+v, %v", v, err)
			}
			_, err = s.FindVersionByNumber(ctx, tn.ID, w.ID, 3)
			wantCode(t, err, jobflow.ENOTFOUND)
			_, err = s.FindVersionByNumber(ctx, other.ID, w.ID, 1)
			wantCode(t, err, jobflow.ENOTFOUND)
		})

		t.Run("RestoreStaleChangesNothing", func(t *testing.T) {
			before, _ := s.FindWorkflowByID(ctx, tn.ID, w.ID)
			_, err := s.RestoreVersion(ctx, tn.ID, w.ID, 1, before.Revision-1, "us_r")
			wantCode(t, err, jobflow.ECONFLICT)
			_, err = s.RestoreVersion(ctx, tn.ID, w.ID, 9, 0, "us_r")
			wantCode(t, err, jobflow.ENOTFOUND)
			after, _ := s.FindWorkflowByID(ctx, tn.ID, w.ID)
			if mustJSONString(before) != mustJSONString(after) {
				t.Fatalf("a refused restore changed the draft:\n%s\n%s", mustJSONString(before), mustJSONString(after))
			}
		})

		t.Run("Restore", func(t *testing.T) {
			// The draft moves on: c deleted, a renamed to "b" (the name b
			// had in version 1), a new job d placed.
			place(t, s, tn.ID, w.ID, [][2]string{{a.ID, b.ID}}, a, b)
			if err := s.DeleteJob(ctx, tn.ID, c.ID); err != nil {
				t.Fatal(err)
			}
			if _, err := s.UpdateJob(ctx, tn.ID, b.ID, jobflow.JobUpdate{Name: ptr("b3")}); err != nil {
				t.Fatal(err)
			}
			if _, err := s.UpdateJob(ctx, tn.ID, a.ID, jobflow.JobUpdate{Name: ptr("b")}); err != nil {
				t.Fatal(err)
			}
			d := mustShellJob(t, s, tn.ID, w.ID, "d")
			before, _ := s.FindWorkflowByID(ctx, tn.ID, w.ID)

			got, err := s.RestoreVersion(ctx, tn.ID, w.ID, 2, before.Revision, "us_r")
			if err != nil {
				t.Fatal(err)
			}
			if got.Revision != before.Revision+1 || got.UpdatedBy != "us_r" {
				t.Fatalf("revision %d (was %d), updatedBy %q", got.Revision, before.Revision, got.UpdatedBy)
			}
			names := map[string]string{}
			for _, j := range got.Jobs {
				names[j.ID] = j.Name
			}
			if len(names) != 3 || names[a.ID] != "a" || names[b.ID] != "b2" || names[c.ID] != "c" || names[d.ID] != "" {
				t.Fatalf("jobs after restore %v: want a, b2 and c (recreated with its id), no d", names)
			}
			if len(got.Canvas.Nodes) != 3 || len(got.Canvas.Edges) != 2 || got.Canvas.Edges[1] != (jobflow.Edge{From: b.ID, To: c.ID}) {
				t.Fatalf("canvas %+v", got.Canvas)
			}
			// Versions are untouched by a restore.
			if _, total, _ := s.FindVersions(ctx, tn.ID, w.ID, jobflow.ListParams{}); total != 2 {
				t.Fatalf("%d versions after restore", total)
			}
		})
	})
}

func mustJSONString(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func TestRuns_VersionNumber(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		tn := mustTenant(t, s, "acme")
		w := mustWorkflow(t, s, tn.ID, "etl", "")
		a := mustShellJob(t, s, tn.ID, w.ID, "a")
		place(t, s, tn.ID, w.ID, nil, a)
		publishDraft(t, s, tn.ID, w.ID, "")
		v2 := publishDraft(t, s, tn.ID, w.ID, "")
		for _, vid := range []string{v2.ID, ""} {
			r := &jobflow.Run{ID: jobflow.NewID(jobflow.PrefixRun), TenantID: tn.ID, WorkflowID: w.ID, VersionID: vid,
				Trigger: jobflow.TriggerManual, Status: jobflow.RunRunning, LogicalTime: time.Now(), StartedAt: time.Now()}
			if err := s.CreateRun(ctx, r, &v2.Snapshot); err != nil {
				t.Fatal(err)
			}
			got, err := s.FindRunByID(ctx, tn.ID, r.ID)
			want := 0
			if vid != "" {
				want = 2
			}
			if err != nil || got.VersionNumber != want {
				t.Fatalf("run on %q: version number %d, want %d (%v)", vid, got.VersionNumber, want, err)
			}
		}
		runs, _, err := s.FindRuns(ctx, tn.ID, jobflow.RunFilter{})
		if err != nil || len(runs) != 2 || runs[0].VersionNumber+runs[1].VersionNumber != 2 {
			t.Fatalf("runs %+v, %v", runs, err)
		}
	})
}

func TestAuditLog(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		old := time.Now().Add(-200 * 24 * time.Hour)
		entries := []*jobflow.AuditEntry{
			{At: old, TenantID: "tn_a", UserID: "us_1", Action: "workflow.create", ObjectID: "wf_1", Result: "ok"},
			{TenantID: "tn_a", UserID: "us_1", Action: "workflow.publish", ObjectID: "wf_1", Version: 3, Result: "ok"},
			{TenantID: "tn_a", UserID: "us_2", Action: "workflow.delete", ObjectID: "wf_1", Result: "FORBIDDEN"},
			{TenantID: "tn_b", UserID: "us_3", Action: "workflow.create", ObjectID: "wf_9", Result: "ok"},
			{UserID: "us_1", Action: "auth.login", Result: "ok"},
		}
		for _, e := range entries {
			if err := s.CreateAuditEntry(ctx, e); err != nil {
				t.Fatal(err)
			}
		}
		wantCode(t, s.CreateAuditEntry(ctx, &jobflow.AuditEntry{TenantID: "tn_a"}), jobflow.EINVALID)
		count := func(f jobflow.AuditFilter) int {
			t.Helper()
			items, total, err := s.FindAuditEntries(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			if len(items) != min(total, 20) {
				t.Fatalf("%d items of %d", len(items), total)
			}
			return total
		}
		since := time.Now().Add(-time.Hour)
		for name, c := range map[string]struct {
			f    jobflow.AuditFilter
			want int
		}{
			"tenant":      {jobflow.AuditFilter{TenantID: "tn_a"}, 3},
			"all":         {jobflow.AuditFilter{AllTenants: true}, 5},
			"allOneTen":   {jobflow.AuditFilter{AllTenants: true, TenantID: "tn_b"}, 1},
			"object":      {jobflow.AuditFilter{TenantID: "tn_a", ObjectID: "wf_1"}, 3},
			"user":        {jobflow.AuditFilter{TenantID: "tn_a", UserID: "us_2"}, 1},
			"action":      {jobflow.AuditFilter{AllTenants: true, Action: "workflow.create"}, 2},
			"from":        {jobflow.AuditFilter{TenantID: "tn_a", From: &since}, 2},
			"to":          {jobflow.AuditFilter{TenantID: "tn_a", To: &since}, 1},
			"otherTenant": {jobflow.AuditFilter{TenantID: "tn_zzz"}, 0},
		} {
			if got := count(c.f); got != c.want {
				t.Errorf("%s: %d rows, want %d", name, got, c.want)
			}
		}
		_, _, err := s.FindAuditEntries(ctx, jobflow.AuditFilter{})
		wantCode(t, err, jobflow.EINVALID)
		items, _, _ := s.FindAuditEntries(ctx, jobflow.AuditFilter{TenantID: "tn_a"})
		if items[0].Action != "workflow.delete" && items[0].Action != "workflow.publish" || items[2].Action != "workflow.create" {
			t.Fatalf("not newest first: %s, %s, %s", items[0].Action, items[1].Action, items[2].Action)
		}

		n, err := s.PurgeAuditEntries(ctx, time.Now().Add(-store.DefaultAuditRetention))
		if err != nil || n != 1 {
			t.Fatalf("purge: %d rows, %v; want the one row older than 180 days", n, err)
		}
		if got := count(jobflow.AuditFilter{AllTenants: true}); got != 4 {
			t.Fatalf("%d rows after purge, want 4", got)
		}
	})
}

func TestAPITokens(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		tn := mustTenant(t, s, "acme")
		u := &jobflow.User{Account: "bot", Name: "bot"}
		if err := s.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		got, _ := s.FindUserByID(ctx, u.ID)
		if !got.ServiceAccount {
			t.Fatal("a user without a password is not a service account")
		}
		exp := time.Now().Add(time.Hour)
		tok := &jobflow.APIToken{UserID: u.ID, TenantID: tn.ID, Name: "ci", Role: jobflow.RoleMember, Hash: "h1", ExpiresAt: &exp}
		if err := s.CreateAPIToken(ctx, tok); err != nil {
			t.Fatal(err)
		}
		wantCode(t, s.CreateAPIToken(ctx, &jobflow.APIToken{UserID: u.ID, TenantID: tn.ID, Name: "ci", Role: jobflow.RoleMember, Hash: "h2"}), jobflow.ECONFLICT)
		wantCode(t, s.CreateAPIToken(ctx, &jobflow.APIToken{UserID: u.ID, TenantID: tn.ID, Name: "x", Role: "ROOT", Hash: "h3"}), jobflow.EINVALID)
		wantCode(t, s.CreateAPIToken(ctx, &jobflow.APIToken{UserID: u.ID, TenantID: "tn_none", Name: "y", Role: jobflow.RoleMember, Hash: "h4"}), jobflow.ENOTFOUND)
		list, err := s.FindAPITokens(ctx, u.ID)
		if err != nil || len(list) != 1 || list[0].TenantName != "acme" || list[0].LastUsedAt != nil || list[0].ExpiresAt == nil {
			t.Fatalf("list %+v, %v", list, err)
		}
		byHash, err := s.FindAPITokenByHash(ctx, "h1")
		if err != nil || byHash.ID != tok.ID {
			t.Fatalf("by hash: %+v %v", byHash, err)
		}
		_, err = s.FindAPITokenByHash(ctx, "nope")
		wantCode(t, err, jobflow.ENOTFOUND)

		// Last used moves at most once a minute.
		t0 := time.Now()
		for i, at := range []time.Time{t0, t0.Add(30 * time.Second), t0.Add(61 * time.Second)} {
			if err := s.TouchAPIToken(ctx, tok.ID, at); err != nil {
				t.Fatal(err)
			}
			got, _ := s.FindAPITokenByHash(ctx, "h1")
			want := t0
			if i == 2 {
				want = at
			}
			if got.LastUsedAt == nil || got.LastUsedAt.Sub(want).Abs() > time.Millisecond {
				t.Fatalf("touch %d: last used %v, want %v", i, got.LastUsedAt, want)
			}
		}
		wantCode(t, s.DeleteAPIToken(ctx, "us_other", tok.ID), jobflow.ENOTFOUND)
		if err := s.DeleteAPIToken(ctx, u.ID, tok.ID); err != nil {
			t.Fatal(err)
		}
		_, err = s.FindAPITokenByHash(ctx, "h1")
		wantCode(t, err, jobflow.ENOTFOUND)
	})
}

func TestMembers(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		tn := mustTenant(t, s, "acme")
		users := map[string]*jobflow.User{}
		for _, acc := range []string{"ann", "bob", "cid"} {
			u := &jobflow.User{Account: acc, Name: "Name " + acc, PasswordHash: "x"}
			if err := s.CreateUser(ctx, u); err != nil {
				t.Fatal(err)
			}
			users[acc] = u
		}
		must := func(err error) {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
		}
		must(s.SetMembership(ctx, tn.ID, users["ann"].ID, jobflow.RoleTenantAdmin))
		must(s.SetMembership(ctx, tn.ID, users["bob"].ID, jobflow.RoleMember))
		must(s.SetMembership(ctx, tn.ID, users["cid"].ID, jobflow.RoleMember))
		must(s.CreateAPIToken(ctx, &jobflow.APIToken{UserID: users["cid"].ID, TenantID: tn.ID, Name: "t", Role: jobflow.RoleMember, Hash: "hc"}))

		ms, total, err := s.FindMembers(ctx, tn.ID, jobflow.ListParams{})
		if err != nil || total != 3 || ms[0].Account != "ann" || ms[0].Role != jobflow.RoleTenantAdmin || ms[1].Name != "Name bob" {
			t.Fatalf("members %+v %d %v", ms, total, err)
		}
		if _, total, _ := s.FindMembers(ctx, tn.ID, jobflow.ListParams{Search: "BOB"}); total != 1 {
			t.Fatalf("search BOB: %d", total)
		}
		_, _, err = s.FindMembers(ctx, "tn_none", jobflow.ListParams{})
		wantCode(t, err, jobflow.ENOTFOUND)

		// The only TENANT_ADMIN can be neither demoted nor removed.
		_, err = s.ChangeMemberRole(ctx, tn.ID, users["ann"].ID, jobflow.RoleMember)
		wantCode(t, err, jobflow.ECONFLICT)
		wantCode(t, s.RemoveMember(ctx, tn.ID, users["ann"].ID), jobflow.ECONFLICT)
		_, err = s.ChangeMemberRole(ctx, tn.ID, users["bob"].ID, "OWNER")
		wantCode(t, err, jobflow.EINVALID)
		_, err = s.ChangeMemberRole(ctx, tn.ID, "us_none", jobflow.RoleMember)
		wantCode(t, err, jobflow.ENOTFOUND)
		if ms, _, _ := s.FindMembers(ctx, tn.ID, jobflow.ListParams{}); ms[0].Role != jobflow.RoleTenantAdmin {
			t.Fatal("a refused change changed the role")
		}

		m, err := s.ChangeMemberRole(ctx, tn.ID, users["bob"].ID, jobflow.RoleTenantAdmin)
		if err != nil || m.Role != jobflow.RoleTenantAdmin || m.Account != "bob" {
			t.Fatalf("promote: %+v %v", m, err)
		}
		if _, err := s.ChangeMemberRole(ctx, tn.ID, users["ann"].ID, jobflow.RoleMember); err != nil {
			t.Fatalf("demote with another admin: %v", err)
		}
		must(s.RemoveMember(ctx, tn.ID, users["cid"].ID))
		if toks, _ := s.FindAPITokens(ctx, users["cid"].ID); len(toks) != 0 {
			t.Fatalf("a removed member keeps %d tokens for the tenant", len(toks))
		}
		wantCode(t, s.RemoveMember(ctx, tn.ID, users["cid"].ID), jobflow.ENOTFOUND)
		if _, total, _ := s.FindMembers(ctx, tn.ID, jobflow.ListParams{}); total != 2 {
			t.Fatalf("%d members after removal", total)
		}
	})
}

// TestAuditLog_ScheduledRun: a run a Temporal Schedule started (no API
// call) is audited once, however often its record activity repeats.
func TestAuditLog_ScheduledRun(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		tn := mustTenant(t, s, "acme")
		w := mustWorkflow(t, s, tn.ID, "etl", "")
		mustVersion(t, s, w, "0 0 2 * * ?")
		v := mustVersion(t, s, w, "0 0 3 * * ?")
		run := &jobflow.Run{ID: "sched-audit", TenantID: tn.ID, WorkflowID: w.ID, WorkflowName: "etl", VersionID: v.ID,
			Trigger: jobflow.TriggerSchedule, LogicalTime: time.Now().UTC().Truncate(time.Second)}
		if err := s.UpsertRun(ctx, run); err != nil {
			t.Fatal(err)
		}
		for range 3 {
			if err := s.RecordScheduledRun(ctx, run); err != nil {
				t.Fatal(err)
			}
		}
		items, total, err := s.FindAuditEntries(ctx, jobflow.AuditFilter{TenantID: tn.ID, Action: "run.schedule"})
		if err != nil || total != 1 || items[0].ObjectID != run.ID || items[0].Version != 2 || items[0].ObjectName != "etl" || items[0].UserID != "" {
			t.Fatalf("run.schedule rows %+v (%d, %v)", items, total, err)
		}
	})
}
