package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"jobflow"
	"jobflow/internal/jobdir"
	"jobflow/internal/testtier"
)

// TestForEach_FailThenRerunFailedItems: a FOREACH job runs one child run
// per item of an upstream job's JSON list, two at once. An item that fails
// beyond the tolerance fails the node, and no more items start; the items
// are listed with their children's states. A FAILED rerun runs only the
// items that did not succeed (the succeeded one is carried, its child
// named), and the node's counts reach the downstream job.
func TestForEach_FailThenRerunFailedItems(t *testing.T) {
	testtier.Long(t, "PostgreSQL, jobflow processes and minutes (end-to-end)")
	e := newEnv(t, envOptions{})
	dir := jobdir.New(t)
	fixed, count := filepath.Join(dir, "fixed"), filepath.Join(dir, "ran")
	child, _ := e.workflow("per-item", []jobSpec{
		// a is slow, so bad fails while a runs.
		shell("work", `case "${params.item}" in a) sleep 2;; bad) test -f `+fixed+` || { echo 'bad item' >&2; exit 3; };; esac; echo "${params.item}" >> `+count),
	}, nil, nil)
	parent, ids := e.workflow("fan-out", []jobSpec{
		shell("list", `echo '{"ids": ["a", "bad", "c", "d"]}' > "$JOBFLOW_OUTPUT"`),
		{Name: "fe", Type: "FOREACH", Config: map[string]any{"items": "${outputs.list.ids}", "workflowId": child,
			"version": "DRAFT", "maxConcurrency": 2}},
		shell("after", `echo "done ${outputs.fe.succeeded} of ${outputs.fe.total}"`),
	}, [][2]string{{"list", "fe"}, {"fe", "after"}}, nil)

	runID := e.start(parent, nil)
	r := e.waitFinished(runID)
	if r.Status != jobflow.RunFail {
		t.Fatalf("run %s, want FAIL: %+v", r.Status, r.Nodes)
	}
	fe := node(t, r, ids["fe"])
	if fe.Status != jobflow.NodeFail || !strings.Contains(fe.Error, "1 of 4 items failed, more than the 0% tolerated") ||
		!strings.Contains(fe.Error, "item 1 (bad)") {
		t.Fatalf("fe node %+v", fe)
	}
	if len(r.Children) != 0 {
		t.Errorf("the run lists %d item children among its SUBFLOW children", len(r.Children))
	}
	var items jobflow.ForEachItems
	e.API.Must("GET", "/api/v1/runs/"+runID+"/nodes/"+ids["fe"]+"/items", nil, 200, &items)
	// a and bad started together; once bad failed nothing more started.
	if items.Total != 4 || items.Counts["SUCCESS"] != 1 || items.Counts["FAIL"] != 1 || items.Counts["PENDING"] != 2 || items.Next != -1 {
		t.Fatalf("items %+v", items)
	}
	if it := items.Items[1]; it.Item != "bad" || it.Status != jobflow.RunFail || it.RunID != runID+"-"+ids["fe"]+"-i1" || it.EndedAt == nil {
		t.Errorf("item 1 %+v", it)
	}
	c := e.run(items.Items[0].RunID)
	if c.Trigger != jobflow.TriggerSubflow || c.ParentRunID != runID || c.ParentJobID != ids["fe"] || c.Params["item"] != "a" || c.Status != jobflow.RunSuccess {
		t.Errorf("item 0's child %+v", c)
	}
	var page jobflow.ForEachItems
	e.API.Must("GET", "/api/v1/runs/"+runID+"/nodes/"+ids["fe"]+"/items?status=PENDING&pageSize=1", nil, 200, &page)
	if len(page.Items) != 1 || page.Items[0].Index != 2 || page.Next != 2 {
		t.Errorf("PENDING page %+v", page)
	}
	// Bad asks are 400 naming the parameter; a node that is not FOREACH is 404.
	for q, field := range map[string]string{"status=DONE": "status", "after=x": "after", "pageSize=0": "pageSize"} {
		if err := e.API.Fail("GET", "/api/v1/runs/"+runID+"/nodes/"+ids["fe"]+"/items?"+q, nil, 400); fieldOf(err) != field {
			t.Errorf("%s: details %v", q, err.Details)
		}
	}
	e.API.Fail("GET", "/api/v1/runs/"+runID+"/nodes/"+ids["after"]+"/items", nil, 404)

	if err := os.WriteFile(fixed, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	var out struct {
		RunID string `json:"runId"`
	}
	e.API.Must("POST", "/api/v1/runs/"+runID+"/rerun", map[string]string{"mode": "FAILED"}, 202, &out)
	r2 := e.waitFinished(out.RunID)
	if r2.Status != jobflow.RunSuccess {
		t.Fatalf("rerun %s: %+v", r2.Status, r2.Nodes)
	}
	var items2 jobflow.ForEachItems
	e.API.Must("GET", "/api/v1/runs/"+out.RunID+"/nodes/"+ids["fe"]+"/items", nil, 200, &items2)
	if items2.Total != 4 || items2.Counts["SUCCESS"] != 4 {
		t.Fatalf("rerun items %+v", items2)
	}
	if it := items2.Items[0]; !it.Carried || it.RunID != items.Items[0].RunID {
		t.Errorf("rerun item 0 %+v, want carried from %s", it, items.Items[0].RunID)
	}
	for _, it := range items2.Items[1:] {
		if it.Carried || !strings.HasPrefix(it.RunID, out.RunID+"-") {
			t.Errorf("rerun item %+v, want run again by the rerun", it)
		}
	}
	b, _ := os.ReadFile(count)
	ran := strings.Fields(string(b))
	if strings.Count(string(b), "a\n") != 1 || len(ran) != 4 {
		t.Errorf("children ran %q: want a once (carried), and bad, c, d", ran)
	}
	if got := e.log(out.RunID, ids["after"]); !strings.Contains(got, "done 4 of 4") {
		t.Errorf("after's log %q", got)
	}
}

// TestForEach_Refused: a FOREACH job whose target is missing, itself or
// whose config is bad is a 400 naming the field, and nothing is saved.
func TestForEach_Refused(t *testing.T) {
	testtier.Long(t, "PostgreSQL, jobflow processes and minutes (end-to-end)")
	e := newEnv(t, envOptions{})
	wf, _ := e.workflow("loops", []jobSpec{shell("a", "true")}, nil, nil)
	cases := []struct {
		config map[string]any
		field  string
	}{
		{map[string]any{"items": []string{"x"}, "workflowId": "wf_nope"}, "config.workflowId"},
		{map[string]any{"items": []string{"x"}, "workflowId": wf}, "config.workflowId"},
		{map[string]any{"items": "a,b", "workflowId": wf}, "config.items"},
		{map[string]any{"items": []string{"x"}, "workflowId": wf, "maxConcurrency": 0.5}, ""},
	}
	for _, c := range cases {
		err := e.API.Fail("POST", "/api/v1/workflows/"+wf+"/jobs", jobSpec{Name: "fe", Type: "FOREACH", Config: c.config}, 400)
		if c.field != "" && fieldOf(err) != c.field {
			t.Errorf("%v: %s (details %v), want field %s", c.config, err.Message, err.Details, c.field)
		}
	}
	var w jobflow.Workflow
	e.API.Must("GET", "/api/v1/workflows/"+wf, nil, 200, &w)
	if len(w.Jobs) != 1 {
		t.Errorf("the workflow has %d jobs after refused writes", len(w.Jobs))
	}
}

// fieldOf is the field an error's details name.
func fieldOf(err jobflow.Error) string {
	b, _ := json.Marshal(err.Details)
	var d struct {
		Field string `json:"field"`
	}
	_ = json.Unmarshal(b, &d)
	return d.Field
}

// TestForEach_AbortReachesItems: aborting the parent while items run
// aborts their child runs (and their jobs' processes), and starts no more.
func TestForEach_AbortReachesItems(t *testing.T) {
	testtier.Long(t, "PostgreSQL, jobflow processes and minutes (end-to-end)")
	e := newEnv(t, envOptions{})
	child, cids := e.workflow("sleepy-item", []jobSpec{shell("sleep", "sleep 600")}, nil, nil)
	parent, ids := e.workflow("fan", []jobSpec{
		{Name: "fe", Type: "FOREACH", Config: map[string]any{"items": []string{"a", "b", "c"}, "workflowId": child,
			"version": "DRAFT", "maxConcurrency": 2}},
	}, nil, nil)
	runID := e.start(parent, nil)
	items := func() jobflow.ForEachItems {
		var it jobflow.ForEachItems
		e.API.Must("GET", "/api/v1/runs/"+runID+"/nodes/"+ids["fe"]+"/items", nil, 200, &it)
		return it
	}
	e.waitRun(runID, 60*time.Second, "two items' jobs running", func(*jobflow.Run) bool {
		code, _ := e.API.Do("GET", "/api/v1/runs/"+runID+"/nodes/"+ids["fe"]+"/items", nil)
		if code != 200 {
			return false
		}
		running := 0
		for _, it := range items().Items {
			if it.RunID == "" {
				continue
			}
			if n := findNode(e.run(it.RunID), cids["sleep"]); n != nil && n.Status == jobflow.NodeRunning {
				running++
			}
		}
		return running == 2
	})
	e.API.Must("POST", "/api/v1/runs/"+runID+"/abort", nil, 202, nil)
	r := e.waitFinished(runID)
	if r.Status != jobflow.RunAborted || node(t, r, ids["fe"]).Status != jobflow.NodeAborted {
		t.Fatalf("parent %s, fe %+v", r.Status, node(t, r, ids["fe"]))
	}
	got := items()
	if got.Counts["ABORTED"] != 2 || got.Counts["PENDING"] != 1 {
		t.Fatalf("items after the abort: %v", got.Counts)
	}
	for _, it := range got.Items[:2] {
		c := e.waitFinished(it.RunID)
		if c.Status != jobflow.RunAborted || node(t, c, cids["sleep"]).Status != jobflow.NodeAborted {
			t.Errorf("item %d's child %s, sleep %+v", it.Index, c.Status, node(t, c, cids["sleep"]))
		}
	}
	if d := r.EndedAt.Sub(r.StartedAt); d > 60*time.Second {
		t.Errorf("the abort took %s", d)
	}
}
