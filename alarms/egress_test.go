package alarms_test

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"jobflow"
	"jobflow/alarms"
	"jobflow/egress"
)

// docs/security.md: with a tenant's dialer, every channel type connects only where
// egress allows: webhook and robots over HTTP, email over SMTP.
func TestSender_WithDialRefusesClosed(t *testing.T) {
	hits := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits++ }))
	defer srv.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan struct{}, 10)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			accepted <- struct{}{}
			c.Close()
		}
	}()
	closed := alarms.Default.WithDial(egress.Policy{}.DialContext(nil))
	for _, tc := range []struct {
		typ    jobflow.AlarmChannelType
		config string
	}{
		{jobflow.ChannelWebhook, `{"url":"` + srv.URL + `/hook"}`},
		{jobflow.ChannelDingTalk, `{"url":"` + srv.URL + `/robot/send?access_token=t"}`},
		{jobflow.ChannelFeishu, `{"url":"` + srv.URL + `/open-apis/bot/v2/hook/x"}`},
		{jobflow.ChannelWeCom, `{"url":"` + strings.Replace(srv.URL, "127.0.0.1", "localhost", 1) + `/cgi-bin/webhook/send?key=k"}`},
	} {
		ch, sec := newChannel(t, tc.typ, tc.config)
		_, err := closed.Test(context.Background(), ch, sec)
		if err == nil || !strings.Contains(err.Error(), "egressAllow") {
			t.Errorf("%s to loopback: %v, want refused naming egressAllow", tc.typ, err)
		}
	}
	if hits != 0 {
		t.Errorf("a refused channel reached the server %d times", hits)
	}
	ch, sec := emailChannel(t, ln.Addr().String(), "")
	if _, err := closed.Test(context.Background(), ch, sec); err == nil || !strings.Contains(err.Error(), "egressAllow") {
		t.Errorf("email to loopback: %v, want refused naming egressAllow", err)
	}
	select {
	case <-accepted:
		t.Error("the refused SMTP connection was made")
	default:
	}

	// Allowed: the webhook goes through.
	rules, _ := egress.ParseRules([]string{strings.TrimPrefix(srv.URL, "http://")})
	open := alarms.Default.WithDial(egress.Policy{Allow: rules}.DialContext(nil))
	ch, sec = newChannel(t, jobflow.ChannelWebhook, `{"url":"`+srv.URL+`/hook"}`)
	if _, err := open.Test(context.Background(), ch, sec); err != nil || hits != 1 {
		t.Errorf("allowed webhook: %v, hits %d", err, hits)
	}
}
