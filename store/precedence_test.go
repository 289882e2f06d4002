package store_test

import (
	"fmt"
	"testing"
	"time"

	"jobflow"
	"jobflow/store"
	"jobflow/store/storetest"
)

// Every pair of run statuses goes through UpsertRun's SQL on each dialect,
// and the status kept is the one jobflow.RunWriteWins chooses; a refused
// write keeps the stored end and error of a finished run.
func TestRunPrecedence_EveryPair(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		f := newRunFixture(t, s)
		start := time.Date(2026, 11, 25, 2, 0, 0, 0, time.UTC)
		end1, end2 := start.Add(time.Minute), start.Add(time.Hour)
		for _, stored := range jobflow.RunStatuses {
			for _, in := range jobflow.RunStatuses {
				r := f.run(jobflow.TriggerManual, start)
				r.Status, r.EndedAt, r.Error = stored, &end1, "first"
				if err := s.UpsertRun(ctx, r); err != nil {
					t.Fatal(err)
				}
				r.Status, r.EndedAt, r.Error = in, &end2, "second"
				if err := s.UpsertRun(ctx, r); err != nil {
					t.Fatal(err)
				}
				got, err := s.FindRunByID(ctx, f.tenant.ID, r.ID)
				if err != nil {
					t.Fatal(err)
				}
				want := stored
				if jobflow.RunWriteWins(stored, in) {
					want = in
				}
				if got.Status != want {
					t.Errorf("%s <- %s: stored %s, domain says %s", stored, in, got.Status, want)
				}
				keepEnd := stored.Finished()
				if wantErr := map[bool]string{true: "first", false: "second"}[keepEnd]; got.Error != wantErr {
					t.Errorf("%s <- %s: error %q, want %q", stored, in, got.Error, wantErr)
				}
				if wantEnd := map[bool]time.Time{true: end1, false: end2}[keepEnd]; got.EndedAt == nil || !got.EndedAt.Equal(wantEnd) {
					t.Errorf("%s <- %s: ended %v, want %v", stored, in, got.EndedAt, wantEnd)
				}
			}
		}
	})
}

// Every pair of node statuses, at an older, the same and a newer attempt,
// goes through UpsertNodeRun on each dialect; the row keeps what
// jobflow.NodeWriteWins chooses, and the attempt never goes down.
func TestNodePrecedence_EveryPair(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		f := newRunFixture(t, s)
		r := f.run(jobflow.TriggerManual, time.Now())
		if err := s.UpsertRun(ctx, r); err != nil {
			t.Fatal(err)
		}
		type pair struct {
			stored, in jobflow.NodeStatus
			attempt    int
		}
		var pairs []pair
		for _, stored := range jobflow.NodeStatuses {
			for _, in := range jobflow.NodeStatuses {
				for _, a := range []int{1, 2, 3} {
					pairs = append(pairs, pair{stored, in, a})
				}
			}
		}
		for i, p := range pairs {
			job := fmt.Sprintf("job_%03d", i)
			first := jobflow.NodeRun{RunID: r.ID, JobID: job, JobName: job, JobType: jobflow.JobShell, Status: p.stored, Attempt: 2, Error: "first"}
			if err := s.UpsertNodeRun(ctx, &first); err != nil {
				t.Fatal(err)
			}
			second := jobflow.NodeRun{RunID: r.ID, JobID: job, Status: p.in, Attempt: p.attempt, Error: "second"}
			if err := s.UpsertNodeRun(ctx, &second); err != nil {
				t.Fatal(err)
			}
		}
		got, err := s.FindRunByID(ctx, f.tenant.ID, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		byJob := map[string]*jobflow.NodeRun{}
		for _, n := range got.Nodes {
			byJob[n.JobID] = n
		}
		for i, p := range pairs {
			n := byJob[fmt.Sprintf("job_%03d", i)]
			if n == nil {
				t.Fatalf("node %d missing", i)
			}
			want, wantErr := p.stored, "first"
			if jobflow.NodeWriteWins(p.stored, 2, p.in, p.attempt) {
				want, wantErr = p.in, "second"
			}
			if n.Status != want || n.Error != wantErr || n.Attempt != max(2, p.attempt) {
				t.Errorf("%s#2 <- %s#%d: stored %s#%d %q, domain says %s#%d %q",
					p.stored, p.in, p.attempt, n.Status, n.Attempt, n.Error, want, max(2, p.attempt), wantErr)
			}
		}
	})
}
