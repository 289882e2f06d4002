package workflows

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"go.temporal.io/sdk/workflow"

	"jobflow"
)

// Large DAGs (docs/run-semantics.md#large-dags-by-reference). Every payload Temporal records is limited to 2 MB
// (limit.blobSize.error), and a 10,000-job snapshot is larger. So a run
// whose snapshot is larger than InlineSnapshotMax gets it by reference:
//
//   - FlowRunInput.Snapshot holds only the header (ids, name, config) and
//     SnapshotRef names the stored snapshot (the run's run_snapshots row, or
//     a published version for the runs a Temporal Schedule starts);
//   - FlowRun loads the canvas and the jobs with the LoadSnapshot local
//     activity, page by page, each page gzip-compressed JSON with compact
//     jobs (no positions, timestamps, remarks, tenant or workflow ids), so
//     each page's marker stays far below the limit;
//   - continue-as-new carries the header and the reference again (the next
//     execution loads the snapshot again) and the node states packed
//     (CarryPacked: gzip, only nodes that are not PENDING, without the
//     fields the graph gives back);
//   - the run's result packs its node states the same way (Packed), and
//     the nodes query serves them in pages.
//
// Small runs keep the inline snapshot, their histories unchanged: no extra
// activity for the common case. The load is behind the "snapshot-ref"
// version.

// LoadSnapshotActivity returns one page of a stored snapshot (a local
// activity: it reads the store from the worker that runs FlowRun).
const LoadSnapshotActivity = "LoadSnapshot"

const snapshotRefVersion = "snapshot-ref"

// InlineSnapshotMax is the largest snapshot, in bytes of JSON, that travels
// inline in FlowRun's input (well below Temporal's 512 KB warning).
const InlineSnapshotMax = 256 << 10

// SnapshotPageBytes bounds the uncompressed jobs of one page.
const SnapshotPageBytes = 1 << 20

// DeadlockDetectionTimeout is the workers' limit on one stretch of
// workflow code without a yield (the SDK's default is 1 s). FlowRun on a
// 10,000-job DAG has stretches of about 100 ms of CPU (decoding a snapshot
// page, building the graph, unpacking the carried states); on the loaded
// 2-core test machine one took over a second and the task failed as a
// "potential deadlock". It stays below the 10 s workflow task timeout.
const DeadlockDetectionTimeout = 5 * time.Second

// QueryNodesPage is the nodes query's page when a large run's caller does
// not give a limit (10,000 nodes would pass the 2 MB query result limit).
const QueryNodesPage = 2000

// SnapshotRef names a stored snapshot: a run's (RunID) or a published
// version's (VersionID).
type SnapshotRef struct {
	TenantID  string `json:"tenantId"`
	RunID     string `json:"runId,omitempty"`
	VersionID string `json:"versionId,omitempty"`
}

// LoadSnapshotInput asks for the page of the snapshot that starts at job From.
type LoadSnapshotInput struct {
	Ref  SnapshotRef `json:"ref"`
	From int         `json:"from"`
}

// SnapshotPage is one page of a snapshot: the canvas (first page only,
// without positions) and the jobs From..From+len(Jobs)-1, compact.
type SnapshotPage struct {
	Canvas *jobflow.Canvas `json:"canvas,omitempty"`
	Jobs   []jobflow.Job   `json:"jobs"`
	Total  int             `json:"total"` // jobs in the snapshot
}

// NodesQuery is the optional argument of the nodes query: a page of the
// nodes in canvas order (Limit 0: every node, or QueryNodesPage on a large
// run).
type NodesQuery struct {
	Offset int `json:"offset"`
	Limit  int `json:"limit"`
}

// ByReference reports whether a snapshot is too large to travel inline.
func ByReference(s *jobflow.Snapshot) bool {
	b, err := json.Marshal(s)
	return err != nil || len(b) > InlineSnapshotMax
}

// SnapshotHeader is s without its canvas and jobs: what travels inline
// beside a SnapshotRef.
func SnapshotHeader(s jobflow.Snapshot) jobflow.Snapshot {
	s.Canvas, s.Jobs = jobflow.Canvas{}, nil
	return s
}

// EncodeSnapshotPage is the page of s that starts at job from, gzipped
// JSON. A page holds at least one job, and more while they fit in
// SnapshotPageBytes.
func EncodeSnapshotPage(s *jobflow.Snapshot, from int) ([]byte, error) {
	if from < 0 || from > len(s.Jobs) {
		return nil, fmt.Errorf("page from job %d of %d", from, len(s.Jobs))
	}
	p := SnapshotPage{Total: len(s.Jobs), Jobs: []jobflow.Job{}}
	size := 0
	if from == 0 {
		c := jobflow.Canvas{Nodes: make([]jobflow.CanvasNode, len(s.Canvas.Nodes)), Edges: s.Canvas.Edges}
		for i, n := range s.Canvas.Nodes {
			n.X, n.Y = 0, 0 // positions are for the console, not for FlowRun
			c.Nodes[i] = n
		}
		p.Canvas = &c
		b, _ := json.Marshal(c)
		size = len(b)
	}
	for i := from; i < len(s.Jobs); i++ {
		j := compactJob(s.Jobs[i])
		b, err := json.Marshal(j)
		if err != nil {
			return nil, err
		}
		if len(p.Jobs) > 0 && size+len(b) > SnapshotPageBytes {
			break
		}
		size += len(b)
		p.Jobs = append(p.Jobs, j)
	}
	return gzipJSON(p)
}

// compactJob keeps what running a job needs.
func compactJob(j jobflow.Job) jobflow.Job {
	return jobflow.Job{ID: j.ID, Name: j.Name, Type: j.Type, Config: j.Config, TimeoutSeconds: j.TimeoutSeconds,
		Retry: j.Retry, WorkerGroup: j.WorkerGroup, Cron: j.Cron}
}

// loadOptions: the store may be briefly away; a missing snapshot fails at once.
func loadOptions() workflow.LocalActivityOptions {
	return localOptions(10*time.Minute, ErrTypeSnapshotMissing)
}

// ErrTypeSnapshotMissing is LoadSnapshot's non-retryable error.
const ErrTypeSnapshotMissing = "SnapshotMissing"

// loadSnapshot returns in's snapshot: inline, or loaded by reference. An
// error is the reason the run cannot run.
func loadSnapshot(ctx workflow.Context, in *FlowRunInput) (jobflow.Snapshot, string) {
	if in.SnapshotRef == nil || workflow.GetVersion(ctx, snapshotRefVersion, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		return in.Snapshot, ""
	}
	s := in.Snapshot
	lctx := workflow.WithLocalActivityOptions(ctx, loadOptions())
	for from := 0; ; {
		var b []byte
		if err := workflow.ExecuteLocalActivity(lctx, LoadSnapshotActivity, LoadSnapshotInput{Ref: *in.SnapshotRef, From: from}).Get(lctx, &b); err != nil {
			return s, "the run's snapshot could not be loaded: " + err.Error()
		}
		var p SnapshotPage
		if err := gunzipJSON(b, &p); err != nil {
			return s, "the run's snapshot could not be read: " + err.Error()
		}
		if p.Canvas != nil {
			s.Canvas = *p.Canvas
		}
		s.Jobs = append(s.Jobs, p.Jobs...)
		from += len(p.Jobs)
		if from >= p.Total || len(p.Jobs) == 0 {
			return s, ""
		}
	}
}

// packNodes is the node states gzipped, without PENDING nodes (the default
// state) and without what the graph gives back (run id, job name and type).
// A PENDING node with a start time is kept: a waiting DEPENDENT node carried
// across continue-as-new, whose deadline counts from it.
func packNodes(nodes []jobflow.NodeRun) []byte {
	out := make([]jobflow.NodeRun, 0, len(nodes))
	for _, n := range nodes {
		if n.Status == jobflow.NodePending && n.StartedAt == nil {
			continue
		}
		n.RunID, n.JobName, n.JobType = "", "", ""
		out = append(out, n)
	}
	b, err := gzipJSON(out)
	if err != nil {
		panic(err) // node states always marshal
	}
	return b
}

// UnpackNodes reverses packNodes (the PENDING nodes are not in it).
func UnpackNodes(b []byte) ([]jobflow.NodeRun, error) {
	var nodes []jobflow.NodeRun
	if len(b) == 0 {
		return nil, nil
	}
	err := gunzipJSON(b, &nodes)
	return nodes, err
}

// PackPlan gzips a rerun plan's prior outcomes, for a run by reference
// (10,000 of them are about 560 KB of JSON, carried by every execution).
func PackPlan(p *RerunPlan) {
	if p == nil || len(p.Prior) == 0 {
		return
	}
	b, err := gzipJSON(p.Prior)
	if err != nil {
		panic(err) // plain data always marshals
	}
	p.Prior, p.PriorPacked = nil, b
}

// unpackPlan is p with its prior outcomes unpacked (p itself, if they are
// not packed).
func unpackPlan(p *RerunPlan) (*RerunPlan, error) {
	if p == nil || len(p.PriorPacked) == 0 {
		return p, nil
	}
	out := *p
	out.PriorPacked = nil
	err := gunzipJSON(p.PriorPacked, &out.Prior)
	return &out, err
}

// AllNodes are the result's node states: Nodes, or on a large run those
// unpacked from Packed (whose PENDING nodes are left out).
func (r FlowRunResult) AllNodes() ([]jobflow.NodeRun, error) {
	if len(r.Packed) == 0 {
		return r.Nodes, nil
	}
	return UnpackNodes(r.Packed)
}

func gzipJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if err := json.NewEncoder(zw).Encode(v); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func gunzipJSON(b []byte, v any) error {
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return err
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		return err
	}
	return json.Unmarshal(raw, v)
}

// pageNodes serves the nodes query: a page of the nodes, without outputs.
func (r *runner) pageNodes(q NodesQuery) []jobflow.NodeRun {
	lo, limit := max(q.Offset, 0), q.Limit
	if limit <= 0 {
		limit = len(r.nodes)
		if r.large {
			limit = QueryNodesPage
		}
	}
	lo = min(lo, len(r.nodes))
	hi := min(lo+limit, len(r.nodes))
	return withoutOutputs(r.nodes[lo:hi])
}
