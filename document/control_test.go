package document

import (
	"encoding/json"
	"strings"
	"testing"

	"jobflow"
)

// TestDocument_ControlRoundTrip: a CONDITION's case targets are job names
// in the document and new ids after import; trigger rules and allowFailure
// travel with the job's position.
func TestDocument_ControlRoundTrip(t *testing.T) {
	w := &jobflow.Workflow{Name: "flow", Config: jobflow.DefaultConfig(),
		Jobs: []*jobflow.Job{
			{ID: "j1", Name: "check", Type: jobflow.JobCondition, Config: json.RawMessage(`{"cases":[{"when":"params.a == 1","to":["j2"]}],"default":["j3"]}`)},
			{ID: "j2", Name: "full", Type: jobflow.JobShell, Config: json.RawMessage(`{"script":"true"}`)},
			{ID: "j3", Name: "cleanup", Type: jobflow.JobShell, Config: json.RawMessage(`{"script":"true"}`)},
		},
		Canvas: jobflow.Canvas{
			Nodes: []jobflow.CanvasNode{{JobID: "j1"}, {JobID: "j2", AllowFailure: true}, {JobID: "j3", Trigger: jobflow.RuleAllDone}},
			Edges: []jobflow.Edge{{From: "j1", To: "j2"}, {From: "j1", To: "j3"}},
		}}
	doc, err := FromWorkflow(w, Names{})
	if err != nil {
		t.Fatal(err)
	}
	out, _ := json.Marshal(doc)
	for _, want := range []string{`"to":["full"]`, `"default":["cleanup"]`, `"trigger":"ALL_DONE"`, `"allowFailure":true`} {
		if !strings.Contains(string(out), want) {
			t.Errorf("document lacks %s: %s", want, out)
		}
	}
	if strings.Contains(string(out), `"j2"`) {
		t.Errorf("document still names a job id: %s", out)
	}

	draft, probs := doc.Resolve(Names{}, Mapping{})
	if len(probs) > 0 {
		t.Fatalf("problems %v", probs)
	}
	idOf := map[string]string{"check": "n1", "full": "n2", "cleanup": "n3"}
	draft.ResolveJobRefs(idOf)
	c := draft.Canvas(idOf)
	if got := string(draft.Jobs[0].Config); !strings.Contains(got, `"to":["n2"]`) || !strings.Contains(got, `"default":["n3"]`) {
		t.Errorf("imported CONDITION config %s, want the new ids", got)
	}
	if c.Nodes[1].AllowFailure != true || c.Nodes[2].Trigger != jobflow.RuleAllDone {
		t.Errorf("imported canvas nodes %+v", c.Nodes)
	}
	jobs := []*jobflow.Job{draft.Jobs[0], draft.Jobs[1], draft.Jobs[2]}
	jobs[0].ID, jobs[1].ID, jobs[2].ID = "n1", "n2", "n3"
	if err := jobflow.ValidateControl(c, jobs); err != nil {
		t.Errorf("imported canvas refused: %v", err)
	}
}

// TestDocument_SubflowByName: a SUBFLOW's target workflow is a name in the
// document and an id again on import.
func TestDocument_SubflowByName(t *testing.T) {
	w := &jobflow.Workflow{Name: "parent", Config: jobflow.DefaultConfig(),
		Jobs:   []*jobflow.Job{{ID: "j1", Name: "call", Type: jobflow.JobSubflow, Config: json.RawMessage(`{"workflowId":"wf_child","version":"PUBLISHED"}`)}},
		Canvas: jobflow.Canvas{Nodes: []jobflow.CanvasNode{{JobID: "j1"}}}}
	names := Names{Workflows: map[string]string{"wf_child": "child"}}
	doc, err := FromWorkflow(w, names)
	if err != nil {
		t.Fatal(err)
	}
	out, _ := json.Marshal(doc)
	if !strings.Contains(string(out), `"workflow":"child"`) || strings.Contains(string(out), "wf_child") {
		t.Fatalf("document %s, want the target by name", out)
	}
	draft, probs := doc.Resolve(Names{Workflows: map[string]string{"wf_other": "child"}}, Mapping{})
	if len(probs) > 0 {
		t.Fatalf("problems %v", probs)
	}
	if got := string(draft.Jobs[0].Config); !strings.Contains(got, `"workflowId":"wf_other"`) {
		t.Errorf("imported config %s, want the local workflow's id", got)
	}
}
