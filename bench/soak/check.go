package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"

	"jobflow"
	"jobflow/store"
	"jobflow/workflows"
)

// verdict is what the checks found. The fields in violations make the
// command exit non-zero.
type verdict struct {
	runs       int                       // runs of the soak's workflows in the store
	byTrigger  map[jobflow.Trigger]int   //
	byStatus   map[jobflow.RunStatus]int //
	failures   map[string]int            // FAIL runs by error: accepted, or refused (503) but recorded
	nodeRuns   int
	attempts   int // side-effect files: attempts that ran to their end
	retried    int // node runs that needed more than one attempt
	endedNotOK int // attempts that ran to their end but whose node is not SUCCESS (aborted or failed at the last moment)
	rerunLost  int // node runs run again after an end whose worker (or Temporal) went away before it was reported

	// violations
	acceptedMissing int // accepted by the API, unknown to the store
	notFinal        int // still RUNNING/ABORTING after the drain
	disagree        int // the store's final state is not what Temporal says
	attemptTwice    int // one attempt's side effect more than once
	ranTwice        int // a node run that ran to its end in two attempts with no fault to explain it
	concurrent      int // an earlier attempt ended after a later one began: an orphan beside its retry
	successNoEffect int // SUCCESS recorded for an attempt that never ran to its end
	strayEffects    int // side effects of a run the store does not know
	logBad          int // node logs with a missing or doubled line
	examples        []string
}

func (v *verdict) violations() int {
	return v.acceptedMissing + v.notFinal + v.disagree + v.attemptTwice + v.ranTwice + v.concurrent + v.successNoEffect + v.strayEffects + v.logBad
}

func (v *verdict) example(format string, args ...any) {
	if len(v.examples) < 20 {
		v.examples = append(v.examples, fmt.Sprintf(format, args...))
	}
}

// waitFinal waits up to d for every run of the workflows to be final in
// the store and returns the runs (with nodes).
func waitFinal(ctx context.Context, st *store.Store, tenant string, wfs []string, d time.Duration) ([]*jobflow.Run, error) {
	deadline := time.Now().Add(d)
	for {
		open := 0
		for _, status := range []jobflow.RunStatus{jobflow.RunRunning, jobflow.RunAborting} {
			for _, wf := range wfs {
				_, n, err := st.FindRuns(ctx, tenant, jobflow.RunFilter{WorkflowID: wf, Status: status, PageSize: 1})
				if err != nil {
					return nil, err
				}
				open += n
			}
		}
		if open == 0 || time.Now().After(deadline) {
			break
		}
		// The store's counts stop at jobflow.RunCountCap per list.
		logf("%d runs not final yet (a count stops at %d per workflow and status)", open, jobflow.RunCountCap)
		time.Sleep(10 * time.Second)
	}
	var runs []*jobflow.Run
	for _, wf := range wfs {
		for page := 1; ; page++ {
			rs, _, err := st.FindRuns(ctx, tenant, jobflow.RunFilter{WorkflowID: wf, Page: page, PageSize: jobflow.MaxPageSize})
			if err != nil {
				return nil, err
			}
			runs = append(runs, rs...)
			if len(rs) < jobflow.MaxPageSize {
				break
			}
		}
	}
	// With their nodes.
	err := parallel(len(runs), func(i int) error {
		r, err := st.FindRunByID(ctx, tenant, runs[i].ID)
		if err == nil {
			runs[i] = r
		}
		return err
	})
	return runs, err
}

// check runs every check over the store's runs.
func check(ctx context.Context, st *store.Store, tc client.Client, tenant string, runs []*jobflow.Run, accepted map[string]string, sideDir string, faults []fault) (*verdict, error) {
	v := &verdict{byTrigger: map[jobflow.Trigger]int{}, byStatus: map[jobflow.RunStatus]int{}, failures: map[string]int{}, runs: len(runs)}
	known := map[string]bool{}
	for _, r := range runs {
		known[r.ID] = true
		v.byTrigger[r.Trigger]++
		v.byStatus[r.Status]++
		if r.Status == jobflow.RunFail {
			how := "refused"
			if accepted[r.ID] != "" || r.Trigger == jobflow.TriggerSchedule {
				how = "accepted"
			}
			msg := r.Error
			if len(msg) > 70 {
				msg = msg[:70] + "…"
			}
			v.failures[how+": "+msg]++
		}
		if !r.Status.Finished() {
			v.notFinal++
			v.example("run %s (%s) still %s", r.ID, r.Trigger, r.Status)
		}
	}
	for id, how := range accepted {
		if !known[id] {
			v.acceptedMissing++
			v.example("run %s accepted (%s) but not in the store", id, how)
		}
	}

	// Side effects: <run>.<job>.<attempt> files, one line per end.
	effects := map[string]map[int][]end{} // run.job -> attempt -> ends
	entries, err := os.ReadDir(sideDir)
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		parts := strings.Split(e.Name(), ".")
		if len(parts) != 3 {
			continue
		}
		attempt, _ := strconv.Atoi(parts[2])
		b, _ := os.ReadFile(filepath.Join(sideDir, e.Name()))
		key := parts[0] + "." + parts[1]
		if effects[key] == nil {
			effects[key] = map[int][]end{}
		}
		effects[key][attempt] = parseEnds(string(b))
		v.attempts++
		if !known[parts[0]] {
			v.strayEffects++
			v.example("side effect %s of a run the store does not know", e.Name())
		}
	}

	var mu sync.Mutex
	err = parallel(len(runs), func(i int) error {
		r := runs[i]
		agree, why, err := agrees(ctx, tc, r)
		if err != nil {
			return err
		}
		var logs []string
		for _, n := range r.Nodes {
			if n.Status == jobflow.NodeSkipped || n.Status == jobflow.NodeUpstreamFailed || n.Status == jobflow.NodePending {
				continue
			}
			text, err := st.FindNodeLog(ctx, tenant, r.ID, n.JobID)
			if err != nil {
				return err
			}
			logs = append(logs, text)
		}
		mu.Lock()
		defer mu.Unlock()
		if !agree {
			v.disagree++
			v.example("run %s: store %s, Temporal: %s", r.ID, r.Status, why)
		}
		li := 0
		for _, n := range r.Nodes {
			v.nodeRuns++
			if n.Attempt > 1 {
				v.retried++
			}
			ends := effects[r.ID+"."+n.JobID]
			for a, e := range ends {
				if len(e) > 1 {
					v.attemptTwice++
					v.example("run %s job %s attempt %d ran to its end %d times", r.ID, n.JobName, a, len(e))
				}
			}
			if len(ends) > 1 {
				switch why := twice(ends, faults); why {
				case "":
					v.ranTwice++
					v.example("run %s job %s (%s, attempt %d) ran to its end in attempts %v with no fault near the first end", r.ID, n.JobName, n.Status, n.Attempt, sortedAttempts(ends))
				case "concurrent":
					v.concurrent++
					v.example("run %s job %s: an earlier attempt ended after a later one began: %v", r.ID, n.JobName, ends)
				default:
					v.rerunLost++
					if v.rerunLost <= 3 {
						v.example("(not a violation) run %s job %s ran to its end in attempts %v: %s", r.ID, n.JobName, sortedAttempts(ends), why)
					}
				}
			}
			switch {
			case n.Status == jobflow.NodeSuccess && len(ends[n.Attempt]) == 0:
				v.successNoEffect++
				v.example("run %s job %s SUCCESS on attempt %d, which never ran to its end (ends: %v)", r.ID, n.JobName, n.Attempt, sortedAttempts(ends))
			case n.Status != jobflow.NodeSuccess && len(ends) > 0:
				v.endedNotOK++
			}
			if n.Status == jobflow.NodeSkipped || n.Status == jobflow.NodeUpstreamFailed || n.Status == jobflow.NodePending {
				continue
			}
			if bad := logProblem(logs[li], n.Status == jobflow.NodeSuccess); bad != "" {
				v.logBad++
				v.example("run %s job %s (%s, attempt %d) log: %s", r.ID, n.JobName, n.Status, n.Attempt, bad)
			}
			li++
		}
		return nil
	})
	return v, err
}

var attemptMarker = regexp.MustCompile(`^\[jobflow [0-9:]+\] attempt \d+ started`)

// logProblem checks a node's log: every attempt's part holds "line 1" …
// "line k" once each and in order (a killed attempt may stop early; lines
// its dead worker still held are lost with it), and the last attempt's
// part of a SUCCESS node holds all of them.
func logProblem(text string, success bool) string {
	parts := [][]int{{}}
	for _, line := range strings.Split(text, "\n") {
		if attemptMarker.MatchString(line) {
			parts = append(parts, []int{})
			continue
		}
		if n, ok := strings.CutPrefix(line, "line "); ok {
			i, err := strconv.Atoi(n)
			if err == nil {
				parts[len(parts)-1] = append(parts[len(parts)-1], i)
			}
		}
	}
	for p, seq := range parts {
		for i, n := range seq {
			if n != i+1 {
				return fmt.Sprintf("attempt part %d has %v", p+1, seq)
			}
		}
	}
	if last := parts[len(parts)-1]; success && len(last) != seqLines {
		return fmt.Sprintf("last attempt's part has %d of %d lines: %v", len(last), seqLines, last)
	}
	return ""
}

// agrees compares a run's final state in the store with its execution in
// Temporal, as the run reconciler reads it.
func agrees(ctx context.Context, tc client.Client, r *jobflow.Run) (bool, string, error) {
	if r.TemporalWorkflowID == "" {
		return r.Status == jobflow.RunFail, "never started", nil
	}
	desc, err := tc.DescribeWorkflowExecution(ctx, r.TemporalWorkflowID, "")
	var nf *serviceerror.NotFound
	if errors.As(err, &nf) {
		// A start that failed (Temporal away) leaves a FAIL run.
		return r.Status == jobflow.RunFail, "no such execution (store error: " + r.Error + ")", nil
	} else if err != nil {
		return false, "", err
	}
	st := desc.GetWorkflowExecutionInfo().GetStatus()
	switch st {
	case enumspb.WORKFLOW_EXECUTION_STATUS_TERMINATED, enumspb.WORKFLOW_EXECUTION_STATUS_CANCELED:
		return r.Status == jobflow.RunAborted, st.String(), nil
	case enumspb.WORKFLOW_EXECUTION_STATUS_TIMED_OUT, enumspb.WORKFLOW_EXECUTION_STATUS_FAILED:
		return r.Status == jobflow.RunFail, st.String(), nil
	case enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED:
		res, err := flowRunResult(ctx, tc, r.TemporalWorkflowID, desc.GetWorkflowExecutionInfo().GetExecution().GetRunId())
		if err != nil {
			return false, "", err
		}
		if res.Status != r.Status {
			return false, "completed " + string(res.Status), nil
		}
		stored := map[string]jobflow.NodeStatus{}
		for _, n := range r.Nodes {
			stored[n.JobID] = n.Status
		}
		for _, n := range res.Nodes {
			if stored[n.JobID] != n.Status {
				return false, fmt.Sprintf("completed %s, node %s %s (store: %s)", res.Status, n.JobName, n.Status, stored[n.JobID]), nil
			}
		}
		return true, "", nil
	}
	return false, st.String(), nil
}

func flowRunResult(ctx context.Context, tc client.Client, workflowID, runID string) (workflows.FlowRunResult, error) {
	var res workflows.FlowRunResult
	it := tc.GetWorkflowHistory(ctx, workflowID, runID, false, enumspb.HISTORY_EVENT_FILTER_TYPE_CLOSE_EVENT)
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			return res, err
		}
		if a := ev.GetWorkflowExecutionCompletedEventAttributes(); a != nil {
			err := converter.GetDefaultDataConverter().FromPayloads(a.GetResult(), &res)
			return res, err
		}
	}
	return res, fmt.Errorf("execution %s: no completion event", workflowID)
}

// end is one "done <begin> <end>" line of a side-effect file.
type end struct{ begin, end time.Time }

func parseEnds(text string) []end {
	var out []end
	for _, line := range strings.Split(strings.TrimSpace(text), "\n") {
		f := strings.Fields(line)
		if len(f) != 3 || f[0] != "done" {
			continue
		}
		out = append(out, end{unixTime(f[1]), unixTime(f[2])})
	}
	return out
}

func unixTime(s string) time.Time {
	f, _ := strconv.ParseFloat(s, 64)
	return time.Unix(0, int64(f*1e9))
}

// lostWindow: a job's end that its worker had not reported yet when the
// worker (or Temporal) went away. Recording and reporting an end takes
// seconds on a loaded machine.
const lostWindow = 30 * time.Second

// twice says why a node run ran to its end in more than one attempt:
// "concurrent" when an earlier attempt ended after a later one began (an
// orphan of a dead worker beside its retry); the fault that explains it
// when every earlier end was at most lostWindow before a worker or
// Temporal went away (its report was lost, and the retry could not know);
// "" when nothing explains it.
func twice(ends map[int][]end, faults []fault) string {
	attempts := sortedAttempts(ends)
	why := ""
	for i, a := range attempts[:len(attempts)-1] {
		for _, e := range ends[a] {
			for _, b := range attempts[i+1:] {
				for _, later := range ends[b] {
					if e.end.After(later.begin) {
						return "concurrent"
					}
				}
			}
			found := ""
			for _, f := range faults {
				if f.workerLost && !e.end.After(f.end) && f.begin.Sub(e.end) <= lostWindow {
					found = fmt.Sprintf("attempt %d ended %s before: %s", a, f.begin.Sub(e.end).Round(100*time.Millisecond), f.what)
					break
				}
			}
			if found == "" {
				return ""
			}
			why = found
		}
	}
	return why
}

func sortedAttempts[V any](m map[int]V) []int {
	var out []int
	for a := range m {
		out = append(out, a)
	}
	sort.Ints(out)
	return out
}

// parallel calls fn(0) … fn(n-1) on 8 goroutines; the first error wins.
func parallel(n int, fn func(i int) error) error {
	var wg sync.WaitGroup
	var once sync.Once
	var first error
	next := make(chan int)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if err := fn(i); err != nil {
					once.Do(func() { first = err })
				}
			}
		}()
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	return first
}
