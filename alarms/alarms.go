// Package alarms sends 基线告警 (baseline alarms) to a tenant's alarm
// channels: a plain webhook, the DingTalk, Feishu and WeCom group robots, and
// email over SMTP. It renders the alarm template, speaks each channel's
// format and signature scheme, and reports the channel's answer so the
// caller can record it. It stores nothing and knows nothing of Temporal:
// the run's alarm activity and the channel test endpoint both call Send.
//
// Every send is bounded: it takes a ctx, HTTP requests have a 10 s client
// timeout, and an SMTP conversation is cut when ctx is done (30 s when ctx
// has no deadline), so a channel that hangs costs its caller at most that.
//
// A run's alarm activity does, per channel of a matching rule:
//
//	msg := alarms.RunMessage(event, rule.Template, run, failedJobNames, time.Now(), loc)
//	res, err := alarms.Send(ctx, ch, secrets, msg) // ch, secrets: from the store, decrypted
//	rec := jobflow.AlarmRecord{ID: jobflow.NewID(jobflow.PrefixAlarmRecord), Attempt: attempt, …}
//	rec.SetOutcome(res.Code, res.Response, err)
//
// and the channel test endpoint calls alarms.Test(ctx, ch, secrets).
package alarms

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
	"time"

	"jobflow"
)

// EventTest is the event of a channel test message.
const EventTest jobflow.AlarmEvent = "TEST"

// Message is one alarm, ready to send.
type Message struct {
	Event      jobflow.AlarmEvent
	Title      string            // email subject
	Text       string            // the rendered template: robot text, email body
	Fields     map[string]string // the template variables, by name ("qing.status")
	FailedJobs []string          // names of the failed jobs, for the webhook's JSON
}

// Result is a channel's answer: the HTTP status (the SMTP reply code for
// email) and the start of the body. Code is 0 when no answer came.
type Result struct {
	Code     int    `json:"code"`
	Response string `json:"response"`
}

// Timeouts.
const (
	HTTPTimeout = 10 * time.Second // one HTTP request, when ctx allows longer
	SMTPTimeout = 30 * time.Second // one SMTP conversation, when ctx has no deadline
)

// Sender sends alarms. The zero value is ready to use; its fields exist so
// tests (and deployments with a private CA) can say which servers to trust.
type Sender struct {
	HTTPClient *http.Client // nil: a client with HTTPTimeout that follows no redirect
	TLSConfig  *tls.Config  // for SMTP TLS; nil: the system roots
	// Dial, when set, makes every connection (HTTP, SMTP), with the
	// tenant's egress policy (jobflow/egress); no proxy is used then.
	Dial func(ctx context.Context, network, addr string) (net.Conn, error)
}

// WithDial returns a copy of s whose connections go through dial.
func (s *Sender) WithDial(dial func(ctx context.Context, network, addr string) (net.Conn, error)) *Sender {
	c := *s
	c.Dial = dial
	return &c
}

// Default is the Sender used by Send and Test.
var Default = &Sender{}

// Send sends msg to ch with Default.
func Send(ctx context.Context, ch jobflow.AlarmChannel, sec jobflow.AlarmSecrets, msg Message) (Result, error) {
	return Default.Send(ctx, ch, sec, msg)
}

// Test sends a test message to ch with Default.
func Test(ctx context.Context, ch jobflow.AlarmChannel, sec jobflow.AlarmSecrets) (Result, error) {
	return Default.Test(ctx, ch, sec)
}

// Send sends msg to the channel ch whose decrypted secrets are sec. The error
// (nil when the channel accepted the message) says why the channel refused
// or could not be reached; it never holds a secret or a url's token, so it
// can be recorded and shown to the channel's owner.
func (s *Sender) Send(ctx context.Context, ch jobflow.AlarmChannel, sec jobflow.AlarmSecrets, msg Message) (Result, error) {
	cfg, err := ch.FullConfig(sec)
	if err != nil {
		return Result{}, err
	}
	if msg.Text == "" {
		msg.Text = msg.Title
	}
	switch ch.Type {
	case jobflow.ChannelWebhook:
		return s.sendWebhook(ctx, cfg, msg)
	case jobflow.ChannelDingTalk:
		return s.sendDingTalk(ctx, cfg, msg)
	case jobflow.ChannelFeishu:
		return s.sendFeishu(ctx, cfg, msg)
	case jobflow.ChannelWeCom:
		return s.sendWeCom(ctx, cfg, msg)
	case jobflow.ChannelEmail:
		return s.sendEmail(ctx, cfg, msg)
	}
	return Result{}, fmt.Errorf("unknown channel type %q", ch.Type)
}

// Test sends the test message: "jobflow test message". A DingTalk or Feishu
// robot secured by keywords refuses it unless a keyword is in that text.
func (s *Sender) Test(ctx context.Context, ch jobflow.AlarmChannel, sec jobflow.AlarmSecrets) (Result, error) {
	return s.Send(ctx, ch, sec, TestMessage(ch, time.Now()))
}

// TestMessage is the message Test sends.
func TestMessage(ch jobflow.AlarmChannel, now time.Time) Message {
	vars := map[string]string{
		VarStatus:          string(EventTest),
		VarCurrentDatetime: now.Format(DatetimeLayout),
	}
	return Message{
		Event:  EventTest,
		Title:  "jobflow test message",
		Text:   "jobflow test message / 作业流告警测试消息\nchannel 告警通道: " + ch.Name + "\ntime 时间: " + vars[VarCurrentDatetime],
		Fields: vars,
	}
}
