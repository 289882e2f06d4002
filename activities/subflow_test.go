package activities

import (
	"context"
	"errors"
	"strings"
	"testing"

	"go.temporal.io/sdk/temporal"

	"jobflow"
	"jobflow/store/storetest"
	"jobflow/workflows"
)

// PrepareSubflow on a real store: the child's row and input, the same
// answer when retried, and the run-time refusals of what a save could not
// see (a loop closed by an import, a chain too deep, a target that is not
// published or is gone).
func TestPrepareSubflow(t *testing.T) {
	for _, dialect := range storetest.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			e := newTestEnv(t, dialect)
			ctx := context.Background()
			target := &jobflow.Workflow{TenantID: e.run.TenantID, Name: "target", Config: jobflow.DefaultConfig()}
			if err := e.s.CreateWorkflow(ctx, target, 10); err != nil {
				t.Fatal(err)
			}
			cfg := jobflow.DefaultConfig()
			cfg.Params = map[string]string{"day": "default", "keep": "k"}
			if _, err := e.s.SaveConfig(ctx, target.TenantID, target.ID, cfg, "us_x"); err != nil {
				t.Fatal(err)
			}
			tj := &jobflow.Job{TenantID: target.TenantID, WorkflowID: target.ID, Name: "t1", Type: jobflow.JobShell, Config: []byte(`{"script":"true"}`)}
			if err := e.s.CreateJob(ctx, tj); err != nil {
				t.Fatal(err)
			}
			cur, err := e.s.FindWorkflowByID(ctx, target.TenantID, target.ID)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := e.s.SaveCanvas(ctx, target.TenantID, target.ID, jobflow.Canvas{Nodes: []jobflow.CanvasNode{{JobID: tj.ID}}}, cur.Revision, "us_x"); err != nil {
				t.Fatal(err)
			}
			in := func(cfg string) workflows.PrepareSubflowInput {
				return workflows.PrepareSubflowInput{
					Node:       jobflow.NodeRun{RunID: e.run.ID, JobID: "jb_sub", JobName: "sub", JobType: jobflow.JobSubflow, Status: jobflow.NodeRunning, Attempt: 1},
					ChildRunID: e.run.ID + "-jb_sub-1", TenantID: e.run.TenantID, WorkflowID: e.run.WorkflowID,
					Job:         jobflow.Job{ID: "jb_sub", Name: "sub", Type: jobflow.JobSubflow, Config: []byte(cfg)},
					LogicalTime: logicalTime, Timezone: "Asia/Shanghai", Params: map[string]string{"p": "from-parent"},
					Depth: 1, Ancestors: []string{e.run.WorkflowID}, TaskQueue: "q",
				}
			}
			draft := `{"workflowId":"` + target.ID + `","version":"DRAFT","params":{"day":"${params.p}-$[yyyyMMdd]"}}`
			got, err := e.a.PrepareSubflow(ctx, in(draft))
			if err != nil {
				t.Fatal(err)
			}
			if got.RunID != e.run.ID+"-jb_sub-1" || got.Trigger != jobflow.TriggerSubflow || got.ParentRunID != e.run.ID ||
				got.Params["day"] != "from-parent-20261125" || got.Params["keep"] != "k" || len(got.Snapshot.Jobs) != 1 || got.Depth != 1 {
				t.Fatalf("child input %+v", got)
			}
			row, err := e.s.FindRunByID(ctx, e.run.TenantID, got.RunID)
			if err != nil || row.ParentJobID != "jb_sub" || row.WorkflowID != target.ID || row.Status != jobflow.RunRunning {
				t.Fatalf("child row %+v %v", row, err)
			}
			parent, _ := e.s.FindRunByID(ctx, e.run.TenantID, e.run.ID)
			if len(parent.Nodes) != 1 || parent.Nodes[0].Status != jobflow.NodeRunning || parent.Nodes[0].ChildRunID != got.RunID {
				t.Fatalf("parent nodes %+v", parent.Nodes)
			}
			// A retry after the row was made answers the same child.
			again, err := e.a.PrepareSubflow(ctx, in(draft))
			if err != nil || again.RunID != got.RunID || again.Params["day"] != got.Params["day"] {
				t.Fatalf("retry: %+v %v", again, err)
			}

			refused := func(name string, pi workflows.PrepareSubflowInput, want string) {
				t.Helper()
				pi.ChildRunID = e.run.ID + "-" + name
				_, err := e.a.PrepareSubflow(ctx, pi)
				var appErr *temporal.ApplicationError
				if !errors.As(err, &appErr) || !appErr.NonRetryable() || !strings.Contains(appErr.Message(), want) {
					t.Errorf("%s: %v, want a non-retryable error saying %q", name, err, want)
				}
				if _, err := e.s.FindRunByID(ctx, e.run.TenantID, pi.ChildRunID); jobflow.ErrorCode(err) != jobflow.ENOTFOUND {
					t.Errorf("%s: a refused child was recorded (%v)", name, err)
				}
			}
			loop := in(draft)
			loop.Ancestors = []string{target.ID, e.run.WorkflowID}
			refused("loop", loop, "recursion")
			deep := in(draft)
			deep.Depth = jobflow.MaxSubflowDepth + 1
			refused("deep", deep, "deeper than 5")
			refused("unpublished", in(`{"workflowId":"`+target.ID+`"}`), "is not published")
			refused("gone", in(`{"workflowId":"wf_gone","version":"DRAFT"}`), "does not exist")
			refused("badparam", in(`{"workflowId":"`+target.ID+`","version":"DRAFT","params":{"x":"${outputs.nosuch.k}"}}`), "config.params.x")
		})
	}
}

// A rerun of the parent reruns the child its rerun-of run's job started:
// FAILED and FROM_NODE in FAILED mode, NODE and ALL in ALL mode, with the
// previous child's snapshot and params.
func TestPrepareSubflow_Rerun(t *testing.T) {
	for _, dialect := range storetest.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			e := newTestEnv(t, dialect)
			ctx := context.Background()
			snap := &jobflow.Snapshot{TenantID: e.run.TenantID, WorkflowID: e.run.WorkflowID, WorkflowName: "nightly",
				Canvas: jobflow.Canvas{Nodes: []jobflow.CanvasNode{{JobID: "c1"}, {JobID: "c2"}}},
				Jobs:   []jobflow.Job{{ID: "c1", Name: "c1", Type: jobflow.JobShell}, {ID: "c2", Name: "c2", Type: jobflow.JobShell}}}
			prevID := e.run.ID + "-jb_sub-1"
			prev := &jobflow.Run{ID: prevID, TenantID: e.run.TenantID, WorkflowID: e.run.WorkflowID, Trigger: jobflow.TriggerSubflow,
				Status: jobflow.RunFail, Params: map[string]string{"day": "d1"}, ParentRunID: e.run.ID, ParentJobID: "jb_sub"}
			if err := e.s.CreateRun(ctx, prev, snap); err != nil {
				t.Fatal(err)
			}
			for id, st := range map[string]jobflow.NodeStatus{"c1": jobflow.NodeSuccess, "c2": jobflow.NodeFail} {
				if err := e.s.UpsertNodeRun(ctx, &jobflow.NodeRun{RunID: prevID, TenantID: e.run.TenantID, JobID: id, Status: st, Attempt: 1,
					Outputs: map[string]string{"k": id}}); err != nil {
					t.Fatal(err)
				}
			}
			rerun := &jobflow.Run{ID: jobflow.NewID(jobflow.PrefixRun), TenantID: e.run.TenantID, WorkflowID: e.run.WorkflowID,
				Trigger: jobflow.TriggerRerun, Status: jobflow.RunRunning, RerunOf: e.run.ID}
			if err := e.s.UpsertRun(ctx, rerun); err != nil {
				t.Fatal(err)
			}
			for _, tc := range []struct {
				mode jobflow.RerunMode
				want jobflow.RerunMode
			}{{jobflow.RerunFailed, jobflow.RerunFailed}, {jobflow.RerunFromNode, jobflow.RerunFailed},
				{jobflow.RerunNode, jobflow.RerunAll}, {jobflow.RerunAll, jobflow.RerunAll}} {
				childID := rerun.ID + "-jb_sub-" + string(tc.mode)
				got, err := e.a.PrepareSubflow(ctx, workflows.PrepareSubflowInput{
					Node:       jobflow.NodeRun{RunID: rerun.ID, JobID: "jb_sub", JobType: jobflow.JobSubflow, Status: jobflow.NodeRunning, Attempt: 1},
					ChildRunID: childID, TenantID: e.run.TenantID, WorkflowID: e.run.WorkflowID,
					Job:   jobflow.Job{ID: "jb_sub", Name: "sub", Type: jobflow.JobSubflow, Config: []byte(`{"workflowId":"wf_other","params":{"day":"new"}}`)},
					Depth: 1, RerunOf: e.run.ID, RerunMode: tc.mode,
				})
				if err != nil {
					t.Fatalf("%s: %v", tc.mode, err)
				}
				if got.Plan == nil || got.Plan.Mode != tc.want || got.RerunOf != prevID || got.Params["day"] != "d1" ||
					got.Snapshot.WorkflowID != e.run.WorkflowID || len(got.Plan.Prior) != 2 ||
					got.Plan.Prior[0].Status != jobflow.NodeSuccess || got.Plan.Prior[0].Outputs["k"] != "c1" {
					t.Errorf("%s: child input %+v plan %+v", tc.mode, got, got.Plan)
				}
				row, err := e.s.FindRunByID(ctx, e.run.TenantID, childID)
				if err != nil || row.RerunOf != prevID || row.ParentRunID != rerun.ID {
					t.Errorf("%s: child row %+v %v", tc.mode, row, err)
				}
			}
		})
	}
}
