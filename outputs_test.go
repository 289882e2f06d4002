package jobflow

import (
	"encoding/json"
	"strings"
	"testing"
)

func refJob(id, name, script string) *Job {
	cfg, _ := json.Marshal(map[string]any{"script": script, "env": map[string]string{"E": "x"}})
	return &Job{ID: id, Name: name, Type: JobShell, Config: cfg}
}

// TestValidateRefs: only ancestors, by name or id, never the job itself;
// a job off the canvas may name any other job.
func TestValidateRefs(t *testing.T) {
	jobs := []*Job{
		refJob("j1", "extract.v2", "echo ${setValue(a=1)}"),
		refJob("j2", "load", "echo ${outputs.extract.v2.a} #[[get_json_value('${qing.j1.result_data}','$.a')]]"),
		refJob("j3", "side", "true"),
		refJob("j4", "off", "echo ${outputs.side.k}"),
	}
	c := Canvas{Nodes: []CanvasNode{{JobID: "j1"}, {JobID: "j2"}, {JobID: "j3"}}, Edges: []Edge{{From: "j1", To: "j2"}}}
	if err := ValidateRefs(c, jobs); err != nil {
		t.Fatalf("valid refs refused: %v", err)
	}
	tests := []struct {
		name   string
		job    *Job
		canvas Canvas
		want   string
	}{
		{"NotAncestor", refJob("j3", "side", "echo ${outputs.load.x}"), c, `names job "load", which is not upstream`},
		{"Descendant", refJob("j1", "extract.v2", "echo ${outputs.load.x}"), c, "not upstream"},
		{"Unknown", refJob("j3", "side", "echo ${outputs.nosuch.x}"), c, `job "nosuch", which is not a job of this workflow`},
		{"UnknownID", refJob("j3", "side", "echo ${qing.j9.result_data}"), c, `job "j9"`},
		{"Self", refJob("j4", "off", "echo ${outputs.off.x}"), c, "the job itself"},
		{"Malformed", refJob("j3", "side", "echo ${outputs.load.x"), c, "missing }"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			js := make([]*Job, 0, len(jobs))
			for _, j := range jobs {
				if j.ID == tt.job.ID {
					js = append(js, tt.job)
				} else {
					js = append(js, j)
				}
			}
			err := ValidateRefs(tt.canvas, js)
			if ErrorCode(err) != EINVALID || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want INVALID containing %q", err, tt.want)
			}
		})
	}
}
