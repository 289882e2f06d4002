// Command invokelat measures external invocation (外部调用) end to end, the
// way a third party sees it: POST /workflow/open/invokeWorkflow over real
// HTTP against jobflow's API, on the embedded Temporal server of the
// standalone mode (SQLite file) with a real worker and store.
//
//	go run ./bench/invokelat                      # standalone: SQLite store
//	go run ./bench/invokelat -db postgres://postgres@127.0.0.1:5432/invokelat?sslmode=disable
//
// Phase 1 sends -n invokes one after the other, each once the previous
// run's job has started, and reports the median and p99 of request → 200
// and of request → first job start (the node run's startedAt). Phase 2
// keeps -c clients invoking for -duration (at most -rate invokes a second
// in all when -rate is set) and reports the invokes per second answered
// 200, the errors, how long the worker then took to finish the backlog,
// and whether every run succeeded. The workflow is one SHELL job `true`. Invokes are spread
// over -tokens invoke tokens (many third parties), so the per-token rate
// limit (10/s) is not what is measured.
package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/worker"

	"jobflow"
	"jobflow/activities"
	"jobflow/bench/internal/figures"
	"jobflow/engine"
	"jobflow/httpapi"
	"jobflow/invoke"
	"jobflow/store"
	"jobflow/temporalserver"
	"jobflow/workflows"
)

func main() {
	n := flag.Int("n", 500, "invokes of the latency phase, sent one after the other")
	duration := flag.Duration("duration", 60*time.Second, "length of the sustained phase (0: skip)")
	conc := flag.Int("c", 8, "concurrent clients of the sustained phase")
	tokens := flag.Int("tokens", 200, "invoke tokens the invokes are spread over")
	rate := flag.Float64("rate", 0, "sustained phase: at most this many invokes a second in all (0: as fast as the clients go)")
	dbURL := flag.String("db", "", "store URL (default: a SQLite file in the data dir, as standalone)")
	pollRPS := flag.Int("poll-rps", 0, "the embedded server's history queue read rate (0: jobflow's default; 20 is Temporal's)")
	bareMode := flag.String("bare", "noop,exec", "after the sustained phase, the same load of bare Temporal workflows with one activity: noop, exec (runs `true`), both, or none")
	flag.StringVar(&profileDir, "cpuprofile", "", "write each sustained phase's CPU profile into this directory (jobflow.pprof, bare-noop.pprof, bare-exec.pprof)")
	jsonOut := flag.String("json", "", "also write the figures as JSON to this file (bench/report reads it)")
	flag.Parse()
	res, err := run(*n, *duration, *conc, *tokens, *rate, *dbURL, *bareMode, *pollRPS)
	if err != nil {
		log.Fatal(err)
	}
	if err := figures.Write(*jsonOut, res); err != nil {
		log.Fatal(err)
	}
}

type bench struct {
	st     *store.Store
	eng    *engine.Engine
	url    string
	wfID   string
	tenant string
	tokens []string
	next   atomic.Int64
	client *http.Client
}

func run(n int, duration time.Duration, conc, tokens int, rate float64, dbURL, bareMode string, pollRPS int) (*figures.Invoke, error) {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "invokelat-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	quietLevel := slog.LevelError
	ts, err := temporalserver.Start(ctx, temporalserver.Config{DataDir: dir, LogLevel: &quietLevel, QueuePollRPS: pollRPS})
	if err != nil {
		return nil, err
	}
	defer ts.Stop()
	quiet := sdklog.NewStructuredLogger(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError})))
	opts := ts.ClientOptions(temporalserver.DefaultNamespace)
	opts.Logger = quiet
	c, err := client.DialContext(ctx, opts)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	if err := temporalserver.RegisterSearchAttributes(ctx, c.OperatorService(), temporalserver.DefaultNamespace); err != nil {
		return nil, err
	}
	if dbURL == "" {
		dbURL = "sqlite://" + filepath.Join(dir, "jobflow.db")
	}
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	st, err := store.Open(ctx, dbURL, key)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		return nil, err
	}
	discard := slog.New(slog.NewTextHandler(io.Discard, nil))
	acts := &activities.Activities{Runs: st, Datasources: st, Alarms: st, Logger: discard}
	defer acts.Close()
	w := worker.New(c, workflows.DefaultTaskQueue, worker.Options{MaxHeartbeatThrottleInterval: time.Second})
	workflows.Register(w)
	acts.Register(w)
	if err := w.Start(); err != nil {
		return nil, err
	}
	defer w.Stop()

	eng := &engine.Engine{Client: c, Store: st, Namespace: temporalserver.DefaultNamespace, TaskQueue: workflows.DefaultTaskQueue}
	deps := httpapi.NewDeps(st)
	deps.Engine = eng
	secret := make([]byte, 32)
	_, _ = rand.Read(secret)
	api := httptest.NewServer(httpapi.New(httpapi.Config{JWTSecret: secret, Logger: discard}, deps).Handler())
	defer api.Close()

	b := &bench{st: st, eng: eng, url: api.URL + invoke.Path,
		client: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}}
	if err := b.setup(ctx, secret, tokens); err != nil {
		return nil, err
	}
	fmt.Printf("invokelat: store %s, embedded Temporal (SQLite), one SHELL job `true`, %d tokens\n", st.Dialect(), tokens)

	res := &figures.Invoke{Store: st.Dialect(), Bare: map[string]figures.Throughput{}}
	if err := b.latency(ctx, n, res); err != nil {
		return nil, err
	}
	if duration <= 0 {
		return res, nil
	}
	if res.Jobflow, err = b.sustained(ctx, duration, conc, rate); err != nil {
		return nil, err
	}
	for _, mode := range []string{"noop", "exec"} {
		if !strings.Contains(bareMode, mode) {
			continue
		}
		t, err := bare(ctx, c, duration, conc, rate, mode == "exec")
		if err != nil {
			return nil, err
		}
		res.Bare[mode] = t
		fmt.Printf("  throughput ratio jobflow / bare (%s): %.2f; CPU per run ratio %.2f\n", mode,
			res.Jobflow.RunsPerSec/t.RunsPerSec, res.Jobflow.CPUPerRunMs/t.CPUPerRunMs)
	}
	return res, nil
}

// setup creates a tenant and a workflow with invoke enabled, publishes it
// and issues the tokens.
func (b *bench) setup(ctx context.Context, secret []byte, tokens int) error {
	tn := &jobflow.Tenant{Name: "bench", MaxWorkflows: 10}
	if err := b.st.CreateTenant(ctx, tn); err != nil {
		return err
	}
	w := &jobflow.Workflow{TenantID: tn.ID, Name: "invoked", CreatedBy: "bench"}
	if err := b.st.CreateWorkflow(ctx, w, 10); err != nil {
		return err
	}
	j := &jobflow.Job{TenantID: tn.ID, WorkflowID: w.ID, Name: "a", Type: jobflow.JobShell, Config: json.RawMessage(`{"script":"true"}`)}
	if err := b.st.CreateJob(ctx, j); err != nil {
		return err
	}
	if _, err := b.st.SaveCanvas(ctx, tn.ID, w.ID, jobflow.Canvas{Nodes: []jobflow.CanvasNode{{JobID: j.ID}}}, w.Revision, "bench"); err != nil {
		return err
	}
	cfg := jobflow.DefaultConfig()
	cfg.Invoke.Enabled = true
	if _, err := b.st.SaveConfig(ctx, tn.ID, w.ID, cfg, "bench"); err != nil {
		return err
	}
	if _, err := b.eng.Publish(ctx, tn.ID, w.ID, "bench"); err != nil {
		return err
	}
	for range tokens {
		tok, cl, err := invoke.Issue(secret, tn.ID, w.ID, time.Now())
		if err != nil {
			return err
		}
		if err := b.st.CreateInvokeToken(ctx, &jobflow.InvokeToken{JTI: cl.ID, TenantID: tn.ID, WorkflowID: w.ID, ExpiresAt: cl.ExpiresAt}); err != nil {
			return err
		}
		b.tokens = append(b.tokens, tok)
	}
	b.wfID, b.tenant = w.ID, tn.ID
	return nil
}

// invoke sends one invoke and returns the run id, or an error for any
// answer but 200.
func (b *bench) invoke() (string, error) {
	tok := b.tokens[int(b.next.Add(1))%len(b.tokens)]
	body, _ := json.Marshal(map[string]any{"workflowId": b.wfID, "token": tok})
	resp, err := b.client.Post(b.url, "application/json", bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("HTTP %d: %s", resp.StatusCode, raw)
	}
	var out struct {
		RunID string `json:"runId"`
	}
	if err := json.Unmarshal(raw, &out); err != nil || out.RunID == "" {
		return "", fmt.Errorf("bad answer %s", raw)
	}
	return out.RunID, nil
}

func (b *bench) latency(ctx context.Context, n int, res *figures.Invoke) error {
	toOK := make([]time.Duration, n)
	toJob := make([]time.Duration, n)
	for i := range n {
		sent := time.Now()
		id, err := b.invoke()
		if err != nil {
			return fmt.Errorf("invoke %d: %w", i, err)
		}
		toOK[i] = time.Since(sent)
		started, err := b.firstJobStart(ctx, id, 2*time.Minute)
		if err != nil {
			return err
		}
		toJob[i] = started.Sub(sent)
	}
	fmt.Printf("latency over %d sequential invokes:\n", n)
	fmt.Printf("  request -> 200:             median %6.1f ms  p99 %6.1f ms\n", ms(pct(toOK, 50)), ms(pct(toOK, 99)))
	fmt.Printf("  request -> first job start: median %6.1f ms  p99 %6.1f ms\n", ms(pct(toJob, 50)), ms(pct(toJob, 99)))
	res.OKP50Ms, res.OKP99Ms = ms(pct(toOK, 50)), ms(pct(toOK, 99))
	res.JobP50Ms, res.JobP99Ms = ms(pct(toJob, 50)), ms(pct(toJob, 99))
	return nil
}

// firstJobStart waits for the run's first node run to have started.
func (b *bench) firstJobStart(ctx context.Context, runID string, within time.Duration) (time.Time, error) {
	deadline := time.Now().Add(within)
	for {
		r, err := b.st.FindRunByID(ctx, b.tenant, runID)
		if err == nil {
			for _, nr := range r.Nodes {
				if nr.StartedAt != nil {
					return *nr.StartedAt, nil
				}
			}
		}
		if time.Now().After(deadline) {
			return time.Time{}, fmt.Errorf("run %s: no job started within %s", runID, within)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func (b *bench) sustained(ctx context.Context, d time.Duration, conc int, rate float64) (figures.Throughput, error) {
	ph := startPhase("jobflow")
	var pace <-chan time.Time
	if rate > 0 {
		t := time.NewTicker(time.Duration(float64(time.Second) / rate))
		defer t.Stop()
		pace = t.C
	}
	var ok, failed atomic.Int64
	var mu sync.Mutex
	var ids []string
	var firstErr atomic.Value
	stop := time.Now().Add(d)
	var wg sync.WaitGroup
	for range conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(stop) {
				if pace != nil {
					<-pace
				}
				id, err := b.invoke()
				if err != nil {
					failed.Add(1)
					firstErr.CompareAndSwap(nil, err.Error())
					continue
				}
				ok.Add(1)
				mu.Lock()
				ids = append(ids, id)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	fmt.Printf("sustained for %s with %d clients: %d invokes answered 200 (%.1f/s), %d errors\n",
		d, conc, ok.Load(), float64(ok.Load())/d.Seconds(), failed.Load())
	if e := firstErr.Load(); e != nil {
		fmt.Printf("  first error: %s\n", e)
	}
	// Wait for the backlog the way the bare phase does, on Temporal's
	// answer: polling the store here would put the benchmark's own reads
	// in jobflow's CPU per run. Every run must also have succeeded: read
	// once each, after the phase's measurement.
	drainStart := time.Now()
	dctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
	defer cancel()
	for _, id := range ids {
		_ = b.eng.Client.GetWorkflow(dctx, id, "").Get(dctx, nil)
	}
	if dctx.Err() != nil {
		return figures.Throughput{}, fmt.Errorf("runs still not finished 10 min after the sustained phase")
	}
	drained := time.Since(drainStart)
	cpu := ph.end(len(ids))
	bad := 0
	why := map[string]int{} // what the runs that did not succeed show, to tell a lost record from a failed job
	for _, id := range ids {
		r, err := b.st.FindRunByID(ctx, b.tenant, id)
		switch {
		case err != nil:
			bad++
			why["read: "+err.Error()]++
		case r.Status != jobflow.RunSuccess:
			bad++
			why[string(r.Status)+" "+r.Error]++
		}
	}
	for k, n := range why {
		fmt.Printf("  did not succeed: %d × %s\n", n, k)
	}
	perSec := float64(len(ids)) / (d + drained).Seconds()
	fmt.Printf("  all %d runs finished %.1f s after the last invoke (%.1f runs/s over invoke phase + drain); %d did not succeed\n",
		len(ids), drained.Seconds(), perSec, bad)
	return figures.Throughput{RunsPerSec: perSec, CPUPerRunMs: cpu, Runs: len(ids), Failed: bad}, nil
}

func pct(ds []time.Duration, p int) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	i := (len(s)*p + 99) / 100
	return s[min(max(i-1, 0), len(s)-1)]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
