package document

import (
	"encoding/json"
	"strings"
	"testing"

	"jobflow"
)

func TestParse(t *testing.T) {
	y := "# leading comment\n---\napiVersion: jobflow/v1\nkind: Workflow\nmetadata: {name: a}\nspec:\n  config: {}\n  jobs:\n  - {name: j, type: SHELL, config: {script: 'true'}, position: {x: 1, y: 2}}\n  edges: []\n---\n" +
		"apiVersion: jobflow/v1\nkind: Workflow\nmetadata: {name: b, remark: on}\nspec: {config: {}, jobs: [], edges: []}\n---\n"
	docs, err := Parse([]byte(y))
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) != 2 || docs[0].Spec.Jobs[0].Position.Y != 2 || docs[1].Metadata.Remark != "on" {
		t.Fatalf("docs %+v %+v", docs[0], docs[1])
	}
	j, _ := json.Marshal(docs)
	back, err := Parse(j)
	if err != nil || len(back) != 2 || back[1].Metadata.Name != "b" {
		t.Fatalf("JSON array: %v %v", back, err)
	}
	for _, bad := range []string{"", "   ", "# only a comment\n", "apiVersion: [", `{"apiVersion":"jobflow/v1","colour":1}`, "[1]",
		"apiVersion: jobflow/v1\nkind: Workflow\nmetadata: {name: a, nick: x}\n"} {
		if _, err := Parse([]byte(bad)); err == nil {
			t.Errorf("Parse(%q) accepted", bad)
		}
	}
}

func TestCompare_RedactsAndMatches(t *testing.T) {
	cfg := jobflow.DefaultConfig()
	a := Side{Config: cfg, Jobs: []jobflow.Job{
		{ID: "1", Name: "h", Type: jobflow.JobHTTP, Config: json.RawMessage(`{"headers":{"X-Api-Key":"k1","Accept":"a"},"url":"u"}`)},
		{ID: "2", Name: "gone", Type: jobflow.JobShell, Config: json.RawMessage(`{}`)},
	}, Canvas: jobflow.Canvas{Nodes: []jobflow.CanvasNode{{JobID: "1"}, {JobID: "2", X: 5}}, Edges: []jobflow.Edge{{From: "1", To: "2"}}}}
	cfg2 := cfg
	cfg2.Params = map[string]string{"DB_PASSWORD": "p2"}
	b := Side{Config: cfg2, Jobs: []jobflow.Job{
		{ID: "1", Name: "h2", Type: jobflow.JobHTTP, Config: json.RawMessage(`{"headers":{"X-Api-Key":"k2","Accept":"b"},"url":"u"}`)},
	}, Canvas: jobflow.Canvas{Nodes: []jobflow.CanvasNode{{JobID: "1", X: 3}}}}
	d := Compare("1", a, "2", b, ByID)
	out, _ := json.Marshal(d)
	if strings.Contains(string(out), "k1") || strings.Contains(string(out), "k2") || strings.Contains(string(out), "p2") {
		t.Fatalf("secret in diff: %s", out)
	}
	if d.Identical || len(d.Jobs.Removed) != 1 || d.Jobs.Removed[0].Name != "gone" || len(d.Jobs.Changed) != 1 || len(d.Edges.Removed) != 1 {
		t.Fatalf("diff %s", out)
	}
	paths := []string{}
	for _, c := range d.Jobs.Changed[0].Changes {
		paths = append(paths, c.Path)
	}
	if strings.Join(paths, ",") != "config.headers.Accept,config.headers.X-Api-Key,name,position.x" {
		t.Fatalf("paths %v", paths)
	}
	if len(d.Config) != 1 || d.Config[0].Path != "params.DB_PASSWORD" || d.Config[0].New != Redacted || d.Config[0].Old != nil {
		t.Fatalf("config %+v", d.Config)
	}
	// By name the renamed job is one removed and one added.
	if d := Compare("x", a, "y", b, ByName); len(d.Jobs.Added) != 1 || len(d.Jobs.Removed) != 2 {
		t.Fatalf("by name: %+v", d.Jobs)
	}
	if d := Compare("x", a, "y", a, ByID); !d.Identical {
		t.Fatalf("a side differs from itself: %+v", d)
	}
}

// TestResolve_RawIDsMustBeTheTenants: a document that carries a raw
// datasourceId or workflowId instead of a name is refused unless the id
// is one of the tenant's (the Names maps hold only the tenant's objects).
func TestResolve_RawIDsMustBeTheTenants(t *testing.T) {
	names := Names{Datasources: map[string]string{"ds_own": "warehouse"}, Workflows: map[string]string{"wf_own": "child"}, Channels: map[string]string{}}
	doc := func(cfg string) *Document {
		y := "apiVersion: jobflow/v1\nkind: Workflow\nmetadata: {name: a}\nspec:\n  jobs:\n  - {name: j, " + cfg + "}\n"
		docs, err := Parse([]byte(y))
		if err != nil {
			t.Fatal(err)
		}
		return docs[0]
	}
	for cfg, want := range map[string]string{
		"type: SQL, config: {datasourceId: ds_other, sql: 'select 1'}":               "spec.jobs.0.config.datasourceId",
		"type: SUBFLOW, config: {workflowId: wf_other, version: DRAFT}":              "spec.jobs.0.config.workflowId",
		"type: SQL, config: {datasourceId: ds_own, sql: 'select 1'}":                 "",
		"type: SUBFLOW, config: {workflowId: wf_own, version: DRAFT}":                "",
		"type: SQL, config: {datasource: warehouse, sql: 'select 1'}":                "",
		"type: SQL, config: {datasourceId: 7, sql: 'select 1'}":                      "spec.jobs.0.config.datasourceId",
		"type: SUBFLOW, config: {workflowId: '', workflow: child}":                   "spec.jobs.0.config.workflowId",
		"type: SUBFLOW, config: {workflow: child, version: DRAFT}":                   "",
		"type: SQL, config: {datasourceId: ds_other, datasource: warehouse, sql: x}": "spec.jobs.0.config.datasourceId",
	} {
		_, probs := doc(cfg).Resolve(names, Mapping{})
		switch {
		case want == "" && len(probs) > 0:
			t.Errorf("%s: problems %v", cfg, probs)
		case want != "" && (len(probs) == 0 || probs[0].Path != want):
			t.Errorf("%s: problems %v, want one at %s", cfg, probs, want)
		}
	}
}
