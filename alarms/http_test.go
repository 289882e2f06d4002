package alarms_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"jobflow"
	"jobflow/alarms"
)

// receiver is an httptest server that keeps every request and answers with
// the function given.
type receiver struct {
	*httptest.Server
	mu   sync.Mutex
	reqs []received
}

type received struct {
	query  url.Values
	header http.Header
	body   []byte
}

func newReceiver(t testing.TB, answer func(w http.ResponseWriter, r *http.Request, body []byte)) *receiver {
	rc := &receiver{}
	rc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		rc.reqs = append(rc.reqs, received{r.URL.Query(), r.Header.Clone(), body})
		rc.mu.Unlock()
		answer(w, r, body)
	}))
	t.Cleanup(rc.Close)
	return rc
}

func (rc *receiver) only(t *testing.T) received {
	t.Helper()
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if len(rc.reqs) != 1 {
		t.Fatalf("the receiver got %d requests, want 1", len(rc.reqs))
	}
	return rc.reqs[0]
}

func answerJSON(code int, body string) func(http.ResponseWriter, *http.Request, []byte) {
	return func(w http.ResponseWriter, _ *http.Request, _ []byte) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		io.WriteString(w, body)
	}
}

func failMessage() alarms.Message {
	start := time.Date(2026, 11, 25, 1, 0, 0, 0, time.UTC)
	end := start.Add(42 * time.Second)
	run := jobflow.Run{ID: "run_1", WorkflowID: "wf_1", WorkflowName: "nightly 夜间", Trigger: jobflow.TriggerManual,
		Status: jobflow.RunFail, StartedAt: start, EndedAt: &end}
	return alarms.RunMessage(jobflow.EventRunFail, "告警 ${qing.workflow_name} ${qing.status} failed: ${qing.failed_jobs}", run, []string{"load"}, end, nil)
}

func TestSend_Webhook(t *testing.T) {
	rc := newReceiver(t, answerJSON(204, ""))
	ch, sec := newChannel(t, jobflow.ChannelWebhook, `{"url":"`+rc.URL+`/hook?token=abc","headers":{"Authorization":"Bearer T0K","X-Env":"prod"}}`)
	res, err := alarms.Send(context.Background(), ch, sec, failMessage())
	if err != nil || res.Code != 204 {
		t.Fatalf("Send = %+v, %v; want 204, nil", res, err)
	}
	got := rc.only(t)
	if got.header.Get("Authorization") != "Bearer T0K" || got.header.Get("X-Env") != "prod" ||
		!strings.HasPrefix(got.header.Get("Content-Type"), "application/json") || got.query["token"][0] != "abc" {
		t.Errorf("headers %v query %v", got.header, got.query)
	}
	var body map[string]any
	if err := json.Unmarshal(got.body, &body); err != nil {
		t.Fatalf("body %s: %v", got.body, err)
	}
	want := map[string]any{
		"event": "RUN_FAIL", "workflowId": "wf_1", "workflowName": "nightly 夜间", "runId": "run_1",
		"status": "FAIL", "trigger": "MANUAL", "duration": "42s", "currentDatetime": "2026-11-25 01:00:42",
		"text": "告警 nightly 夜间 FAIL failed: load", "title": "[jobflow] nightly 夜间 FAIL",
	}
	for k, v := range want {
		if body[k] != v {
			t.Errorf("body[%s] = %v, want %v", k, body[k], v)
		}
	}
	if jobs, _ := json.Marshal(body["failedJobs"]); string(jobs) != `["load"]` {
		t.Errorf("failedJobs = %s", jobs)
	}
}

func TestSend_Webhook_Err500(t *testing.T) {
	rc := newReceiver(t, answerJSON(500, `{"error":"database down"}`))
	ch, sec := newChannel(t, jobflow.ChannelWebhook, `{"url":"`+rc.URL+`/hook"}`)
	res, err := alarms.Send(context.Background(), ch, sec, failMessage())
	if err == nil || !strings.Contains(err.Error(), "HTTP 500") {
		t.Fatalf("Send error = %v, want one naming HTTP 500", err)
	}
	if res.Code != 500 || res.Response != `{"error":"database down"}` {
		t.Errorf("Result = %+v, want the 500 and its body", res)
	}
}

func TestSend_Webhook_ResponseTruncated(t *testing.T) {
	rc := newReceiver(t, answerJSON(200, strings.Repeat("答", 3000))) // 9000 bytes
	ch, sec := newChannel(t, jobflow.ChannelWebhook, `{"url":"`+rc.URL+`"}`)
	res, err := alarms.Send(context.Background(), ch, sec, failMessage())
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Response) > jobflow.MaxAlarmResponse || res.Response != strings.Repeat("答", jobflow.MaxAlarmResponse/3) {
		t.Errorf("Response is %d bytes, want the first %d bytes on a character boundary", len(res.Response), jobflow.MaxAlarmResponse)
	}
}

func TestSend_Webhook_NoRedirect(t *testing.T) {
	target := newReceiver(t, answerJSON(200, "ok"))
	rc := newReceiver(t, func(w http.ResponseWriter, r *http.Request, _ []byte) {
		http.Redirect(w, r, target.URL, http.StatusFound)
	})
	ch, sec := newChannel(t, jobflow.ChannelWebhook, `{"url":"`+rc.URL+`"}`)
	res, err := alarms.Send(context.Background(), ch, sec, failMessage())
	if err == nil || res.Code != 302 {
		t.Errorf("Send = %+v, %v; want an error with code 302", res, err)
	}
	if n := len(target.reqs); n != 0 {
		t.Errorf("the redirect was followed (%d requests)", n)
	}
}

// TestSend_Hang: a receiver that never answers costs the caller its ctx.
func TestSend_Hang(t *testing.T) {
	release := make(chan struct{})
	rc := newReceiver(t, func(w http.ResponseWriter, r *http.Request, _ []byte) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	})
	t.Cleanup(func() { close(release) }) // runs before rc.Close
	for _, typ := range []jobflow.AlarmChannelType{jobflow.ChannelWebhook, jobflow.ChannelDingTalk, jobflow.ChannelFeishu, jobflow.ChannelWeCom} {
		ch, sec := newChannel(t, typ, `{"url":"`+rc.URL+`/robot/send?access_token=SECRETTOKEN"}`)
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		done := make(chan error, 1)
		go func() {
			_, err := alarms.Send(ctx, ch, sec, failMessage())
			done <- err
		}()
		select {
		case err := <-done:
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("%s: err = %v, want context.DeadlineExceeded", typ, err)
			}
			if err != nil && strings.Contains(err.Error(), "SECRETTOKEN") {
				t.Errorf("%s: the error %q shows the url's token", typ, err)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("%s: Send did not return after its ctx ended", typ)
		}
		cancel()
	}
}

func TestSend_DingTalk(t *testing.T) {
	const secret = "SEC0123456789abcdef"
	// The robot checks the signature the way DingTalk documents it.
	rc := newReceiver(t, func(w http.ResponseWriter, r *http.Request, body []byte) {
		ts := r.URL.Query().Get("timestamp")
		mac := hmac.New(sha256.New, []byte(secret))
		mac.Write([]byte(ts + "\n" + secret))
		ms, _ := strconv.ParseInt(ts, 10, 64)
		if r.URL.Query().Get("sign") != base64.StdEncoding.EncodeToString(mac.Sum(nil)) || time.Since(time.UnixMilli(ms)).Abs() > time.Hour {
			answerJSON(200, `{"errcode":310000,"errmsg":"sign not match, more: [https://ding-doc.dingtalk.com/doc#/serverapi2/qf2nxq]"}`)(w, r, body)
			return
		}
		answerJSON(200, `{"errcode":0,"errmsg":"ok"}`)(w, r, body)
	})
	ch, sec := newChannel(t, jobflow.ChannelDingTalk, `{"url":"`+rc.URL+`/robot/send?access_token=AT1","secret":"`+secret+`"}`)
	res, err := alarms.Send(context.Background(), ch, sec, failMessage())
	if err != nil || res.Code != 200 || !strings.Contains(res.Response, `"errcode":0`) {
		t.Fatalf("Send = %+v, %v", res, err)
	}
	got := rc.only(t)
	if got.query["access_token"][0] != "AT1" {
		t.Errorf("the access token was lost: %v", got.query)
	}
	var body struct {
		MsgType string `json:"msgtype"`
		Text    struct {
			Content string `json:"content"`
		} `json:"text"`
	}
	json.Unmarshal(got.body, &body)
	if body.MsgType != "text" || body.Text.Content != "告警 nightly 夜间 FAIL failed: load" {
		t.Errorf("body = %s", got.body)
	}

	t.Run("ErrSignNotMatch", func(t *testing.T) {
		bad, badSec := newChannel(t, jobflow.ChannelDingTalk, `{"url":"`+rc.URL+`/robot/send?access_token=AT1","secret":"SECwrong"}`)
		res, err := alarms.Send(context.Background(), bad, badSec, failMessage())
		if err == nil || !strings.Contains(err.Error(), "310000") || !strings.Contains(err.Error(), "sign not match") {
			t.Errorf("Send error = %v, want errcode 310000 with its errmsg", err)
		}
		if res.Code != 200 || !strings.Contains(res.Response, "310000") {
			t.Errorf("Result = %+v, want the robot's answer", res)
		}
	})

	t.Run("ErrKeywords", func(t *testing.T) {
		kw := newReceiver(t, answerJSON(200, `{"errcode":310000,"errmsg":"keywords not in content"}`))
		unsigned, unsignedSec := newChannel(t, jobflow.ChannelDingTalk, `{"url":"`+kw.URL+`/robot/send?access_token=AT2"}`)
		_, err := alarms.Test(context.Background(), unsigned, unsignedSec)
		if err == nil || !strings.Contains(err.Error(), "keywords not in content") {
			t.Errorf("Test error = %v, want the robot's errmsg", err)
		}
		if q := kw.only(t).query; q.Get("sign") != "" || q.Get("timestamp") != "" {
			t.Errorf("a robot without a secret got a signature: %v", q)
		}
	})

	t.Run("ErrNotJSON", func(t *testing.T) {
		html := newReceiver(t, answerJSON(200, `<html>proxy login</html>`))
		c, s := newChannel(t, jobflow.ChannelDingTalk, `{"url":"`+html.URL+`"}`)
		if _, err := alarms.Send(context.Background(), c, s, failMessage()); err == nil {
			t.Error("a 200 answer that is not the robot's JSON counted as success")
		}
	})
}

func TestSend_Feishu(t *testing.T) {
	const secret = "fs-secret-42"
	rc := newReceiver(t, func(w http.ResponseWriter, r *http.Request, raw []byte) {
		var body struct {
			Timestamp string `json:"timestamp"`
			Sign      string `json:"sign"`
			MsgType   string `json:"msg_type"`
			Content   struct {
				Text string `json:"text"`
			} `json:"content"`
		}
		json.Unmarshal(raw, &body)
		// Feishu: HMAC-SHA256 keyed with "timestamp\nsecret" over nothing.
		mac := hmac.New(sha256.New, []byte(body.Timestamp+"\n"+secret))
		sec, _ := strconv.ParseInt(body.Timestamp, 10, 64)
		switch {
		case body.Sign != base64.StdEncoding.EncodeToString(mac.Sum(nil)) || time.Since(time.Unix(sec, 0)).Abs() > time.Hour:
			answerJSON(200, `{"code":19021,"data":{},"msg":"sign match fail or timestamp is not within one hour from current time"}`)(w, r, raw)
		case body.MsgType != "text" || body.Content.Text == "":
			answerJSON(400, `{"code":9499,"msg":"Bad Request"}`)(w, r, raw)
		default:
			answerJSON(200, `{"code":0,"data":{},"msg":"success"}`)(w, r, raw)
		}
	})
	ch, sec := newChannel(t, jobflow.ChannelFeishu, `{"url":"`+rc.URL+`/open-apis/bot/v2/hook/H00K","secret":"`+secret+`"}`)
	res, err := alarms.Send(context.Background(), ch, sec, failMessage())
	if err != nil || res.Code != 200 {
		t.Fatalf("Send = %+v, %v", res, err)
	}
	if !strings.Contains(string(rc.only(t).body), "告警 nightly 夜间 FAIL") {
		t.Errorf("body = %s", rc.only(t).body)
	}

	t.Run("ErrSign", func(t *testing.T) {
		bad, badSec := newChannel(t, jobflow.ChannelFeishu, `{"url":"`+rc.URL+`/open-apis/bot/v2/hook/H00K","secret":"other"}`)
		_, err := alarms.Send(context.Background(), bad, badSec, failMessage())
		if err == nil || !strings.Contains(err.Error(), "19021") || !strings.Contains(err.Error(), "sign match fail") {
			t.Errorf("Send error = %v, want code 19021 with its msg", err)
		}
	})

	t.Run("ErrBadRequest400", func(t *testing.T) {
		empty := failMessage()
		empty.Text, empty.Title = "", ""
		_, err := alarms.Send(context.Background(), ch, sec, empty)
		if err == nil || !strings.Contains(err.Error(), "9499") {
			t.Errorf("Send error = %v, want the robot's code 9499 (not a bare HTTP 400)", err)
		}
	})

	t.Run("OldAnswer", func(t *testing.T) {
		old := newReceiver(t, answerJSON(200, `{"Extra":null,"StatusCode":0,"StatusMessage":"success"}`))
		c, s := newChannel(t, jobflow.ChannelFeishu, `{"url":"`+old.URL+`/open-apis/bot/v2/hook/X"}`)
		if _, err := alarms.Send(context.Background(), c, s, failMessage()); err != nil {
			t.Errorf("StatusCode 0 answer: %v", err)
		}
		if strings.Contains(string(old.only(t).body), `"sign"`) {
			t.Errorf("a bot without a secret got a signature: %s", old.only(t).body)
		}
	})
}

func TestSend_WeCom(t *testing.T) {
	rc := newReceiver(t, answerJSON(200, `{"errcode":0,"errmsg":"ok"}`))
	ch, sec := newChannel(t, jobflow.ChannelWeCom, `{"url":"`+rc.URL+`/cgi-bin/webhook/send?key=K1"}`)
	msg := failMessage()
	msg.Text = strings.Repeat("长", 1000) // 3000 bytes: over the robot's 2048
	if _, err := alarms.Send(context.Background(), ch, sec, msg); err != nil {
		t.Fatal(err)
	}
	var body struct {
		MsgType string `json:"msgtype"`
		Text    struct {
			Content string `json:"content"`
		} `json:"text"`
	}
	got := rc.only(t)
	json.Unmarshal(got.body, &body)
	if body.MsgType != "text" || len(body.Text.Content) > 2048 || !strings.HasSuffix(body.Text.Content, "长…") || got.query["key"][0] != "K1" {
		t.Errorf("msgtype %q, content %d bytes (ends %q), query %v", body.MsgType, len(body.Text.Content), body.Text.Content[len(body.Text.Content)-6:], got.query)
	}

	t.Run("ErrInvalidKey", func(t *testing.T) {
		bad := newReceiver(t, answerJSON(200, `{"errcode":93000,"errmsg":"invalid webhook url"}`))
		c, s := newChannel(t, jobflow.ChannelWeCom, `{"url":"`+bad.URL+`/cgi-bin/webhook/send?key=nope"}`)
		_, err := alarms.Send(context.Background(), c, s, failMessage())
		if err == nil || !strings.Contains(err.Error(), "93000") || !strings.Contains(err.Error(), "invalid webhook url") {
			t.Errorf("Send error = %v", err)
		}
	})
}

func TestTest_Webhook(t *testing.T) {
	rc := newReceiver(t, answerJSON(200, "ok"))
	ch, sec := newChannel(t, jobflow.ChannelWebhook, `{"url":"`+rc.URL+`"}`)
	res, err := alarms.Test(context.Background(), ch, sec)
	if err != nil || res.Code != 200 || res.Response != "ok" {
		t.Fatalf("Test = %+v, %v", res, err)
	}
	var body map[string]any
	json.Unmarshal(rc.only(t).body, &body)
	if body["event"] != "TEST" || !strings.Contains(body["text"].(string), "jobflow test message") {
		t.Errorf("test body = %s", rc.only(t).body)
	}
}

func TestSend_Unreachable(t *testing.T) {
	rc := newReceiver(t, answerJSON(200, "ok"))
	addr := rc.URL
	rc.Close() // nothing listens there any more
	ch, sec := newChannel(t, jobflow.ChannelDingTalk, `{"url":"`+addr+`/robot/send?access_token=SECRETTOKEN"}`)
	res, err := alarms.Send(context.Background(), ch, sec, failMessage())
	if err == nil || res.Code != 0 {
		t.Fatalf("Send = %+v, %v; want an error and no code", res, err)
	}
	if strings.Contains(err.Error(), "SECRETTOKEN") || strings.Contains(err.Error(), "robot/send") {
		t.Errorf("the error %q shows the url's path or token", err)
	}
}
