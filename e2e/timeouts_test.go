package e2e

import (
	"strings"
	"testing"
	"time"

	"jobflow"
	"jobflow/internal/testtier"
	"jobflow/internal/testwait"
)

// TestTimeouts_WarnAndMaxDuration over REST with real jobs: a WARN job
// runs past its timeout (JOB_TIMEOUT sent, the job succeeds); a
// WARN_AND_FAIL job is stopped at it (the alarm, then FAIL); a run past
// its maxDurationSeconds with onMaxDuration FAIL is stopped and fails
// (RUN_TIMEOUT sent). Bad values are 400 naming the field.
func TestTimeouts_WarnAndMaxDuration(t *testing.T) {
	testtier.Long(t, "PostgreSQL, jobflow processes and minutes (end-to-end)")
	e := newEnv(t, envOptions{})
	hook := newHookInbox(t)
	e.API.AllowEgress("127.0.0.1")
	var ch jobflow.AlarmChannel
	e.API.Must("POST", "/api/v1/alarm-channels", map[string]any{"name": "ops", "type": "WEBHOOK", "config": map[string]any{"url": hook.srv.URL}}, 201, &ch)
	alarms := []map[string]any{{"events": []string{"JOB_TIMEOUT", "RUN_TIMEOUT"}, "channelIds": []string{ch.ID}}}
	slow := func(name, action string) jobSpec {
		j := shell(name, "sleep 3; echo done-"+name)
		j.TimeoutSeconds = 1
		return jobSpecWithAction(j, action)
	}
	wf, ids := e.workflow("timeouts", []jobSpec{slow("warned", "WARN"), slow("stopped", "WARN_AND_FAIL")}, nil, map[string]any{"alarms": alarms})
	runID := e.start(wf, nil)
	r := e.waitFinished(runID)
	if r.Status != jobflow.RunFail {
		t.Fatalf("run %s: %+v", r.Status, r.Nodes)
	}
	if n := node(t, r, ids["warned"]); n.Status != jobflow.NodeSuccess || !strings.Contains(e.log(runID, ids["warned"]), "done-warned") {
		t.Errorf("the WARN job %+v", n)
	}
	if n := node(t, r, ids["stopped"]); n.Status != jobflow.NodeFail || !strings.Contains(n.Error, "timed out after 1 s") {
		t.Errorf("the WARN_AND_FAIL job %+v", n)
	}
	if !testwait.Until(30*time.Second, func() bool { return hook.count(runID, "JOB_TIMEOUT") == 2 }) {
		t.Errorf("JOB_TIMEOUT alarms: %d, want one per job", hook.count(runID, "JOB_TIMEOUT"))
	}
	if !hook.has(runID, "warned") || !hook.has(runID, "stopped") {
		t.Errorf("the alarms do not name the jobs: %v", hook.bodies)
	}

	long, lids := e.workflow("too-long", []jobSpec{shell("sleeper", "sleep 30"), shell("next", "true")}, [][2]string{{"sleeper", "next"}},
		map[string]any{"alarms": alarms, "maxDurationSeconds": 2, "onMaxDuration": "FAIL"})
	run2 := e.start(long, nil)
	r2 := e.waitFinished(run2)
	if r2.Status != jobflow.RunFail || !strings.Contains(r2.Error, "exceeded its maximum duration of 2s") {
		t.Fatalf("run %s %q", r2.Status, r2.Error)
	}
	if n := node(t, r2, lids["sleeper"]); n.Status != jobflow.NodeAborted {
		t.Errorf("sleeper %s, want ABORTED", n.Status)
	}
	if d := r2.EndedAt.Sub(r2.StartedAt); d > 20*time.Second {
		t.Errorf("the run took %s: its job was not stopped", d)
	}
	if !testwait.Until(30*time.Second, func() bool { return hook.count(run2, "RUN_TIMEOUT") == 1 }) {
		t.Errorf("RUN_TIMEOUT alarms: %d", hook.count(run2, "RUN_TIMEOUT"))
	}

	// Bad values: 400 naming the field, nothing saved.
	bad := shell("bad", "true")
	bad = jobSpecWithAction(bad, "SOMETIMES")
	if err := e.API.Fail("POST", "/api/v1/workflows/"+wf+"/jobs", bad, 400); fieldOf(err) != "timeoutAction" {
		t.Errorf("timeoutAction SOMETIMES: %s", err.Message)
	}
	noTimeout := jobSpecWithAction(shell("bad2", "true"), "WARN")
	if err := e.API.Fail("POST", "/api/v1/workflows/"+wf+"/jobs", noTimeout, 400); fieldOf(err) != "timeoutAction" {
		t.Errorf("WARN without a timeout: %s", err.Message)
	}
	if err := e.API.Fail("PUT", "/api/v1/workflows/"+long+"/config", map[string]any{"maxDurationSeconds": 10, "onMaxDuration": "PANIC"}, 400); fieldOf(err) != "onMaxDuration" {
		t.Errorf("onMaxDuration PANIC: %s", err.Message)
	}
	foreign := []map[string]any{{"events": []string{"JOB_FAIL"}, "channelIds": []string{ch.ID}, "jobIds": []string{ids["warned"]}}}
	if err := e.API.Fail("PUT", "/api/v1/workflows/"+long+"/config", map[string]any{"alarms": foreign}, 400); fieldOf(err) != "alarms[0].jobIds[0]" {
		t.Errorf("a rule naming another workflow's job: %s (%v)", err.Message, err.Details)
	}
	own := []map[string]any{{"events": []string{"JOB_FAIL"}, "channelIds": []string{ch.ID}, "jobIds": []string{lids["sleeper"]}}}
	e.API.Must("PUT", "/api/v1/workflows/"+long+"/config", map[string]any{"alarms": own}, 200, nil)
}

// jobSpecWithAction is j with a timeoutAction.
func jobSpecWithAction(j jobSpec, action string) jobSpec {
	j.TimeoutAction = action
	return j
}

// count is how many alarms of event ev name runID.
func (h *hookInbox) count(runID, ev string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for _, b := range h.bodies {
		if strings.Contains(b, runID) && strings.Contains(b, ev) {
			n++
		}
	}
	return n
}

// has reports whether an alarm naming runID holds text.
func (h *hookInbox) has(runID, text string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, b := range h.bodies {
		if strings.Contains(b, runID) && strings.Contains(b, text) {
			return true
		}
	}
	return false
}
