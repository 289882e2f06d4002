package activities

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/temporal"

	"jobflow"
	"jobflow/store/storetest"
	"jobflow/workflows"
)

func TestSendAlarm(t *testing.T) {
	for _, dialect := range storetest.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			e := newTestEnv(t, dialect)
			e.a.Alarms = e.s
			ctx := context.Background()
			var got []map[string]any
			code := http.StatusOK
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				b, _ := io.ReadAll(r.Body)
				var m map[string]any
				_ = json.Unmarshal(b, &m)
				got = append(got, m)
				w.WriteHeader(code)
				_, _ = w.Write([]byte("answer"))
			}))
			defer srv.Close()
			e.allowServer(t, srv.URL)
			name, typ := "hook", jobflow.ChannelWebhook
			ch, err := e.s.CreateAlarmChannel(ctx, e.run.TenantID, jobflow.AlarmChannelInput{Name: &name, Type: &typ,
				Config: json.RawMessage(`{"url":"` + srv.URL + `"}`)})
			if err != nil {
				t.Fatal(err)
			}
			in := workflows.SendAlarmInput{Run: *e.run, Event: jobflow.EventRunStart, ChannelID: ch.ID,
				Template: "${qing.workflow_name}/${qing.status}", Timezone: "Asia/Shanghai"}
			records := func() []*jobflow.AlarmRecord {
				recs, _, err := e.s.FindAlarmRecords(ctx, e.run.TenantID, e.run.ID, jobflow.ListParams{})
				if err != nil {
					t.Fatal(err)
				}
				return recs
			}

			t.Run("Sent", func(t *testing.T) {
				if err := e.a.SendAlarm(ctx, in); err != nil {
					t.Fatal(err)
				}
				if len(got) != 1 || got[0]["text"] != "nightly/RUNNING" || got[0]["event"] != "RUN_START" {
					t.Fatalf("received %v", got)
				}
				recs := records()
				if len(recs) != 1 || recs[0].Status != jobflow.AlarmSent || recs[0].ResponseCode != 200 || recs[0].Response != "answer" {
					t.Fatalf("records = %+v", recs)
				}
			})
			t.Run("OncePerRunEventChannel", func(t *testing.T) {
				before, recs := len(got), len(records())
				if err := e.a.SendAlarm(ctx, in); err != nil { // a retry after the send went through
					t.Fatal(err)
				}
				if len(got) != before || len(records()) != recs {
					t.Fatalf("sent again: %d more requests, %d more records", len(got)-before, len(records())-recs)
				}
				job := in
				job.Event, job.JobID, job.JobName = jobflow.EventJobFail, "jb_1", "load"
				if err := e.a.SendAlarm(ctx, job); err != nil || len(got) != before+1 {
					t.Fatalf("a job event: err %v, %d requests", err, len(got)-before)
				}
				job.JobID, job.JobName = "jb_2", "other"
				if err := e.a.SendAlarm(ctx, job); err != nil || len(got) != before+2 {
					t.Fatalf("the same event of another job: err %v, %d requests", err, len(got)-before)
				}
			})
			t.Run("RefusedIsRetryable", func(t *testing.T) {
				code = http.StatusInternalServerError
				in := in
				in.Event = jobflow.EventRunEnd
				err := e.a.SendAlarm(ctx, in)
				var appErr *temporal.ApplicationError
				if !errors.As(err, &appErr) || appErr.NonRetryable() || appErr.Type() != ErrTypeAlarmFailed {
					t.Fatalf("err = %v, want a retryable %s", err, ErrTypeAlarmFailed)
				}
				recs := records()
				if last := recs[len(recs)-1]; last.Status != jobflow.AlarmFailed || last.ResponseCode != 500 || !strings.Contains(last.Error, "HTTP 500") {
					t.Fatalf("record = %+v", last)
				}
			})
			t.Run("Silenced", func(t *testing.T) {
				code = http.StatusOK
				before := len(got)
				loc, _ := time.LoadLocation("Asia/Shanghai")
				now := time.Now().In(loc)
				held := in
				held.Event = jobflow.EventRunFail
				held.Silence = &jobflow.Silence{From: now.Add(-time.Hour).Format("15:04"), To: now.Add(time.Hour).Format("15:04")}
				if err := e.a.SendAlarm(ctx, held); err != nil {
					t.Fatal(err)
				}
				if len(got) != before {
					t.Fatalf("a silenced alarm reached the channel: %v", got[before:])
				}
				recs := records()
				if last := recs[len(recs)-1]; last.Status != jobflow.AlarmSilenced || !strings.Contains(last.Error, "silence") {
					t.Fatalf("record = %+v", last)
				}
				// Outside the window it is sent.
				held.Silence = &jobflow.Silence{From: now.Add(time.Hour).Format("15:04"), To: now.Add(2 * time.Hour).Format("15:04")}
				if err := e.a.SendAlarm(ctx, held); err != nil || len(got) != before+1 {
					t.Fatalf("outside the window: err %v, received %d", err, len(got)-before)
				}
			})
			t.Run("MissingChannelNotRetried", func(t *testing.T) {
				gone := in
				gone.ChannelID = "ch_gone"
				err := e.a.SendAlarm(ctx, gone)
				var appErr *temporal.ApplicationError
				if !errors.As(err, &appErr) || !appErr.NonRetryable() || appErr.Type() != workflows.ErrTypeAlarmChannelMissing {
					t.Fatalf("err = %v", err)
				}
				recs := records()
				if last := recs[len(recs)-1]; last.ChannelID != "ch_gone" || last.Status != jobflow.AlarmFailed {
					t.Fatalf("record = %+v", last)
				}
			})
			t.Run("OtherTenantsChannelIsMissing", func(t *testing.T) {
				other := &jobflow.Tenant{Name: "other", MaxWorkflows: 1}
				if err := e.s.CreateTenant(ctx, other); err != nil {
					t.Fatal(err)
				}
				foreign := in
				foreign.Run.TenantID = other.ID
				if err := e.a.SendAlarm(ctx, foreign); err == nil {
					t.Fatal("a run of another tenant used this tenant's channel")
				}
			})
		})
	}
}
