package jobflow

import (
	"fmt"
	"slices"
	"sort"
	"time"
)

// Prediction is a live run's predicted finish (docs/baselines.md#prediction):
// the longest remaining path through what is left of its DAG, each job
// taking the p50 (FinishAt) or p90 (FinishAtP90) of its recent successful
// durations, after the p50 or p90 of its recent queue waits. It is
// computed when the run is read, so it follows the nodes as they end.
type Prediction struct {
	// FinishAt is nil when some job left to run has no history; Basis
	// then says which.
	FinishAt    *time.Time `json:"finishAt,omitempty" doc:"predicted end from each job's p50 duration and wait; absent when a job left to run has no history"`
	FinishAtP90 *time.Time `json:"finishAtP90,omitempty" doc:"the pessimistic end, from the p90s"`
	// CriticalPath is the chain of jobs not yet ended that decides
	// FinishAt, first to last.
	CriticalPath []string `json:"criticalPath" doc:"job ids not yet ended that decide finishAt, first to last"`
	Basis        string   `json:"basis" doc:"what the prediction rests on, or why there is none"`
	// Jobs are the predicted bars of the jobs not yet ended (p50), for
	// the run view's Gantt chart.
	Jobs []PredictedJob `json:"jobs,omitempty" doc:"predicted bars of the jobs not yet ended (p50)"`
}

// PredictedJob is when a job not yet ended is predicted to start and end.
type PredictedJob struct {
	JobID    string    `json:"jobId"`
	StartAt  time.Time `json:"startAt"`
	FinishAt time.Time `json:"finishAt"`
	// Via is the parent not yet ended whose end decides the start, if any.
	Via string `json:"via,omitempty" doc:"the parent not yet ended whose end decides the start"`
}

// PathTo is the chain of predicted jobs that ends at job id, first to
// last (empty when id is not predicted).
func (p *Prediction) PathTo(id string) []string {
	by := make(map[string]PredictedJob, len(p.Jobs))
	for _, j := range p.Jobs {
		by[j.JobID] = j
	}
	var path []string
	for j, ok := by[id]; ok && len(path) <= len(p.Jobs); j, ok = by[j.Via] {
		path = append(path, j.JobID)
	}
	slices.Reverse(path)
	return path
}

// JobStats sums up a job's recent successful runs.
type JobStats struct {
	Samples  int
	P50, P90 time.Duration // run time, start to end
	// WaitP50 and WaitP90 are the queue wait: from the moment its last
	// parent ended (or its run started) to its own start.
	WaitP50, WaitP90 time.Duration
}

// PredictionSamples is how many recent successful runs of a job its
// statistics are taken over.
const PredictionSamples = 10

// RunTiming is a past run as the statistics see it.
type RunTiming struct {
	StartedAt   time.Time
	EndedAt     *time.Time
	LogicalTime time.Time
	Status      RunStatus
	Nodes       []*NodeRun
}

// JobStatsFrom computes each job's statistics from past runs, newest
// first, over at most PredictionSamples successful runs of the job.
// parents maps a job to its parents on today's canvas.
func JobStatsFrom(history []RunTiming, parents map[string][]string) map[string]JobStats {
	durs := map[string][]time.Duration{}
	waits := map[string][]time.Duration{}
	for _, h := range history {
		ends := make(map[string]time.Time, len(h.Nodes))
		for _, n := range h.Nodes {
			if n.EndedAt != nil {
				ends[n.JobID] = *n.EndedAt
			}
		}
		for _, n := range h.Nodes {
			if n.Status != NodeSuccess || n.StartedAt == nil || n.EndedAt == nil || len(durs[n.JobID]) >= PredictionSamples {
				continue
			}
			durs[n.JobID] = append(durs[n.JobID], n.EndedAt.Sub(*n.StartedAt))
			ready := h.StartedAt
			for _, p := range parents[n.JobID] {
				if e, ok := ends[p]; ok && e.After(ready) {
					ready = e
				}
			}
			waits[n.JobID] = append(waits[n.JobID], max(0, n.StartedAt.Sub(ready)))
		}
	}
	out := make(map[string]JobStats, len(durs))
	for id, d := range durs {
		out[id] = JobStats{Samples: len(d), P50: Percentile(d, 50), P90: Percentile(d, 90),
			WaitP50: Percentile(waits[id], 50), WaitP90: Percentile(waits[id], 90)}
	}
	return out
}

// Percentile is the nearest-rank percentile p of d (which it sorts), 0
// for none.
func Percentile(d []time.Duration, p int) time.Duration {
	if len(d) == 0 {
		return 0
	}
	slices.Sort(d)
	i := (p*len(d)+99)/100 - 1
	return d[max(0, min(i, len(d)-1))]
}

// Predict predicts when the live run r ends, as seen at now, from its
// nodes and edges and the statistics of its jobs. A job that will not run
// (a parent failed, was aborted or not selected) is left out.
func Predict(r *Run, stats map[string]JobStats, now time.Time) *Prediction {
	ids, parents := runGraph(r)
	nodes := make(map[string]*NodeRun, len(r.Nodes))
	for _, n := range r.Nodes {
		nodes[n.JobID] = n
	}
	p := &Prediction{CriticalPath: []string{}}
	type est struct {
		skip              bool
		start, end, end90 time.Time
		via               string // the parent that decided start
		done              bool
	}
	e := make(map[string]*est, len(ids))
	runStart := r.StartedAt
	if r.Status == RunQueued || runStart.IsZero() {
		runStart = now
	}
	var missing []string
	for _, id := range ids { // topological order
		n := nodes[id]
		x := &est{}
		e[id] = x
		if n != nil && n.Status.Done() {
			x.done, x.skip = true, !n.Status.Satisfied()
			x.end = now
			if n.EndedAt != nil {
				x.end = *n.EndedAt
			}
			x.end90 = x.end
			continue
		}
		ready, ready90 := runStart, runStart
		for _, par := range parents[id] {
			pe := e[par]
			if pe.skip {
				x.skip = true
				break
			}
			if pe.end.After(ready) {
				ready, x.via = pe.end, par
			}
			if pe.end90.After(ready90) {
				ready90 = pe.end90
			}
		}
		if x.skip {
			continue
		}
		st, ok := stats[id]
		if !ok || st.Samples == 0 {
			missing = append(missing, id)
			continue
		}
		if n != nil && n.Status == NodeRunning && n.StartedAt != nil {
			x.start = *n.StartedAt
			x.end = later(x.start.Add(st.P50), now)
			x.end90 = later(x.start.Add(st.P90), now)
		} else {
			x.start = later(ready.Add(st.WaitP50), now)
			x.end = x.start.Add(st.P50)
			x.end90 = later(ready90.Add(st.WaitP90), now).Add(st.P90)
		}
		via := x.via
		if via != "" && e[via].done {
			via = ""
		}
		p.Jobs = append(p.Jobs, PredictedJob{JobID: id, StartAt: x.start, FinishAt: x.end, Via: via})
	}
	if len(missing) > 0 {
		p.Jobs = nil
		p.Basis = fmt.Sprintf("no prediction: %d job(s) left to run have no successful run yet (%s)", len(missing), clipList(missing, 5))
		return p
	}
	// The run ends when its last job does; the critical path runs back
	// from that job through the parents that decided each start.
	var last string
	finish, finish90 := now, now
	for _, id := range ids {
		x := e[id]
		if x.skip || x.done {
			continue
		}
		if x.end.After(finish) || last == "" {
			if x.end.After(finish) {
				finish = x.end
			}
			last = id
		}
		if x.end90.After(finish90) {
			finish90 = x.end90
		}
	}
	for id := last; id != "" && !e[id].done; id = e[id].via {
		p.CriticalPath = append(p.CriticalPath, id)
	}
	slices.Reverse(p.CriticalPath)
	p.FinishAt, p.FinishAtP90 = &finish, &finish90
	p.Basis = fmt.Sprintf("p50 and p90 of up to %d recent successful runs of each job left to run (%d)", PredictionSamples, len(p.Jobs))
	return p
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func clipList(ids []string, n int) string {
	if len(ids) <= n {
		return fmt.Sprint(ids)
	}
	return fmt.Sprintf("%v and %d more", ids[:n], len(ids)-n)
}

// runGraph returns r's job ids in a topological order of its edges (ties
// by id, so the order is stable) and each job's parents.
func runGraph(r *Run) ([]string, map[string][]string) {
	g := Canvas{Edges: r.Edges}
	parents, children := g.Parents(), g.Children()
	seen := map[string]bool{}
	var ids []string
	add := func(id string) {
		if !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	for _, n := range r.Nodes {
		add(n.JobID)
	}
	for _, ed := range r.Edges {
		add(ed.From)
		add(ed.To)
	}
	sort.Strings(ids)
	indeg := make(map[string]int, len(ids))
	for _, id := range ids {
		indeg[id] = len(parents[id])
	}
	var order, ready []string
	for _, id := range ids {
		if indeg[id] == 0 {
			ready = append(ready, id)
		}
	}
	for len(ready) > 0 {
		id := ready[0]
		ready = ready[1:]
		order = append(order, id)
		for _, c := range children[id] {
			if indeg[c]--; indeg[c] == 0 {
				ready = append(ready, c)
			}
		}
	}
	return order, parents
}
