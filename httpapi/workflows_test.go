package httpapi_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
	"testing"

	"jobflow"
	"jobflow/internal/testtier"
)

func TestWorkflows_HappyPath(t *testing.T) {
	testtier.Parallel(t)
	forEach(t, func(t *testing.T, e *env) {
		w := e.workflow("daily-etl")
		if w.Status != jobflow.StatusDraft || w.Revision < 1 || w.ID == "" {
			t.Fatalf("created %+v", w)
		}
		var ds jobflow.Datasource
		e.ok(e.as("POST", "/api/v1/datasources", map[string]any{
			"name": "local-pg", "type": "POSTGRES", "host": "127.0.0.1", "port": 5432, "database": "postgres", "user": "postgres",
		}), 201, &ds)

		bodies := []map[string]any{
			{"name": "extract", "type": "SHELL", "config": map[string]any{"script": "echo ${qing.current_date}"}, "timeoutSeconds": 60},
			{"name": "clean", "type": "PYTHON", "config": map[string]any{"script": "print(1)"}, "retry": map[string]any{"maxAttempts": 3, "intervalSeconds": 5, "backoff": 2}},
			{"name": "load", "type": "SQL", "config": map[string]any{"datasourceId": ds.ID, "sql": "select 1", "mode": "QUERY"}, "workerGroup": "db"},
			{"name": "notify", "type": "HTTP", "config": map[string]any{"method": "post", "url": "https://example.com/hook", "successCodes": []int{200, 204}}},
		}
		ids := make([]string, len(bodies))
		for i, b := range bodies {
			var j jobflow.Job
			e.ok(e.as("POST", "/api/v1/workflows/"+w.ID+"/jobs", b), 201, &j)
			if j.ID == "" || j.WorkflowID != w.ID || string(j.Type) != b["type"] {
				t.Fatalf("job %d = %+v", i, j)
			}
			ids[i] = j.ID
		}
		canvas := map[string]any{
			"nodes": []map[string]any{
				{"jobId": ids[0], "x": 0, "y": 0}, {"jobId": ids[1], "x": 100, "y": 0},
				{"jobId": ids[2], "x": 100, "y": 100}, {"jobId": ids[3], "x": 200, "y": 50},
			},
			"edges": []map[string]any{
				{"from": ids[0], "to": ids[1]}, {"from": ids[0], "to": ids[2]},
				{"from": ids[1], "to": ids[3]}, {"from": ids[2], "to": ids[3]},
			},
			"revision": w.Revision,
		}
		var saved jobflow.Workflow
		e.ok(e.as("PUT", "/api/v1/workflows/"+w.ID+"/canvas", canvas), 200, &saved)
		if saved.Revision <= w.Revision {
			t.Fatalf("revision %d after save, was %d", saved.Revision, w.Revision)
		}
		cfg := map[string]any{
			"schedule":        map[string]any{"mode": "SINGLE", "cron": "0 0 2 * * ?", "timezone": "Asia/Shanghai", "enabled": true},
			"alarms":          []any{},
			"invoke":          map[string]any{"enabled": true},
			"failureStrategy": "END",
			"maxParallelism":  4,
			"params":          map[string]string{"region": "cn"},
		}
		e.ok(e.as("PUT", "/api/v1/workflows/"+w.ID+"/config", cfg), 200, nil)

		var got jobflow.Workflow
		e.ok(e.as("GET", "/api/v1/workflows/"+w.ID, nil), 200, &got)
		if len(got.Canvas.Nodes) != 4 || len(got.Canvas.Edges) != 4 || len(got.Jobs) != 4 {
			t.Fatalf("canvas %+v, %d jobs", got.Canvas, len(got.Jobs))
		}
		c := got.Config
		if c.Schedule.Cron != "0 0 2 * * ?" || !c.Schedule.Enabled || c.FailureStrategy != jobflow.FailureEnd || c.MaxParallelism != 4 ||
			!c.Invoke.Enabled || c.Params["region"] != "cn" || c.Schedule.Overlap != jobflow.OverlapSkip {
			t.Fatalf("config %+v", c)
		}
		var gotCfg jobflow.WorkflowConfig
		e.ok(e.as("GET", "/api/v1/workflows/"+w.ID+"/config", nil), 200, &gotCfg)
		if gotCfg.MaxParallelism != 4 {
			t.Fatalf("GET config = %+v", gotCfg)
		}
		var jobs jobflow.List[jobflow.Job]
		e.ok(e.as("GET", "/api/v1/workflows/"+w.ID+"/jobs?pageSize=3", nil), 200, &jobs)
		if jobs.Total != 4 || len(jobs.Items) != 3 || jobs.PageSize != 3 {
			t.Fatalf("jobs page = %+v", jobs)
		}

		var edited jobflow.Workflow
		e.ok(e.as("PATCH", "/api/v1/workflows/"+w.ID, map[string]any{"name": "daily-etl-v2"}), 200, &edited)
		if edited.Name != "daily-etl-v2" || edited.Remark != w.Remark {
			t.Fatalf("edited %+v", edited)
		}

		r := e.as("GET", "/api/v1/workflows", nil)
		var list struct {
			Items    []map[string]any `json:"items"`
			Total    int              `json:"total"`
			Page     int              `json:"page"`
			PageSize int              `json:"pageSize"`
		}
		e.ok(r, 200, &list)
		var top map[string]json.RawMessage
		_ = json.Unmarshal(r.body, &top)
		if len(top) != 4 || list.Total != 1 || list.Page != 1 || list.PageSize != 20 || len(list.Items) != 1 {
			t.Fatalf("list = %s", r.body)
		}
		var keys []string
		for k := range list.Items[0] {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		if strings.Join(keys, ",") != "createdAt,createdBy,id,name,nextRunTime,remark,status,updatedAt" {
			t.Fatalf("list item fields %v", keys)
		}
	})
}

func TestWorkflows_BadInput(t *testing.T) {
	testtier.Parallel(t)
	forEach(t, func(t *testing.T, e *env) {
		w := e.workflow("wf")
		a, b := e.job(w.ID, "a"), e.job(w.ID, "b")
		cur := e.snapshot(e.tenantID, w.ID)
		n := e.count(e.tenantID)
		unchanged := func(t *testing.T) {
			t.Helper()
			if got := e.snapshot(e.tenantID, w.ID); got != cur {
				t.Fatalf("workflow changed:\n%s\n%s", cur, got)
			}
			if got := e.count(e.tenantID); got != n {
				t.Fatalf("%d workflows, was %d", got, n)
			}
		}
		long := strings.Repeat("x", 101)
		cases := []struct {
			name, method, path string
			body               any
			status             int
			code, field        string
		}{
			{"MalformedJSON", "POST", "/api/v1/workflows", `{"name": "x"`, 400, jobflow.EINVALID, ""},
			{"NotJSON", "POST", "/api/v1/workflows", `name=x`, 400, jobflow.EINVALID, ""},
			{"EmptyBody", "POST", "/api/v1/workflows", "", 400, jobflow.EINVALID, ""},
			{"TrailingData", "POST", "/api/v1/workflows", `{"name":"x"} {}`, 400, jobflow.EINVALID, ""},
			{"WrongType", "POST", "/api/v1/workflows", `{"name":5}`, 400, jobflow.EINVALID, "name"},
			{"UnknownField", "POST", "/api/v1/workflows", `{"name":"x","owner":"me"}`, 400, jobflow.EINVALID, ""},
			{"LongName", "POST", "/api/v1/workflows", map[string]any{"name": long}, 400, jobflow.EINVALID, "name"},
			{"EmptyName", "POST", "/api/v1/workflows", map[string]any{"name": "  "}, 400, jobflow.EINVALID, "name"},
			{"LongNameEdit", "PATCH", "/api/v1/workflows/" + w.ID, map[string]any{"name": long}, 400, jobflow.EINVALID, "name"},
			{"WrongTypeEdit", "PATCH", "/api/v1/workflows/" + w.ID, `{"remark":[]}`, 400, jobflow.EINVALID, "remark"},
			{"SelfLoop", "PUT", "/api/v1/workflows/" + w.ID + "/canvas", map[string]any{
				"nodes": []any{map[string]any{"jobId": a.ID}}, "edges": []any{map[string]any{"from": a.ID, "to": a.ID}}, "revision": w.Revision}, 400, jobflow.EINVALID, "edges"},
			{"UnknownJob", "PUT", "/api/v1/workflows/" + w.ID + "/canvas", map[string]any{
				"nodes": []any{map[string]any{"jobId": "job_nope"}}, "edges": []any{}, "revision": w.Revision}, 400, jobflow.EINVALID, "nodes"},
			{"NoRevision", "PUT", "/api/v1/workflows/" + w.ID + "/canvas", map[string]any{"nodes": []any{}, "edges": []any{}}, 400, jobflow.EINVALID, "revision"},
			{"StaleRevision", "PUT", "/api/v1/workflows/" + w.ID + "/canvas", map[string]any{"nodes": []any{}, "edges": []any{}, "revision": w.Revision + 7}, 409, jobflow.ECONFLICT, ""},
			{"InvalidCron", "PUT", "/api/v1/workflows/" + w.ID + "/config", map[string]any{
				"schedule": map[string]any{"cron": "0 0 25 * * ?", "timezone": "Asia/Shanghai", "enabled": true}}, 400, jobflow.EINVALID, "schedule.cron"},
			{"UnknownTimeZone", "PUT", "/api/v1/workflows/" + w.ID + "/config", map[string]any{
				"schedule": map[string]any{"cron": "0 0 2 * * ?", "timezone": "Mars/Olympus_Mons"}}, 400, jobflow.EINVALID, "schedule.timezone"},
			{"BadStrategy", "PUT", "/api/v1/workflows/" + w.ID + "/config", map[string]any{"failureStrategy": "MAYBE"}, 400, jobflow.EINVALID, "failureStrategy"},
			{"ConfigUnknownField", "PUT", "/api/v1/workflows/" + w.ID + "/config", map[string]any{"retries": 3}, 400, jobflow.EINVALID, ""},
			{"PageZero", "GET", "/api/v1/workflows?page=0", nil, 400, jobflow.EINVALID, "page"},
			{"PageNotNumber", "GET", "/api/v1/workflows?page=abc", nil, 400, jobflow.EINVALID, "page"},
			{"PageSizeTooBig", "GET", "/api/v1/workflows?pageSize=201", nil, 400, jobflow.EINVALID, "pageSize"},
			{"BogusStatus", "GET", "/api/v1/workflows?status=BOGUS", nil, 400, jobflow.EINVALID, "status"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				err := e.fail(e.as(tc.method, tc.path, tc.body), tc.status, tc.code)
				if tc.field != "" && err.Details["field"] != tc.field {
					t.Errorf("details %v, want field %q (%s)", err.Details, tc.field, err.Message)
				}
				unchanged(t)
			})
		}
		t.Run("Cycle", func(t *testing.T) {
			err := e.fail(e.as("PUT", "/api/v1/workflows/"+w.ID+"/canvas", map[string]any{
				"nodes":    []any{map[string]any{"jobId": a.ID}, map[string]any{"jobId": b.ID}},
				"edges":    []any{map[string]any{"from": a.ID, "to": b.ID}, map[string]any{"from": b.ID, "to": a.ID}},
				"revision": w.Revision,
			}), 400, jobflow.EINVALID)
			cycle, _ := err.Details["cycle"].([]any)
			got := fmt.Sprint(cycle...)
			if len(cycle) != 2 || !strings.Contains(got, a.ID) || !strings.Contains(got, b.ID) {
				t.Fatalf("details %v", err.Details)
			}
			unchanged(t)
		})
		t.Run("BodyOver1MiB", func(t *testing.T) {
			big := `{"name":"x","remark":"` + strings.Repeat("y", 1<<20) + `"}`
			e.fail(e.as("POST", "/api/v1/workflows", big), 413, jobflow.ETOOLARGE)
			// Without Content-Length (chunked), the limit hits while decoding.
			req, _ := http.NewRequest("POST", e.srv.URL+"/api/v1/workflows", struct{ *strings.Reader }{strings.NewReader(big)})
			req.Header.Set("Authorization", "Bearer "+e.admin)
			req.Header.Set("X-Tenant-ID", e.tenantID)
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != 413 || req.ContentLength > 0 {
				t.Fatalf("chunked body: status %d (content length %d)", res.StatusCode, req.ContentLength)
			}
			unchanged(t)
		})
		t.Run("CanvasBody", func(t *testing.T) {
			// A canvas save may be up to 4 MiB (a 10,000-job canvas is
			// about 2 MiB): 2 MiB reaches validation, 5 MiB is refused.
			edges := func(n int) []any {
				out := make([]any, n)
				for i := range out {
					out[i] = map[string]any{"from": a.ID, "to": b.ID}
				}
				return out
			}
			body := func(n int) map[string]any {
				return map[string]any{"nodes": []any{map[string]any{"jobId": "job_nope"}}, "edges": edges(n), "revision": w.Revision}
			}
			const edgeBytes = 70 // {"from":"job_…","to":"job_…"},
			err := e.fail(e.as("PUT", "/api/v1/workflows/"+w.ID+"/canvas", body(2<<20/edgeBytes)), 400, jobflow.EINVALID)
			if err.Details["field"] != "nodes" {
				t.Errorf("a 2 MiB canvas: %s %v, want the unknown job refused", err.Message, err.Details)
			}
			err = e.fail(e.as("PUT", "/api/v1/workflows/"+w.ID+"/canvas", body(5<<20/edgeBytes)), 413, jobflow.ETOOLARGE)
			if !strings.Contains(err.Message, "4194304") {
				t.Errorf("a 5 MiB canvas: %q", err.Message)
			}
			e.fail(e.as("POST", "/api/v1/workflows", map[string]any{"name": "x", "remark": strings.Repeat("y", 2<<20)}), 413, jobflow.ETOOLARGE)
			unchanged(t)
		})
		t.Run("NotFound", func(t *testing.T) {
			e.fail(e.as("GET", "/api/v1/workflows/wf_nope", nil), 404, jobflow.ENOTFOUND)
			e.fail(e.as("PATCH", "/api/v1/workflows/wf_nope", map[string]any{"name": "n"}), 404, jobflow.ENOTFOUND)
			unchanged(t)
		})
	})
}

func TestWorkflows_Search(t *testing.T) {
	testtier.Parallel(t)
	forEach(t, func(t *testing.T, e *env) {
		for _, n := range []string{"100% done", "1000 done", "a_b", "axb", "Report"} {
			e.workflow(n)
		}
		var hidden jobflow.Workflow
		e.ok(e.as("POST", "/api/v1/workflows", map[string]any{"name": "plain", "remark": "contains NEEDLE inside"}), 201, &hidden)
		find := func(q string) []string {
			var l jobflow.List[jobflow.Workflow]
			e.ok(e.as("GET", "/api/v1/workflows?search="+q, nil), 200, &l)
			var names []string
			for _, w := range l.Items {
				names = append(names, w.Name)
			}
			sort.Strings(names)
			if l.Total != len(names) {
				t.Fatalf("total %d, %d items", l.Total, len(names))
			}
			return names
		}
		for q, want := range map[string]string{
			"%25":    "100% done", // "%" taken literally
			"_":      "a_b",       // "_" taken literally
			"report": "Report",    // case-insensitive
			"needle": "plain",     // remark matches
			"0%25+d": "100% done",
		} {
			if got := strings.Join(find(q), ","); got != want {
				t.Errorf("search %q = %q, want %q", q, got, want)
			}
		}
		var l jobflow.List[jobflow.Workflow]
		e.ok(e.as("GET", "/api/v1/workflows?pageSize=2&page=2", nil), 200, &l)
		if l.Total != 6 || len(l.Items) != 2 || l.Page != 2 {
			t.Fatalf("page 2 = %+v", l)
		}
		e.ok(e.as("GET", "/api/v1/workflows?status=PUBLISHED", nil), 200, &l)
		if l.Total != 0 || l.Items == nil {
			t.Fatalf("published = %+v", l)
		}
	})
}

func TestWorkflows_CrossTenant(t *testing.T) {
	testtier.Parallel(t)
	forEach(t, func(t *testing.T, e *env) {
		other := e.tenant("other", 10)
		w := e.workflowIn(other, "theirs")
		var j jobflow.Job
		e.ok(e.do("POST", "/api/v1/workflows/"+w.ID+"/jobs", e.admin, other,
			map[string]any{"name": "j", "type": "SHELL", "config": map[string]any{"script": "true"}}), 201, &j)
		before := e.snapshot(other, w.ID)
		// The admin acts in the default tenant with the other tenant's ids.
		for _, r := range []struct {
			method, path string
			body         any
		}{
			{"GET", "/api/v1/workflows/" + w.ID, nil},
			{"PATCH", "/api/v1/workflows/" + w.ID, map[string]any{"name": "mine"}},
			{"DELETE", "/api/v1/workflows/" + w.ID, nil},
			{"PUT", "/api/v1/workflows/" + w.ID + "/canvas", map[string]any{"nodes": []any{}, "edges": []any{}, "revision": w.Revision}},
			{"GET", "/api/v1/workflows/" + w.ID + "/config", nil},
			{"PUT", "/api/v1/workflows/" + w.ID + "/config", map[string]any{"maxParallelism": 2}},
			{"GET", "/api/v1/workflows/" + w.ID + "/jobs", nil},
			{"POST", "/api/v1/workflows/" + w.ID + "/jobs", map[string]any{"name": "k", "type": "SHELL", "config": map[string]any{"script": "true"}}},
			{"GET", "/api/v1/jobs/" + j.ID, nil},
			{"PATCH", "/api/v1/jobs/" + j.ID, map[string]any{"name": "renamed"}},
			{"DELETE", "/api/v1/jobs/" + j.ID, nil},
		} {
			e.fail(e.as(r.method, r.path, r.body), 404, jobflow.ENOTFOUND)
		}
		if after := e.snapshot(other, w.ID); after != before {
			t.Fatalf("cross-tenant requests changed the workflow:\n%s\n%s", before, after)
		}
		var l jobflow.List[jobflow.Workflow]
		e.ok(e.as("GET", "/api/v1/workflows?search=theirs", nil), 200, &l)
		if l.Total != 0 {
			t.Fatalf("the default tenant lists another tenant's workflow: %+v", l)
		}
	})
}

func TestWorkflows_Duplicates(t *testing.T) {
	testtier.Parallel(t)
	forEach(t, func(t *testing.T, e *env) {
		w := e.workflow("same")
		n := e.count(e.tenantID)
		e.fail(e.as("POST", "/api/v1/workflows", map[string]any{"name": "same"}), 409, jobflow.ECONFLICT)
		if e.count(e.tenantID) != n {
			t.Fatal("duplicate created")
		}
		other := e.workflow("other")
		before := e.snapshot(e.tenantID, other.ID)
		e.fail(e.as("PATCH", "/api/v1/workflows/"+other.ID, map[string]any{"name": "same"}), 409, jobflow.ECONFLICT)
		if e.snapshot(e.tenantID, other.ID) != before {
			t.Fatal("refused rename changed the workflow")
		}
		// The same name in another tenant is fine.
		e.workflowIn(e.tenant("t2", 5), "same")

		e.job(w.ID, "step")
		e.fail(e.as("POST", "/api/v1/workflows/"+w.ID+"/jobs", map[string]any{"name": "step", "type": "SHELL", "config": map[string]any{"script": "true"}}), 409, jobflow.ECONFLICT)
		e.job(other.ID, "step") // another workflow may reuse it
	})
}

func TestWorkflows_LimitUnderConcurrency(t *testing.T) {
	testtier.Parallel(t)
	forEach(t, func(t *testing.T, e *env) {
		tid := e.tenant("small", 3)
		const n = 10
		statuses := make([]resp, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				statuses[i] = e.do("POST", "/api/v1/workflows", e.admin, tid, map[string]any{"name": fmt.Sprintf("wf-%d", i)})
			}()
		}
		wg.Wait()
		created := 0
		for _, r := range statuses {
			switch r.status {
			case 201:
				created++
			default:
				err := e.fail(r, 403, jobflow.ELIMITEXCEEDED)
				if !strings.Contains(err.Message, "3") {
					t.Errorf("message does not name the limit: %q", err.Message)
				}
			}
		}
		if created != 3 || e.count(tid) != 3 {
			t.Fatalf("%d created, %d stored; want 3", created, e.count(tid))
		}
	})
}

func TestWorkflows_Delete(t *testing.T) {
	testtier.Parallel(t)
	forEach(t, func(t *testing.T, e *env) {
		w := e.workflow("gone")
		e.job(w.ID, "j")
		e.ok(e.as("DELETE", "/api/v1/workflows/"+w.ID, nil), 204, nil)
		e.fail(e.as("GET", "/api/v1/workflows/"+w.ID, nil), 404, jobflow.ENOTFOUND)
		e.fail(e.as("DELETE", "/api/v1/workflows/"+w.ID, nil), 404, jobflow.ENOTFOUND)
		// Its name is free again.
		e.workflow("gone")
	})
}
