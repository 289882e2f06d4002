package metrics

import (
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

// TestSDKHandler: counters add up per tag set, a later use with other tag
// keys neither panics nor loses the count, timers are seconds, and a nil
// *Metrics is a no-op.
func TestSDKHandler(t *testing.T) {
	reg := prometheus.NewRegistry()
	root := SDKHandler(reg)
	h := root.WithTags(map[string]string{"namespace": "default", "task-queue": "jobflow"})
	h.Counter("temporal_request").Inc(2)
	h.WithTags(map[string]string{"operation": "Poll"}).Counter("temporal_request").Inc(3) // an extra key: dropped
	root.Counter("temporal_request").Inc(1)                                               // fewer keys: "" values, same family
	h.Timer("temporal_request_latency").Record(1500 * time.Millisecond)
	h.Gauge("temporal_num_pollers").Update(4)

	want := `
# HELP temporal_request Temporal SDK metric temporal_request
# TYPE temporal_request counter
temporal_request{namespace="",task_queue=""} 1
temporal_request{namespace="default",task_queue="jobflow"} 5
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "temporal_request"); err != nil {
		t.Fatal(err)
	}
	// GatherAndCompare filters both sides by the names given, so a family
	// missing from both (a renamed metric) would compare equal: count it.
	if n, err := testutil.GatherAndCount(reg, "temporal_request"); err != nil || n != 2 {
		t.Fatalf("temporal_request series = %d, %v; want 2", n, err)
	}
	if got := testutil.ToFloat64(prometheus.Collector(mustGauge(t, reg))); got != 4 {
		t.Fatalf("gauge = %v", got)
	}
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, mf := range mfs {
		if mf.GetName() == "temporal_request_latency" {
			found = true
			h := mf.GetMetric()[0].GetHistogram()
			if h.GetSampleSum() != 1.5 || h.GetSampleCount() != 1 {
				t.Fatalf("timer sum = %v s over %d samples, want 1.5 s over 1", h.GetSampleSum(), h.GetSampleCount())
			}
		}
	}
	if !found {
		t.Fatal("no temporal_request_latency family: the timer was not recorded")
	}
	var m *Metrics
	m.RunStarted("MANUAL", time.Second, true) // no panic
	m.Reconciled("schedule", "created", 1)
}

func mustGauge(t *testing.T, reg *prometheus.Registry) prometheus.Collector {
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == "temporal_num_pollers" {
			g := prometheus.NewGauge(prometheus.GaugeOpts{Name: "copy"})
			g.Set(mf.GetMetric()[0].GetGauge().GetValue())
			return g
		}
	}
	t.Fatal("no temporal_num_pollers")
	return nil
}
