package e2e

import (
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"jobflow"
	"jobflow/internal/jobdir"
	"jobflow/internal/testproc"
	"jobflow/internal/testtier"
)

// TestJobEvents_OnceAcrossRetryAndWorkerRestart: a job that fails its
// first attempt and succeeds its retry, and a job whose worker is killed
// (SIGKILL) while it runs and which a new worker runs again, each send
// JOB_START and JOB_SUCCESS exactly once to a real webhook and JOB_FAIL
// never: events are per node run, not per attempt, and a worker restart
// replays the run without raising them again.
func TestJobEvents_OnceAcrossRetryAndWorkerRestart(t *testing.T) {
	testtier.Long(t, "PostgreSQL, jobflow processes and minutes (end-to-end)")
	e := newEnv(t, envOptions{noWorker: true})
	hook := newHookInbox(t)
	e.API.AllowEgress("127.0.0.1")
	var ch jobflow.AlarmChannel
	e.API.Must("POST", "/api/v1/alarm-channels", map[string]any{"name": "ops-hook", "type": "WEBHOOK", "config": map[string]any{"url": hook.srv.URL}}, 201, &ch)
	mark := filepath.Join(jobdir.New(t), "tried")
	alarms := []map[string]any{{"events": []string{"JOB_START", "JOB_SUCCESS", "JOB_FAIL"}, "channelIds": []string{ch.ID},
		"template": "EV ${qing.event} ${qing.work_instance_id}"}}
	wf, ids := e.workflow("events", []jobSpec{
		{Name: "flaky", Type: "SHELL", Config: map[string]any{"script": "if [ -f " + mark + " ]; then echo ok; else touch " + mark + "; exit 1; fi"},
			Retry: map[string]int{"maxAttempts": 2, "intervalSeconds": 1}},
		{Name: "slow", Type: "SHELL", Config: map[string]any{"script": "sleep 6.03 &\nwait $!"}, Retry: map[string]int{"maxAttempts": 3, "intervalSeconds": 1}},
	}, [][2]string{{"flaky", "slow"}}, map[string]any{"alarms": alarms})

	w1 := e.startWorker(t, "worker1")
	runID := e.start(wf, nil)
	e.waitRun(runID, 120*time.Second, "slow RUNNING", func(r *jobflow.Run) bool {
		n := findNode(r, ids["slow"])
		return n != nil && n.Status == jobflow.NodeRunning && len(testproc.PIDs("sleep 6.03")) == 1
	})
	time.Sleep(time.Second) // JOB_START of slow on its way
	if err := w1.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	w1.Wait()
	e.startWorker(t, "worker2")
	r := e.waitRun(runID, 150*time.Second, "the end", func(r *jobflow.Run) bool { return r.Status.Finished() })
	if r.Status != jobflow.RunSuccess || node(t, r, ids["flaky"]).Attempt != 2 || node(t, r, ids["slow"]).Attempt != 2 {
		t.Fatalf("run %s, nodes %+v: want SUCCESS with both jobs on attempt 2", r.Status, r.Nodes)
	}
	want := map[string]int{
		"JOB_START " + runID + "-" + ids["flaky"]: 1, "JOB_SUCCESS " + runID + "-" + ids["flaky"]: 1, "JOB_FAIL " + runID + "-" + ids["flaky"]: 0,
		"JOB_START " + runID + "-" + ids["slow"]: 1, "JOB_SUCCESS " + runID + "-" + ids["slow"]: 1, "JOB_FAIL " + runID + "-" + ids["slow"]: 0,
	}
	var got map[string]int
	eventually(30*time.Second, func() bool {
		got = map[string]int{}
		hook.mu.Lock()
		defer hook.mu.Unlock()
		for _, b := range hook.bodies {
			for k := range want {
				if strings.Contains(b, "EV "+k) {
					got[k]++
				}
			}
		}
		return got["JOB_SUCCESS "+runID+"-"+ids["slow"]] >= 1
	})
	time.Sleep(2 * time.Second) // a duplicate would come now
	hook.mu.Lock()
	all := append([]string(nil), hook.bodies...)
	hook.mu.Unlock()
	got = map[string]int{}
	for _, b := range all {
		for k := range want {
			if strings.Contains(b, "EV "+k) {
				got[k]++
			}
		}
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%q sent %d times, want %d (all alarms: %v)", k, got[k], w, all)
		}
	}
}
