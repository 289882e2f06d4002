package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/temporalproto"
	"go.temporal.io/sdk/client"

	"jobflow"
	"jobflow/jobtypes"
	"jobflow/workflows"
)

// RecordSuggestContinueAsNewAt is the history length at which the recording
// server suggests continue-as-new, so that a 40-job chain continues as new
// a few times.
const RecordSuggestContinueAsNewAt = 60

// scenario is one representative FlowRun execution to record.
type scenario struct {
	name   string
	in     workflows.FlowRunInput
	during func(ctx context.Context, h *Harness, id string) error // while it runs
	// logicalIn, if set, puts the logical time this far after the start.
	logicalIn time.Duration
	// byRef passes the snapshot by reference, as for a large DAG.
	byRef bool
	// children are the suffixes of the workflow ids of child workflows
	// whose histories are recorded too, as <scenario>-<child>.json.
	children map[string]string
	// workflow and input, if set, run another workflow than FlowRun.
	workflow string
	input    any
}

// scripted makes a snapshot whose jobs behave as RunJob's scripts say
// ("" is a no-op job).
func scripted(nodes []string, scripts map[string]string, edges ...[2]string) jobflow.Snapshot {
	s := jobflow.Snapshot{TenantID: "t1", WorkflowID: "wf1", WorkflowName: "recorded", Config: jobflow.DefaultConfig()}
	for _, id := range nodes {
		script := scripts[id]
		if script == "" {
			script = "true"
		}
		s.Canvas.Nodes = append(s.Canvas.Nodes, jobflow.CanvasNode{JobID: id})
		s.Jobs = append(s.Jobs, jobflow.Job{ID: id, Name: "job " + id, Type: jobflow.JobShell, Config: []byte(`{"script":"` + script + `"}`)})
	}
	for _, e := range edges {
		s.Canvas.Edges = append(s.Canvas.Edges, jobflow.Edge{From: e[0], To: e[1]})
	}
	return s
}

func scenarios() []scenario {
	in := func(s jobflow.Snapshot) workflows.FlowRunInput {
		return workflows.FlowRunInput{Snapshot: s, Trigger: jobflow.TriggerManual, TaskQueue: TaskQueue, LogicalTime: time.Now().UTC().Truncate(time.Second)}
	}
	diamond := [][2]string{{"a", "b"}, {"a", "c"}, {"b", "d"}, {"c", "d"}}
	abcde := []string{"a", "b", "c", "d", "e"}

	end := scripted([]string{"a", "b", "c"}, map[string]string{"a": "fail", "b": "block"}, [2]string{"b", "c"})
	end.Config.FailureStrategy = jobflow.FailureEnd

	discrete := scripted([]string{"a", "b", "c"}, nil, [2]string{"a", "b"}, [2]string{"a", "c"})
	discrete.Config.Schedule.Mode, discrete.Config.Schedule.Timezone = jobflow.ModeDiscrete, "UTC"
	discrete.Jobs[1].Cron = "*/3 * * * * ?"

	rerun := in(scripted(abcde, nil, diamond...))
	rerun.Trigger, rerun.RerunOf = jobflow.TriggerRerun, "run-prior"
	rerun.Plan = &workflows.RerunPlan{Mode: jobflow.RerunFailed, Prior: []workflows.PriorNode{
		{JobID: "a", Status: jobflow.NodeSuccess}, {JobID: "b", Status: jobflow.NodeFail},
		{JobID: "c", Status: jobflow.NodeSuccess}, {JobID: "d", Status: jobflow.NodeUpstreamFailed},
		{JobID: "e", Status: jobflow.NodeSuccess},
	}}

	// Outputs: b and d name a's outputs; a rerun copies a's into its SKIPPED node.
	outputs := scripted([]string{"a", "b", "c", "d"}, map[string]string{"a": "outputs", "b": "echo ${outputs.job a.x}", "d": "echo ${qing.a.result_data}"},
		[2]string{"a", "b"}, [2]string{"b", "d"}, [2]string{"c", "d"})
	outputsRerun := in(outputs)
	outputsRerun.Trigger, outputsRerun.RerunOf = jobflow.TriggerRerun, "run-prior"
	outputsRerun.Plan = &workflows.RerunPlan{Mode: jobflow.RerunFailed, Prior: []workflows.PriorNode{
		{JobID: "a", Status: jobflow.NodeSuccess, Outputs: map[string]string{"x": "old"}}, {JobID: "b", Status: jobflow.NodeFail},
		{JobID: "c", Status: jobflow.NodeSuccess}, {JobID: "d", Status: jobflow.NodeUpstreamFailed},
	}}

	// Trigger rules: a fails; h handles it (ONE_FAILED), c cleans up
	// (ALL_DONE), d is UPSTREAM_FAILED, e (ONE_FAILED on b) NOT_SELECTED.
	rules := scripted([]string{"a", "b", "h", "c", "d", "e"}, map[string]string{"a": "fail"},
		[2]string{"a", "h"}, [2]string{"a", "c"}, [2]string{"b", "c"}, [2]string{"a", "d"}, [2]string{"b", "e"})
	rules.Canvas.Nodes[2].Trigger = jobflow.RuleOneFailed
	rules.Canvas.Nodes[3].Trigger = jobflow.RuleAllDone
	rules.Canvas.Nodes[5].Trigger = jobflow.RuleOneFailed

	// CONDITION: a's output chooses b; c is NOT_SELECTED, the join d runs.
	cond := scripted([]string{"a", "k", "b", "c", "d"}, map[string]string{"a": "outputs"},
		[2]string{"a", "k"}, [2]string{"k", "b"}, [2]string{"k", "c"}, [2]string{"b", "d"}, [2]string{"c", "d"})
	cond.Jobs[1].Type = jobflow.JobCondition
	cond.Jobs[1].Config = []byte(`{"cases":[{"when":"outputs[\"job a\"].x > 0","to":["b"]}],"default":["c"]}`)

	// CONDITION with the budgets (the condition-budget version): a first
	// CONDITION decides within them, a second one, a doubling bomb, fails
	// on its budget; its children are UPSTREAM_FAILED.
	condBudget := scripted([]string{"a", "k", "b", "c", "m", "e"}, map[string]string{"a": "outputs"},
		[2]string{"a", "k"}, [2]string{"k", "b"}, [2]string{"k", "c"}, [2]string{"b", "m"}, [2]string{"m", "e"})
	condBudget.Jobs[1].Type = jobflow.JobCondition
	condBudget.Jobs[1].Config = []byte(`{"cases":[{"when":"all(1..100, {# > 0}) && outputs[\"job a\"].x > 0","to":["b"]}],"default":["c"]}`)
	condBudget.Jobs[4].Type = jobflow.JobCondition
	condBudget.Jobs[4].Config = []byte(`{"cases":[{"when":"let a0=\"aaaaaaaaaaaaaaaa\"; let a1=a0+a0; let a2=a1+a1; let a3=a2+a2; let a4=a3+a3; let a5=a4+a4; let a6=a5+a5; let a7=a6+a6; let a8=a7+a7; let a9=a8+a8; let a10=a9+a9; let a11=a10+a10; let a12=a11+a11; let a13=a12+a12; let a14=a13+a13; let a15=a14+a14; let a16=a15+a15; let a17=a16+a16; let a18=a17+a17; let a19=a18+a18; let a20=a19+a19; let a21=a20+a20; let a22=a21+a21; let a23=a22+a22; let a24=a23+a23; let a25=a24+a24; let a26=a25+a25; len(a26)>0","to":["e"]}],"default":[]}`)

	// Disabled nodes (the disabled-nodes version): root a and middle c are
	// DISABLED and never run; b and d run after them, e after b.
	disabled := scripted(abcde, nil, [2]string{"a", "b"}, [2]string{"b", "c"}, [2]string{"c", "d"}, [2]string{"b", "e"})
	disabled.Canvas.Nodes[0].Disabled, disabled.Canvas.Nodes[2].Disabled = true, true

	chain := Chain(40).Snapshot
	chain.Config.MaxParallelism = 16

	cancelAfter := func(d time.Duration) func(context.Context, *Harness, string) error {
		return func(ctx context.Context, h *Harness, id string) error {
			time.Sleep(d)
			return h.Client.CancelWorkflow(ctx, id, "")
		}
	}
	breakAfter := func(d time.Duration, job string) func(context.Context, *Harness, string) error {
		return func(ctx context.Context, h *Harness, id string) error {
			time.Sleep(d)
			u, err := h.Client.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
				WorkflowID: id, UpdateName: workflows.UpdateBreak, Args: []any{workflows.BreakRequest{JobID: job}},
				WaitForStage: client.WorkflowUpdateStageCompleted,
			})
			if err != nil {
				return err
			}
			return u.Get(ctx, nil)
		}
	}
	// Pause and resume (pause.go): paused while a sleeps, so b waits; a
	// second later it is resumed and b and c run.
	pauseResume := func(ctx context.Context, h *Harness, id string) error {
		update := func(name string) error {
			u, err := h.Client.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
				WorkflowID: id, UpdateName: name, WaitForStage: client.WorkflowUpdateStageCompleted,
			})
			if err != nil {
				return err
			}
			return u.Get(ctx, nil)
		}
		time.Sleep(100 * time.Millisecond)
		if err := update(workflows.UpdatePause); err != nil {
			return err
		}
		time.Sleep(time.Second)
		return update(workflows.UpdateResume)
	}

	// Mark success (marksuccess.go): a fails while s sleeps; marked
	// succeeded, a is FORCED_SUCCESS and b, UPSTREAM_FAILED before, runs.
	markA := func(ctx context.Context, h *Harness, id string) error {
		time.Sleep(100 * time.Millisecond)
		u, err := h.Client.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
			WorkflowID: id, UpdateName: workflows.UpdateMarkSuccess, WaitForStage: client.WorkflowUpdateStageCompleted,
			Args: []any{workflows.MarkSuccessRequest{JobID: "a", By: "recorder", Reason: "fixed by hand"}},
		})
		if err != nil {
			return err
		}
		return u.Get(ctx, nil)
	}

	// DEPENDENT: waits (no slot) beside a job, woken by a signal, then its child runs.
	dependent := scripted([]string{"dep", "after", "other"}, nil, [2]string{"dep", "after"})
	dependent.Config.MaxParallelism = 1
	dependent.Jobs[0].Type = jobflow.JobDependent
	dependent.Jobs[0].Config = []byte(`{"items":[{"workflowId":"wf_rec_up","window":"yesterday"}],"relation":"AND","timeoutSeconds":600,"onUpstreamFail":"FAIL","checkIntervalSeconds":3600}`)
	upstreamEnds := func(ctx context.Context, h *Harness, id string) error {
		time.Sleep(500 * time.Millisecond)
		DependentMet.Store("wf_rec_up", true)
		return h.Client.SignalWorkflow(ctx, id, "", workflows.SignalDependent,
			workflows.DependentSignal{WorkflowID: "wf_rec_up", RunID: "run-up", Status: jobflow.RunSuccess})
	}

	// Calendars and DST (workflows/schedplan.go): a backfilled run on a
	// DRY_RUN calendar's holiday (every job SKIPPED), and a SCHEDULE fire
	// at the second occurrence of a repeated Berlin time under ONCE
	// (dropped, nothing recorded).
	dryRun := scripted([]string{"a", "b"}, nil, [2]string{"a", "b"})
	dryRun.Config.Schedule.Cron, dryRun.Config.Schedule.Enabled = "0 0 2 * * ?", true
	dryRun.Config.Schedule.Calendar = &jobflow.ScheduleCalendar{ID: "cal_rec", Policy: "DRY_RUN"}
	dryRun.Calendar = &jobflow.Calendar{ID: "cal_rec", Name: "rec", Timezone: "Asia/Shanghai", Weekdays: []int{1, 2, 3, 4, 5}, Holidays: []string{"2026-10-01"}, Version: 1}
	dryRunIn := in(dryRun)
	dryRunIn.Trigger, dryRunIn.LogicalTime = jobflow.TriggerBackfill, time.Date(2026, 9, 30, 18, 0, 0, 0, time.UTC) // 1 October 02:00 in Shanghai
	dropped := scripted([]string{"a"}, nil)
	dropped.Config.Schedule.Cron, dropped.Config.Schedule.Timezone, dropped.Config.Schedule.Enabled = "0 30 2 * * ?", "Europe/Berlin", true
	droppedIn := in(dropped)
	droppedIn.Trigger, droppedIn.LogicalTime = jobflow.TriggerSchedule, time.Date(2026, 10, 25, 1, 30, 0, 0, time.UTC) // 02:30 CET, the second time

	// Workflow concurrency (queue.go): the run waits QUEUED until the
	// grant's signal, then runs a and b.
	queuedSnap := scripted([]string{"a", "b"}, nil, [2]string{"a", "b"})
	queuedSnap.Config.Concurrency = &jobflow.Concurrency{Limit: 1, Behavior: jobflow.ConcurrencyQueue}
	grant := func(ctx context.Context, h *Harness, id string) error {
		time.Sleep(500 * time.Millisecond)
		Granted.Store(id, true)
		return h.Client.SignalWorkflow(ctx, id, "", workflows.SignalSlotGranted, nil)
	}

	// Pools (pool.go): a waits WAITING for its pool's slot until the
	// grant's signal; b, in no pool, runs meanwhile.
	pooledSnap := scripted([]string{"a", "b"}, nil)
	pooledSnap.Jobs[0].Pool, pooledSnap.Jobs[0].PoolSlots, pooledSnap.Jobs[0].Priority = "db", 1, 1
	poolGrant := func(ctx context.Context, h *Harness, id string) error {
		time.Sleep(500 * time.Millisecond)
		Granted.Store(id+"/a", true)
		return h.Client.SignalWorkflow(ctx, id, "", workflows.SignalPoolGranted, workflows.PoolGranted{JobID: "a"})
	}

	// APPROVAL (approval.go): gate waits, an approver approves it, then
	// after runs.
	approvalSnap := scripted([]string{"gate", "after"}, nil, [2]string{"gate", "after"})
	approvalSnap.Jobs[0].Type = jobflow.JobApproval
	approvalSnap.Jobs[0].Config = []byte(`{"approvers":{"roles":["TENANT_ADMIN"],"users":[]},"timeoutSeconds":3600,"onTimeout":"REJECT","message":"go?"}`)
	approveGate := func(ctx context.Context, h *Harness, id string) error {
		time.Sleep(500 * time.Millisecond)
		u, err := h.Client.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
			WorkflowID: id, UpdateName: workflows.UpdateApprove, WaitForStage: client.WorkflowUpdateStageCompleted,
			Args: []any{workflows.ApprovalDecision{JobID: "gate", Approve: true, By: "recorder", Comment: "fine"}},
		})
		if err != nil {
			return err
		}
		return u.Get(ctx, nil)
	}

	// A baseline's boost (boost.go): while a sleeps, b and c are raised to
	// priority key 1, so their activities carry it.
	boostBC := func(ctx context.Context, h *Harness, id string) error {
		time.Sleep(100 * time.Millisecond)
		return h.Client.SignalWorkflow(ctx, id, "", workflows.SignalBoost, workflows.Boost{JobIDs: []string{"b", "c"}, PriorityKey: 1})
	}

	return []scenario{
		// A baseline's watch (workflows/baseline.go): WARNING, then MET at
		// the next check, then the next date, whose check finds the
		// baseline deleted (record_baseline.go).
		{name: "baseline-watch", workflow: workflows.BaselineName, input: workflows.BaselineInput{TenantID: "t1", BaselineID: "bl_rec",
			Date: "2026-12-01", CheckEvery: time.Second}},
		{name: "baseline-boost", in: in(scripted([]string{"a", "b", "c"}, map[string]string{"a": "sleep"}, [2]string{"a", "b"}, [2]string{"b", "c"})),
			during: boostBC},
		{name: "concurrency-queued", in: in(queuedSnap), during: grant},
		{name: "approval", in: in(approvalSnap), during: approveGate},
		{name: "pool-wait", in: in(pooledSnap), during: poolGrant},
		{name: "calendar-dry-run", in: dryRunIn},
		{name: "schedule-dropped", in: droppedIn},
		{name: "success-diamond", in: in(scripted(abcde, nil, diamond...))},
		{name: "continue-failure", in: in(scripted(abcde, map[string]string{"b": "fail"}, diamond...))},
		{name: "end-strategy", in: in(end)},
		{name: "abort", in: in(scripted([]string{"a", "b", "c"}, map[string]string{"a": "block", "c": "block"}, [2]string{"a", "b"})),
			during: cancelAfter(500 * time.Millisecond)},
		{name: "break", in: in(scripted([]string{"a", "b", "c", "d"}, map[string]string{"a": "sleep"}, [2]string{"a", "b"}, [2]string{"b", "c"}, [2]string{"a", "d"})),
			during: breakAfter(100*time.Millisecond, "b")},
		{name: "discrete-wait", in: in(discrete), logicalIn: 2 * time.Second},
		{name: "rerun-failed", in: rerun},
		{name: "continue-as-new", in: in(chain)},
		{name: "snapshot-ref", in: in(chain), byRef: true},
		{name: "outputs", in: in(outputs)},
		{name: "outputs-rerun", in: outputsRerun},
		{name: "trigger-rules", in: in(rules)},
		{name: "condition", in: in(cond)},
		{name: "condition-budget", in: in(condBudget)},
		{name: "disabled-nodes", in: in(disabled)},
		{name: "mark-success", in: in(scripted([]string{"a", "b", "s"}, map[string]string{"a": "fail", "s": "sleep"}, [2]string{"a", "b"})),
			during: markA},
		{name: "pause-resume", in: in(scripted([]string{"a", "b", "c"}, map[string]string{"a": "sleep"}, [2]string{"a", "b"}, [2]string{"b", "c"})),
			during: pauseResume},
		{name: "dependent", in: in(dependent), during: upstreamEnds},
		// SUBFLOW: a child that succeeds (its outputs read downstream), one
		// that fails, and an abort that reaches a blocked child (subflow.go).
		{name: "subflow", in: in(subflowParent(SubflowChildOK))},
		{name: "subflow-fail", in: in(subflowParent(SubflowChildFail))},
		{name: "subflow-abort", in: in(subflowParent(SubflowChildBlock)), during: cancelAfter(time.Second)},
		// Timeouts: a WARN_AND_FAIL job stopped by FlowRun's timer, and a
		// run stopped at its maximum duration (timeouts.go).
		{name: "job-timeout-warn-and-fail", in: in(timeoutSnap(jobflow.TimeoutWarnAndFail, 0, ""))},
		{name: "max-duration-fail", in: in(timeoutSnap("", 1, jobflow.OnMaxDurationFail))},
		// FOREACH: five items, one failing within the tolerance, the
		// ForEach child recorded too; and an abort that reaches the items.
		{name: "foreach", in: in(forEachParent(ForEachItemsOK)), children: forEachChild},
		{name: "foreach-abort", in: in(forEachParent(ForEachItemsBlock)), during: cancelAfter(time.Second), children: forEachChild},
	}
}

// RecordHistories runs every scenario (or those named in only) and writes
// each execution's history as JSON into dir (<scenario>.json, and
// <scenario>-<n>.json for the executions after a continue-as-new).
func (h *Harness) RecordHistories(ctx context.Context, dir string, only ...string) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	var files []string
	for _, sc := range scenarios() {
		if len(only) > 0 && !slices.Contains(only, sc.name) {
			continue
		}
		id := nextID("rec-" + sc.name)
		sc.in.RunID = id
		if sc.byRef {
			h.keep(id, sc.in.Snapshot)
			sc.in.Snapshot, sc.in.SnapshotRef = workflows.SnapshotHeader(sc.in.Snapshot), &workflows.SnapshotRef{TenantID: sc.in.Snapshot.TenantID, RunID: id}
		}
		if sc.logicalIn > 0 {
			sc.in.LogicalTime = time.Now().UTC().Add(sc.logicalIn).Truncate(time.Second)
		}
		name, input := workflows.FlowRunName, any(sc.in)
		if sc.workflow != "" {
			name, input = sc.workflow, sc.input
		}
		run, err := h.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: TaskQueue}, name, input)
		if err != nil {
			return files, err
		}
		runID := run.GetRunID() // the first execution's: Get follows continue-as-new
		if sc.during != nil {
			if err := sc.during(ctx, h, id); err != nil {
				return files, fmt.Errorf("%s: %w", sc.name, err)
			}
		}
		_ = run.Get(ctx, nil) // failed and aborted runs are recorded too
		written, err := h.writeHistories(ctx, dir, sc.name, id, runID)
		files = append(files, written...)
		if err != nil {
			return files, err
		}
		for _, suffix := range slices.Sorted(maps.Keys(sc.children)) {
			written, err := h.writeHistories(ctx, dir, sc.name+"-"+sc.children[suffix], id+suffix, "")
			files = append(files, written...)
			if err != nil {
				return files, err
			}
		}
	}
	return files, nil
}

// writeHistories writes the history of workflow id from execution runID
// ("" for its latest) on, one file per execution.
func (h *Harness) writeHistories(ctx context.Context, dir, name, id, runID string) ([]string, error) {
	var files []string
	for n := 0; n == 0 || runID != ""; n++ {
		hist, next, err := h.history(ctx, id, runID)
		if err != nil {
			return files, err
		}
		file := name + ".json"
		if n > 0 {
			file = fmt.Sprintf("%s-%d.json", name, n)
		}
		b, err := temporalproto.CustomJSONMarshalOptions{Indent: " "}.Marshal(hist)
		if err != nil {
			return files, err
		}
		path := filepath.Join(dir, file)
		if err := os.WriteFile(path, b, 0o644); err != nil {
			return files, err
		}
		files = append(files, path)
		runID = next
	}
	return files, nil
}

// history returns one execution's history and the run id it continued as,
// if it did.
func (h *Harness) history(ctx context.Context, id, runID string) (*historypb.History, string, error) {
	hist := &historypb.History{}
	it := h.Client.GetWorkflowHistory(ctx, id, runID, false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() {
		e, err := it.Next()
		if err != nil {
			return nil, "", err
		}
		hist.Events = append(hist.Events, e)
	}
	next := ""
	if n := len(hist.Events); n > 0 {
		if a := hist.Events[n-1].GetWorkflowExecutionContinuedAsNewEventAttributes(); a != nil {
			next = a.GetNewExecutionRunId()
		}
	}
	return hist, next, nil
}

// Child workflows of the SUBFLOW scenarios (see PrepareSubflow).
const (
	SubflowChildOK    = "child-ok"
	SubflowChildFail  = "child-fail"
	SubflowChildBlock = "child-block"
)

// subflowParent is a -> sub -> b, sub running workflow child, b reading
// the child's output x of job "job x".
func subflowParent(child string) jobflow.Snapshot {
	s := scripted([]string{"a", "sub", "b"}, nil, [2]string{"a", "sub"}, [2]string{"sub", "b"})
	s.Jobs[1] = jobflow.Job{ID: "sub", Name: "sub", Type: jobflow.JobSubflow, Config: []byte(`{"workflowId":"` + child + `"}`)}
	s.Jobs[2].Config = []byte(`{"script":"echo ${outputs.sub.job x.x}"}`)
	return s
}

// PrepareSubflow stands in for the real one: the child runs a snapshot
// chosen by the target's id (x then y; y fails or blocks as named).
func PrepareSubflow(_ context.Context, in workflows.PrepareSubflowInput) (workflows.FlowRunInput, error) {
	var cfg jobtypes.SubflowConfig
	_ = json.Unmarshal(in.Job.Config, &cfg)
	scripts := map[string]string{"x": "outputs"}
	switch cfg.WorkflowID {
	case SubflowChildFail:
		scripts["y"] = "fail"
	case SubflowChildBlock:
		scripts["y"] = "block"
	}
	snap := scripted([]string{"x", "y"}, scripts, [2]string{"x", "y"})
	snap.WorkflowID, snap.WorkflowName = cfg.WorkflowID, cfg.WorkflowID
	return workflows.FlowRunInput{RunID: in.ChildRunID, Snapshot: snap, Params: map[string]string{}, LogicalTime: in.LogicalTime,
		Trigger: jobflow.TriggerSubflow, TaskQueue: in.TaskQueue, ParentRunID: in.Node.RunID, ParentJobID: in.Job.ID,
		Depth: in.Depth, Ancestors: in.Ancestors}, nil
}

// EndSubflow stands in for the real one: the child's outputs are those
// its job x sets.
func EndSubflow(_ context.Context, in workflows.EndSubflowInput) (map[string]string, error) {
	if in.Node.Status != jobflow.NodeSuccess {
		return nil, nil
	}
	out := map[string]string{"runId": in.ChildRunID}
	if in.Outputs {
		out["job x.x"] = "1"
	}
	return out, nil
}

// RunAt stands in for the real one: the recorded scenarios' first
// occurrences always have a run, so a dropped second occurrence stays
// dropped.
func RunAt(_ context.Context, _ workflows.RunAtInput) (bool, error) { return true, nil }
