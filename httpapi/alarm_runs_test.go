package httpapi_test

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"

	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"jobflow"
	"jobflow/internal/testtier"
	"jobflow/internal/testwait"
)

// mailbox is a minimal local SMTP server (no TLS, no auth offered): it
// keeps the DATA of every mail.
type mailbox struct {
	ln   net.Listener
	mu   sync.Mutex
	mail []string
}

func newMailbox(t *testing.T) *mailbox {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	m := &mailbox{ln: ln}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go m.session(conn)
		}
	}()
	return m
}

func (m *mailbox) session(conn net.Conn) {
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(30 * time.Second))
	r := bufio.NewReader(conn)
	say := func(s string) { fmt.Fprintf(conn, "%s\r\n", s) }
	say("220 mailbox.test ESMTP")
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		cmd := strings.ToUpper(strings.TrimSpace(line))
		switch {
		case strings.HasPrefix(cmd, "EHLO"), strings.HasPrefix(cmd, "HELO"):
			say("250 mailbox.test")
		case strings.HasPrefix(cmd, "DATA"):
			say("354 go ahead")
			var data strings.Builder
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
				data.WriteString(l)
			}
			m.mu.Lock()
			m.mail = append(m.mail, data.String())
			m.mu.Unlock()
			say("250 queued")
		case strings.HasPrefix(cmd, "QUIT"):
			say("221 bye")
			return
		default: // MAIL, RCPT, RSET, NOOP
			say("250 ok")
		}
	}
}

func (m *mailbox) mails() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]string(nil), m.mail...)
}

// eventually waits until cond holds, failing t after within.
func eventually(t *testing.T, within time.Duration, what string, cond func() bool) {
	t.Helper()
	testwait.For(t, within, what, cond)
}

func (e *runEnv) alarmRecords(runID string) []jobflow.AlarmRecord {
	e.t.Helper()
	var recs jobflow.List[jobflow.AlarmRecord]
	e.ok(e.as("GET", "/api/v1/alarm-records?pageSize=200&runId="+runID, nil), 200, &recs)
	return recs.Items
}

const testTemplate = "${qing.workflow_name} is ${qing.status} (${qing.trigger}, run ${qing.workflow_instance_id}); failed: ${qing.failed_jobs}"

func alarmConfig(template string, events []string, channelIDs ...string) map[string]any {
	return map[string]any{"alarms": []map[string]any{{"events": events, "channelIds": channelIDs, "template": template}}}
}

var allEvents = []string{"RUN_START", "RUN_END", "RUN_FAIL", "RUN_SUCCESS"}

func TestRunAlarms(t *testing.T) {
	testtier.Parallel(t)
	testtier.Long(t, "real channel retries and backoff (alarms package tests cover the senders)")
	e := newRunEnv(t)
	e.allowEgress("127.0.0.1") // the receivers and the mailbox (docs/security.md)
	hook := newReceiver(t, 200)
	hookCh := e.channel("hook", "WEBHOOK", map[string]any{"url": hook.srv.URL})

	t.Run("WebhookInOrder", func(t *testing.T) {
		for _, tc := range []struct {
			name, script string
			status       jobflow.RunStatus
			events       []string
			failed       string
		}{
			{"good", "true", jobflow.RunSuccess, []string{"RUN_START", "RUN_END", "RUN_SUCCESS"}, "-"},
			{"bad", "exit 3", jobflow.RunFail, []string{"RUN_START", "RUN_END", "RUN_FAIL"}, "jobA"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				w := e.flow("alarmed-"+tc.name, alarmConfig(testTemplate, allEvents, hookCh.ID), tc.script)
				runID := e.runManual(w.ID)
				run := e.waitRun(runID, 60*time.Second)
				if run.Status != tc.status {
					t.Fatalf("run status %s, want %s", run.Status, tc.status)
				}
				eventually(t, 30*time.Second, "three alarms received", func() bool { return len(hook.of(runID)) >= 3 })
				time.Sleep(300 * time.Millisecond) // a fourth would be a bug: only time shows it
				got := hook.of(runID)
				if len(got) != 3 {
					t.Fatalf("received %d alarms: %v", len(got), got)
				}
				statuses := []string{"RUNNING", string(tc.status), string(tc.status)}
				failed := []string{"-", tc.failed, tc.failed}
				for i, b := range got {
					want := fmt.Sprintf("%s is %s (MANUAL, run %s); failed: %s", w.Name, statuses[i], runID, failed[i])
					if b["event"] != tc.events[i] || b["text"] != want || b["workflowId"] != w.ID {
						t.Fatalf("alarm %d = %v, want event %s text %q", i, b, tc.events[i], want)
					}
				}
				recs := e.alarmRecords(runID)
				if len(recs) != 3 {
					t.Fatalf("records = %+v", recs)
				}
				for i, r := range recs {
					if r.Status != jobflow.AlarmSent || r.ResponseCode != 200 || r.Attempt != 1 || string(r.Event) != tc.events[i] || r.ChannelID != hookCh.ID {
						t.Fatalf("record %d = %+v", i, r)
					}
				}
			})
		}
	})

	t.Run("AbortedRunSendsRunEnd", func(t *testing.T) {
		w := e.flow("aborted", alarmConfig(testTemplate, allEvents, hookCh.ID), "sleep 30")
		runID := e.runManual(w.ID)
		eventually(t, 30*time.Second, "the job running", func() bool {
			r, err := e.st.FindRunByID(context.Background(), e.tenantID, runID)
			return err == nil && len(r.Nodes) == 1 && r.Nodes[0].Status == jobflow.NodeRunning
		})
		e.ok(e.as("POST", "/api/v1/runs/"+runID+"/abort", nil), 202, nil)
		if run := e.waitRun(runID, 30*time.Second); run.Status != jobflow.RunAborted {
			t.Fatalf("run %s", run.Status)
		}
		eventually(t, 30*time.Second, "two alarms", func() bool { return len(hook.of(runID)) >= 2 })
		time.Sleep(300 * time.Millisecond) // a third would be a bug: only time shows it
		got := hook.of(runID)
		if len(got) != 2 || got[0]["event"] != "RUN_START" || got[1]["event"] != "RUN_END" || got[1]["status"] != "ABORTED" {
			t.Fatalf("alarms of an aborted run: %v", got)
		}
	})

	t.Run("InvokeUsesPublishedAlarmsManualTheDraft", func(t *testing.T) {
		pub := map[string]any{"invoke": map[string]any{"enabled": true},
			"alarms": []map[string]any{{"events": []string{"RUN_END"}, "channelIds": []string{hookCh.ID}, "template": "published ${qing.trigger}"}}}
		w := e.flow("versioned", pub, "true")
		e.publish(w.ID)
		draft := map[string]any{"invoke": map[string]any{"enabled": true},
			"alarms": []map[string]any{{"events": []string{"RUN_END"}, "channelIds": []string{hookCh.ID}, "template": "draft ${qing.trigger}"}}}
		e.ok(e.as("PUT", "/api/v1/workflows/"+w.ID+"/config", draft), 200, nil)
		tok := e.token(w.ID)
		var inv struct {
			RunID string `json:"runId"`
		}
		e.ok(e.invoke(map[string]any{"workflowId": w.ID, "token": tok.Token}), 200, &inv)
		manual := e.runManual(w.ID)
		for runID, want := range map[string]string{inv.RunID: "published INVOKE", manual: "draft MANUAL"} {
			e.waitRun(runID, 60*time.Second)
			eventually(t, 30*time.Second, "the RUN_END alarm", func() bool { return len(hook.of(runID)) == 1 })
			if got := hook.of(runID)[0]["text"]; got != want {
				t.Fatalf("alarm text %q, want %q", got, want)
			}
		}
	})

	t.Run("EveryTrigger", func(t *testing.T) {
		// RERUN of a run, and SCHEDULE runs of an every-second cron.
		cfg := alarmConfig("${qing.trigger} ${qing.status}", []string{"RUN_END"}, hookCh.ID)
		w := e.flow("triggers", cfg, "true")
		first := e.runManual(w.ID)
		e.waitRun(first, 60*time.Second)
		var rerun struct {
			RunID string `json:"runId"`
		}
		e.ok(e.as("POST", "/api/v1/runs/"+first+"/rerun", map[string]any{"mode": "ALL"}), 202, &rerun)
		e.waitRun(rerun.RunID, 60*time.Second)
		eventually(t, 30*time.Second, "the rerun's alarm", func() bool { return len(hook.of(rerun.RunID)) == 1 })
		if got := hook.of(rerun.RunID)[0]["text"]; got != "RERUN SUCCESS" {
			t.Fatalf("rerun alarm %q", got)
		}

		cfg["schedule"] = map[string]any{"mode": "SINGLE", "cron": "* * * * * ?", "timezone": "UTC", "enabled": true}
		e.ok(e.as("PUT", "/api/v1/workflows/"+w.ID+"/config", cfg), 200, nil)
		e.publish(w.ID)
		var scheduled string
		eventually(t, 30*time.Second, "a scheduled run's alarm", func() bool {
			for _, b := range hook.of("") {
				if b["workflowId"] == w.ID && b["trigger"] == "SCHEDULE" {
					scheduled, _ = b["text"].(string)
					return true
				}
			}
			return false
		})
		e.ok(e.as("POST", "/api/v1/workflows/"+w.ID+"/offline", nil), 200, nil)
		if scheduled != "SCHEDULE SUCCESS" {
			t.Fatalf("scheduled alarm %q", scheduled)
		}
	})

	t.Run("Email", func(t *testing.T) {
		mb := newMailbox(t)
		port := mb.ln.Addr().(*net.TCPAddr).Port
		mail := e.channel("mail", "EMAIL", map[string]any{"host": "127.0.0.1", "port": port, "from": "jobflow@example.com", "to": []string{"ops@example.com"}})
		w := e.flow("mailed", alarmConfig("", []string{"RUN_END"}, mail.ID), "true")
		runID := e.runManual(w.ID)
		e.waitRun(runID, 60*time.Second)
		eventually(t, 30*time.Second, "one mail", func() bool { return len(mb.mails()) >= 1 })
		m := mb.mails()[0]
		// The default template, rendered (the body may be encoded: check the subject and the run id).
		if !strings.Contains(m, "ops@example.com") || !strings.Contains(m, "mailed") || !strings.Contains(m, "SUCCESS") {
			t.Fatalf("mail = %q", m)
		}
		eventually(t, 10*time.Second, "a SENT record", func() bool {
			recs := e.alarmRecords(runID)
			return len(recs) == 1 && recs[0].Status == jobflow.AlarmSent && recs[0].ResponseCode == 250
		})
	})

	t.Run("MissingChannelRecordedOnce", func(t *testing.T) {
		gone := e.channel("gone", "WEBHOOK", map[string]any{"url": hook.srv.URL})
		w := e.flow("orphan", alarmConfig("", []string{"RUN_START"}, gone.ID), "true")
		e.ok(e.as("DELETE", "/api/v1/alarm-channels/"+gone.ID, nil), 204, nil)
		runID := e.runManual(w.ID)
		if run := e.waitRun(runID, 60*time.Second); run.Status != jobflow.RunSuccess {
			t.Fatalf("run %s", run.Status)
		}
		eventually(t, 20*time.Second, "a FAILED record", func() bool { return len(e.alarmRecords(runID)) == 1 })
		time.Sleep(3 * time.Second) // past the first retry interval: a retry would show now
		recs := e.alarmRecords(runID)
		if len(recs) != 1 || recs[0].Status != jobflow.AlarmFailed || !strings.Contains(recs[0].Error, "does not exist") {
			t.Fatalf("records = %+v", recs)
		}
	})

	t.Run("BrokenChannelsDoNotDelayRuns", func(t *testing.T) {
		down := newReceiver(t, 500)
		stop := make(chan struct{})
		hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			select { // hangs for 30 s, or until the client gives up
			case <-time.After(30 * time.Second):
			case <-r.Context().Done():
			case <-stop:
			}
		}))
		t.Cleanup(hang.Close)
		t.Cleanup(func() { close(stop) })
		downCh := e.channel("down", "WEBHOOK", map[string]any{"url": down.srv.URL})
		hangCh := e.channel("hang", "WEBHOOK", map[string]any{"url": hang.URL})

		scripts := []string{"sleep 0.5", "sleep 0.5"}
		plain := e.flow("plain", nil, scripts...)
		alarmed := e.flow("broken-alarms", alarmConfig("", allEvents, downCh.ID, hangCh.ID), scripts...)
		var base, withAlarms []time.Duration
		var alarmedRuns []string
		for range 3 { // interleaved, so machine load hits both alike
			r := e.waitRun(e.runManual(plain.ID), 60*time.Second)
			base = append(base, r.EndedAt.Sub(r.StartedAt))
			id := e.runManual(alarmed.ID)
			r = e.waitRun(id, 60*time.Second)
			if r.Status != jobflow.RunSuccess {
				t.Fatalf("a run with broken alarm channels ended %s: %s", r.Status, r.Error)
			}
			withAlarms = append(withAlarms, r.EndedAt.Sub(r.StartedAt))
			alarmedRuns = append(alarmedRuns, id)
		}
		mb, ma := median(base), median(withAlarms)
		t.Logf("run durations without alarms %v (median %v), with a 500 and a hanging channel %v (median %v)", base, mb, withAlarms, ma)
		if d := ma - mb; d > time.Second || d < -time.Second {
			t.Fatalf("broken alarm channels changed the median run duration by %v", d)
		}
		// The 500 channel was tried AlarmMaxAttempts times for RUN_START,
		// each attempt recorded with its answer.
		first := alarmedRuns[0]
		eventually(t, 30*time.Second, "three FAILED 500 attempts", func() bool {
			n := 0
			for _, r := range e.alarmRecords(first) {
				if r.ChannelID == downCh.ID && r.Event == jobflow.EventRunStart && r.Status == jobflow.AlarmFailed && r.ResponseCode == 500 {
					n++
				}
			}
			return n == 3
		})
		eventually(t, 30*time.Second, "a timed-out attempt of the hanging channel", func() bool {
			for _, r := range e.alarmRecords(first) {
				if r.ChannelID == hangCh.ID && r.Status == jobflow.AlarmFailed && r.ResponseCode == 0 && r.Error != "" {
					return true
				}
			}
			return false
		})
	})
}

func median(ds []time.Duration) time.Duration {
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}
