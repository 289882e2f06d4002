package temporalserver_test

import (
	"context"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"jobflow/internal/testtier"
	"jobflow/internal/testwait"
	"jobflow/temporalserver"
)

const (
	saTenantID   = "JobflowTenantId"
	saWorkflowID = "JobflowWorkflowId"
	saTrigger    = "JobflowTrigger"
)

func greet(ctx workflow.Context, name string) (string, error) {
	return "hello " + name, nil
}

func freePort(t testing.TB) int {
	t.Helper()
	_, port, _ := net.SplitHostPort(freeAddr(t))
	p, err := strconv.Atoi(port)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func freeAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// startServer starts a server on cfg; with no FrontendPort, on a free one
// rather than 7233, so that the fast tier's parallel tests do not meet.
func startServer(t testing.TB, cfg temporalserver.Config) *temporalserver.Server {
	t.Helper()
	if cfg.FrontendPort == 0 {
		cfg.FrontendPort = freePort(t)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	begin := time.Now()
	s, err := temporalserver.Start(ctx, cfg)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Logf("Start took %v", time.Since(begin))
	return s
}

func dial(t *testing.T, s *temporalserver.Server) client.Client {
	t.Helper()
	c, err := client.Dial(s.ClientOptions("default"))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestServer_Restart runs a workflow and creates a schedule, restarts the
// server on the same data dir and finds both again.
func TestServer_Restart(t *testing.T) {
	testtier.Parallel(t)
	dir := t.TempDir()
	uiAddr := freeAddr(t)
	cfg := temporalserver.Config{DataDir: dir, UIAddr: uiAddr}
	s := startServer(t, cfg)
	t.Cleanup(func() { s.Stop() })
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	c := dial(t, s)
	w := worker.New(c, "greet", worker.Options{})
	w.RegisterWorkflow(greet)
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	tenant := temporal.NewSearchAttributeKeyKeyword(saTenantID)
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:                    "greet-1",
		TaskQueue:             "greet",
		TypedSearchAttributes: temporal.NewSearchAttributes(tenant.ValueSet("tn_1")),
	}, greet, "world")
	if err != nil {
		t.Fatalf("start workflow: %v", err)
	}
	var got string
	if err := run.Get(ctx, &got); err != nil || got != "hello world" {
		t.Fatalf("workflow result = %q, %v", got, err)
	}
	if _, err := c.ScheduleClient().Create(ctx, client.ScheduleOptions{
		ID:     "sched-1",
		Spec:   client.ScheduleSpec{CronExpressions: []string{"0 2 * * *"}},
		Paused: true,
		Action: &client.ScheduleWorkflowAction{ID: "greet-sched", Workflow: greet, Args: []any{"cron"}, TaskQueue: "greet"},
	}); err != nil {
		t.Fatalf("create schedule: %v", err)
	}

	// The UI answers on its address, under /temporal.
	resp, err := http.Get("http://" + uiAddr + "/temporal/")
	if err != nil {
		t.Fatalf("UI: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("UI status = %d, want 200", resp.StatusCode)
	}
	// With its key, the UI reaches the frontend over TLS: it lists the
	// namespaces.
	code, body := uiGet(t, "http://"+uiAddr+"/temporal/api/v1/namespaces", s.UIKey())
	if code != http.StatusOK || !strings.Contains(body, `"default"`) {
		t.Fatalf("UI /api/v1/namespaces = %d %.300s, want 200 listing default", code, body)
	}
	if s.UIURL() != "http://"+uiAddr {
		t.Errorf("UIURL = %q, want http://%s", s.UIURL(), uiAddr)
	}

	w.Stop()
	c.Close()
	if err := s.Stop(); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	if _, err := http.Get("http://" + uiAddr + "/temporal/healthz"); err == nil {
		t.Fatal("UI still answers after Stop")
	}

	key := s.APIKey()
	s = startServer(t, cfg)
	if s.APIKey() != key {
		t.Error("the API key changed across a restart")
	}
	c = dial(t, s)
	defer c.Close()

	// The run's history survived, with its result.
	iter := c.GetWorkflowHistory(ctx, "greet-1", "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_CLOSE_EVENT)
	if !iter.HasNext() {
		t.Fatal("no history for greet-1 after restart")
	}
	ev, err := iter.Next()
	if err != nil {
		t.Fatal(err)
	}
	if ev.GetEventType() != enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED {
		t.Fatalf("last event of greet-1 = %v, want completed", ev.GetEventType())
	}
	// The schedule survived.
	desc, err := c.ScheduleClient().GetHandle(ctx, "sched-1").Describe(ctx)
	if err != nil {
		t.Fatalf("describe schedule after restart: %v", err)
	}
	if !desc.Schedule.State.Paused {
		t.Error("schedule lost its paused state")
	}
	// Visibility still filters by the custom search attribute.
	list, err := c.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{
		Namespace: "default",
		Query:     saTenantID + ` = "tn_1"`,
	})
	if err != nil {
		t.Fatalf("list by search attribute: %v", err)
	}
	if n := len(list.GetExecutions()); n != 1 || list.GetExecutions()[0].GetExecution().GetWorkflowId() != "greet-1" {
		t.Fatalf("list by %s found %d executions, want greet-1 only", saTenantID, n)
	}
}

// TestServer_SearchAttributes checks that every namespace holds jobflow's
// search attributes and that registering again changes nothing.
func TestServer_SearchAttributes(t *testing.T) {
	testtier.Parallel(t)
	s := startServer(t, temporalserver.Config{DataDir: t.TempDir(), Namespaces: []string{"jobs"}})
	defer s.Stop()
	c := dial(t, s)
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for _, ns := range []string{"default", "jobs"} {
		if err := temporalserver.RegisterSearchAttributes(ctx, c.OperatorService(), ns); err != nil {
			t.Fatalf("register again in %s: %v", ns, err)
		}
		resp, err := c.OperatorService().ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{Namespace: ns})
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{saTenantID, saWorkflowID, saTrigger} {
			if got := resp.GetCustomAttributes()[name]; got != enumspb.INDEXED_VALUE_TYPE_KEYWORD {
				t.Errorf("namespace %s: %s = %v, want Keyword", ns, name, got)
			}
		}
	}
}

// TestServer_DataDirLocked: a second server on the same data dir is refused
// instead of sharing the SQLite file.
func TestServer_DataDirLocked(t *testing.T) {
	testtier.Parallel(t)
	dir := t.TempDir()
	s := startServer(t, temporalserver.Config{DataDir: dir})
	defer s.Stop()
	_, port, _ := net.SplitHostPort(freeAddr(t))
	p, _ := strconv.Atoi(port)
	_, err := temporalserver.Start(context.Background(), temporalserver.Config{DataDir: dir, FrontendPort: p})
	if err == nil || !strings.Contains(err.Error(), "in use") {
		t.Fatalf("second Start on %s: err = %v, want in use", filepath.Base(dir), err)
	}
}

// TestServer_UIAddrTaken: a UI address in use is a start-up error, not a
// process exit.
func TestServer_UIAddrTaken(t *testing.T) {
	testtier.Parallel(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s, err := temporalserver.Start(ctx, temporalserver.Config{DataDir: t.TempDir(), UIAddr: l.Addr().String(), FrontendPort: freePort(t)})
	if err == nil {
		s.Stop()
		t.Fatal("Start succeeded with the UI address taken")
	}
	if !strings.Contains(err.Error(), "temporal UI address") {
		t.Fatalf("err = %v, want it to name the UI address", err)
	}
}

// TestServer_FrontendPortTaken: a frontend port in use is a start-up error
// naming it, not a process exit (the Temporal server would log.Fatal).
func TestServer_FrontendPortTaken(t *testing.T) {
	testtier.Parallel(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	port := l.Addr().(*net.TCPAddr).Port
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s, err := temporalserver.Start(ctx, temporalserver.Config{DataDir: t.TempDir(), FrontendPort: port})
	if err == nil {
		s.Stop()
		t.Fatal("Start succeeded with the frontend port taken")
	}
	if !strings.Contains(err.Error(), strconv.Itoa(port)) {
		t.Fatalf("err = %v, want it to name port %d", err, port)
	}
}

// BenchmarkStart measures a start on an existing data dir, which is what
// every `jobflow standalone` start after the first one does; the stop that
// follows is reported as stop-ms/op.
func BenchmarkStart(b *testing.B) {
	dir := b.TempDir()
	s := startServer(b, temporalserver.Config{DataDir: dir})
	s.Stop()
	benchmarkStart(b, func() string { return dir })
}

// BenchmarkStart_Fresh measures the first start, which creates the schema.
func BenchmarkStart_Fresh(b *testing.B) {
	benchmarkStart(b, func() string { return b.TempDir() })
}

func benchmarkStart(b *testing.B, dir func() string) {
	var stopping time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		d := dir()
		b.StartTimer()
		s, err := temporalserver.Start(context.Background(), temporalserver.Config{DataDir: d})
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		begin := time.Now()
		if err := s.Stop(); err != nil {
			b.Fatal(err)
		}
		stopping += time.Since(begin)
		b.StartTimer()
	}
	b.ReportMetric(float64(stopping.Milliseconds())/float64(b.N), "stop-ms/op")
}

// TestServer_LegacyVisibility: a data dir made before visibility had a file
// of its own (temporal.db alone) keeps its visibility in temporal.db, across
// restarts: no visibility file appears, and a run listed by its search
// attribute before a restart is listed after it.
func TestServer_LegacyVisibility(t *testing.T) {
	testtier.Parallel(t)
	dir := t.TempDir()
	cfg := temporalserver.Config{DataDir: dir}
	s := startServer(t, cfg)
	if err := s.Stop(); err != nil {
		t.Fatal(err)
	}
	vis := filepath.Join(dir, "temporal-visibility.db")
	if _, err := os.Stat(vis); err != nil {
		t.Fatalf("a new data dir has no visibility file: %v", err)
	}
	for _, f := range []string{vis, vis + "-wal", vis + "-shm"} {
		os.Remove(f) // now it looks like a data dir of the single-file layout
	}

	s = startServer(t, cfg)
	c := dial(t, s)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	w := worker.New(c, "greet", worker.Options{})
	w.RegisterWorkflow(greet)
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	tenant := temporal.NewSearchAttributeKeyKeyword(saTenantID)
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: "greet-legacy", TaskQueue: "greet",
		TypedSearchAttributes: temporal.NewSearchAttributes(tenant.ValueSet("tn_legacy"))}, greet, "old")
	if err != nil {
		t.Fatal(err)
	}
	if err := run.Get(ctx, nil); err != nil {
		t.Fatal(err)
	}
	listed := func(c client.Client) bool {
		list, err := c.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{
			Namespace: "default", Query: saTenantID + ` = "tn_legacy"`})
		return err == nil && len(list.GetExecutions()) == 1
	}
	testwait.For(t, 20*time.Second, "greet-legacy listed by its search attribute", func() bool { return listed(c) })
	w.Stop()
	c.Close()
	if err := s.Stop(); err != nil {
		t.Fatal(err)
	}

	s = startServer(t, cfg)
	t.Cleanup(func() { s.Stop() })
	c = dial(t, s)
	defer c.Close()
	if !listed(c) {
		t.Fatal("after a restart greet-legacy is no longer listed: its visibility row was not in temporal.db")
	}
	if _, err := os.Stat(vis); !os.IsNotExist(err) {
		t.Fatalf("a legacy data dir got a visibility file (%v)", err)
	}
}
