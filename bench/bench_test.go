package bench

import (
	"context"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/converter"

	"jobflow/internal/testtier"
)

// The harness runs both workflows of a shape to success on the in-process
// server, and the same activities: FlowRun schedules one activity per node
// like the hand-written one.
func TestHarness_Shapes(t *testing.T) {
	testtier.Long(t, "the benchmark harness (a Temporal server of its own, minutes)")
	h, err := Start(Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Stop()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	for _, s := range []Shape{Chain(5), FanOutIn(10), Layered(60, 10, 1)} {
		t.Run(s.Name, func(t *testing.T) {
			_, fid, err := h.RunFlow(ctx, s.Snapshot)
			if err != nil {
				t.Fatal(err)
			}
			_, hid, err := h.RunHand(ctx, s)
			if err != nil {
				t.Fatal(err)
			}
			fe, _, _, err := h.HistoryStats(ctx, fid)
			if err != nil {
				t.Fatal(err)
			}
			he, _, _, err := h.HistoryStats(ctx, hid)
			if err != nil {
				t.Fatal(err)
			}
			checkActivities(t, h, fid, s)
			// Each activity adds 3 events to either history.
			if fe < 3*len(s.Snapshot.Jobs) || he < 3*len(s.Snapshot.Jobs) {
				t.Errorf("FlowRun history %d events, hand-written %d: want at least 3 per job (%d jobs)", fe, he, len(s.Snapshot.Jobs))
			}
		})
	}
}

// A 2,000-job DAG runs to completion on a real Temporal server within its
// history limits: FlowRun continues as new when the server suggests it
// (at 4,096 events by default) and the run still ends SUCCESS with every
// node.
func TestFlowRun_2000NodesOnServer(t *testing.T) {
	testtier.Long(t, "the benchmark harness (a Temporal server of its own, minutes)")
	h, err := Start(Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Stop()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	snap := Layered(2000, 100, 7).Snapshot
	_, ids, err := h.RunFlow(ctx, snap) // checks SUCCESS and 2,000 nodes
	if err != nil {
		t.Fatal(err)
	}
	events, _, executions, err := h.HistoryStats(ctx, ids)
	if err != nil {
		t.Fatal(err)
	}
	if executions < 2 {
		t.Errorf("%d events in %d execution(s): want continue-as-new past the suggested 4,096 events", events, executions)
	}
	t.Logf("2,000 jobs: %d events in %d executions", events, executions)
}

// checkActivities: FlowRun schedules one activity per job, its id the job
// id and its summary (shown in the Web UI) the job name.
func checkActivities(t *testing.T, h *Harness, ids [2]string, s Shape) {
	t.Helper()
	hist, _, err := h.history(context.Background(), ids[0], ids[1])
	if err != nil {
		t.Fatal(err)
	}
	names := make(map[string]string, len(s.Snapshot.Jobs))
	for _, j := range s.Snapshot.Jobs {
		names[j.ID] = j.Name
	}
	seen := 0
	for _, e := range hist.Events {
		if e.GetEventType() != enumspb.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED {
			continue
		}
		seen++
		id := e.GetActivityTaskScheduledEventAttributes().GetActivityId()
		var summary string
		if err := converter.GetDefaultDataConverter().FromPayload(e.GetUserMetadata().GetSummary(), &summary); err != nil {
			t.Fatal(err)
		}
		if names[id] == "" || summary != names[id] {
			t.Errorf("activity id %q with summary %q: want a job id and its name", id, summary)
		}
	}
	if seen != len(s.Snapshot.Jobs) {
		t.Errorf("%d activities scheduled, want one per job (%d)", seen, len(s.Snapshot.Jobs))
	}
}
