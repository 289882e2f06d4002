// Package cluster_test drives the topology of deploy/cluster/up.sh — two
// official Temporal server processes forming one cluster on PostgreSQL, two
// `jobflow api` and two `jobflow worker` processes on one store — through
// its REST API while a Temporal node and a worker are SIGKILLed.
package cluster_test

import (
	"bufio"
	"fmt"
	"jobflow/internal/testproc"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"jobflow"
	"jobflow/internal/jobdir"
	"jobflow/internal/testrig"
	"jobflow/internal/testtier"
)

const tickEvery = 10 * time.Second

// TestCluster: a workflow published on a cron schedule (every 10 s, overlap
// ALLOW_ALL) and a 3-job chain run by hand and by invoke, through both
// APIs. Once a chain job runs on worker-1, temporal-1 and worker-1 are
// SIGKILLed together; more runs are started through both APIs while they
// are away; up.sh then restarts exactly those two. Every run ends SUCCESS,
// every job's side effect happened exactly once (the job killed with its
// worker ran again, as its retry policy allows, and only the attempt that
// reached its end counts), and the schedule fired on every 10 s slot from
// the first fire to the last — after the restart too — once each.
func TestCluster(t *testing.T) {
	testtier.Long(t, "a multi-process cluster on PostgreSQL")
	c := newCluster(t)
	c.up()
	apis := []*testrig.API{
		testrig.Login(t, c.apiURL(1), "admin", "cluster-test-pw"),
		testrig.Login(t, c.apiURL(2), "admin", "cluster-test-pw"),
	}
	dir := jobdir.New(t)
	marks, starts := filepath.Join(dir, "marks"), filepath.Join(dir, "starts")
	// A job notes its start (with its pid, to find its worker) and, at its
	// end, its side effect.
	script := func(sleep int) string {
		return fmt.Sprintf("echo \"$JOBFLOW_RUN_ID $JOBFLOW_JOB_NAME $JOBFLOW_ATTEMPT $$\" >> %s\nsleep %d\necho \"$JOBFLOW_RUN_ID $JOBFLOW_JOB_NAME\" >> %s\n", starts, sleep, marks)
	}
	a := apis[0]
	chain := workflow(a, "chain", [][2]any{{"a", 1}, {"b", 15}, {"c", 1}}, script)
	a.Must("PUT", "/api/v1/workflows/"+chain+"/config", map[string]any{"invoke": map[string]any{"enabled": true}}, 200, nil)
	a.Must("POST", "/api/v1/workflows/"+chain+"/publish", nil, 200, nil)
	var tok struct{ Token string }
	a.Must("POST", "/api/v1/workflows/"+chain+"/invoke-tokens", nil, 201, &tok)
	tick := workflow(a, "tick", [][2]any{{"t", 0}}, script)
	a.Must("PUT", "/api/v1/workflows/"+tick+"/config", map[string]any{"schedule": map[string]any{
		"mode": "SINGLE", "cron": "0/10 * * * * ?", "timezone": "UTC", "enabled": true,
		"overlap": "ALLOW_ALL", "catchupWindowSeconds": 300}}, 200, nil)
	a.Must("POST", "/api/v1/workflows/"+tick+"/publish", nil, 200, nil)
	t.Cleanup(func() {
		if t.Failed() {
			_, sched := a.Do("GET", "/api/v1/workflows/"+tick+"/schedule", nil)
			t.Logf("schedule of tick: %s", sched)
			for _, wf := range []string{tick, chain} {
				for _, r := range runs(a, wf, "") {
					t.Logf("run %s %s %s %s logical %s", r.ID, r.WorkflowName, r.Trigger, r.Status, r.LogicalTime.Format(time.TimeOnly))
				}
			}
		}
	})

	var chainRuns []string
	invokes := 0
	startRun := func(api *testrig.API) {
		var r struct{ RunID string }
		api.Must("POST", "/api/v1/workflows/"+chain+"/runs", map[string]any{}, 202, &r)
		chainRuns = append(chainRuns, r.RunID)
	}
	invoke := func(api *testrig.API) {
		invokes++
		var r struct{ RunID string }
		api.Must("POST", "/workflow/open/invokeWorkflow", map[string]any{
			"workflowId": chain, "token": tok.Token, "requestId": "req-" + strconv.Itoa(invokes)}, 200, &r)
		chainRuns = append(chainRuns, r.RunID)
	}
	// Once the schedule has fired, 12 runs at once, by hand and by invoke
	// through both APIs.
	began := time.Now()
	waitFor(t, 3*time.Minute, "a scheduled run done", func() bool { return len(runs(a, tick, jobflow.RunSuccess)) > 0 })
	t.Logf("first scheduled run done %s after publish", time.Since(began).Round(time.Millisecond))
	for range 3 {
		for _, api := range apis {
			startRun(api)
			invoke(api)
		}
	}

	// The kill comes while every chain run is in job b (15 s), one of them
	// on worker-1, and between two fires of the schedule: no job is near
	// its end then. (A job killed after its side effect but before its
	// worker recorded its end would run again: that is a crash's
	// at-least-once window, which this test does not aim at.)
	worker1 := c.pid("worker-1")
	var victim string // the job that dies with worker-1
	waitFor(t, 120*time.Second, "every run in job b, one on worker-1, between fires", func() bool {
		victim = ""
		inB := 0
		for _, s := range readLines(starts) {
			if len(s) < 4 || s[1] != "b" {
				continue
			}
			inB++
			// The job's processes by its environment: a sandboxed job's $$
			// is a pid of its own namespace.
			for _, pid := range testproc.PIDsWithEnv("JOBFLOW_RUN_ID="+s[0], "JOBFLOW_JOB_NAME="+s[1]) {
				if testproc.DescendsFrom(pid, worker1) {
					victim = s[0] + " " + s[1]
				}
			}
		}
		sec := time.Now().Second() % 10
		return victim != "" && inB == len(chainRuns) && sec >= 3 && sec <= 6
	})
	c.kill("temporal-1")
	c.kill("worker-1")
	killedAt := time.Now()
	t.Logf("SIGKILLed temporal-1 and worker-1 while %s ran on worker-1", victim)

	// Both APIs go on with temporal-2 (jobflow has both frontends); a
	// start may meet the dead connection first and answer 503, which a
	// client retries (Retry-After).
	refused := map[int]int{}
	retry := func(what string, do func() (int, []byte)) []byte {
		for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(500 * time.Millisecond) {
			code, b := do()
			if code < 300 {
				return b
			}
			refused[code]++
			if code != 503 || time.Now().After(deadline) {
				t.Fatalf("%s while temporal-1 is down: %d %s", what, code, b)
			}
		}
	}
	for i, api := range apis {
		b := retry("start", func() (int, []byte) { return api.Do("POST", "/api/v1/workflows/"+chain+"/runs", map[string]any{}) })
		chainRuns = append(chainRuns, runID(t, b))
		b = retry("invoke", func() (int, []byte) {
			return api.Do("POST", "/workflow/open/invokeWorkflow", map[string]any{
				"workflowId": chain, "token": tok.Token, "requestId": "down-" + strconv.Itoa(i)})
		})
		chainRuns = append(chainRuns, runID(t, b))
	}
	t.Logf("4 runs started through both APIs %s after the kill; answers refused meanwhile: %v",
		time.Since(killedAt).Round(time.Millisecond), refused)
	time.Sleep(time.Until(killedAt.Add(5 * time.Second)))

	out := c.up()
	restartedAt := time.Now()
	for _, want := range []string{"temporal-1 started", "worker-1 started", "temporal-2 running", "worker-2 running", "api-1 running", "api-2 running"} {
		if !strings.Contains(out, want) {
			t.Errorf("up.sh after the kill does not say %q", want)
		}
	}

	// Every chain run ends, SUCCESS.
	waitFor(t, 5*time.Minute, "every chain run ended", func() bool {
		return len(runs(a, chain, "")) == len(chainRuns) && len(unfinished(runs(a, chain, ""))) == 0
	})
	t.Logf("all %d chain runs ended %s after the kill", len(chainRuns), time.Since(killedAt).Round(time.Second))
	retried := 0
	for _, id := range chainRuns {
		var r jobflow.Run
		a.Must("GET", "/api/v1/runs/"+id, nil, 200, &r)
		if r.Status != jobflow.RunSuccess {
			t.Errorf("run %s (%s) %s: %+v", id, r.Trigger, r.Status, r.Nodes)
		}
		for _, n := range r.Nodes {
			if n.Attempt > 1 {
				retried++
			}
			if id+" "+n.JobName == victim && n.Attempt < 2 {
				t.Errorf("job %s, killed with worker-1, ended on attempt %d", victim, n.Attempt)
			}
		}
	}

	// The schedule fires on after the restart; then it is taken offline and
	// its last runs end.
	waitFor(t, 90*time.Second, "3 scheduled runs after the restart", func() bool {
		n := 0
		for _, r := range runs(a, tick, jobflow.RunSuccess) {
			if r.LogicalTime.After(restartedAt) {
				n++
			}
		}
		return n >= 3
	})
	a.Must("POST", "/api/v1/workflows/"+tick+"/offline", nil, 200, nil)
	var ticks []jobflow.Run
	waitFor(t, 2*time.Minute, "every scheduled run ended", func() bool {
		ticks = runs(a, tick, "")
		return len(unfinished(ticks)) == 0
	})

	// Side effects: one per job of every run, none twice, none unknown.
	want := map[string]int{}
	for _, id := range chainRuns {
		for _, j := range []string{"a", "b", "c"} {
			want[id+" "+j] = 1
		}
	}
	var fires []time.Time
	for _, r := range ticks {
		if r.Trigger != jobflow.TriggerSchedule || r.Status != jobflow.RunSuccess {
			t.Errorf("tick run %s: %s %s", r.ID, r.Trigger, r.Status)
		}
		want[r.ID+" t"] = 1
		fires = append(fires, r.LogicalTime)
	}
	got := map[string]int{}
	for _, m := range readLines(marks) {
		got[m[0]+" "+m[1]]++
	}
	for k, n := range got {
		if want[k] != n {
			t.Errorf("side effect %q happened %d times, want %d", k, n, want[k])
		}
	}
	for k := range want {
		if got[k] == 0 {
			t.Errorf("side effect %q never happened", k)
		}
	}

	// Fires: every 10 s slot from the first to the last, once.
	slices.SortFunc(fires, func(x, y time.Time) int { return x.Compare(y) })
	for i := 1; i < len(fires); i++ {
		if d := fires[i].Sub(fires[i-1]); d != tickEvery {
			t.Errorf("scheduled fires %s and %s are %s apart, want %s (a fire missed or twice)", fires[i-1].Format(time.TimeOnly), fires[i].Format(time.TimeOnly), d, tickEvery)
		}
	}
	t.Logf("%d chain runs (%d nodes retried after the kill), %d scheduled runs %s…%s on every %s, %d side effects, each once",
		len(chainRuns), retried, len(fires), fires[0].Format(time.TimeOnly), fires[len(fires)-1].Format(time.TimeOnly), tickEvery, len(got))
}

// workflow creates a workflow of SHELL jobs (name, seconds of sleep) in a
// chain, each allowed 3 attempts, and returns its id.
func workflow(a *testrig.API, name string, jobs [][2]any, script func(int) string) string {
	var wf jobflow.Workflow
	a.Must("POST", "/api/v1/workflows", map[string]string{"name": name}, 201, &wf)
	var nodes []map[string]any
	var edges []map[string]string
	prev := ""
	for i, j := range jobs {
		var job jobflow.Job
		a.Must("POST", "/api/v1/workflows/"+wf.ID+"/jobs", map[string]any{
			"name": j[0], "type": "SHELL", "config": map[string]string{"script": script(j[1].(int))},
			"retry": map[string]int{"maxAttempts": 3, "intervalSeconds": 1}}, 201, &job)
		nodes = append(nodes, map[string]any{"jobId": job.ID, "x": 100 * i, "y": 0})
		if prev != "" {
			edges = append(edges, map[string]string{"from": prev, "to": job.ID})
		}
		prev = job.ID
	}
	if edges == nil {
		edges = []map[string]string{}
	}
	a.Must("PUT", "/api/v1/workflows/"+wf.ID+"/canvas", map[string]any{"nodes": nodes, "edges": edges, "revision": wf.Revision}, 200, nil)
	return wf.ID
}

// runs lists every run of a workflow (with status, if given).
func runs(a *testrig.API, workflowID string, status jobflow.RunStatus) []jobflow.Run {
	var all []jobflow.Run
	for page := 1; ; page++ {
		var list jobflow.List[jobflow.Run]
		a.Must("GET", fmt.Sprintf("/api/v1/runs?workflowId=%s&status=%s&pageSize=200&page=%d", workflowID, status, page), nil, 200, &list)
		all = append(all, list.Items...)
		if len(list.Items) < 200 {
			return all
		}
	}
}

func unfinished(rs []jobflow.Run) []jobflow.Run {
	var out []jobflow.Run
	for _, r := range rs {
		if !r.Status.Finished() {
			out = append(out, r)
		}
	}
	return out
}

func runID(t *testing.T, b []byte) string {
	t.Helper()
	s := string(b)
	i := strings.Index(s, `"run_`)
	if i < 0 {
		t.Fatalf("no run id in %s", b)
	}
	s = s[i+1:]
	return s[:strings.IndexByte(s, '"')]
}

// readLines reads a file the jobs append to: the fields of its complete lines.
func readLines(path string) [][]string {
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	var out [][]string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if fs := strings.Fields(sc.Text()); len(fs) >= 2 {
			out = append(out, fs)
		}
	}
	return out
}

func waitFor(t testing.TB, d time.Duration, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(d); !cond(); time.Sleep(500 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("not within %s: %s", d, what)
		}
	}
}
