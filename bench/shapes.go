package bench

import (
	"fmt"
	"math/rand"
	"time"

	"jobflow"
)

// Shape is a DAG to run, with what the hand-written workflow needs to know
// about it.
type Shape struct {
	Name     string
	Kind     string // "chain", "fan" or "dag": which hand-written code runs it
	Snapshot jobflow.Snapshot
}

func after(ms int) <-chan time.Time { return time.After(time.Duration(ms) * time.Millisecond) }

// newSnapshot makes a snapshot of n no-op SHELL jobs named j0000... with
// maxParallelism high enough that it never holds a shape back (the
// hand-written workflow has no bound either).
func newSnapshot(n int) jobflow.Snapshot {
	s := jobflow.Snapshot{TenantID: "bench", WorkflowID: "bench", WorkflowName: "bench", Config: jobflow.DefaultConfig()}
	s.Config.MaxParallelism = jobflow.MaxMaxParallelism
	for i := range n {
		id := fmt.Sprintf("j%04d", i)
		s.Canvas.Nodes = append(s.Canvas.Nodes, jobflow.CanvasNode{JobID: id})
		s.Jobs = append(s.Jobs, jobflow.Job{ID: id, Name: "job " + id, Type: jobflow.JobShell, Config: []byte(`{"script":"true"}`)})
	}
	return s
}

func edge(s *jobflow.Snapshot, from, to int) {
	s.Canvas.Edges = append(s.Canvas.Edges, jobflow.Edge{From: s.Jobs[from].ID, To: s.Jobs[to].ID})
}

// Chain is n jobs one after the other.
func Chain(n int) Shape {
	s := newSnapshot(n)
	for i := 1; i < n; i++ {
		edge(&s, i-1, i)
	}
	return Shape{Name: fmt.Sprintf("chain-%d", n), Kind: "chain", Snapshot: s}
}

// FanOutIn is one job, then width jobs in parallel, then one job.
func FanOutIn(width int) Shape {
	s := newSnapshot(width + 2)
	last := width + 1
	for i := 1; i <= width; i++ {
		edge(&s, 0, i)
		edge(&s, i, last)
	}
	return Shape{Name: fmt.Sprintf("fan-%d", width), Kind: "fan", Snapshot: s}
}

// Layered is a random DAG of n jobs in layers of width, each job below the
// first layer with 1 to 3 parents in the layer above (fixed seed).
func Layered(n, width int, seed int64) Shape {
	rng := rand.New(rand.NewSource(seed))
	s := newSnapshot(n)
	for i := width; i < n; i++ {
		lo := (i/width - 1) * width
		for _, p := range rng.Perm(width)[:1+rng.Intn(3)] {
			edge(&s, lo+p, i)
		}
	}
	return Shape{Name: fmt.Sprintf("dag-%d", n), Kind: "dag", Snapshot: s}
}
