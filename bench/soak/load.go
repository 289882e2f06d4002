package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"jobflow"
)

// seqLines is how many numbered lines each job prints ("line 1" …).
const seqLines = 20

// script prints the numbered lines, pausing after line 10 for pause, then
// leaves its side effect: one line "done <start> <end>" (Unix times)
// appended to a file named after its run, job and attempt, so a job that
// ran to its end twice shows, and when.
func script(sideDir, pause string) string {
	return fmt.Sprintf(`begin=$(date +%%s.%%N)
for i in $(seq 1 %d); do echo line $i; if [ $i = 10 ]; then sleep %s; fi; done
echo "done $begin $(date +%%s.%%N)" >> %s/$JOBFLOW_RUN_ID.$JOBFLOW_JOB_ID.$JOBFLOW_ATTEMPT`, seqLines, pause, sideDir)
}

// api is a REST client that counts the answers by status code (0: no
// answer) and keeps a few unexpected ones.
type api struct {
	base, token, tenant string
	http                *http.Client
	mu                  sync.Mutex
	codes               map[int]int
	odd                 map[int][]string // a few answers of each unexpected code
}

func newAPI(base string) *api {
	return &api{base: base, codes: map[int]int{}, odd: map[int][]string{},
		http: &http.Client{Timeout: 60 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 64}}}
}

func (a *api) login() error {
	var out struct {
		Token   string
		Tenants []struct{ ID string }
	}
	if code, body := a.call("POST", "/api/v1/auth/login", map[string]string{"account": "admin", "password": adminPassword}, &out); code != 200 {
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
	resp, err := a.http.Do(req)
	code := 0
	var raw []byte
	if err == nil {
		raw, _ = io.ReadAll(resp.Body)
		resp.Body.Close()
		code = resp.StatusCode
	}
	a.mu.Lock()
	a.codes[code]++
	if (code < 200 || code > 299) && code != 503 && len(a.odd[code]) < 4 {
		what := string(raw)
		if err != nil {
			what = err.Error()
		}
		a.odd[code] = append(a.odd[code], fmt.Sprintf("%s %s %s: %d %.200s", time.Now().Format("15:04:05"), method, path, code, what))
	}
	a.mu.Unlock()
	if out != nil && code >= 200 && code < 300 {
		json.Unmarshal(raw, out)
	}
	return code, string(raw)
}

// workflow creates a workflow of SHELL jobs chained in order, each allowed
// 3 attempts (a job of a killed worker is retried), with config.
func (a *api) workflow(name string, scripts []string, config map[string]any) (string, error) {
	var wf jobflow.Workflow
	if code, b := a.call("POST", "/api/v1/workflows", map[string]string{"name": name}, &wf); code != 201 {
		return "", fmt.Errorf("create workflow: %d %s", code, b)
	}
	var nodes []map[string]any
	var edges []map[string]string
	prev := ""
	for i, s := range scripts {
		var job jobflow.Job
		if code, b := a.call("POST", "/api/v1/workflows/"+wf.ID+"/jobs", map[string]any{"name": fmt.Sprintf("job%d", i), "type": "SHELL",
			"config": map[string]string{"script": s}, "retry": map[string]any{"maxAttempts": 3, "intervalSeconds": 1}}, &job); code != 201 {
			return "", fmt.Errorf("create job: %d %s", code, b)
		}
		nodes = append(nodes, map[string]any{"jobId": job.ID, "x": 200 * i})
		if prev != "" {
			edges = append(edges, map[string]string{"from": prev, "to": job.ID})
		}
		prev = job.ID
	}
	if code, b := a.call("PUT", "/api/v1/workflows/"+wf.ID+"/canvas", map[string]any{"nodes": nodes, "edges": edges, "revision": wf.Revision}, nil); code != 200 {
		return "", fmt.Errorf("canvas: %d %s", code, b)
	}
	if code, b := a.call("PUT", "/api/v1/workflows/"+wf.ID+"/config", config, nil); code != 200 {
		return "", fmt.Errorf("config: %d %s", code, b)
	}
	return wf.ID, nil
}

// load is what the soak asks of jobflow, and the runs it accepted.
type load struct {
	c        *api
	inv, man string   // the invoked (and scheduled) and the manual workflow
	tokens   []string // invoke tokens
	accepted sync.Map // run id -> how it was started
	invokes  atomic.Int64
	aborts   atomic.Int64
	reruns   atomic.Int64
	manuals  atomic.Int64
}

func setUp(c *api, sideDir string) (*load, error) {
	l := &load{c: c}
	var err error
	l.inv, err = c.workflow("soak-invoke", []string{script(sideDir, "0.3")}, map[string]any{
		"schedule": map[string]any{"mode": "SINGLE", "cron": "*/10 * * * * ?", "timezone": "UTC", "enabled": true},
		"invoke":   map[string]any{"enabled": true}})
	if err != nil {
		return nil, err
	}
	if code, b := c.call("POST", "/api/v1/workflows/"+l.inv+"/publish", nil, nil); code != 200 {
		return nil, fmt.Errorf("publish: %d %s", code, b)
	}
	for range 4 { // an invoke token allows 10/s
		var tok struct{ Token string }
		if code, b := c.call("POST", "/api/v1/workflows/"+l.inv+"/invoke-tokens", nil, &tok); code != 201 {
			return nil, fmt.Errorf("invoke token: %d %s", code, b)
		}
		l.tokens = append(l.tokens, tok.Token)
	}
	l.man, err = c.workflow("soak-manual", []string{script(sideDir, "1"), script(sideDir, "1")}, nil)
	return l, err
}

// invoke calls the invoke endpoint rate times a second until stop.
func (l *load) invoke(rate int, stop <-chan struct{}) {
	t := time.NewTicker(time.Second / time.Duration(rate))
	defer t.Stop()
	var wg sync.WaitGroup
	defer wg.Wait()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
		}
		i := l.invokes.Add(1)
		wg.Add(1)
		go func() {
			defer wg.Done()
			var out struct{ RunID string }
			code, _ := l.c.call("POST", "/workflow/open/invokeWorkflow", map[string]any{"workflowId": l.inv,
				"token": l.tokens[i%int64(len(l.tokens))], "requestId": fmt.Sprintf("soak-%d", i)}, &out)
			if code == 200 && out.RunID != "" {
				l.accepted.Store(out.RunID, "INVOKE")
			}
		}()
	}
}

// manual starts a run of the manual workflow every 2 s (with an
// Idempotency-Key); every third is aborted a second later, and every fifth
// time an earlier run that has ended is rerun (FAILED mode for one that did
// not succeed, ALL otherwise).
func (l *load) manual(stop <-chan struct{}) {
	var started []string
	for i := 0; ; i++ {
		select {
		case <-stop:
			return
		case <-time.After(2 * time.Second):
		}
		var out struct{ RunID string }
		code, _ := l.c.callKey("POST", "/api/v1/workflows/"+l.man+"/runs", fmt.Sprintf("man-%d", i), map[string]any{}, &out)
		if code == 202 && out.RunID != "" {
			l.manuals.Add(1)
			l.accepted.Store(out.RunID, "MANUAL")
			started = append(started, out.RunID)
			if i%3 == 0 {
				time.Sleep(time.Second)
				if code, _ := l.c.call("POST", "/api/v1/runs/"+out.RunID+"/abort", nil, nil); code/100 == 2 {
					l.aborts.Add(1)
				}
			}
		}
		if i%5 == 4 && len(started) > 4 {
			prior := started[len(started)-5]
			var r jobflow.Run
			if code, _ := l.c.call("GET", "/api/v1/runs/"+prior, nil, &r); code != 200 || !r.Status.Finished() {
				continue
			}
			mode := jobflow.RerunAll
			if r.Status != jobflow.RunSuccess {
				mode = jobflow.RerunFailed
			}
			var rr struct{ RunID string }
			if code, b := l.c.callKey("POST", "/api/v1/runs/"+prior+"/rerun", "rerun-"+prior, map[string]any{"mode": mode}, &rr); code == 202 && rr.RunID != "" {
				l.reruns.Add(1)
				l.accepted.Store(rr.RunID, "RERUN")
			} else if code != 503 {
				log.Printf("rerun of %s: %d %s", prior, code, b)
			}
		}
	}
}
