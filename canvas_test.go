package jobflow_test

import (
	"slices"
	"strings"
	"testing"

	"jobflow"
)

func canvas(nodes []string, edges ...[2]string) jobflow.Canvas {
	c := jobflow.Canvas{}
	for _, n := range nodes {
		c.Nodes = append(c.Nodes, jobflow.CanvasNode{JobID: n})
	}
	for _, e := range edges {
		c.Edges = append(c.Edges, jobflow.Edge{From: e[0], To: e[1]})
	}
	return c
}

func TestCanvas_Validate(t *testing.T) {
	jobs := []string{"a", "b", "c", "d"}
	ok := []jobflow.Canvas{
		canvas(nil),
		canvas([]string{"a"}),
		canvas([]string{"a", "b", "c", "d"}, [2]string{"a", "b"}, [2]string{"a", "c"}, [2]string{"b", "d"}, [2]string{"c", "d"}),
	}
	for i, c := range ok {
		if err := c.Validate(jobs); err != nil {
			t.Errorf("canvas %d: %v", i, err)
		}
	}
	bad := []struct {
		name string
		c    jobflow.Canvas
		msg  string
	}{
		{"unknown job", canvas([]string{"a", "x"}), `"x" is not a job`},
		{"placed twice", canvas([]string{"a", "a"}), "more than once"},
		{"empty job id", canvas([]string{""}), "jobId"},
		{"edge to a job off the canvas", canvas([]string{"a"}, [2]string{"a", "b"}), "not on the canvas"},
		{"self-loop", canvas([]string{"a"}, [2]string{"a", "a"}), "self-loop"},
		{"duplicate edge", canvas([]string{"a", "b"}, [2]string{"a", "b"}, [2]string{"a", "b"}), "more than once"},
		{"cycle", canvas([]string{"a", "b", "c", "d"}, [2]string{"d", "a"}, [2]string{"a", "b"}, [2]string{"b", "c"}, [2]string{"c", "a"}), "a -> b -> c -> a"},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.c.Validate(jobs)
			if jobflow.ErrorCode(err) != jobflow.EINVALID || !strings.Contains(jobflow.ErrorMessage(err), tc.msg) {
				t.Fatalf("got %v, want INVALID containing %q", err, tc.msg)
			}
		})
	}
}

func TestCanvas_FindCycle_NamesTheCycle(t *testing.T) {
	c := canvas([]string{"a", "b", "c", "d"}, [2]string{"a", "b"}, [2]string{"b", "c"}, [2]string{"c", "d"}, [2]string{"d", "b"})
	if got := c.FindCycle(); !slices.Equal(got, []string{"b", "c", "d"}) {
		t.Fatalf("cycle %v, want [b c d]", got)
	}
	var e *jobflow.Error
	err := c.Validate([]string{"a", "b", "c", "d"})
	if e, _ = err.(*jobflow.Error); e == nil {
		t.Fatalf("error %T", err)
	}
	if d := e.Details.(map[string]any); !slices.Equal(d["cycle"].([]string), []string{"b", "c", "d"}) {
		t.Errorf("details %v", d)
	}
}

// A chain deeper than any recursion limit is walked without a stack overflow.
func TestCanvas_Validate_DeepChain(t *testing.T) {
	var ids []string
	var edges [][2]string
	for i := range jobflow.MaxCanvasNodes {
		ids = append(ids, "j"+strings.Repeat("x", i%7)+string(rune('a'+i%26))+itoa(i))
		if i > 0 {
			edges = append(edges, [2]string{ids[i-1], ids[i]})
		}
	}
	c := canvas(ids, edges...)
	if err := c.Validate(ids); err != nil {
		t.Fatal(err)
	}
	c.Edges = append(c.Edges, jobflow.Edge{From: ids[len(ids)-1], To: ids[0]})
	if cyc := c.FindCycle(); len(cyc) != len(ids) {
		t.Fatalf("cycle of %d jobs, want %d", len(cyc), len(ids))
	}
}

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	var b []byte
	for ; i > 0; i /= 10 {
		b = append([]byte{byte('0' + i%10)}, b...)
	}
	return string(b)
}

// FuzzCanvas_Validate builds canvases from arbitrary bytes (each byte pair an
// edge between up to 8 jobs) and checks the validator against a brute-force
// acyclicity check: it never panics, and it accepts exactly the DAGs.
func FuzzCanvas_Validate(f *testing.F) {
	f.Add([]byte{0, 1, 1, 2})
	f.Add([]byte{0, 1, 1, 0})
	f.Add([]byte{3, 3})
	f.Add([]byte{0, 1, 0, 1})
	f.Fuzz(func(t *testing.T, data []byte) {
		ids := []string{"a", "b", "c", "d", "e", "f", "g", "h"}
		c := canvas(ids)
		for i := 0; i+1 < len(data) && i < 64; i += 2 {
			c.Edges = append(c.Edges, jobflow.Edge{From: ids[data[i]%8], To: ids[data[i+1]%8]})
		}
		err := c.Validate(ids)
		dup, self := false, false
		seen := map[jobflow.Edge]bool{}
		for _, e := range c.Edges {
			dup = dup || seen[e]
			self = self || e.From == e.To
			seen[e] = true
		}
		acyclic := kahn(c)
		switch {
		case dup || self:
			if jobflow.ErrorCode(err) != jobflow.EINVALID {
				t.Fatalf("duplicate or self edge accepted: %v", c.Edges)
			}
		case acyclic && err != nil:
			t.Fatalf("DAG refused: %v: %v", c.Edges, err)
		case !acyclic:
			if err == nil {
				t.Fatalf("cycle accepted: %v", c.Edges)
			}
			cyc := c.FindCycle()
			for i := range cyc {
				if !seen[jobflow.Edge{From: cyc[i], To: cyc[(i+1)%len(cyc)]}] {
					t.Fatalf("reported cycle %v is not made of edges %v", cyc, c.Edges)
				}
			}
		}
	})
}

// kahn reports acyclicity by repeatedly removing nodes without parents.
func kahn(c jobflow.Canvas) bool {
	indeg := map[string]int{}
	for _, e := range c.Edges {
		indeg[e.To]++
	}
	var queue []string
	for _, n := range c.Nodes {
		if indeg[n.JobID] == 0 {
			queue = append(queue, n.JobID)
		}
	}
	done := 0
	children := c.Children()
	for len(queue) > 0 {
		n := queue[0]
		queue = queue[1:]
		done++
		for _, k := range children[n] {
			if indeg[k]--; indeg[k] == 0 {
				queue = append(queue, k)
			}
		}
	}
	return done == len(c.Nodes)
}
