package main

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"jobflow"
)

// jobflowStorm creates n workflows of one SHELL job `true`, publishes them
// on a cron that fires once, on the same second, waits for their runs and
// takes the workflows offline again.
func (e *env) jobflowStorm(ctx context.Context, n, round int) (result, error) {
	begin := time.Now()
	tn := &jobflow.Tenant{Name: fmt.Sprintf("storm-%d", round), MaxWorkflows: n + 10}
	if err := e.st.CreateTenant(ctx, tn); err != nil {
		return result{}, err
	}
	ids := make([]string, n)
	for i := range ids {
		w := &jobflow.Workflow{TenantID: tn.ID, Name: fmt.Sprintf("storm-%04d", i), CreatedBy: "bench"}
		if err := e.st.CreateWorkflow(ctx, w, n+10); err != nil {
			return result{}, err
		}
		j := &jobflow.Job{TenantID: tn.ID, WorkflowID: w.ID, Name: "a", Type: jobflow.JobShell, Config: json.RawMessage(`{"script":"true"}`)}
		if err := e.st.CreateJob(ctx, j); err != nil {
			return result{}, err
		}
		if _, err := e.st.SaveCanvas(ctx, tn.ID, w.ID, jobflow.Canvas{Nodes: []jobflow.CanvasNode{{JobID: j.ID}}}, w.Revision, "bench"); err != nil {
			return result{}, err
		}
		ids[i] = w.ID
	}
	// Publishing went at 65 a second on a quiet machine; a storm whose
	// publishing ends after its fire time is taken offline and tried again
	// later, with twice the estimate.
	est := time.Duration(n) * 50 * time.Millisecond
	var fire time.Time
	var res result
	for attempt := 1; ; attempt++ {
		fire = e.fireTime(est)
		cfg := jobflow.DefaultConfig()
		cfg.Schedule.Cron = fmt.Sprintf("%d %d %d * * ?", fire.Second(), fire.Minute(), fire.Hour())
		cfg.Schedule.Timezone, cfg.Schedule.Enabled = "UTC", true
		// A fire later than the catch-up window (60 s by default) is
		// skipped, and on a loaded machine a storm's last fires are: an
		// hour, as the bare schedules, so that every fire runs and counts.
		cfg.Schedule.CatchupWindowSeconds = int(catchup / time.Second)
		if err := parallel(ids, func(id string) error {
			if _, err := e.st.SaveConfig(ctx, tn.ID, id, cfg, "bench"); err != nil {
				return err
			}
			return retry(func() error { _, err := e.eng.Publish(ctx, tn.ID, id, "bench"); return err })
		}); err != nil {
			return result{}, err
		}
		res.setup = time.Since(begin)
		err := e.checkSetup(fire)
		if err == nil {
			break
		}
		if attempt == 3 {
			return result{}, err
		}
		fmt.Printf("jobflow: %v; again\n", err)
		if err := e.offline(ctx, tn.ID, ids); err != nil {
			return result{}, err
		}
		// The runs of the fires that happened must end before the next
		// attempt: they are told apart by their logical time below.
		for {
			_, running, err := e.st.FindRuns(ctx, tn.ID, jobflow.RunFilter{Status: jobflow.RunRunning, PageSize: 1})
			if err != nil {
				return result{}, err
			}
			if running == 0 {
				break
			}
			time.Sleep(time.Second)
		}
		est *= 2
	}
	pub, err := e.st.FindPublishedVersions(ctx)
	if err != nil || len(pub) == 0 {
		return result{}, fmt.Errorf("no published version to mimic (%v)", err)
	}
	e.sample = pub[0].Version
	_, before, err := e.st.FindRuns(ctx, tn.ID, jobflow.RunFilter{Trigger: jobflow.TriggerSchedule, Status: jobflow.RunSuccess, PageSize: 1})
	if err != nil {
		return result{}, err
	}
	fmt.Printf("jobflow: %d workflows published in %.1f s; they fire at %s\n", n, res.setup.Seconds(), fire.Format(time.TimeOnly))

	time.Sleep(time.Until(fire))
	stopProfile := profile("jobflow")
	deadline := fire.Add(10 * time.Minute)
	for {
		_, done, err := e.st.FindRuns(ctx, tn.ID, jobflow.RunFilter{Trigger: jobflow.TriggerSchedule, Status: jobflow.RunSuccess, PageSize: 1})
		if err != nil {
			return result{}, err
		}
		if done-before >= n {
			break
		}
		if time.Now().After(deadline) {
			fmt.Printf("jobflow: only %d of %d scheduled runs succeeded in 10 minutes\n", done-before, n)
			break
		}
		time.Sleep(time.Second)
	}
	stopProfile()
	for page := 1; ; page++ {
		runs, total, err := e.st.FindRuns(ctx, tn.ID, jobflow.RunFilter{Trigger: jobflow.TriggerSchedule, Page: page, PageSize: 200})
		if err != nil {
			return result{}, err
		}
		for _, r := range runs {
			if !r.Status.Finished() || !r.LogicalTime.Equal(fire) {
				continue // counted above, or an earlier attempt's
			}
			full, err := e.st.FindRunByID(ctx, tn.ID, r.ID)
			if err != nil {
				return result{}, err
			}
			if len(full.Nodes) != 1 || full.Nodes[0].StartedAt == nil {
				return result{}, fmt.Errorf("run %s: %d nodes, none started", r.ID, len(full.Nodes))
			}
			if res.events == 0 {
				if res.events, err = e.historyLength(ctx, full.TemporalWorkflowID); err != nil {
					return result{}, err
				}
			}
			res.late = append(res.late, full.Nodes[0].StartedAt.Sub(fire))
			if full.Nodes[0].EndedAt != nil {
				res.job = append(res.job, full.Nodes[0].EndedAt.Sub(*full.Nodes[0].StartedAt))
			}
			res.exec = append(res.exec, full.StartedAt.Sub(fire))
			if full.EndedAt != nil {
				res.drained = max(res.drained, full.EndedAt.Sub(fire))
			}
		}
		if page*200 >= total {
			break
		}
	}
	return res, e.offline(ctx, tn.ID, ids)
}

func (e *env) offline(ctx context.Context, tenantID string, ids []string) error {
	return parallel(ids, func(id string) error {
		err := retry(func() error { _, err := e.eng.Offline(ctx, tenantID, id); return err })
		if jobflow.ErrorCode(err) == jobflow.ECONFLICT {
			return nil // never published (a failed attempt)
		}
		return err
	})
}

// retry calls f for up to a minute, 2 s apart, while it fails with
// UNAVAILABLE (the embedded server's persistence timing out on a loaded
// machine).
func retry(f func() error) error {
	var err error
	for range 30 {
		if err = f(); err == nil || jobflow.ErrorCode(err) != jobflow.EUNAVAILABLE {
			return err
		}
		time.Sleep(2 * time.Second)
	}
	return err
}

// parallel calls f on every id, 8 at a time, and returns the first error.
func parallel(ids []string, f func(string) error) error {
	next := make(chan string)
	errs := make(chan error, 8)
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var first error
			for id := range next {
				if err := f(id); err != nil && first == nil {
					first = err
				}
			}
			errs <- first
		}()
	}
	for _, id := range ids {
		next <- id
	}
	close(next)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
