package jobflow_test

import (
	"testing"

	"jobflow"
)

func TestRunWriteWins(t *testing.T) {
	// Rows: the stored status; columns: the incoming one, both in the order
	// of jobflow.RunStatuses (RUNNING SUCCESS FAIL ABORTING ABORTED PAUSED
	// QUEUED SKIPPED).
	want := map[jobflow.RunStatus]string{
		jobflow.RunRunning:  "11111101",
		jobflow.RunSuccess:  "00000000",
		jobflow.RunFail:     "00000000",
		jobflow.RunAborting: "01111001",
		jobflow.RunAborted:  "00000000",
		jobflow.RunPaused:   "11111101",
		jobflow.RunQueued:   "01111011",
		jobflow.RunSkipped:  "00000000",
	}
	if len(want) != len(jobflow.RunStatuses) {
		t.Fatalf("the table covers %d statuses, the domain has %d", len(want), len(jobflow.RunStatuses))
	}
	for _, stored := range jobflow.RunStatuses {
		row := want[stored]
		for k, in := range jobflow.RunStatuses {
			if got := jobflow.RunWriteWins(stored, in); got != (row[k] == '1') {
				t.Errorf("RunWriteWins(%s <- %s) = %v, want %c", stored, in, got, row[k])
			}
		}
	}
}

func TestNodeWriteWins(t *testing.T) {
	// Rows: the stored status; columns: the incoming one, both in the order
	// of jobflow.NodeStatuses (PENDING WAITING RUNNING SUCCESS FAIL
	// UPSTREAM_FAILED ABORTED BREAK SKIPPED NOT_SELECTED DISABLED
	// FORCED_SUCCESS), for an incoming
	// attempt older than, equal to and newer than the stored one.
	const (
		unfinished = 3
		all        = "111111111111"
	)
	older := map[bool]string{false: "000111111111", true: "000000000000"} // by stored.Done()
	equal := map[jobflow.NodeStatus]string{
		jobflow.NodePending: "111111111111",
		jobflow.NodeWaiting: "011111111111",
		jobflow.NodeRunning: "001111111111",
	}
	if len(jobflow.NodeStatuses) != len(all) {
		t.Fatalf("the table covers %d statuses, the domain has %d", len(all), len(jobflow.NodeStatuses))
	}
	for i, stored := range jobflow.NodeStatuses {
		if stored.Done() != (i >= unfinished) {
			t.Fatalf("%s: Done() = %v; the table lists the unfinished statuses first", stored, stored.Done())
		}
		eq, ok := equal[stored]
		if !ok {
			eq = "000111111111"
		}
		for _, c := range []struct {
			name     string
			row      string
			attempts [2]int // stored, incoming
		}{
			{"older", older[stored.Done()], [2]int{2, 1}},
			{"equal", eq, [2]int{2, 2}},
			{"newer", all, [2]int{2, 3}},
		} {
			for k, in := range jobflow.NodeStatuses {
				got := jobflow.NodeWriteWins(stored, c.attempts[0], in, c.attempts[1])
				if got != (c.row[k] == '1') {
					t.Errorf("%s attempt: NodeWriteWins(%s#%d <- %s#%d) = %v, want %c",
						c.name, stored, c.attempts[0], in, c.attempts[1], got, c.row[k])
				}
			}
		}
	}
	// An abort or an upstream failure is written without an attempt (0).
	if !jobflow.NodeWriteWins(jobflow.NodeRunning, 2, jobflow.NodeAborted, 0) {
		t.Error("ABORTED#0 must replace RUNNING#2")
	}
	if jobflow.NodeWriteWins(jobflow.NodeSuccess, 1, jobflow.NodeAborted, 0) {
		t.Error("ABORTED#0 must not replace SUCCESS#1")
	}
}
