package activities

import (
	"context"
	"encoding/json"
	"errors"
	"jobflow/internal/jobdir"
	"jobflow/internal/testproc"
	"log/slog"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/temporal"

	"jobflow"
	"jobflow/store"
	"jobflow/store/storetest"
	"jobflow/workflows"
)

// testEnv is a real store holding one tenant, one workflow and one RUNNING
// run, and the activities over it.
type testEnv struct {
	a     *Activities
	s     *store.Store
	run   *jobflow.Run
	tzLoc *time.Location
}

// logicalTime of every test run: 2026-11-25 02:00 in Asia/Shanghai.
var logicalTime = time.Date(2026, 11, 24, 18, 0, 0, 0, time.UTC)

func newTestEnv(t testing.TB, dialect string) *testEnv {
	t.Helper()
	return newTestEnvOn(t, storetest.Open(t, dialect))
}

func newTestEnvOn(t testing.TB, s *store.Store) *testEnv {
	t.Helper()
	ctx := context.Background()
	tn := &jobflow.Tenant{Name: "acme", MaxWorkflows: 10}
	if err := s.CreateTenant(ctx, tn); err != nil {
		t.Fatalf("CreateTenant: %v", err)
	}
	wf := &jobflow.Workflow{TenantID: tn.ID, Name: "nightly", Config: jobflow.DefaultConfig()}
	if err := s.CreateWorkflow(ctx, wf, 10); err != nil {
		t.Fatalf("CreateWorkflow: %v", err)
	}
	run := &jobflow.Run{
		ID: jobflow.NewID(jobflow.PrefixRun), TenantID: tn.ID, WorkflowID: wf.ID, WorkflowName: wf.Name,
		Trigger: jobflow.TriggerManual, Status: jobflow.RunRunning, LogicalTime: logicalTime,
		Params: map[string]string{}, StartedAt: time.Now().UTC(),
	}
	if err := s.UpsertRun(ctx, run); err != nil {
		t.Fatalf("UpsertRun: %v", err)
	}
	loc, _ := time.LoadLocation("Asia/Shanghai")
	a := &Activities{
		Runs: s, Datasources: s, Tenants: s,
		JobWritable: []string{jobdir.Base()},
		Logger:      slog.New(slog.NewTextHandler(testWriter{t}, nil)),
		KillGrace:   2 * time.Second,
	}
	t.Cleanup(func() { a.Close() })
	t.Cleanup(func() { testproc.RemoveUser(TenantOSUser(tn.ID)) })
	return &testEnv{a: a, s: s, run: run, tzLoc: loc}
}

type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// job builds a job of typ with cfg as its config.
func (e *testEnv) job(typ jobflow.JobType, cfg any) jobflow.Job {
	raw, err := json.Marshal(cfg)
	if err != nil {
		panic(err)
	}
	return jobflow.Job{
		ID: jobflow.NewID(jobflow.PrefixJob), TenantID: e.run.TenantID, WorkflowID: e.run.WorkflowID,
		Name: strings.ToLower(string(typ)) + " job", Type: typ, Config: raw,
	}
}

func (e *testEnv) input(j jobflow.Job, params map[string]string) workflows.RunJobInput {
	return workflows.RunJobInput{
		RunID: e.run.ID, TenantID: e.run.TenantID, WorkflowID: e.run.WorkflowID, Job: j,
		LogicalTime: logicalTime, Timezone: "Asia/Shanghai", Params: params,
	}
}

// node reads the node run of job j from the store.
func (e *testEnv) node(t *testing.T, jobID string) *jobflow.NodeRun {
	t.Helper()
	r, err := e.s.FindRunByID(context.Background(), e.run.TenantID, e.run.ID)
	if err != nil {
		t.Fatalf("FindRunByID: %v", err)
	}
	for _, n := range r.Nodes {
		if n.JobID == jobID {
			return n
		}
	}
	t.Fatalf("no node run of job %s", jobID)
	return nil
}

func (e *testEnv) log(t *testing.T, jobID string) string {
	t.Helper()
	text, err := e.s.FindNodeLog(context.Background(), e.run.TenantID, e.run.ID, jobID)
	if err != nil {
		t.Fatalf("FindNodeLog: %v", err)
	}
	return text
}

// appError returns err as a Temporal application error, failing the test if it is not one.
func appError(t *testing.T, err error) *temporal.ApplicationError {
	t.Helper()
	var ae *temporal.ApplicationError
	if !errors.As(err, &ae) {
		t.Fatalf("error %v (%T) is not an application error", err, err)
	}
	return ae
}

// supervisorOf is the job supervisor above pid, 0 when there is none.
func supervisorOf(pid int) int {
	for i := 0; i < 10 && pid > 1; i++ {
		if b, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline"); strings.HasPrefix(string(b), "jobflow-job-supervisor") {
			return pid
		}
		pid = testproc.Parent(pid)
	}
	return 0
}

// allowEgress adds entries to the test tenant's egressAllow (as a SYS_ADMIN
// would) and drops the worker's cached copy of the tenant.
func (e *testEnv) allowEgress(t testing.TB, entries ...string) {
	t.Helper()
	ctx := context.Background()
	tn, err := e.s.FindTenantByID(ctx, e.run.TenantID)
	if err != nil {
		t.Fatal(err)
	}
	all := append(append([]string{}, tn.EgressAllow...), entries...)
	if _, err := e.s.UpdateTenant(ctx, tn.ID, jobflow.TenantUpdate{EgressAllow: &all}); err != nil {
		t.Fatalf("allow egress to %v: %v", entries, err)
	}
	e.a.mu.Lock()
	delete(e.a.tenants, tn.ID)
	e.a.mu.Unlock()
}

// allowServer puts a test server's address on the tenant's egressAllow.
func (e *testEnv) allowServer(t testing.TB, rawURL string) {
	t.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	e.allowEgress(t, u.Host)
}
