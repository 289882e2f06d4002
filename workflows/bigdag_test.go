package workflows

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math/rand"
	"slices"
	"strings"
	"sync"
	"testing"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"jobflow"
)

// snapshots serves LoadSnapshot from memory, as the store would, and
// remembers every page it handed out.
type snapshots struct {
	mu    sync.Mutex
	snaps map[string]*jobflow.Snapshot
	froms []int
	sizes []int
}

func (s *snapshots) load(_ context.Context, in LoadSnapshotInput) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.froms = append(s.froms, in.From)
	snap := s.snaps[in.Ref.RunID]
	if snap == nil || in.Ref.TenantID != snap.TenantID {
		return nil, temporal.NewNonRetryableApplicationError("run snapshot not found", ErrTypeSnapshotMissing, nil)
	}
	b, err := EncodeSnapshotPage(snap, in.From)
	s.sizes = append(s.sizes, len(b))
	return b, err
}

// bigSnapshot is a chain a>b>…>l of 12 jobs whose scripts (random, so
// they do not compress away) make the snapshot about 2.4 MB: more than
// Temporal lets into one payload.
func bigSnapshot() jobflow.Snapshot {
	ids := "a b c d e f g h i j k l"
	s := snapshot(ids, "a>b b>c c>d d>e e>f f>g g>h h>i i>j j>k k>l")
	rng := rand.New(rand.NewSource(1))
	for i := range s.Jobs {
		raw := make([]byte, 150<<10)
		rng.Read(raw)
		script, _ := json.Marshal(map[string]string{"script": "# " + base64.StdEncoding.EncodeToString(raw) + "\ntrue"})
		s.Jobs[i].Config = script
		s.Jobs[i].Remark, s.Jobs[i].CreatedBy = "not needed to run", "us_1"
		s.Canvas.Nodes[i].X, s.Canvas.Nodes[i].Y = float64(i*100), 50
	}
	return s
}

func byRefInput(snap jobflow.Snapshot) FlowRunInput {
	in := input(SnapshotHeader(snap))
	in.SnapshotRef = &SnapshotRef{TenantID: snap.TenantID, RunID: "run1"}
	return in
}

// A snapshot too large for a payload is loaded by reference in pages, and
// continue-as-new hands on the reference and packed node states, never the
// snapshot: the second execution loads it again and finishes the run.
func TestFlowRun_SnapshotByReference(t *testing.T) {
	snap := bigSnapshot()
	snap.Config.MaxParallelism = 1
	full, _ := json.Marshal(snap)
	if len(full) < 2<<20 || !ByReference(&snap) {
		t.Fatalf("the test snapshot is %d bytes; it must exceed Temporal's 2 MB payload limit", len(full))
	}
	store := &snapshots{snaps: map[string]*jobflow.Snapshot{"run1": &snap}}

	s1 := newStub()
	env1 := newEnv(t, s1)
	env1.RegisterActivityWithOptions(store.load, activity.RegisterOptions{Name: LoadSnapshotActivity})
	env1.SetContinueAsNewSuggested(true)
	env1.ExecuteWorkflow(FlowRunName, byRefInput(snap))
	var can *workflow.ContinueAsNewError
	if err := env1.GetWorkflowError(); !errors.As(err, &can) {
		t.Fatalf("first execution ended with %v, want continue-as-new", err)
	}
	if got := strings.Join(s1.calls, ","); got != "a" {
		t.Fatalf("first execution ran %s, want a", got)
	}
	if len(store.froms) < 3 || store.froms[0] != 0 {
		t.Fatalf("pages loaded from %v, want at least 3 pages from job 0", store.froms)
	}
	for i, n := range store.sizes {
		if n > 1500<<10 {
			t.Errorf("page %d is %d bytes, want it well below 2 MB", i, n)
		}
	}
	// The job ran with its whole config, but without what it does not need.
	got := s1.inputs["a"].Job
	if string(got.Config) != string(snap.Jobs[0].Config) || got.Name != "job a" || got.Remark != "" || got.CreatedBy != "" {
		t.Errorf("job a ran as %q (config %d bytes), remark %q", got.Name, len(got.Config), got.Remark)
	}
	if first := s1.records[0]; !first.Start || first.Run.WorkflowName != "flow" || len(first.Nodes) != 12 {
		t.Errorf("first record: start %v, workflow %q, %d nodes", first.Start, first.Run.WorkflowName, len(first.Nodes))
	}

	if size := len(can.Input.GetPayloads()[0].GetData()); size > 16<<10 {
		t.Errorf("the continue-as-new input is %d bytes; it must not carry the snapshot", size)
	}
	var next FlowRunInput
	if err := converter.GetDefaultDataConverter().FromPayloads(can.Input, &next); err != nil {
		t.Fatal(err)
	}
	if next.SnapshotRef == nil || *next.SnapshotRef != *byRefInput(snap).SnapshotRef || len(next.Snapshot.Jobs) != 0 ||
		len(next.Snapshot.Canvas.Nodes) != 0 || len(next.Carry) != 0 || len(next.CarryPacked) == 0 {
		t.Fatalf("continued with ref %+v, %d jobs inline, carry %d + %d bytes packed", next.SnapshotRef, len(next.Snapshot.Jobs), len(next.Carry), len(next.CarryPacked))
	}
	carried, err := UnpackNodes(next.CarryPacked)
	if err != nil || len(carried) != 1 || carried[0].JobID != "a" || carried[0].Status != jobflow.NodeSuccess || carried[0].StartedAt == nil {
		t.Fatalf("packed carry %+v (%v), want only a, SUCCESS with its start", carried, err)
	}

	store.froms = nil
	s2 := newStub()
	env2 := newEnv(t, s2)
	env2.RegisterActivityWithOptions(store.load, activity.RegisterOptions{Name: LoadSnapshotActivity})
	res, err := run(t, env2, next)
	if err != nil || res.Status != jobflow.RunSuccess {
		t.Fatalf("status %s, err %v", res.Status, err)
	}
	if len(store.froms) < 3 {
		t.Errorf("the second execution loaded pages %v, want the whole snapshot again", store.froms)
	}
	if got := strings.Join(s2.calls, ","); got != "b,c,d,e,f,g,h,i,j,k,l" {
		t.Errorf("second execution ran %s, want b..l (a is done)", got)
	}
	if s2.inputs["l"].Job.Name != "job l" || string(s2.inputs["l"].Job.Config) != string(snap.Jobs[11].Config) {
		t.Errorf("job l ran as %q", s2.inputs["l"].Job.Name)
	}
	if len(s2.records) != 1 || s2.records[0].Start || s2.records[0].Run.Status != jobflow.RunSuccess {
		t.Errorf("second execution records %d, want only the final SUCCESS (start %v)", len(s2.records), s2.records[0].Start)
	}
	// The result packs the node states.
	if res.Nodes != nil || len(res.Packed) == 0 {
		t.Fatalf("result with %d nodes and %d packed bytes, want them packed", len(res.Nodes), len(res.Packed))
	}
	all, err := res.AllNodes()
	if err != nil || len(all) != 12 {
		t.Fatalf("%d nodes unpacked (%v), want 12", len(all), err)
	}
	for _, n := range all {
		if n.Status != jobflow.NodeSuccess || n.EndedAt == nil {
			t.Errorf("node %s ended %s at %v", n.JobID, n.Status, n.EndedAt)
		}
	}
	if all[0].JobID != "a" || all[0].StartedAt == nil {
		t.Errorf("a's carried state was lost: %+v", all[0])
	}
	// The nodes query pages.
	v, err := env2.QueryWorkflow(QueryNodes, NodesQuery{Offset: 10, Limit: 5})
	var page []jobflow.NodeRun
	if err == nil {
		err = v.Get(&page)
	}
	if err != nil || len(page) != 2 || page[0].JobID != "k" || page[1].JobID != "l" || page[1].JobName != "job l" {
		t.Errorf("nodes query from 10: %+v (%v), want k and l", page, err)
	}
}

// A rerun by reference gets its prior outcomes packed: FAILED skips what
// succeeded, with its outputs for the nodes downstream.
func TestFlowRun_SnapshotByReferenceRerun(t *testing.T) {
	snap := bigSnapshot()
	snap.Jobs[1].Config = []byte(`{"script":"echo ${outputs.job a.x}"}`)
	store := &snapshots{snaps: map[string]*jobflow.Snapshot{"run1": &snap}}
	in := byRefInput(snap)
	in.Trigger, in.RerunOf = jobflow.TriggerRerun, "run0"
	in.Plan = &RerunPlan{Mode: jobflow.RerunFailed, Prior: []PriorNode{
		{JobID: "a", Status: jobflow.NodeSuccess, Outputs: map[string]string{"x": "from-run0"}}, {JobID: "b", Status: jobflow.NodeFail},
	}}
	for _, id := range strings.Fields("c d e f g h i j k l") {
		in.Plan.Prior = append(in.Plan.Prior, PriorNode{JobID: id, Status: jobflow.NodeUpstreamFailed})
	}
	PackPlan(in.Plan)
	if in.Plan.Prior != nil || len(in.Plan.PriorPacked) == 0 {
		t.Fatalf("plan not packed: %+v", in.Plan)
	}
	s := newStub()
	env := newEnv(t, s)
	env.RegisterActivityWithOptions(store.load, activity.RegisterOptions{Name: LoadSnapshotActivity})
	res, err := run(t, env, in)
	if err != nil || res.Status != jobflow.RunSuccess {
		t.Fatalf("status %s, err %v", res.Status, err)
	}
	if got := strings.Join(s.calls, ","); got != "b,c,d,e,f,g,h,i,j,k,l" {
		t.Errorf("ran %s, want b..l (a succeeded before)", got)
	}
	if up := s.inputs["b"].Upstream; len(up) != 1 || up[0].Outputs["x"] != "from-run0" {
		t.Errorf("b got upstream %+v, want a's outputs of run0", up)
	}
	all, _ := res.AllNodes()
	if len(all) != 12 || all[0].Status != jobflow.NodeSkipped {
		t.Errorf("%d nodes, a %s", len(all), all[0].Status)
	}
}

// A run whose snapshot cannot be found fails at once, recorded with the reason.
func TestFlowRun_SnapshotByReferenceMissing(t *testing.T) {
	snap := bigSnapshot()
	store := &snapshots{snaps: map[string]*jobflow.Snapshot{}}
	s := newStub()
	env := newEnv(t, s)
	env.RegisterActivityWithOptions(store.load, activity.RegisterOptions{Name: LoadSnapshotActivity})
	res, err := run(t, env, byRefInput(snap))
	if err == nil || res.Status != jobflow.RunFail {
		t.Fatalf("status %s, err %v; want FAIL", res.Status, err)
	}
	last := s.lastRecord(t)
	if last.Run.Status != jobflow.RunFail || !strings.Contains(last.Run.Error, "snapshot could not be loaded") {
		t.Errorf("recorded %s: %q", last.Run.Status, last.Run.Error)
	}
	if len(s.calls) != 0 || len(store.froms) != 1 {
		t.Errorf("ran %v, loaded %d times; want nothing run and one load (not retried)", s.calls, len(store.froms))
	}
}

// Pages cover every job once, in order, and the canvas comes without
// positions, whatever the page boundaries.
func TestEncodeSnapshotPage(t *testing.T) {
	snap := bigSnapshot()
	var jobs []string
	var canvas *jobflow.Canvas
	for from := 0; from < len(snap.Jobs); {
		b, err := EncodeSnapshotPage(&snap, from)
		if err != nil {
			t.Fatal(err)
		}
		var p SnapshotPage
		if err := gunzipJSON(b, &p); err != nil {
			t.Fatal(err)
		}
		if (from == 0) != (p.Canvas != nil) || p.Total != 12 || len(p.Jobs) == 0 {
			t.Fatalf("page from %d: canvas %v, total %d, %d jobs", from, p.Canvas != nil, p.Total, len(p.Jobs))
		}
		if p.Canvas != nil {
			canvas = p.Canvas
		}
		for _, j := range p.Jobs {
			jobs = append(jobs, j.ID)
		}
		from += len(p.Jobs)
	}
	if strings.Join(jobs, "") != "abcdefghijkl" || len(canvas.Edges) != 11 || canvas.Nodes[3].X != 0 || canvas.Nodes[3].JobID != "d" {
		t.Errorf("jobs %v, canvas %+v", jobs, canvas.Nodes[3])
	}
	if _, err := EncodeSnapshotPage(&snap, 13); err == nil {
		t.Error("a page past the last job was served")
	}
	if ByReference(&jobflow.Snapshot{Jobs: slices.Clone(snapshot("a b", "a>b").Jobs)}) {
		t.Error("a two-job snapshot would go by reference")
	}
}
