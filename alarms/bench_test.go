package alarms_test

import (
	"context"
	"testing"

	"jobflow"
	"jobflow/alarms"
)

func BenchmarkRender(b *testing.B) {
	vars := failMessage().Fields
	for b.Loop() {
		alarms.Render(alarms.DefaultTemplate, vars)
	}
}

// BenchmarkSend_DingTalk is one signed alarm to a local robot, connection reused.
func BenchmarkSend_DingTalk(b *testing.B) {
	rc := newReceiver(b, answerJSON(200, `{"errcode":0,"errmsg":"ok"}`))
	ch, sec := newChannel(b, jobflow.ChannelDingTalk, `{"url":"`+rc.URL+`/robot/send?access_token=x","secret":"SECx"}`)
	msg := failMessage()
	for b.Loop() {
		if _, err := alarms.Send(context.Background(), ch, sec, msg); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSend_Email is one alarm over a new SMTP conversation (no TLS).
func BenchmarkSend_Email(b *testing.B) {
	srv := &smtpServer{auth: "PLAIN", user: "u", pass: "p"}
	addr := srv.start(b, "")
	ch, sec := emailChannel(b, addr, `"username":"u","password":"p"`)
	msg := failMessage()
	for b.Loop() {
		if _, err := alarms.Send(context.Background(), ch, sec, msg); err != nil {
			b.Fatal(err)
		}
	}
}
