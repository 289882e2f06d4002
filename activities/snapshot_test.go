package activities

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"go.temporal.io/sdk/temporal"

	"jobflow"
	"jobflow/store/storetest"
	"jobflow/workflows"
)

// LoadSnapshot pages a stored 3,000-job snapshot, by run and by version,
// each page well below Temporal's payload limit; an unknown snapshot is a
// non-retryable error.
func TestLoadSnapshot(t *testing.T) {
	for _, dialect := range storetest.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			e := newTestEnv(t, dialect)
			ctx := context.Background()
			snap := &jobflow.Snapshot{TenantID: e.run.TenantID, WorkflowID: e.run.WorkflowID, WorkflowName: "nightly", Config: jobflow.DefaultConfig()}
			for i := range 3000 {
				id := fmt.Sprintf("job_%05d", i)
				snap.Canvas.Nodes = append(snap.Canvas.Nodes, jobflow.CanvasNode{JobID: id, X: 1, Y: 2})
				snap.Jobs = append(snap.Jobs, jobflow.Job{ID: id, Name: "j" + id, Type: jobflow.JobShell, Remark: "r",
					Config: json.RawMessage(`{"script":"echo ` + strings.Repeat(id, 20) + `"}`)})
				if i > 0 {
					snap.Canvas.Edges = append(snap.Canvas.Edges, jobflow.Edge{From: snap.Jobs[i-1].ID, To: id})
				}
			}
			run := *e.run
			run.ID = jobflow.NewID(jobflow.PrefixRun)
			if err := e.s.CreateRun(ctx, &run, snap); err != nil {
				t.Fatal(err)
			}
			v := &jobflow.Version{TenantID: e.run.TenantID, WorkflowID: e.run.WorkflowID, Snapshot: *snap, CreatedBy: "us_1"}
			if err := e.s.CreateVersion(ctx, v); err != nil {
				t.Fatal(err)
			}
			for _, ref := range []workflows.SnapshotRef{
				{TenantID: run.TenantID, RunID: run.ID},
				{TenantID: run.TenantID, VersionID: v.ID},
			} {
				var jobs []jobflow.Job
				pages := 0
				for from := 0; from < 3000; pages++ {
					b, err := e.a.LoadSnapshot(ctx, workflows.LoadSnapshotInput{Ref: ref, From: from})
					if err != nil {
						t.Fatal(err)
					}
					if len(b) > 1<<20 {
						t.Errorf("page %d is %d bytes", pages, len(b))
					}
					zr, err := gzip.NewReader(bytes.NewReader(b))
					if err != nil {
						t.Fatal(err)
					}
					var p workflows.SnapshotPage
					if err := json.NewDecoder(zr).Decode(&p); err != nil {
						t.Fatal(err)
					}
					if (from == 0) != (p.Canvas != nil) || p.Total != 3000 || len(p.Jobs) == 0 {
						t.Fatalf("%+v page from %d: canvas %v, total %d, %d jobs", ref, from, p.Canvas != nil, p.Total, len(p.Jobs))
					}
					jobs = append(jobs, p.Jobs...)
					from += len(p.Jobs)
				}
				if pages < 2 || len(jobs) != 3000 || jobs[2999].ID != "job_02999" || string(jobs[7].Config) != string(snap.Jobs[7].Config) || jobs[7].Remark != "" {
					t.Errorf("%+v: %d pages, %d jobs", ref, pages, len(jobs))
				}
			}
			for _, ref := range []workflows.SnapshotRef{
				{TenantID: run.TenantID, RunID: "run_nope"},
				{TenantID: "tn_other", RunID: run.ID},
				{TenantID: run.TenantID, VersionID: "ver_nope"},
				{TenantID: run.TenantID},
			} {
				_, err := e.a.LoadSnapshot(ctx, workflows.LoadSnapshotInput{Ref: ref})
				var appErr *temporal.ApplicationError
				if !errors.As(err, &appErr) || appErr.Type() != workflows.ErrTypeSnapshotMissing || !appErr.NonRetryable() {
					t.Errorf("%+v: %v, want a non-retryable %s", ref, err, workflows.ErrTypeSnapshotMissing)
				}
			}
		})
	}
}
