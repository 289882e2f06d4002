package alarms

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"mime"
	"net"
	"net/mail"
	"net/smtp"
	"net/textproto"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"jobflow"
)

// sendEmail sends msg over SMTP: STARTTLS whenever the server offers it (or
// TLS from the start for "implicit"), then AUTH PLAIN or LOGIN. A password
// is only ever sent over TLS or to a server on this host. On success Code is
// 250, the server's answer to the message.
func (s *Sender) sendEmail(ctx context.Context, cfg jobflow.AlarmConfig, msg Message) (res Result, err error) {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, SMTPTimeout)
		defer cancel()
	}
	// Apply fills these; a channel built some other way must not lose TLS.
	if cfg.TLS == "" {
		cfg.TLS = jobflow.SMTPTLSAuto
		if cfg.Port == 465 {
			cfg.TLS = jobflow.SMTPTLSImplicit
		}
	}
	if cfg.Port == 0 {
		cfg.Port = 587
		if cfg.TLS == jobflow.SMTPTLSImplicit {
			cfg.Port = 465
		}
	}
	from, err := mail.ParseAddress(cfg.From)
	if err != nil {
		return Result{}, errors.New("smtp: config.from is not an email address")
	}
	var to []*mail.Address
	for _, t := range cfg.To {
		a, err := mail.ParseAddress(t)
		if err != nil {
			return Result{}, fmt.Errorf("smtp: %q is not an email address", t)
		}
		to = append(to, a)
	}

	addr := net.JoinHostPort(cfg.Host, strconv.Itoa(cfg.Port))
	dial := (&net.Dialer{}).DialContext
	if s.Dial != nil {
		dial = s.Dial
	}
	conn, err := dial(ctx, "tcp", addr)
	if err != nil {
		return Result{}, smtpErr(ctx, "connect to "+addr, err)
	}
	// The deadline bounds every read and write; closing on cancel covers a
	// ctx that is cancelled before its deadline.
	dl, _ := ctx.Deadline()
	conn.SetDeadline(dl)
	raw := conn // closed as is: a TLS conn's Close would first try to write
	stop := context.AfterFunc(ctx, func() { raw.Close() })
	defer stop()

	tlsConf := s.smtpTLS(cfg)
	if cfg.TLS == jobflow.SMTPTLSImplicit {
		conn = tls.Client(conn, tlsConf)
	}
	c, err := smtp.NewClient(conn, cfg.Host)
	if err != nil {
		conn.Close()
		return replyResult(err), smtpErr(ctx, "greeting", err)
	}
	defer c.Close()
	if err := c.Hello(heloName()); err != nil {
		return replyResult(err), smtpErr(ctx, "EHLO", err)
	}
	if cfg.TLS == jobflow.SMTPTLSAuto || cfg.TLS == jobflow.SMTPTLSStartTLS {
		if ok, _ := c.Extension("STARTTLS"); ok {
			if err := c.StartTLS(tlsConf); err != nil {
				return replyResult(err), smtpErr(ctx, "STARTTLS", err)
			}
		} else if cfg.TLS == jobflow.SMTPTLSStartTLS {
			return Result{}, errors.New("smtp: the server does not offer STARTTLS (config.tls is starttls)")
		}
	}
	if cfg.Username != "" {
		if err := authenticate(c, cfg); err != nil {
			return replyResult(err), smtpErr(ctx, "AUTH", err)
		}
	}
	if err := c.Mail(from.Address); err != nil {
		return replyResult(err), smtpErr(ctx, "MAIL FROM", err)
	}
	for _, a := range to {
		if err := c.Rcpt(a.Address); err != nil {
			return replyResult(err), smtpErr(ctx, "RCPT TO "+a.Address, err)
		}
	}
	w, err := c.Data()
	if err != nil {
		return replyResult(err), smtpErr(ctx, "DATA", err)
	}
	if _, err := w.Write(formatEmail(from, to, msg, time.Now())); err != nil {
		return Result{}, smtpErr(ctx, "DATA", err)
	}
	if err := w.Close(); err != nil {
		return replyResult(err), smtpErr(ctx, "end of DATA", err)
	}
	c.Quit() // the message is accepted; a failed goodbye changes nothing
	return Result{Code: 250, Response: "250 message accepted"}, nil
}

func (s *Sender) smtpTLS(cfg jobflow.AlarmConfig) *tls.Config {
	t := &tls.Config{}
	if s.TLSConfig != nil {
		t = s.TLSConfig.Clone()
	}
	t.ServerName = cfg.Host
	t.InsecureSkipVerify = t.InsecureSkipVerify || cfg.SkipVerify
	return t
}

// authenticate logs in with PLAIN, or LOGIN when that is all the server
// offers (Exchange/Office 365). net/smtp's PlainAuth refuses a connection
// without TLS unless the host is spelled localhost/127.0.0.1/::1; this does
// the same check once, for both mechanisms, and says why.
func authenticate(c *smtp.Client, cfg jobflow.AlarmConfig) error {
	if _, tlsOn := c.TLSConnectionState(); !tlsOn && !isLoopback(cfg.Host) {
		return errors.New("the server offers no TLS, and the password is never sent in clear to another host (use tls implicit, or a relay on localhost)")
	}
	ok, mechs := c.Extension("AUTH")
	if !ok {
		return errors.New("the server offers no AUTH, but config.username is set")
	}
	list := strings.Fields(strings.ToUpper(mechs))
	switch {
	case slices.Contains(list, "PLAIN"):
		return c.Auth(plainAuth{cfg.Username, cfg.Password})
	case slices.Contains(list, "LOGIN"):
		return c.Auth(&loginAuth{user: cfg.Username, pass: cfg.Password})
	}
	return fmt.Errorf("the server offers neither AUTH PLAIN nor LOGIN (it offers %s)", mechs)
}

func isLoopback(host string) bool {
	ip := net.ParseIP(host)
	return host == "localhost" || (ip != nil && ip.IsLoopback())
}

// plainAuth is AUTH PLAIN (RFC 4616); the TLS check is in authenticate.
type plainAuth struct{ user, pass string }

func (a plainAuth) Start(*smtp.ServerInfo) (string, []byte, error) {
	return "PLAIN", []byte("\x00" + a.user + "\x00" + a.pass), nil
}

func (a plainAuth) Next(_ []byte, more bool) ([]byte, error) {
	if more {
		return nil, errors.New("unexpected server challenge")
	}
	return nil, nil
}

// loginAuth is the de-facto AUTH LOGIN: user name, then password.
type loginAuth struct {
	user, pass string
	step       int
}

func (a *loginAuth) Start(*smtp.ServerInfo) (string, []byte, error) { return "LOGIN", nil, nil }

func (a *loginAuth) Next(_ []byte, more bool) ([]byte, error) {
	if !more {
		return nil, nil
	}
	a.step++
	switch a.step {
	case 1:
		return []byte(a.user), nil
	case 2:
		return []byte(a.pass), nil
	}
	return nil, errors.New("unexpected server challenge")
}

// formatEmail is an RFC 5322 message: UTF-8 subject as an RFC 2047 word,
// text body in base64 so any UTF-8 and any line survive every relay.
func formatEmail(from *mail.Address, to []*mail.Address, msg Message, now time.Time) []byte {
	var rcpt []string
	for _, a := range to {
		rcpt = append(rcpt, a.String())
	}
	subject := strings.Join(strings.Fields(msg.Title), " ") // one line: no header injection
	var id [12]byte
	rand.Read(id[:])
	var b bytes.Buffer
	header := func(k, v string) { b.WriteString(k + ": " + v + "\r\n") }
	header("From", from.String())
	header("To", strings.Join(rcpt, ", "))
	header("Subject", mime.BEncoding.Encode("UTF-8", subject))
	header("Date", now.Format(time.RFC1123Z))
	header("Message-ID", "<"+base64.RawURLEncoding.EncodeToString(id[:])+"@jobflow>")
	header("MIME-Version", "1.0")
	header("Content-Type", "text/plain; charset=UTF-8")
	header("Content-Transfer-Encoding", "base64")
	b.WriteString("\r\n")
	body := base64.StdEncoding.EncodeToString([]byte(msg.Text))
	for len(body) > 76 {
		b.WriteString(body[:76] + "\r\n")
		body = body[76:]
	}
	b.WriteString(body + "\r\n")
	return b.Bytes()
}

func heloName() string {
	if h, err := os.Hostname(); err == nil && h != "" && !strings.ContainsAny(h, " \t") {
		return h
	}
	return "localhost"
}

// replyResult keeps the server's reply when it refused a command.
func replyResult(err error) Result {
	var te *textproto.Error
	if errors.As(err, &te) {
		return Result{Code: te.Code, Response: jobflow.TruncateUTF8(te.Msg, jobflow.MaxAlarmResponse)}
	}
	return Result{}
}

// smtpErr names the step that failed; when ctx ended, it says so. The
// conn's deadline is ctx's, and may fire a moment before ctx reports done.
func smtpErr(ctx context.Context, step string, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("smtp: %s: %w", step, ctx.Err())
	}
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return fmt.Errorf("smtp: %s: %w", step, context.DeadlineExceeded)
	}
	return fmt.Errorf("smtp: %s: %w", step, err)
}
