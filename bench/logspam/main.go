// Command logspam measures what a tenant's log-spamming jobs cost jobflow
// and another tenant (docs/security.md, job limits):
//
//	go build -o bin/jobflow ./cmd/jobflow && go run ./bench/logspam -bin bin/jobflow
//
// It starts `jobflow standalone` (run it as root: jobs then run sandboxed
// with their limits), times tenant B's five-job chain of `true` jobs while
// the machine is idle, then starts four `yes` SHELL jobs of tenant A and,
// while they run, measures the CPU time of the jobflow process itself
// (/proc/<pid>/stat: the API, Temporal, the worker and log ingestion; not
// the jobs) and times B's chain again. It does so twice: with A's default
// log rate (logKiBPerSecond 256) and with the rate effectively off (1 GiB/s),
// so the table shows what the limit buys. Targets: ≤ 0.5 core for jobflow,
// B's chain ≤ 2× its idle time.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

var (
	bin    = flag.String("bin", "bin/jobflow", "the jobflow binary")
	window = flag.Duration("window", 20*time.Second, "how long jobflow's CPU is measured while the yes jobs run")
	chains = flag.Int("chains", 5, "runs of tenant B's chain per measurement (the median is reported)")
)

func main() {
	flag.Parse()
	if os.Geteuid() != 0 {
		log.Print("not root: jobs run unsandboxed and without limits; the figures are not the product's")
	}
	dir, err := os.MkdirTemp("", "logspam-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	port := freePort()
	password := "logspam-admin-password"
	cmd := exec.Command(*bin, "standalone")
	cmd.Env = append(os.Environ(), "JOBFLOW_DATA_DIR="+filepath.Join(dir, "data"),
		"JOBFLOW_HTTP_ADDR=127.0.0.1:"+strconv.Itoa(port), "JOBFLOW_TEMPORAL_UI_ADDR=127.0.0.1:"+strconv.Itoa(freePort()),
		"JOBFLOW_TEMPORAL_PORT="+strconv.Itoa(freePort()), "JOBFLOW_ADMIN_PASSWORD="+password, "JOBFLOW_LOG_LEVEL=warn")
	logf, _ := os.Create(filepath.Join(dir, "jobflow.log"))
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		log.Fatal(err)
	}
	defer cmd.Process.Kill()
	c := &client{base: fmt.Sprintf("http://127.0.0.1:%d", port)}
	for deadline := time.Now().Add(2 * time.Minute); ; time.Sleep(200 * time.Millisecond) {
		if resp, err := http.Get(c.base + "/readyz"); err == nil && resp.StatusCode == 200 {
			resp.Body.Close()
			break
		} else if time.Now().After(deadline) {
			log.Fatalf("jobflow not ready; its log is %s", logf.Name())
		}
	}
	var login struct {
		Token   string
		Tenants []struct{ ID string }
	}
	c.do("POST", "/api/v1/auth/login", map[string]string{"account": "admin", "password": password}, &login)
	c.token = login.Token
	a := login.Tenants[0].ID
	var b struct{ ID string }
	c.do("POST", "/api/v1/tenants", map[string]any{"name": "tenant-b"}, &b)

	chain := c.workflow(b.ID, "chain", 5, "true", true)
	spam := c.workflow(a, "spam", 4, "yes", false)

	c.runChain(b.ID, chain) // warm up: users, supervisors, caches
	idle := c.chainMedian(b.ID, chain)
	idleCPU := cpuOver(cmd.Process.Pid, *window)
	fmt.Printf("machine: %d cores, load average %s\n", numCPU(), loadavg())
	fmt.Printf("idle: jobflow %.3f cores, tenant B's 5-job chain %s (median of %d)\n", idleCPU, idle.Round(time.Millisecond), *chains)
	fmt.Printf("%-34s %14s %14s %10s\n", "tenant A's four yes jobs", "jobflow cores", "B's chain", "× idle")
	for _, rate := range []int{0, 1 << 20} {
		name := "log rate default (256 KiB/s)"
		if rate != 0 {
			name = "log rate off (1 GiB/s)"
		}
		c.do("PATCH", "/api/v1/tenants/"+a, map[string]any{"jobLimits": map[string]int{"logKiBPerSecond": rate}}, nil)
		time.Sleep(11 * time.Second) // workers read a tenant again after 10 s
		var run struct{ RunID string }
		c.tenant = a
		c.do("POST", "/api/v1/workflows/"+spam+"/runs", map[string]any{}, &run)
		time.Sleep(3 * time.Second) // the four jobs start
		cores := cpuOver(cmd.Process.Pid, *window)
		loaded := c.chainMedian(b.ID, chain)
		c.tenant = a
		c.do("POST", "/api/v1/runs/"+run.RunID+"/abort", nil, nil)
		time.Sleep(5 * time.Second)
		fmt.Printf("%-34s %14.3f %14s %10.2f\n", name, cores, loaded.Round(time.Millisecond), float64(loaded)/float64(idle))
	}
}

type client struct{ base, token, tenant string }

func (c *client) do(method, path string, in, out any) {
	var body bytes.Buffer
	if in != nil {
		json.NewEncoder(&body).Encode(in)
	}
	req, _ := http.NewRequest(method, c.base+path, &body)
	req.Header.Set("Content-Type", "application/json")
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	if c.tenant != "" {
		req.Header.Set("X-Tenant-ID", c.tenant)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		log.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 300 {
		log.Fatalf("%s %s = %d %s", method, path, resp.StatusCode, raw)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			log.Fatalf("%s %s: %v", method, path, err)
		}
	}
}

// workflow makes a workflow of n jobs running script, chained or side by side.
func (c *client) workflow(tenant, name string, n int, script string, chained bool) string {
	c.tenant = tenant
	var wf struct {
		ID       string
		Revision int
	}
	c.do("POST", "/api/v1/workflows", map[string]string{"name": name}, &wf)
	var nodes, edges []map[string]any
	prev := ""
	for i := 0; i < n; i++ {
		var j struct{ ID string }
		c.do("POST", "/api/v1/workflows/"+wf.ID+"/jobs", map[string]any{"name": fmt.Sprintf("j%d", i), "type": "SHELL",
			"config": map[string]string{"script": script}, "timeoutSeconds": 600}, &j)
		nodes = append(nodes, map[string]any{"jobId": j.ID, "x": i * 100, "y": 0})
		if chained && prev != "" {
			edges = append(edges, map[string]any{"from": prev, "to": j.ID})
		}
		prev = j.ID
	}
	c.do("PUT", "/api/v1/workflows/"+wf.ID+"/canvas", map[string]any{"nodes": nodes, "edges": edges, "revision": wf.Revision}, nil)
	return wf.ID
}

// runChain runs tenant's workflow once and returns its start-to-end time.
func (c *client) runChain(tenant, wf string) time.Duration {
	c.tenant = tenant
	var r struct{ RunID string }
	c.do("POST", "/api/v1/workflows/"+wf+"/runs", map[string]any{}, &r)
	for deadline := time.Now().Add(5 * time.Minute); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		var run struct {
			Status    string
			StartedAt time.Time
			EndedAt   *time.Time
		}
		c.do("GET", "/api/v1/runs/"+r.RunID, nil, &run)
		if run.EndedAt != nil {
			if run.Status != "SUCCESS" {
				log.Fatalf("chain run %s: %s", r.RunID, run.Status)
			}
			return run.EndedAt.Sub(run.StartedAt)
		}
	}
	log.Fatalf("chain run %s did not end", r.RunID)
	return 0
}

func (c *client) chainMedian(tenant, wf string) time.Duration {
	var ds []time.Duration
	for i := 0; i < *chains; i++ {
		ds = append(ds, c.runChain(tenant, wf))
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	return ds[len(ds)/2]
}

// cpuOver is the cores pid used (its own user and system time) over d.
func cpuOver(pid int, d time.Duration) float64 {
	before, t0 := cpuTicks(pid), time.Now()
	time.Sleep(d)
	after, t1 := cpuTicks(pid), time.Now()
	return float64(after-before) / 100 / t1.Sub(t0).Seconds() // USER_HZ is 100 on Linux
}

func cpuTicks(pid int) int64 {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		log.Fatal(err)
	}
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
	u, _ := strconv.ParseInt(f[11], 10, 64)
	s, _ := strconv.ParseInt(f[12], 10, 64)
	return u + s
}

func freePort() int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

func numCPU() int {
	b, _ := os.ReadFile("/proc/cpuinfo")
	return strings.Count(string(b), "processor\t:")
}

func loadavg() string {
	b, _ := os.ReadFile("/proc/loadavg")
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}
