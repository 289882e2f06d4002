// Package metrics holds jobflow's domain metrics (runs, jobs, schedules,
// alarms, invokes, reconciliation) and an adapter that exports the Temporal
// SDK's own worker and client metrics, all into one Prometheus registry per
// process, served on /metrics (the API's address, or JOBFLOW_METRICS_ADDR in
// worker mode). Every method is safe on a nil *Metrics, so components built
// without metrics (most tests) need no special case.
package metrics

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are jobflow's domain metrics.
type Metrics struct {
	runsStarted, runsFinished *prometheus.CounterVec
	runDuration               *prometheus.HistogramVec
	jobDuration, jobWait      *prometheus.HistogramVec
	scheduleLateness          prometheus.Histogram
	alarmSends, invokes       *prometheus.CounterVec
	reconciler                *prometheus.CounterVec
}

// Names are the domain metrics' names, for the dashboard test.
var Names = []string{
	"jobflow_runs_started_total", "jobflow_runs_finished_total", "jobflow_run_duration_seconds",
	"jobflow_job_duration_seconds", "jobflow_job_wait_seconds", "jobflow_schedule_lateness_seconds",
	"jobflow_alarm_sends_total", "jobflow_invokes_total", "jobflow_reconciler_actions_total",
}

// New registers the metrics in reg.
func New(reg prometheus.Registerer) *Metrics {
	long := []float64{.1, .5, 1, 5, 15, 60, 300, 900, 3600, 4 * 3600, 24 * 3600}
	short := []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30}
	m := &Metrics{
		runsStarted: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "jobflow_runs_started_total", Help: "Runs started, by trigger."}, []string{"trigger"}),
		runsFinished: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "jobflow_runs_finished_total", Help: "Runs finished, by trigger and final status."}, []string{"trigger", "status"}),
		runDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "jobflow_run_duration_seconds", Help: "Run duration from start to end, by trigger and status.", Buckets: long},
			[]string{"trigger", "status"}),
		jobDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "jobflow_job_duration_seconds", Help: "Job (node run attempt) duration, by job type and status.", Buckets: long},
			[]string{"type", "status"}),
		jobWait: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "jobflow_job_wait_seconds", Help: "Time a ready job waited for a worker (activity scheduled → started), by job type.", Buckets: short},
			[]string{"type"}),
		scheduleLateness: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "jobflow_schedule_lateness_seconds", Help: "Scheduled runs: fire time → the run's start record.", Buckets: short}),
		alarmSends: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "jobflow_alarm_sends_total", Help: "Alarm send attempts, by channel type and result (SENT, FAILED)."}, []string{"channel", "result"}),
		invokes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "jobflow_invokes_total", Help: "External invocations, by result (accepted, or the refusal's error code)."}, []string{"result"}),
		reconciler: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "jobflow_reconciler_actions_total", Help: "Reconciler actions, by what (schedule, run) and action."}, []string{"what", "action"}),
	}
	reg.MustRegister(m.runsStarted, m.runsFinished, m.runDuration, m.jobDuration, m.jobWait,
		m.scheduleLateness, m.alarmSends, m.invokes, m.reconciler)
	return m
}

// RunStarted counts a run's start; a scheduled run's lateness is observed.
func (m *Metrics) RunStarted(trigger string, lateness time.Duration, scheduled bool) {
	if m == nil {
		return
	}
	m.runsStarted.WithLabelValues(trigger).Inc()
	if scheduled {
		m.scheduleLateness.Observe(max(lateness, 0).Seconds())
	}
}

// RunFinished counts a run's end with its duration.
func (m *Metrics) RunFinished(trigger, status string, d time.Duration) {
	if m == nil {
		return
	}
	m.runsFinished.WithLabelValues(trigger, status).Inc()
	m.runDuration.WithLabelValues(trigger, status).Observe(max(d, 0).Seconds())
}

// JobWaited observes how long a ready job waited for a worker.
func (m *Metrics) JobWaited(typ string, d time.Duration) {
	if m == nil {
		return
	}
	m.jobWait.WithLabelValues(typ).Observe(max(d, 0).Seconds())
}

// JobFinished observes one attempt of a job.
func (m *Metrics) JobFinished(typ, status string, d time.Duration) {
	if m == nil {
		return
	}
	m.jobDuration.WithLabelValues(typ, status).Observe(max(d, 0).Seconds())
}

// AlarmSent counts one alarm send attempt.
func (m *Metrics) AlarmSent(channel, result string) {
	if m == nil {
		return
	}
	m.alarmSends.WithLabelValues(channel, result).Inc()
}

// Invoked counts an external invocation: "accepted" or the error code.
func (m *Metrics) Invoked(result string) {
	if m == nil {
		return
	}
	m.invokes.WithLabelValues(result).Inc()
}

// Reconciled counts reconciler actions (n at once). A pass that did
// nothing still makes the series, so "0 so far" is visible as such.
func (m *Metrics) Reconciled(what, action string, n int) {
	if m == nil {
		return
	}
	c := m.reconciler.WithLabelValues(what, action)
	if n > 0 {
		c.Add(float64(n))
	}
}
