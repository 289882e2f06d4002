package activities

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"jobflow"
	"jobflow/jobtypes"
	"jobflow/store"
	"jobflow/store/storetest"
	"jobflow/vars"
)

// TestRunJob_ShellOutputs: setValue lines and the $JOBFLOW_OUTPUT file
// set outputs (the file wins), kept on the node run and in the result.
func TestRunJob_ShellOutputs(t *testing.T) {
	e := newTestEnv(t, storetest.Primary())
	ctx := context.Background()

	t.Run("SetValueAndFile", func(t *testing.T) {
		script := `echo '${setValue(a=1)} and ${setValue(b = two words)}'
echo 'plain line'
printf 'c=3\nb=from file\n# a comment\n\nd=x=y\n' > "$JOBFLOW_OUTPUT"
printf '${setValue(last=no newline)}'`
		j := e.job(jobflow.JobShell, jobtypes.ShellConfig{Script: script})
		res, err := e.a.RunJob(ctx, e.input(j, nil))
		if err != nil {
			t.Fatalf("RunJob: %v", err)
		}
		want := map[string]string{"a": "1", "b": "from file", "c": "3", "d": "x=y", "last": "no newline"}
		if !sameOutputs(res.Outputs, want) {
			t.Errorf("result outputs = %v, want %v", res.Outputs, want)
		}
		if n := e.node(t, j.ID); !sameOutputs(n.Outputs, want) {
			t.Errorf("node outputs = %v, want %v", n.Outputs, want)
		}
		if log := e.log(t, j.ID); !strings.Contains(log, "${setValue(a=1)}") {
			t.Errorf("the setValue line must stay in the log: %q", log)
		}
	})

	t.Run("PythonJSONFile", func(t *testing.T) {
		script := `import json, os
with open(os.environ["JOBFLOW_OUTPUT"], "w") as f:
    json.dump({"n": 5, "s": "text", "o": {"k": [1, 2]}}, f)`
		j := e.job(jobflow.JobPython, jobtypes.ShellConfig{Script: script})
		res, err := e.a.RunJob(ctx, e.input(j, nil))
		if err != nil {
			t.Fatalf("RunJob: %v\n%s", err, e.log(t, j.ID))
		}
		want := map[string]string{"n": "5", "s": "text", "o": `{"k": [1, 2]}`}
		if !sameOutputs(res.Outputs, want) {
			t.Errorf("outputs = %v, want %v", res.Outputs, want)
		}
	})

	t.Run("TooLarge", func(t *testing.T) {
		script := `head -c 70000 /dev/zero | tr '\0' x | sed 's/^/big=/' > "$JOBFLOW_OUTPUT"`
		j := e.job(jobflow.JobShell, jobtypes.ShellConfig{Script: script})
		_, err := e.a.RunJob(ctx, e.input(j, nil))
		if ae := appError(t, err); !strings.Contains(ae.Message(), "at most 65536") {
			t.Fatalf("error = %q, want the 64 KiB limit named", ae.Message())
		}
		if n := e.node(t, j.ID); n.Status != jobflow.NodeFail || n.Outputs != nil {
			t.Errorf("node = %s outputs %d, want FAIL without outputs", n.Status, len(n.Outputs))
		}
	})

	t.Run("BadFileLine", func(t *testing.T) {
		j := e.job(jobflow.JobShell, jobtypes.ShellConfig{Script: `echo 'no equals sign' > "$JOBFLOW_OUTPUT"`})
		_, err := e.a.RunJob(ctx, e.input(j, nil))
		if ae := appError(t, err); !strings.Contains(ae.Message(), "line 1 is not name=value") {
			t.Fatalf("error = %q", ae.Message())
		}
	})

	t.Run("SymlinkRefused", func(t *testing.T) {
		// The job owns its directory; the worker must not follow a link it
		// plants to a file the job cannot read itself.
		j := e.job(jobflow.JobShell, jobtypes.ShellConfig{Script: `rm -f "$JOBFLOW_OUTPUT"; ln -s /etc/hostname "$JOBFLOW_OUTPUT"`})
		_, err := e.a.RunJob(ctx, e.input(j, nil))
		if ae := appError(t, err); !strings.Contains(ae.Message(), "JOBFLOW_OUTPUT") {
			t.Fatalf("error = %q, want the output file refused", ae.Message())
		}
	})

	t.Run("UpstreamOutputsInScriptAndEnv", func(t *testing.T) {
		j := e.job(jobflow.JobShell, jobtypes.ShellConfig{
			Script: `echo "id=${outputs.extract.id} first=${outputs.extract.body.json('$.items[0].name')}"; echo "env=$X"`,
			Env:    map[string]string{"X": "${qing.job_up.result_data}"},
		})
		in := e.input(j, nil)
		in.Upstream = []vars.Upstream{{ID: "job_up", Name: "extract", Outputs: map[string]string{"id": "42", "body": `{"items":[{"name":"n1"}]}`}}}
		if _, err := e.a.RunJob(ctx, in); err != nil {
			t.Fatalf("RunJob: %v", err)
		}
		log := e.log(t, j.ID)
		if !strings.Contains(log, "id=42 first=n1") || !strings.Contains(log, `env={"body":{"items":[{"name":"n1"}]},"id":42}`) {
			t.Errorf("log %q lacks the resolved outputs", log)
		}
	})

	t.Run("MissingKeyFails", func(t *testing.T) {
		j := e.job(jobflow.JobShell, jobtypes.ShellConfig{Script: `echo ${outputs.extract.nope}`})
		in := e.input(j, nil)
		in.Upstream = []vars.Upstream{{ID: "job_up", Name: "extract", Outputs: map[string]string{"id": "42"}}}
		_, err := e.a.RunJob(ctx, in)
		if ae := appError(t, err); !strings.Contains(ae.Message(), `has no output "nope"`) {
			t.Fatalf("error = %q, want the missing key named", ae.Message())
		}
	})
}

// TestRunJob_SQLAndHTTPOutputs: QUERY outputs the first row and rowCount,
// EXECUTE rowsAffected, HTTP status and body.
func TestRunJob_SQLAndHTTPOutputs(t *testing.T) {
	e := newTestEnv(t, store.DialectPostgres)
	dbName, _ := newPostgresDatabase(t)
	ds := e.datasource(t, jobflow.DatasourcePostgres, 5432, dbName, "postgres")
	ctx := context.Background()

	res, err := e.a.RunJob(ctx, e.input(sqlJob(e, ds, jobtypes.SQLExecute, "create table o (id int, s text); insert into o values (1,'a'),(2,'b'); update o set s = 'c'"), nil))
	if err != nil {
		t.Fatal(err)
	}
	if want := map[string]string{"rowsAffected": "4"}; !sameOutputs(res.Outputs, want) {
		t.Errorf("EXECUTE outputs = %v, want %v", res.Outputs, want)
	}
	res, err = e.a.RunJob(ctx, e.input(sqlJob(e, ds, jobtypes.SQLQuery, "select id, s, null as z, id * 1.5 as f from o order by id"), nil))
	if err != nil {
		t.Fatal(err)
	}
	if want := map[string]string{"id": "1", "s": "c", "z": "", "f": "1.5", "rowCount": "2"}; !sameOutputs(res.Outputs, want) {
		t.Errorf("QUERY outputs = %v, want %v", res.Outputs, want)
	}

	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/big" {
			io.WriteString(w, strings.Repeat("\"", 60<<10)) // doubles when escaped in JSON
			return
		}
		w.WriteHeader(http.StatusAccepted)
		io.WriteString(w, `{"id":"abc"}`)
	}))
	defer srv.Close()
	e.allowServer(t, srv.URL)
	res, err = e.a.RunJob(ctx, e.input(e.job(jobflow.JobHTTP, jobtypes.HTTPConfig{URL: srv.URL}), nil))
	if err != nil {
		t.Fatal(err)
	}
	if want := map[string]string{"status": "202", "body": `{"id":"abc"}`}; !sameOutputs(res.Outputs, want) {
		t.Errorf("HTTP outputs = %v, want %v", res.Outputs, want)
	}
	res, err = e.a.RunJob(ctx, e.input(e.job(jobflow.JobHTTP, jobtypes.HTTPConfig{URL: srv.URL + "/big"}), nil))
	if err != nil {
		t.Fatalf("a large body is cut to fit, not a failure: %v", err)
	}
	if size := jobflow.OutputsSize(res.Outputs); size > jobflow.MaxOutputBytes || res.Outputs["bodyTruncated"] != "true" || len(res.Outputs["body"]) < 30<<10 {
		t.Errorf("big body outputs: size %d, truncated %q, body %d bytes", size, res.Outputs["bodyTruncated"], len(res.Outputs["body"]))
	}
}

func sameOutputs(got, want map[string]string) bool {
	if len(got) != len(want) {
		return false
	}
	for k, v := range want {
		if g, ok := got[k]; !ok || g != v {
			return false
		}
	}
	return true
}
