package httpapi_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"jobflow"
	"jobflow/internal/testtier"
	"jobflow/store"
	"jobflow/store/storetest"
)

// receiver is a local webhook endpoint that keeps every body it gets, in
// order, and answers with status code.
type receiver struct {
	srv  *httptest.Server
	code int

	mu     sync.Mutex
	bodies []map[string]any
}

func newReceiver(t *testing.T, code int) *receiver {
	t.Helper()
	rc := &receiver{code: code}
	rc.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		var m map[string]any
		_ = json.Unmarshal(b, &m)
		rc.mu.Lock()
		rc.bodies = append(rc.bodies, m)
		rc.mu.Unlock()
		w.WriteHeader(rc.code)
		_, _ = w.Write([]byte(`{"answer":"from receiver"}`))
	}))
	t.Cleanup(rc.srv.Close)
	return rc
}

// of returns the bodies received about one run (all when runID is "").
func (rc *receiver) of(runID string) []map[string]any {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	var out []map[string]any
	for _, b := range rc.bodies {
		if runID == "" || b["runId"] == runID {
			out = append(out, b)
		}
	}
	return out
}

// channel creates an alarm channel over the API as the admin.
func (e *env) channel(name, typ string, cfg map[string]any) *jobflow.AlarmChannel {
	e.t.Helper()
	var ch jobflow.AlarmChannel
	e.ok(e.as("POST", "/api/v1/alarm-channels", map[string]any{"name": name, "type": typ, "config": cfg}), 201, &ch)
	return &ch
}

func TestAlarmChannelRoutes(t *testing.T) {
	testtier.Parallel(t)
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		rc := newReceiver(t, 200)
		ch := e.channel("ops", "WEBHOOK", map[string]any{"url": rc.srv.URL + "/hook?token=s3cret", "headers": map[string]string{"Authorization": "Bearer h3ader"}})

		t.Run("SecretsNeverReturned", func(t *testing.T) {
			for _, r := range []resp{e.as("GET", "/api/v1/alarm-channels/"+ch.ID, nil), e.as("GET", "/api/v1/alarm-channels", nil)} {
				e.ok(r, 200, nil)
				if s := string(r.body); strings.Contains(s, "s3cret") || strings.Contains(s, "h3ader") || !strings.Contains(s, `"headerNames":["Authorization"]`) {
					t.Fatalf("answer = %s", s)
				}
			}
		})

		t.Run("Test", func(t *testing.T) {
			var got struct {
				OK       bool   `json:"ok"`
				Code     int    `json:"code"`
				Response string `json:"response"`
				Error    string `json:"error"`
			}
			// docs/security.md: the receiver is on loopback, closed until the
			// tenant's egressAllow names it.
			e.ok(e.as("POST", "/api/v1/alarm-channels/"+ch.ID+"/test", nil), 200, &got)
			if host := strings.TrimPrefix(rc.srv.URL, "http://"); got.OK || !strings.Contains(got.Error, host) || !strings.Contains(got.Error, "egressAllow") || len(rc.of("")) != 0 {
				t.Fatalf("test of a loopback channel = %+v, want refused naming %s and egressAllow", got, host)
			}
			e.allowEgress("127.0.0.1")
			e.ok(e.as("POST", "/api/v1/alarm-channels/"+ch.ID+"/test", nil), 200, &got)
			if !got.OK || got.Code != 200 || !strings.Contains(got.Response, "from receiver") {
				t.Fatalf("test = %+v", got)
			}
			if b := rc.of(""); len(b) != 1 || b[0]["event"] != "TEST" {
				t.Fatalf("receiver got %v", b)
			}
			down := newReceiver(t, 500)
			bad := e.channel("down", "WEBHOOK", map[string]any{"url": down.srv.URL})
			e.ok(e.as("POST", "/api/v1/alarm-channels/"+bad.ID+"/test", nil), 200, &got)
			if got.OK || got.Code != 500 || got.Error == "" {
				t.Fatalf("test of a 500 channel = %+v", got)
			}
			var recs jobflow.List[jobflow.AlarmRecord]
			e.ok(e.as("GET", "/api/v1/alarm-records", nil), 200, &recs)
			if recs.Total != 3 || recs.Items[0].Status != jobflow.AlarmFailed || !strings.Contains(recs.Items[0].Error, "egressAllow") ||
				recs.Items[1].Status != jobflow.AlarmSent || recs.Items[2].Status != jobflow.AlarmFailed || recs.Items[2].ResponseCode != 500 {
				t.Fatalf("records = %+v", recs)
			}
		})

		t.Run("Update", func(t *testing.T) {
			var upd jobflow.AlarmChannel
			e.ok(e.as("PATCH", "/api/v1/alarm-channels/"+ch.ID, map[string]any{"name": "ops-renamed", "config": map[string]any{}}), 200, &upd)
			if upd.Name != "ops-renamed" {
				t.Fatalf("updated = %+v", upd)
			}
			// The url was kept: the test still reaches the receiver.
			var got struct {
				OK bool `json:"ok"`
			}
			e.ok(e.as("POST", "/api/v1/alarm-channels/"+ch.ID+"/test", nil), 200, &got)
			if !got.OK {
				t.Fatal("the url was lost by an update without it")
			}
		})

		t.Run("ErrInvalidChangesNothing", func(t *testing.T) {
			before := string(e.as("GET", "/api/v1/alarm-channels", nil).body)
			e.fail(e.as("POST", "/api/v1/alarm-channels", map[string]any{"name": "x", "type": "PIGEON"}), 400, jobflow.EINVALID)
			e.fail(e.as("POST", "/api/v1/alarm-channels", map[string]any{"name": "x", "type": "WEBHOOK", "config": map[string]any{"url": "ftp://x"}}), 400, jobflow.EINVALID)
			e.fail(e.as("POST", "/api/v1/alarm-channels", map[string]any{"name": "x", "type": "EMAIL", "config": map[string]any{"host": "smtp.example.com", "from": "nope", "to": []string{"a@example.com"}}}), 400, jobflow.EINVALID)
			e.fail(e.as("POST", "/api/v1/alarm-channels", map[string]any{"name": "x", "type": "WEBHOOK", "bogus": 1}), 400, jobflow.EINVALID)
			e.fail(e.as("PATCH", "/api/v1/alarm-channels/"+ch.ID, map[string]any{"config": map[string]any{"secret": "x"}}), 400, jobflow.EINVALID)
			e.fail(e.as("POST", "/api/v1/alarm-channels", map[string]any{"name": "ops-renamed", "type": "WEBHOOK", "config": map[string]any{"url": "https://x.example.com"}}), 409, jobflow.ECONFLICT)
			e.fail(e.as("GET", "/api/v1/alarm-records?page=0", nil), 400, jobflow.EINVALID)
			if after := string(e.as("GET", "/api/v1/alarm-channels", nil).body); after != before {
				t.Fatalf("refused requests changed the channels:\n%s\n%s", before, after)
			}
		})

		t.Run("Roles", func(t *testing.T) {
			_, member := e.user("member1", jobflow.RoleMember)
			e.ok(e.do("GET", "/api/v1/alarm-channels", member, e.tenantID, nil), 200, nil)
			e.fail(e.do("POST", "/api/v1/alarm-channels", member, e.tenantID, map[string]any{"name": "m", "type": "WEBHOOK", "config": map[string]any{"url": "https://x.example.com"}}), 403, jobflow.EFORBIDDEN)
			e.fail(e.do("DELETE", "/api/v1/alarm-channels/"+ch.ID, member, e.tenantID, nil), 403, jobflow.EFORBIDDEN)
			other := e.tenant("other", 10)
			e.fail(e.do("GET", "/api/v1/alarm-channels/"+ch.ID, e.admin, other, nil), 404, jobflow.ENOTFOUND)
		})

		t.Run("Delete", func(t *testing.T) {
			e.ok(e.as("DELETE", "/api/v1/alarm-channels/"+ch.ID, nil), 204, nil)
			e.fail(e.as("GET", "/api/v1/alarm-channels/"+ch.ID, nil), 404, jobflow.ENOTFOUND)
			e.fail(e.as("POST", "/api/v1/alarm-channels/"+ch.ID+"/test", nil), 404, jobflow.ENOTFOUND)
		})
	})
}

// TestConfig_ErrUnknownAlarmChannel: a config whose alarm rule names a
// channel the tenant does not have (or another tenant's) is a 400 naming it,
// and the stored config stays as it was.
func TestConfig_ErrUnknownAlarmChannel(t *testing.T) {
	testtier.Parallel(t)
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		rc := newReceiver(t, 200)
		ch := e.channel("ops", "WEBHOOK", map[string]any{"url": rc.srv.URL})
		w := e.workflow("alarmed")
		good := map[string]any{"alarms": []map[string]any{{"events": []string{"RUN_FAIL"}, "channelIds": []string{ch.ID}}}}
		e.ok(e.as("PUT", "/api/v1/workflows/"+w.ID+"/config", good), 200, nil)

		bad := map[string]any{"alarms": []map[string]any{{"events": []string{"RUN_FAIL"}, "channelIds": []string{ch.ID, "ch_nope"}}}}
		if got := e.fail(e.as("PUT", "/api/v1/workflows/"+w.ID+"/config", bad), 400, jobflow.EINVALID); !strings.Contains(got.Message, `no alarm channel "ch_nope"`) ||
			got.Details["field"] != "alarms[0].channelIds[1]" || got.Details["id"] != "ch_nope" {
			t.Errorf("error %+v", got)
		}
		var cfg jobflow.WorkflowConfig
		e.ok(e.as("GET", "/api/v1/workflows/"+w.ID+"/config", nil), 200, &cfg)
		if len(cfg.Alarms) != 1 || len(cfg.Alarms[0].ChannelIDs) != 1 || cfg.Alarms[0].ChannelIDs[0] != ch.ID {
			t.Errorf("config changed by a refused save: %+v", cfg.Alarms)
		}
	})
}
