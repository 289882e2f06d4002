// Command soak runs jobflow in `server` topology (one `jobflow api`, two
// `jobflow worker` processes, PostgreSQL through a TCP proxy, an
// in-process Temporal server) under a steady load and real faults, then
// checks what was lost or done twice (issue 9, item 7):
//
//	go run ./bench/soak -duration 10m
//
// Load: invokes at -rate per second (four tokens, unique requestIds), an
// every-10-seconds schedule, manual runs every 2 s (every third aborted,
// every fifth finished one rerun). Faults: one worker SIGKILLed and
// restarted every -kill-every, the store connection cut for 5 s at 1/3
// and 2/3 of the duration, the Temporal server stopped for 20 s and
// restarted (same port and data) at 1/2. Checks, after a drain: every
// accepted run is final in the store and its execution closed in
// Temporal; no job's side effect happened more often than it ended
// SUCCESS; no SUCCESS node's log misses a line; no answer other than 2xx
// and 503 (429 is counted apart). It prints the counts.
//
// Standalone mode is not covered by this command.
package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	_ "github.com/lib/pq"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"jobflow"
	"jobflow/temporalserver"
)

var (
	duration  = flag.Duration("duration", 10*time.Minute, "how long the load and the faults go on")
	rate      = flag.Int("rate", 20, "invokes per second")
	killEvery = flag.Duration("kill-every", time.Minute, "SIGKILL and restart one worker this often")
	pgAdmin   = flag.String("pg", "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable", "PostgreSQL admin URL (a database is created and dropped)")
	drain     = flag.Duration("drain", 5*time.Minute, "how long to wait for accepted runs to end")
)

const seqLines = 20

func main() {
	flag.Parse()
	log.SetFlags(log.Ltime)
	if err := soak(); err != nil {
		log.Fatal(err)
	}
}

func soak() error {
	work, err := os.MkdirTemp("", "jobflow-soak-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	bin := filepath.Join(work, "jobflow")
	if out, err := exec.Command("go", "build", "-o", bin, "./cmd/jobflow").CombinedOutput(); err != nil {
		return fmt.Errorf("build: %v\n%s", err, out)
	}
	dbURL, dropDB, err := createDatabase(*pgAdmin)
	if err != nil {
		return err
	}
	defer dropDB()
	pgURL, _ := url.Parse(dbURL)
	proxy, err := newProxy(pgURL.Host)
	if err != nil {
		return err
	}
	pgURL.Host = proxy.addr

	tdir, tport := filepath.Join(work, "temporal"), freePort()
	startTemporal := func() (*temporalserver.Server, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		return temporalserver.Start(ctx, temporalserver.Config{DataDir: tdir, FrontendPort: tport})
	}
	ts, err := startTemporal()
	if err != nil {
		return err
	}
	defer func() { ts.Stop() }()

	httpPort := freePort()
	env := []string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"),
		"JOBFLOW_DATABASE_URL=" + pgURL.String(),
		"JOBFLOW_TEMPORAL_ADDRESS=" + ts.FrontendAddress(),
		"JOBFLOW_JWT_SECRET=soak-secret-soak-secret-soak-secret-soak",
		"JOBFLOW_ENCRYPTION_KEY=" + base64.StdEncoding.EncodeToString([]byte("soak-key-0123456789abcdef0123456")),
		"JOBFLOW_ADMIN_PASSWORD=soak-admin-pw",
		"JOBFLOW_HTTP_ADDR=127.0.0.1:" + strconv.Itoa(httpPort),
		"JOBFLOW_LOG_LEVEL=warn",
		"JOBFLOW_WORKER_STOP_TIMEOUT=5s",
	}
	if out, err := run(bin, env, "migrate"); err != nil {
		return fmt.Errorf("migrate: %v\n%s", err, out)
	}
	procs := &processes{bin: bin, env: env, logDir: work}
	defer procs.stopAll()
	procs.start("api", "api")
	procs.start("worker-0", "worker")
	procs.start("worker-1", "worker")
	base := fmt.Sprintf("http://127.0.0.1:%d", httpPort)
	if err := waitReady(base); err != nil {
		return err
	}

	c := &api{base: base, codes: map[int]int{}}
	if err := c.login(); err != nil {
		return err
	}
	sideDir := filepath.Join(work, "side")
	os.MkdirAll(sideDir, 0o755)
	script := func(sleep string) string {
		return fmt.Sprintf("for i in $(seq 1 %d); do echo line $i; %s done; echo x >> %s/${params.k}", seqLines, sleep, sideDir)
	}
	inv, err := c.workflow("soak-invoke", script(""), map[string]any{
		"schedule": map[string]any{"mode": "SINGLE", "cron": "*/10 * * * * ?", "timezone": "UTC", "enabled": true},
		"invoke":   map[string]any{"enabled": true}, "params": map[string]string{"k": "scheduled"}})
	if err != nil {
		return err
	}
	if code, b := c.call("POST", "/api/v1/workflows/"+inv+"/publish", nil, nil); code != 200 {
		return fmt.Errorf("publish: %d %s", code, b)
	}
	var tokens []string
	for range 4 {
		var tok struct{ Token string }
		if code, b := c.call("POST", "/api/v1/workflows/"+inv+"/invoke-tokens", nil, &tok); code != 201 {
			return fmt.Errorf("invoke token: %d %s", code, b)
		}
		tokens = append(tokens, tok.Token)
	}
	man, err := c.workflow("soak-manual", script("sleep 0.1;"), map[string]any{"params": map[string]string{"k": "manual"}})
	if err != nil {
		return err
	}

	log.Printf("load for %s: %d invokes/s, schedule every 10 s, manual runs every 2 s; faults: worker kill every %s, store cut 2×5 s, Temporal restart", *duration, *rate, *killEvery)
	var accepted sync.Map // run id -> true
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var n atomic.Int64
	wg.Add(3)
	go func() { // invokes
		defer wg.Done()
		t := time.NewTicker(time.Second / time.Duration(*rate))
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
			}
			i := n.Add(1)
			go func() {
				var out struct{ RunID string }
				code, _ := c.call("POST", "/workflow/open/invokeWorkflow", map[string]any{"workflowId": inv, "token": tokens[i%4],
					"requestId": fmt.Sprintf("soak-%d", i), "params": map[string]string{"k": fmt.Sprintf("inv-%d", i)}}, &out)
				if code == 200 && out.RunID != "" {
					accepted.Store(out.RunID, true)
				}
			}()
		}
	}()
	go func() { // manual runs, aborts, reruns
		defer wg.Done()
		var finished []string
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			case <-time.After(2 * time.Second):
			}
			var out struct{ RunID string }
			code, _ := c.callKey("POST", "/api/v1/workflows/"+man+"/runs", fmt.Sprintf("man-%d", i),
				map[string]any{"params": map[string]string{"k": fmt.Sprintf("man-%d", i)}}, &out)
			if code != 202 {
				continue
			}
			accepted.Store(out.RunID, true)
			if i%3 == 0 {
				time.Sleep(time.Second)
				c.call("POST", "/api/v1/runs/"+out.RunID+"/abort", nil, nil)
			} else {
				finished = append(finished, out.RunID)
			}
			if i%5 == 4 && len(finished) > 2 {
				prior := finished[len(finished)-3]
				var rr struct{ RunID string }
				if code, _ := c.callKey("POST", "/api/v1/runs/"+prior+"/rerun", "rerun-"+prior, map[string]string{"mode": "ALL"}, &rr); code == 202 {
					accepted.Store(rr.RunID, true)
				}
			}
		}
	}()
	var faults []string
	go func() { // faults
		defer wg.Done()
		begin := time.Now()
		kill := time.NewTicker(*killEvery)
		defer kill.Stop()
		cuts := []time.Duration{*duration / 3, 2 * *duration / 3}
		restarted := false
		k := 0
		for {
			select {
			case <-stop:
				return
			case <-kill.C:
				name := fmt.Sprintf("worker-%d", k%2)
				k++
				procs.kill(name)
				procs.start(name, "worker")
				faults = append(faults, fmt.Sprintf("%s SIGKILLed and restarted at %s", name, time.Since(begin).Round(time.Second)))
			case <-time.After(time.Second):
			}
			el := time.Since(begin)
			if len(cuts) > 0 && el >= cuts[0] {
				cuts = cuts[1:]
				proxy.cut()
				time.Sleep(5 * time.Second)
				proxy.restore()
				faults = append(faults, fmt.Sprintf("store cut for 5 s at %s", el.Round(time.Second)))
			}
			if !restarted && el >= *duration/2 {
				restarted = true
				ts.Stop()
				time.Sleep(20 * time.Second)
				if ts, err = startTemporal(); err != nil {
					log.Printf("Temporal restart failed: %v", err)
					return
				}
				faults = append(faults, fmt.Sprintf("Temporal stopped 20 s and restarted at %s", el.Round(time.Second)))
			}
		}
	}()
	time.Sleep(*duration)
	close(stop)
	wg.Wait()
	for _, f := range faults {
		log.Print("fault: ", f)
	}

	// Drain: every accepted run must end.
	var ids []string
	accepted.Range(func(k, _ any) bool { ids = append(ids, k.(string)); return true })
	sort.Strings(ids)
	log.Printf("draining %d accepted runs (up to %s)", len(ids), *drain)
	deadline := time.Now().Add(*drain)
	runs := map[string]*jobflow.Run{}
	for len(runs) < len(ids) && time.Now().Before(deadline) {
		for _, id := range ids {
			if runs[id] != nil {
				continue
			}
			var r jobflow.Run
			if code, _ := c.call("GET", "/api/v1/runs/"+id, nil, &r); code == 200 && r.Status.Finished() {
				runs[id] = &r
			}
		}
		if len(runs) < len(ids) {
			time.Sleep(2 * time.Second)
		}
	}
	// Scheduled runs are accepted by Temporal's schedule, not by a request.
	var sched struct{ Items []jobflow.Run }
	c.call("GET", "/api/v1/runs?trigger=SCHEDULE&pageSize=200&workflowId="+inv, nil, &sched)

	tc, err := client.Dial(client.Options{HostPort: ts.FrontendAddress()})
	if err != nil {
		return err
	}
	defer tc.Close()
	var notFinal, disagree, missingLines, extraEffects int
	status := map[jobflow.RunStatus]int{}
	success := map[string]int{} // side-effect key -> SUCCESS node runs
	for _, id := range ids {
		r := runs[id]
		if r == nil {
			notFinal++
			continue
		}
		status[r.Status]++
		d, err := tc.DescribeWorkflowExecution(context.Background(), r.TemporalWorkflowID, "")
		if err != nil || d.GetWorkflowExecutionInfo().GetStatus() == enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING {
			disagree++
		}
	}
	all := append([]*jobflow.Run{}, mapValues(runs)...)
	for i := range sched.Items {
		if sched.Items[i].Status.Finished() {
			var r jobflow.Run
			if code, _ := c.call("GET", "/api/v1/runs/"+sched.Items[i].ID, nil, &r); code == 200 {
				all = append(all, &r)
			}
		}
	}
	runsOf := map[string]int{} // side-effect key -> runs (one attempt each)
	for _, r := range all {
		runsOf[r.Params["k"]]++
		for _, nd := range r.Nodes {
			if nd.Status != jobflow.NodeSuccess {
				continue
			}
			success[r.Params["k"]]++
			code, body := c.call("GET", "/api/v1/runs/"+r.ID+"/nodes/"+nd.JobID+"/log", nil, nil)
			if code != 200 {
				missingLines += seqLines
				continue
			}
			for i := 1; i <= seqLines; i++ {
				if strings.Count(body+"\n", fmt.Sprintf("line %d\n", i)) != 1 {
					missingLines++
				}
			}
		}
	}
	effects := map[string]int{}
	entries, _ := os.ReadDir(sideDir)
	for _, e := range entries {
		b, _ := os.ReadFile(filepath.Join(sideDir, e.Name()))
		effects[e.Name()] = strings.Count(string(b), "x\n")
	}
	var unrecorded int
	for k, got := range effects {
		if got > runsOf[k] {
			extraEffects += got - runsOf[k] // more than once per run: done twice
		}
		if got > success[k] {
			unrecorded += min(got, runsOf[k]) - success[k] // done, but its node is not SUCCESS
		}
	}
	c.mu.Lock()
	var unexpected int
	for code, n := range c.codes {
		if (code < 200 || code > 299) && code != 503 && code != 429 && code != 409 {
			unexpected += n
		}
	}
	fmt.Printf("\nsoak %s, %d invokes/s\n", *duration, *rate)
	fmt.Printf("accepted runs: %d (+ %d scheduled); by status: %v\n", len(ids), len(sched.Items), status)
	fmt.Printf("not final in the store after the drain: %d\n", notFinal)
	fmt.Printf("final in the store but not closed in Temporal (or unknown to it): %d\n", disagree)
	fmt.Printf("side effects more than once per run (a job done twice): %d\n", extraEffects)
	fmt.Printf("side effects of jobs whose node is not SUCCESS (killed between its end and its report): %d\n", unrecorded)
	fmt.Printf("log lines missing or doubled in SUCCESS node logs: %d\n", missingLines)
	fmt.Printf("HTTP answers: %v; other than 2xx, 503, 429 and 409 (a rerun of a run still running): %d\n", c.codes, unexpected)
	c.mu.Unlock()
	return nil
}

func mapValues(m map[string]*jobflow.Run) []*jobflow.Run {
	out := make([]*jobflow.Run, 0, len(m))
	for _, r := range m {
		out = append(out, r)
	}
	return out
}

// api is a REST client that counts the answers by status code.
type api struct {
	base, token, tenant string
	mu                  sync.Mutex
	codes               map[int]int
}

func (a *api) login() error {
	var out struct {
		Token   string
		Tenants []struct{ ID string }
	}
	if code, body := a.call("POST", "/api/v1/auth/login", map[string]string{"account": "admin", "password": "soak-admin-pw"}, &out); code != 200 {
		return fmt.Errorf("login: %d %s", code, body)
	}
	a.token, a.tenant = out.Token, out.Tenants[0].ID
	return nil
}

func (a *api) call(method, path string, in, out any) (int, string) {
	return a.callKey(method, path, "", in, out)
}

func (a *api) callKey(method, path, key string, in, out any) (int, string) {
	var body io.Reader
	if in != nil {
		b, _ := json.Marshal(in)
		body = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, a.base+path, body)
	req.Header.Set("Content-Type", "application/json")
	if a.token != "" {
		req.Header.Set("Authorization", "Bearer "+a.token)
		req.Header.Set("X-Tenant-ID", a.tenant)
	}
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	resp, err := http.DefaultClient.Do(req)
	code := 0
	var raw []byte
	if err == nil {
		raw, _ = io.ReadAll(resp.Body)
		resp.Body.Close()
		code = resp.StatusCode
	}
	a.mu.Lock()
	a.codes[code]++
	a.mu.Unlock()
	if out != nil && code >= 200 && code < 300 {
		json.Unmarshal(raw, out)
	}
	return code, string(raw)
}

// workflow creates a workflow with one SHELL job "seq" and config.
func (a *api) workflow(name, script string, config map[string]any) (string, error) {
	var wf jobflow.Workflow
	if code, b := a.call("POST", "/api/v1/workflows", map[string]string{"name": name}, &wf); code != 201 {
		return "", fmt.Errorf("create workflow: %d %s", code, b)
	}
	var job jobflow.Job
	if code, b := a.call("POST", "/api/v1/workflows/"+wf.ID+"/jobs", map[string]any{"name": "seq", "type": "SHELL", "config": map[string]string{"script": script}}, &job); code != 201 {
		return "", fmt.Errorf("create job: %d %s", code, b)
	}
	if code, b := a.call("PUT", "/api/v1/workflows/"+wf.ID+"/canvas", map[string]any{"nodes": []map[string]any{{"jobId": job.ID}}, "revision": wf.Revision}, nil); code != 200 {
		return "", fmt.Errorf("canvas: %d %s", code, b)
	}
	if code, b := a.call("PUT", "/api/v1/workflows/"+wf.ID+"/config", config, nil); code != 200 {
		return "", fmt.Errorf("config: %d %s", code, b)
	}
	return wf.ID, nil
}

// processes are the jobflow processes of the soak, by name.
type processes struct {
	bin, logDir string
	env         []string
	mu          sync.Mutex
	cmds        map[string]*exec.Cmd
}

func (p *processes) start(name, mode string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cmds == nil {
		p.cmds = map[string]*exec.Cmd{}
	}
	f, _ := os.OpenFile(filepath.Join(p.logDir, name+".log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	cmd := exec.Command(p.bin, mode)
	cmd.Env, cmd.Stdout, cmd.Stderr = p.env, f, f
	if err := cmd.Start(); err != nil {
		log.Printf("start %s: %v", name, err)
		return
	}
	go cmd.Wait()
	p.cmds[name] = cmd
}

func (p *processes) kill(name string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if c := p.cmds[name]; c != nil {
		c.Process.Signal(syscall.SIGKILL)
		time.Sleep(200 * time.Millisecond)
	}
}

func (p *processes) stopAll() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.cmds {
		c.Process.Signal(syscall.SIGTERM)
	}
	time.Sleep(6 * time.Second)
	for _, c := range p.cmds {
		c.Process.Kill()
	}
}

func run(bin string, env []string, args ...string) ([]byte, error) {
	cmd := exec.Command(bin, args...)
	cmd.Env = env
	return cmd.CombinedOutput()
}

func waitReady(base string) error {
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		if resp, err := http.Get(base + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return nil
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	return fmt.Errorf("%s/readyz never answered 200", base)
}

func freePort() int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func createDatabase(admin string) (string, func(), error) {
	db, err := sql.Open("postgres", admin)
	if err != nil {
		return "", nil, err
	}
	name := fmt.Sprintf("jobflow_soak_%d", time.Now().UnixNano())
	if _, err := db.Exec("CREATE DATABASE " + name); err != nil {
		db.Close()
		return "", nil, fmt.Errorf("PostgreSQL at %s: %w", admin, err)
	}
	u, _ := url.Parse(admin)
	u.Path = "/" + name
	return u.String(), func() {
		db.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
		db.Close()
	}, nil
}
