package store_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"jobflow"
	"jobflow/store"
	"jobflow/store/storetest"
)

func TestRunService_UpsertNodeRun(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		f := newRunFixture(t, s)
		r := f.run(jobflow.TriggerManual, time.Now())
		if err := s.UpsertRun(ctx, r); err != nil {
			t.Fatal(err)
		}
		node := func() *jobflow.NodeRun {
			t.Helper()
			got, err := s.FindRunByID(ctx, f.tenant.ID, r.ID)
			if err != nil || len(got.Nodes) != 1 {
				t.Fatalf("FindRunByID = %+v, %v", got, err)
			}
			return got.Nodes[0]
		}
		write := func(n jobflow.NodeRun) {
			t.Helper()
			n.RunID, n.JobID = r.ID, "job_a"
			if err := s.UpsertNodeRun(ctx, &n); err != nil {
				t.Fatal(err)
			}
		}
		started := time.Date(2026, 11, 25, 2, 0, 1, 0, time.UTC)
		ended := started.Add(3 * time.Second)
		exit := 0

		write(jobflow.NodeRun{JobName: "a", JobType: jobflow.JobShell, Status: jobflow.NodePending})
		write(jobflow.NodeRun{Status: jobflow.NodeRunning, Attempt: 1, StartedAt: &started})
		write(jobflow.NodeRun{Status: jobflow.NodeRunning, Attempt: 1, StartedAt: &started}) // replay
		write(jobflow.NodeRun{Status: jobflow.NodePending})                                  // older write
		if n := node(); n.Status != jobflow.NodeRunning || n.Attempt != 1 || n.JobName != "a" || !n.StartedAt.Equal(started) {
			t.Fatalf("after RUNNING = %+v", n)
		}
		write(jobflow.NodeRun{Status: jobflow.NodeSuccess, Attempt: 1, StartedAt: &started, EndedAt: &ended,
			ExitCode: &exit, Result: json.RawMessage(`{"exitCode":0}`)})
		// Replays of older writes after the end change nothing.
		write(jobflow.NodeRun{Status: jobflow.NodeRunning, Attempt: 1, StartedAt: &started})
		write(jobflow.NodeRun{Status: jobflow.NodeWaiting})
		n := node()
		if n.Status != jobflow.NodeSuccess || n.Attempt != 1 || n.EndedAt == nil || !n.EndedAt.Equal(ended) ||
			n.ExitCode == nil || *n.ExitCode != 0 || string(n.Result) != `{"exitCode":0}` || n.JobType != jobflow.JobShell {
			t.Fatalf("after replays = %+v", n)
		}

		t.Run("NewAttemptAfterFail", func(t *testing.T) {
			write(jobflow.NodeRun{Status: jobflow.NodeFail, Attempt: 1, Error: "exit 1", EndedAt: &ended})
			if n := node(); n.Status != jobflow.NodeFail || n.Error != "exit 1" {
				t.Fatalf("a final write of the same attempt did not replace: %+v", n)
			}
			again := ended.Add(time.Second)
			write(jobflow.NodeRun{Status: jobflow.NodeRunning, Attempt: 2, StartedAt: &again})
			if n := node(); n.Status != jobflow.NodeRunning || n.Attempt != 2 || n.EndedAt != nil || n.Error != "" ||
				!n.StartedAt.Equal(again) {
				t.Fatalf("attempt 2 = %+v", n)
			}
			// An ABORTED written without an attempt ends it; the attempt stays 2.
			write(jobflow.NodeRun{Status: jobflow.NodeAborted, Error: "aborted"})
			if n := node(); n.Status != jobflow.NodeAborted || n.Attempt != 2 {
				t.Fatalf("after abort = %+v", n)
			}
		})
		t.Run("ErrRunNotFound", func(t *testing.T) {
			err := s.UpsertNodeRun(ctx, &jobflow.NodeRun{RunID: "run_nope", JobID: "j", Status: jobflow.NodePending})
			wantCode(t, err, jobflow.ENOTFOUND)
		})
		t.Run("ErrOtherTenant", func(t *testing.T) {
			err := s.UpsertNodeRun(ctx, &jobflow.NodeRun{RunID: r.ID, TenantID: f.other.ID, JobID: "job_a", Status: jobflow.NodeFail})
			wantCode(t, err, jobflow.ENOTFOUND)
			if n := node(); n.Status != jobflow.NodeAborted {
				t.Fatalf("status = %s", n.Status)
			}
		})
	})
}

func TestRunService_NodeOrder(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		f := newRunFixture(t, s)
		r := f.run(jobflow.TriggerManual, time.Now())
		if err := s.UpsertRun(ctx, r); err != nil {
			t.Fatal(err)
		}
		t1 := time.Now().UTC()
		t0 := t1.Add(-time.Minute)
		for _, n := range []jobflow.NodeRun{
			{JobID: "j1", JobName: "zz pending", Status: jobflow.NodePending},
			{JobID: "j2", JobName: "second", Status: jobflow.NodeRunning, StartedAt: &t1},
			{JobID: "j3", JobName: "aa pending", Status: jobflow.NodePending},
			{JobID: "j4", JobName: "first", Status: jobflow.NodeSuccess, StartedAt: &t0},
		} {
			n.RunID = r.ID
			if err := s.UpsertNodeRun(ctx, &n); err != nil {
				t.Fatal(err)
			}
		}
		got, _ := s.FindRunByID(ctx, f.tenant.ID, r.ID)
		var order []string
		for _, n := range got.Nodes {
			order = append(order, n.JobName)
		}
		if strings.Join(order, ",") != "first,second,aa pending,zz pending" {
			t.Fatalf("node order = %v", order)
		}
	})
}

func TestRunService_AppendNodeLog(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		f := newRunFixture(t, s)
		r := f.run(jobflow.TriggerManual, time.Now())
		if err := s.UpsertRun(ctx, r); err != nil {
			t.Fatal(err)
		}
		if err := s.UpsertNodeRun(ctx, &jobflow.NodeRun{RunID: r.ID, JobID: "j", Status: jobflow.NodeRunning}); err != nil {
			t.Fatal(err)
		}
		if log, err := s.FindNodeLog(ctx, f.tenant.ID, r.ID, "j"); err != nil || log != "" {
			t.Fatalf("log before output = %q, %v", log, err)
		}
		for _, chunk := range []string{"line 1\n", "line 2\n", "\x00\xff binary\n"} {
			if err := s.AppendNodeLog(ctx, r.ID, "j", []byte(chunk)); err != nil {
				t.Fatal(err)
			}
		}
		if log, _ := s.FindNodeLog(ctx, f.tenant.ID, r.ID, "j"); log != "line 1\nline 2\n\x00\xff binary\n" {
			t.Fatalf("log = %q", log)
		}

		t.Run("TruncatedAt1MiB", func(t *testing.T) {
			block := bytes.Repeat([]byte("0123456789abcdef"), 16<<10) // 256 KiB
			for i := range 5 {
				block[len(block)-1] = byte('A' + i)
				if err := s.AppendNodeLog(ctx, r.ID, "j", block); err != nil {
					t.Fatal(err)
				}
			}
			if err := s.AppendNodeLog(ctx, r.ID, "j", []byte("the end\n")); err != nil {
				t.Fatal(err)
			}
			log, err := s.FindNodeLog(ctx, f.tenant.ID, r.ID, "j")
			if err != nil {
				t.Fatal(err)
			}
			if len(log) != jobflow.MaxLogBytes || !strings.HasPrefix(log, jobflow.LogTruncatedMarker) ||
				!strings.HasSuffix(log, "E"+"the end\n") || strings.Contains(log, "line 1") ||
				strings.Count(log, jobflow.LogTruncatedMarker) != 1 {
				t.Fatalf("log: %d bytes, head %q, tail %q", len(log), log[:50], log[len(log)-20:])
			}
		})
		t.Run("ErrOtherTenant", func(t *testing.T) {
			_, err := s.FindNodeLog(ctx, f.other.ID, r.ID, "j")
			wantCode(t, err, jobflow.ENOTFOUND)
		})
		t.Run("ErrUnknownNode", func(t *testing.T) {
			_, err := s.FindNodeLog(ctx, f.tenant.ID, r.ID, "nope")
			wantCode(t, err, jobflow.ENOTFOUND)
		})
		t.Run("ErrRunNotFound", func(t *testing.T) {
			wantCode(t, s.AppendNodeLog(ctx, "run_nope", "j", []byte("x")), jobflow.ENOTFOUND)
		})
	})
}

func TestRunService_UpsertNodeRun_Concurrent(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		f := newRunFixture(t, s)
		r := f.run(jobflow.TriggerManual, time.Now())
		if err := s.UpsertRun(ctx, r); err != nil {
			t.Fatal(err)
		}
		// Many first writes of one node run at once: none fails, the
		// highest attempt wins.
		const n = 12
		errs := make(chan error, n)
		for i := range n {
			go func() {
				errs <- s.UpsertNodeRun(ctx, &jobflow.NodeRun{RunID: r.ID, JobID: "j", Status: jobflow.NodeRunning, Attempt: i + 1})
			}()
		}
		for range n {
			if err := <-errs; err != nil {
				t.Fatal(err)
			}
		}
		got, _ := s.FindRunByID(ctx, f.tenant.ID, r.ID)
		if len(got.Nodes) != 1 || got.Nodes[0].Attempt != n {
			t.Fatalf("nodes = %+v", got.Nodes)
		}
	})
}

// TestRunService_NodeOutputs: outputs are kept with the node run and
// returned with the run; a node without outputs has none.
func TestRunService_NodeOutputs(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		f := newRunFixture(t, s)
		r := f.run(jobflow.TriggerManual, time.Now())
		if err := s.UpsertRun(ctx, r); err != nil {
			t.Fatal(err)
		}
		outs := map[string]string{"rowCount": "3", "name": "李雷", "json": `{"a":[1,2]}`}
		for _, n := range []jobflow.NodeRun{
			{RunID: r.ID, JobID: "job_a", Status: jobflow.NodeRunning, Attempt: 1},
			{RunID: r.ID, JobID: "job_a", Status: jobflow.NodeSuccess, Attempt: 1, Outputs: outs},
			{RunID: r.ID, JobID: "job_b", Status: jobflow.NodeSuccess, Attempt: 1},
		} {
			if err := s.UpsertNodeRun(ctx, &n); err != nil {
				t.Fatal(err)
			}
		}
		got, err := s.FindRunByID(ctx, f.tenant.ID, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range got.Nodes {
			switch n.JobID {
			case "job_a":
				if len(n.Outputs) != 3 || n.Outputs["name"] != "李雷" || n.Outputs["json"] != `{"a":[1,2]}` || n.Outputs["rowCount"] != "3" {
					t.Fatalf("job_a outputs = %v", n.Outputs)
				}
			case "job_b":
				if n.Outputs != nil {
					t.Fatalf("job_b outputs = %v, want none", n.Outputs)
				}
			}
		}
	})
}
