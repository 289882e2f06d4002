package jobflow_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"jobflow"
)

func TestCheckShape(t *testing.T) {
	job := func(id, name, script string) *jobflow.Job {
		cfg, _ := json.Marshal(map[string]string{"script": script})
		return &jobflow.Job{ID: id, Name: name, Type: jobflow.JobShell, Config: cfg}
	}
	a, b := job("j_a", "a", "true"), job("j_b", "b", "echo ${outputs.a.x}")
	nodes := []jobflow.CanvasNode{{JobID: "j_a"}, {JobID: "j_b"}}
	for _, tc := range []struct {
		name, want string
		w          *jobflow.Workflow
	}{
		{"ok", "", &jobflow.Workflow{Jobs: []*jobflow.Job{a, b}, Config: jobflow.DefaultConfig(),
			Canvas: jobflow.Canvas{Nodes: nodes, Edges: []jobflow.Edge{{From: "j_a", To: "j_b"}}}}},
		{"cycle", "cycle", &jobflow.Workflow{Jobs: []*jobflow.Job{a, b}, Config: jobflow.DefaultConfig(),
			Canvas: jobflow.Canvas{Nodes: nodes, Edges: []jobflow.Edge{{From: "j_a", To: "j_b"}, {From: "j_b", To: "j_a"}}}}},
		{"not upstream", "not upstream", &jobflow.Workflow{Jobs: []*jobflow.Job{a, b}, Config: jobflow.DefaultConfig(),
			Canvas: jobflow.Canvas{Nodes: nodes}}},
		{"bad config", "maxParallelism", &jobflow.Workflow{Jobs: []*jobflow.Job{a}, Config: jobflow.WorkflowConfig{MaxParallelism: -1}}},
	} {
		err := jobflow.CheckShape(tc.w)
		if tc.want == "" {
			if err != nil {
				t.Errorf("%s: %v", tc.name, err)
			}
			continue
		}
		if jobflow.ErrorCode(err) != jobflow.EINVALID || !strings.Contains(jobflow.ErrorMessage(err), tc.want) {
			t.Errorf("%s: err = %v, want INVALID mentioning %q", tc.name, err, tc.want)
		}
	}

	many := &jobflow.Workflow{Config: jobflow.DefaultConfig()}
	for i := range jobflow.MaxWorkflowJobs + 1 {
		many.Jobs = append(many.Jobs, job(fmt.Sprintf("j_%d", i), fmt.Sprintf("n%d", i), "true"))
	}
	if err := jobflow.CheckShape(many); jobflow.ErrorCode(err) != jobflow.ELIMITEXCEEDED {
		t.Errorf("%d jobs: err = %v, want LIMIT_EXCEEDED", len(many.Jobs), err)
	}
}
