package e2e

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/protobuf/encoding/protojson"

	"jobflow"
	"jobflow/internal/jobdir"
	"jobflow/internal/testrig"
	"jobflow/internal/testtier"
)

// TestSecretsNeverLeak runs SQL jobs on datasources with known passwords (one
// that connects, one whose password is refused), alarms to a webhook whose
// URL and header hold secrets, and an invoke with a token; then it searches
// every place a secret could surface: node logs, node results and errors,
// alarm records and the alarm message bodies, the request and worker log,
// and every Temporal history event of the namespace.
func TestSecretsNeverLeak(t *testing.T) {
	testtier.Long(t, "PostgreSQL, jobflow processes and minutes (end-to-end)")
	logs := &syncBuffer{}
	rig := testrig.New(t, testrig.Options{Logger: slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	e := &env{Rig: rig, t: t}
	secrets := map[string]string{
		"postgres datasource password": "DSPASS-pg-7f3a91c2",
		"mysql datasource password":    "DSPASS-my-c0ffee42",
		"webhook URL token":            "CHTOKEN-5b1e88d0",
		"webhook header":               "CHHEADER-9d2f4a6b",
		"tenant secret variable":       "TVSECRET-3e7a19b4",
	}

	var mu sync.Mutex
	var alarmBodies []string
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		alarmBodies = append(alarmBodies, string(b))
		mu.Unlock()
		w.WriteHeader(200)
	}))
	defer hook.Close()
	e.API.AllowEgress("127.0.0.1") // the receiver and the databases (docs/security.md)

	u, _ := url.Parse(e.DBURL)
	var pg, my jobflow.Datasource
	e.API.Must("POST", "/api/v1/datasources", map[string]any{"name": "pg", "type": "POSTGRES", "host": "127.0.0.1",
		"port": 5432, "database": strings.TrimPrefix(u.Path, "/"), "user": "postgres", "password": secrets["postgres datasource password"]}, 201, &pg)
	e.API.Must("POST", "/api/v1/datasources", map[string]any{"name": "my", "type": "MYSQL", "host": "127.0.0.1",
		"port": 3306, "database": "test", "user": "root", "password": secrets["mysql datasource password"]}, 201, &my)
	var ch jobflow.AlarmChannel
	e.API.Must("POST", "/api/v1/alarm-channels", map[string]any{"name": "hook", "type": "WEBHOOK", "config": map[string]any{
		"url": hook.URL + "/alarm?token=" + secrets["webhook URL token"], "headers": map[string]string{"X-Secret": secrets["webhook header"]}}}, 201, &ch)

	// A tenant secret used by a shell job: it prints it, sets it as an
	// output, fails with it on stderr, and proves it got the real value
	// by writing its hash where the test reads it.
	e.API.Must("POST", "/api/v1/variables", map[string]any{"name": "TENANT_SECRET", "value": secrets["tenant secret variable"], "secret": true}, 201, nil)
	sumDir := jobdir.New(t)
	useSecret := `echo "token ${{ secret.TENANT_SECRET }}"
echo '${setValue(tok=${{ secret.TENANT_SECRET }})}'
printf '%s' '${{ secret.TENANT_SECRET }}' | sha256sum | cut -c1-64 > ` + sumDir + `/sum-$JOBFLOW_RUN_ID
echo "failing with ${{ secret.TENANT_SECRET }}" >&2
exit 1`
	wf, _ := e.workflow("secretive", []jobSpec{
		{Name: "query", Type: "SQL", Config: map[string]any{"datasourceId": pg.ID, "mode": "QUERY", "sql": "SELECT 1 AS one"}},
		{Name: "refused", Type: "SQL", Config: map[string]any{"datasourceId": my.ID, "mode": "QUERY", "sql": "SELECT 1"}},
		shell("uses-secret", useSecret),
	}, nil, map[string]any{"failureStrategy": "CONTINUE", "invoke": map[string]any{"enabled": true},
		"alarms": []map[string]any{{"events": []string{"RUN_START", "RUN_END", "RUN_FAIL"}, "channelIds": []string{ch.ID}}}})
	e.API.Must("POST", "/api/v1/workflows/"+wf+"/publish", nil, 200, nil)
	var tok struct{ Token string }
	e.API.Must("POST", "/api/v1/workflows/"+wf+"/invoke-tokens", nil, 201, &tok)
	secrets["invoke token"] = tok.Token

	manual := e.start(wf, nil)
	var invoked struct{ RunID string }
	body := strings.NewReader(`{"workflowId":"` + wf + `","token":"` + tok.Token + `","params":{}}`)
	resp, err := http.Post(e.Server.URL+"/workflow/open/invokeWorkflow", "application/json", body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 {
		t.Fatalf("invoke: %d", resp.StatusCode)
	}
	resp.Body.Close()
	runs := e.API // the admin's API sees the invoked run too
	var list struct{ Items []jobflow.Run }
	runs.Must("GET", "/api/v1/runs?workflowId="+wf, nil, 200, &list)
	for _, r := range list.Items {
		if r.ID != manual {
			invoked.RunID = r.ID
		}
	}
	if invoked.RunID == "" {
		t.Fatalf("no invoked run among %+v", list.Items)
	}

	var places []string
	for _, id := range []string{manual, invoked.RunID} {
		r := e.waitFinished(id)
		if r.Status != jobflow.RunFail {
			t.Fatalf("run %s %s, want FAIL (the mysql job's password is refused): %+v", id, r.Status, r.Nodes)
		}
		for _, n := range r.Nodes {
			if n.JobName == "refused" && !strings.Contains(n.Error, "Access denied") {
				t.Errorf("the refused job's error %q does not say why", n.Error)
			}
			if n.JobName == "uses-secret" {
				sum, _ := os.ReadFile(filepath.Join(sumDir, "sum-"+id))
				want := sha256.Sum256([]byte(secrets["tenant secret variable"]))
				if strings.TrimSpace(string(sum)) != hex.EncodeToString(want[:]) {
					t.Errorf("the job did not get the tenant secret's value (hash %q)", sum)
				}
				if n.Outputs["tok"] != "******" {
					t.Errorf("the secret output shows as %q, want ******", n.Outputs["tok"])
				}
			}
			places = append(places, "log "+n.JobName+": "+e.log(id, n.JobID))
		}
		_, b := e.API.Do("GET", "/api/v1/runs/"+id, nil)
		places = append(places, "run "+string(b))
		// The alarm child sends asynchronously: wait for RUN_END's record.
		deadline := time.Now().Add(60 * time.Second)
		for {
			_, b = e.API.Do("GET", "/api/v1/alarm-records?runId="+id, nil)
			if strings.Contains(string(b), "RUN_FAIL") || time.Now().After(deadline) {
				break
			}
			time.Sleep(200 * time.Millisecond)
		}
		if !strings.Contains(string(b), "RUN_FAIL") {
			t.Fatalf("no RUN_FAIL alarm record for %s: %s", id, b)
		}
		places = append(places, "alarm records "+string(b))
	}
	mu.Lock()
	if len(alarmBodies) < 6 {
		t.Errorf("the webhook got %d alarms, want 6 (3 events × 2 runs)", len(alarmBodies))
	}
	for _, b := range alarmBodies {
		places = append(places, "alarm message "+b)
	}
	mu.Unlock()
	places = append(places, "logs "+logs.String())
	hist := histories(t, e)
	// A positive control: the search sees into payloads (the SQL text
	// travels in FlowRun's input), so an absent secret is really absent.
	if !strings.Contains(strings.Join(hist, ""), "SELECT 1 AS one") {
		t.Fatal("the histories as searched do not show the jobs' SQL: payloads are not decoded")
	}
	places = append(places, hist...)

	for _, p := range places {
		for what, secret := range secrets {
			if strings.Contains(p, secret) {
				i := strings.Index(p, secret)
				t.Errorf("the %s appears in %.40s…: …%s…", what, p, p[max(0, i-80):min(len(p), i+len(secret)+20)])
			}
		}
	}
}

// histories is every event of every workflow execution in the namespace
// (runs and alarm children), as JSON.
func histories(t *testing.T, e *env) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	list, err := e.Client.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{Namespace: e.Temporal.GetDefaultNamespace()})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Executions) < 4 {
		t.Fatalf("%d executions in Temporal, want the 2 runs and their 2 alarm children", len(list.Executions))
	}
	var out []string
	for _, ex := range list.Executions {
		it := e.Client.GetWorkflowHistory(ctx, ex.Execution.WorkflowId, ex.Execution.RunId, false, 0)
		var b bytes.Buffer
		for it.HasNext() {
			ev, err := it.Next()
			if err != nil {
				t.Fatal(err)
			}
			j, _ := protojson.Marshal(ev)
			b.Write(j)
			// Payloads are base64 in JSON: search their decoded bytes too.
			for _, m := range payloadData.FindAllSubmatch(j, -1) {
				if d, err := base64.StdEncoding.DecodeString(string(m[1])); err == nil {
					b.Write(d)
				}
			}
		}
		out = append(out, "history of "+ex.Execution.WorkflowId+": "+b.String())
	}
	return out
}

var payloadData = regexp.MustCompile(`"data":"([A-Za-z0-9+/=]+)"`)

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
