package alarms_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"io"
	"mime"
	"net"
	"net/mail"
	"strings"
	"testing"
	"time"

	"jobflow"
	"jobflow/alarms"
)

// emailChannel is an EMAIL channel to the server at addr, with extra config.
func emailChannel(t testing.TB, addr, extra string) (jobflow.AlarmChannel, jobflow.AlarmSecrets) {
	t.Helper()
	host, port, _ := net.SplitHostPort(addr)
	config := `{"host":"` + host + `","port":` + port + `,"from":"Jobflow 告警 <alarm@example.com>","to":["ops@example.com","DBA <dba@example.com>"]`
	if extra != "" {
		config += "," + extra
	}
	return newChannel(t, jobflow.ChannelEmail, config+"}")
}

// readEmail parses a received message: its decoded subject, its body and headers.
func readEmail(t *testing.T, data []byte) (subject, body string, h mail.Header) {
	t.Helper()
	m, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("the message does not parse: %v\n%s", err, data)
	}
	subject, err = new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
	if err != nil {
		t.Fatalf("subject %q: %v", m.Header.Get("Subject"), err)
	}
	raw, _ := io.ReadAll(m.Body)
	if m.Header.Get("Content-Transfer-Encoding") != "base64" {
		t.Fatalf("Content-Transfer-Encoding = %q", m.Header.Get("Content-Transfer-Encoding"))
	}
	b, err := base64.StdEncoding.DecodeString(strings.NewReplacer("\r", "", "\n", "").Replace(string(raw)))
	if err != nil {
		t.Fatalf("body: %v", err)
	}
	return subject, string(b), m.Header
}

func TestSend_Email_StartTLS(t *testing.T) {
	cert, pool := selfSigned(t)
	srv := &smtpServer{cert: cert, auth: "PLAIN LOGIN", user: "alarm@example.com", pass: "p@ss 密码"}
	addr := srv.start(t, "")
	ch, sec := emailChannel(t, addr, `"username":"alarm@example.com","password":"p@ss 密码"`)
	sender := &alarms.Sender{TLSConfig: &tls.Config{RootCAs: pool}}

	msg := failMessage()
	msg.Text = "第一行 line one\n.\n..starts with dots\n" + strings.Repeat("长文本 long text ", 40)
	res, err := sender.Send(context.Background(), ch, sec, msg)
	if err != nil || res.Code != 250 {
		t.Fatalf("Send = %+v, %v", res, err)
	}
	mails := srv.sent()
	if len(mails) != 1 {
		t.Fatalf("the server got %d messages, want 1", len(mails))
	}
	m := mails[0]
	if !m.tls || m.authUser != "alarm@example.com" {
		t.Errorf("tls %v, auth user %q: want STARTTLS then AUTH", m.tls, m.authUser)
	}
	if !strings.HasPrefix(m.from, "FROM:<alarm@example.com>") || strings.Join(m.to, " ") != "TO:<ops@example.com> TO:<dba@example.com>" {
		t.Errorf("envelope from %q to %q", m.from, m.to)
	}
	subject, body, h := readEmail(t, m.data)
	if subject != "[jobflow] nightly 夜间 FAIL" {
		t.Errorf("subject = %q", subject)
	}
	if body != msg.Text {
		t.Errorf("body = %q, want %q", body, msg.Text)
	}
	if !strings.Contains(h.Get("Content-Type"), "charset=UTF-8") || h.Get("Date") == "" || h.Get("Message-ID") == "" {
		t.Errorf("headers = %v", h)
	}
	if from, err := h.AddressList("From"); err != nil || from[0].Name != "Jobflow 告警" || from[0].Address != "alarm@example.com" {
		t.Errorf("From = %q (%v)", h.Get("From"), err)
	}
	for _, b := range m.data {
		if b > 127 {
			t.Fatalf("the message on the wire is not 7-bit: %q", m.data)
		}
	}
}

func TestSend_Email_LocalRelayWithoutTLS(t *testing.T) {
	// No STARTTLS offered: a password may still go to a server on this host.
	srv := &smtpServer{auth: "PLAIN", user: "u", pass: "p"}
	ch, sec := emailChannel(t, srv.start(t, ""), `"username":"u","password":"p"`)
	if _, err := alarms.Send(context.Background(), ch, sec, failMessage()); err != nil {
		t.Fatal(err)
	}
	if m := srv.sent(); len(m) != 1 || m[0].tls || m[0].authUser != "u" {
		t.Errorf("mails = %+v", m)
	}

	// No credentials at all: no AUTH is tried.
	open := &smtpServer{}
	ch, sec = emailChannel(t, open.start(t, ""), `"tls":"none"`)
	if _, err := alarms.Send(context.Background(), ch, sec, failMessage()); err != nil {
		t.Fatal(err)
	}
	if len(open.sent()) != 1 || open.saw("AUTH") {
		t.Errorf("sent %d, AUTH seen %v", len(open.sent()), open.saw("AUTH"))
	}
}

func TestSend_Email_ImplicitTLSLogin(t *testing.T) {
	cert, pool := selfSigned(t)
	srv := &smtpServer{cert: cert, implicit: true, auth: "LOGIN", user: "u@example.com", pass: "secret"}
	ch, sec := emailChannel(t, srv.start(t, ""), `"tls":"implicit","username":"u@example.com","password":"secret"`)
	sender := &alarms.Sender{TLSConfig: &tls.Config{RootCAs: pool}}
	if _, err := sender.Test(context.Background(), ch, sec); err != nil {
		t.Fatal(err)
	}
	m := srv.sent()
	if len(m) != 1 || !m[0].tls || m[0].authUser != "u@example.com" {
		t.Fatalf("mails = %+v", m)
	}
	if subject, body, _ := readEmail(t, m[0].data); subject != "jobflow test message" || !strings.Contains(body, "作业流告警测试消息") {
		t.Errorf("subject %q body %q", subject, body)
	}
}

func TestSend_Email_ErrUntrustedCertificate(t *testing.T) {
	cert, _ := selfSigned(t)
	srv := &smtpServer{cert: cert, auth: "PLAIN", user: "u", pass: "p"}
	addr := srv.start(t, "")
	ch, sec := emailChannel(t, addr, `"username":"u","password":"p"`)
	_, err := alarms.Send(context.Background(), ch, sec, failMessage()) // system roots only
	if err == nil || !strings.Contains(err.Error(), "STARTTLS") {
		t.Fatalf("Send error = %v, want a STARTTLS certificate error", err)
	}
	if srv.saw("AUTH") || len(srv.sent()) != 0 {
		t.Error("the password or the message went out after a failed TLS handshake")
	}
	// skipVerify is the owner's explicit choice for a server with its own certificate.
	ch, sec = emailChannel(t, addr, `"username":"u","password":"p","skipVerify":true`)
	if _, err := alarms.Send(context.Background(), ch, sec, failMessage()); err != nil {
		t.Fatalf("with skipVerify: %v", err)
	}
	if m := srv.sent(); len(m) != 1 || !m[0].tls {
		t.Errorf("mails = %+v", m)
	}
}

func TestSend_Email_ErrStartTLSRequired(t *testing.T) {
	srv := &smtpServer{}
	ch, sec := emailChannel(t, srv.start(t, ""), `"tls":"starttls"`)
	_, err := alarms.Send(context.Background(), ch, sec, failMessage())
	if err == nil || !strings.Contains(err.Error(), "STARTTLS") {
		t.Fatalf("Send error = %v, want one about STARTTLS", err)
	}
	if srv.saw("MAIL") {
		t.Error("the message went out in clear although config.tls is starttls")
	}
}

func TestSend_Email_ErrPasswordInClear(t *testing.T) {
	ip := nonLoopbackIP(t)
	srv := &smtpServer{auth: "PLAIN LOGIN", user: "u", pass: "p"}
	addr := srv.start(t, net.JoinHostPort(ip.String(), "0"))
	ch, sec := emailChannel(t, addr, `"username":"u","password":"p"`)
	_, err := alarms.Send(context.Background(), ch, sec, failMessage())
	if err == nil || !strings.Contains(err.Error(), "never sent in clear") {
		t.Fatalf("Send error = %v, want a refusal to send the password without TLS", err)
	}
	if srv.saw("AUTH") || srv.saw("MAIL") {
		t.Error("the client went on after refusing")
	}
}

func TestSend_Email_ErrServerRefuses(t *testing.T) {
	srv := &smtpServer{auth: "PLAIN", user: "u", pass: "right", rejectRcpt: "dba@"}
	addr := srv.start(t, "")

	ch, sec := emailChannel(t, addr, `"username":"u","password":"wrong"`)
	res, err := alarms.Send(context.Background(), ch, sec, failMessage())
	if err == nil || res.Code != 535 || !strings.Contains(res.Response, "authentication failed") {
		t.Errorf("bad password: %+v, %v; want code 535", res, err)
	}

	ch, sec = emailChannel(t, addr, `"username":"u","password":"right"`)
	res, err = alarms.Send(context.Background(), ch, sec, failMessage())
	if err == nil || res.Code != 550 || !strings.Contains(err.Error(), "dba@example.com") {
		t.Errorf("rejected recipient: %+v, %v; want code 550 naming the address", res, err)
	}
	if len(srv.sent()) != 0 {
		t.Error("a message was accepted")
	}
}

func TestSend_Email_Hang(t *testing.T) {
	srv := &smtpServer{hang: true}
	ch, sec := emailChannel(t, srv.start(t, ""), "")
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		_, err := alarms.Send(ctx, ch, sec, failMessage())
		done <- err
	}()
	select {
	case err := <-done:
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("err = %v, want context.DeadlineExceeded", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Send did not return after its ctx ended")
	}

	// Cancelled (no deadline) works as well.
	ctx2, cancel2 := context.WithCancel(context.Background())
	go func() {
		_, err := alarms.Send(ctx2, ch, sec, failMessage())
		done <- err
	}()
	time.Sleep(100 * time.Millisecond) // Send is in its hanging exchange by then; an earlier cancel passes too
	cancel2()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("err = %v, want context.Canceled", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Send did not return after its ctx was cancelled")
	}
}
