package bench

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"

	"jobflow/internal/testtier"
)

// What FlowRun adds to a run's history over the hand-written workflow, on
// a real server: a one-job run adds only its two RecordRun markers (start
// and end); the "outputs" version marker and its search-attribute upsert
// come only with a job that names another job's outputs.
func TestFlowRun_EventsOverHandWritten(t *testing.T) {
	testtier.Long(t, "the benchmark harness (a Temporal server of its own, minutes)")
	h, err := Start(Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Stop()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	one := Chain(1)
	_, fid, err := h.RunFlow(ctx, one.Snapshot)
	if err != nil {
		t.Fatal(err)
	}
	_, hid, err := h.RunHand(ctx, one)
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
	// A manual one-job run's start and end records are written by RunJob
	// (workflows/endrecord.go): its history is the hand-written one's.
	if fe != he {
		t.Errorf("one job: FlowRun history %d events, hand-written %d: want as many", fe, he)
	}
	if m := markers(t, h, fid); len(m) != 0 {
		t.Errorf("one job: markers %v, want none", m)
	}

	two := Chain(2)
	two.Snapshot.Jobs[0].Name = "a"
	two.Snapshot.Jobs[1].Config = json.RawMessage(`{"script":"echo ${outputs.a.x}"}`)
	_, fid, err = h.RunFlow(ctx, two.Snapshot)
	if err != nil {
		t.Fatal(err)
	}
	if m := markers(t, h, fid); m["Version"] != 1 {
		t.Errorf("a job naming another's outputs: markers %v, want one Version (outputs)", m)
	}
}

// markers counts a workflow's marker events by marker name.
func markers(t *testing.T, h *Harness, ids [2]string) map[string]int {
	t.Helper()
	hist, _, err := h.history(context.Background(), ids[0], ids[1])
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for _, e := range hist.Events {
		if e.GetEventType() == enumspb.EVENT_TYPE_MARKER_RECORDED {
			out[e.GetMarkerRecordedEventAttributes().GetMarkerName()]++
		}
	}
	return out
}
