package metrics

import (
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.temporal.io/sdk/client"
)

// SDKHandler exports the Temporal SDK's metrics (worker pollers and slots,
// task latencies, requests, sticky cache, …: the temporal_* names of the
// SDK) into reg, for client.Options.MetricsHandler. Counters and gauges
// keep the SDK's names; timers become histograms in seconds. A metric's
// label names are fixed by its first use, as Prometheus requires.
func SDKHandler(reg prometheus.Registerer) client.MetricsHandler {
	return &sdkHandler{v: &sdkVecs{reg: reg, vecs: map[string]*sdkVec{}}}
}

type sdkVecs struct {
	reg  prometheus.Registerer
	mu   sync.Mutex
	vecs map[string]*sdkVec
}

type sdkVec struct {
	labels  []string
	counter *prometheus.CounterVec
	gauge   *prometheus.GaugeVec
	timer   *prometheus.HistogramVec
}

type sdkHandler struct {
	v    *sdkVecs
	tags map[string]string
}

func (h *sdkHandler) WithTags(tags map[string]string) client.MetricsHandler {
	merged := maps.Clone(h.tags)
	if merged == nil {
		merged = map[string]string{}
	}
	maps.Copy(merged, tags)
	return &sdkHandler{v: h.v, tags: merged}
}

// vec returns the metric name of kind, made on first use with the label
// names of the tags it is first used with.
func (h *sdkHandler) vec(name, kind string) *sdkVec {
	h.v.mu.Lock()
	defer h.v.mu.Unlock()
	if v, ok := h.v.vecs[name]; ok {
		return v
	}
	labels := slices.Sorted(maps.Keys(h.tags))
	for i, l := range labels {
		labels[i] = labelName(l)
	}
	v := &sdkVec{labels: labels}
	help := "Temporal SDK metric " + name
	var c prometheus.Collector
	switch kind {
	case "counter":
		v.counter = prometheus.NewCounterVec(prometheus.CounterOpts{Name: name, Help: help}, labels)
		c = v.counter
	case "gauge":
		v.gauge = prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: name, Help: help}, labels)
		c = v.gauge
	default:
		v.timer = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: name, Help: help + " (seconds)",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60}}, labels)
		c = v.timer
	}
	if err := h.v.reg.Register(c); err != nil {
		// The same name as another kind, or taken: record into a detached
		// collector rather than fail the SDK.
		if are, ok := err.(prometheus.AlreadyRegisteredError); ok {
			switch existing := are.ExistingCollector.(type) {
			case *prometheus.CounterVec:
				v.counter = existing
			case *prometheus.GaugeVec:
				v.gauge = existing
			case *prometheus.HistogramVec:
				v.timer = existing
			}
		}
	}
	h.v.vecs[name] = v
	return v
}

// values are the tag values for the vec's label names ("" for missing tags).
func (h *sdkHandler) values(v *sdkVec) []string {
	out := make([]string, len(v.labels))
	for k, val := range h.tags {
		if i := slices.Index(v.labels, labelName(k)); i >= 0 {
			out[i] = val
		}
	}
	return out
}

type counterFunc func(int64)

func (f counterFunc) Inc(n int64) { f(n) }

type gaugeFunc func(float64)

func (f gaugeFunc) Update(x float64) { f(x) }

type timerFunc func(time.Duration)

func (f timerFunc) Record(d time.Duration) { f(d) }

func (h *sdkHandler) Counter(name string) client.MetricsCounter {
	v := h.vec(name, "counter")
	if v.counter == nil {
		return counterFunc(func(int64) {})
	}
	c := v.counter.WithLabelValues(h.values(v)...)
	return counterFunc(func(n int64) { c.Add(float64(n)) })
}

func (h *sdkHandler) Gauge(name string) client.MetricsGauge {
	v := h.vec(name, "gauge")
	if v.gauge == nil {
		return gaugeFunc(func(float64) {})
	}
	g := v.gauge.WithLabelValues(h.values(v)...)
	return gaugeFunc(g.Set)
}

func (h *sdkHandler) Timer(name string) client.MetricsTimer {
	v := h.vec(name, "timer")
	if v.timer == nil {
		return timerFunc(func(time.Duration) {})
	}
	o := v.timer.WithLabelValues(h.values(v)...)
	return timerFunc(func(d time.Duration) { o.Observe(d.Seconds()) })
}

// labelName makes a tag key a valid Prometheus label name.
func labelName(k string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' {
			return r
		}
		return '_'
	}, k)
}
