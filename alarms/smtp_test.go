package alarms_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"io"
	"math/big"
	"net"
	"net/textproto"
	"strings"
	"sync"
	"testing"
	"time"
)

// smtpServer is a small SMTP server for the tests: EHLO, STARTTLS (when it
// has a certificate), AUTH PLAIN/LOGIN, MAIL, RCPT, DATA, QUIT. It keeps
// every accepted message and every command line.
type smtpServer struct {
	ln         net.Listener
	cert       *tls.Certificate // offer STARTTLS with it (unless implicit)
	implicit   bool             // ln is a TLS listener
	auth       string           // advertised mechanisms, e.g. "PLAIN LOGIN"; "" for none
	user, pass string
	hang       bool // accept, then say nothing
	rejectRcpt string

	mu    sync.Mutex
	mails []smtpMail
	cmds  []string
	wg    sync.WaitGroup
}

type smtpMail struct {
	from     string
	to       []string
	data     []byte
	tls      bool
	authUser string
}

// start listens on addr ("127.0.0.1:0" unless given) and serves until the test ends.
func (s *smtpServer) start(t testing.TB, addr string) string {
	t.Helper()
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	if s.implicit {
		ln = tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{*s.cert}})
	}
	s.ln = ln
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			s.wg.Add(1)
			go func() {
				defer s.wg.Done()
				s.session(conn)
			}()
		}
	}()
	t.Cleanup(func() { ln.Close(); s.wg.Wait() })
	return ln.Addr().String()
}

func (s *smtpServer) session(conn net.Conn) {
	defer func() { conn.Close() }()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	if s.hang {
		io.Copy(io.Discard, conn) // until the client gives up
		return
	}
	tp := textproto.NewConn(conn)
	m := smtpMail{tls: s.implicit}
	tp.PrintfLine("220 test.local ESMTP ready")
	for {
		line, err := tp.ReadLine()
		if err != nil {
			return
		}
		s.mu.Lock()
		s.cmds = append(s.cmds, line)
		s.mu.Unlock()
		verb, arg, _ := strings.Cut(line, " ")
		switch strings.ToUpper(verb) {
		case "EHLO":
			ext := []string{"test.local", "8BITMIME"}
			if s.cert != nil && !m.tls {
				ext = append(ext, "STARTTLS")
			}
			if s.auth != "" {
				ext = append(ext, "AUTH "+s.auth)
			}
			for i, e := range ext {
				sep := "-"
				if i == len(ext)-1 {
					sep = " "
				}
				tp.PrintfLine("250%s%s", sep, e)
			}
		case "STARTTLS":
			tp.PrintfLine("220 go ahead")
			tc := tls.Server(conn, &tls.Config{Certificates: []tls.Certificate{*s.cert}})
			if tc.Handshake() != nil {
				return
			}
			conn, tp, m = tc, textproto.NewConn(tc), smtpMail{tls: true}
		case "AUTH":
			user, pass, ok := s.readAuth(tp, strings.Fields(arg))
			if !ok || user != s.user || pass != s.pass {
				tp.PrintfLine("535 5.7.8 authentication failed")
				continue
			}
			m.authUser = user
			tp.PrintfLine("235 2.7.0 authenticated")
		case "MAIL":
			m.from, m.to = arg, nil
			tp.PrintfLine("250 ok")
		case "RCPT":
			if s.rejectRcpt != "" && strings.Contains(arg, s.rejectRcpt) {
				tp.PrintfLine("550 5.1.1 no such user here")
				continue
			}
			m.to = append(m.to, arg)
			tp.PrintfLine("250 ok")
		case "DATA":
			tp.PrintfLine("354 end with <CRLF>.<CRLF>")
			data, err := tp.ReadDotBytes()
			if err != nil {
				return
			}
			m.data = data
			s.mu.Lock()
			s.mails = append(s.mails, m)
			s.mu.Unlock()
			tp.PrintfLine("250 2.0.0 queued")
		case "QUIT":
			tp.PrintfLine("221 bye")
			return
		case "RSET", "NOOP":
			tp.PrintfLine("250 ok")
		default:
			tp.PrintfLine("502 command not implemented")
		}
	}
}

// readAuth reads AUTH PLAIN (initial response or after a 334) or AUTH LOGIN.
func (s *smtpServer) readAuth(tp *textproto.Conn, args []string) (user, pass string, ok bool) {
	next := func(prompt string) string {
		tp.PrintfLine("334 %s", prompt)
		line, _ := tp.ReadLine()
		b, _ := base64.StdEncoding.DecodeString(line)
		return string(b)
	}
	if len(args) == 0 || !strings.Contains(s.auth, strings.ToUpper(args[0])) {
		return "", "", false
	}
	switch strings.ToUpper(args[0]) {
	case "PLAIN":
		var resp string
		if len(args) > 1 {
			b, _ := base64.StdEncoding.DecodeString(args[1])
			resp = string(b)
		} else {
			resp = next("")
		}
		parts := strings.Split(resp, "\x00")
		if len(parts) != 3 {
			return "", "", false
		}
		return parts[1], parts[2], true
	case "LOGIN":
		user = next(base64.StdEncoding.EncodeToString([]byte("Username:")))
		pass = next(base64.StdEncoding.EncodeToString([]byte("Password:")))
		return user, pass, true
	}
	return "", "", false
}

func (s *smtpServer) sent() []smtpMail {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]smtpMail(nil), s.mails...)
}

func (s *smtpServer) saw(prefix string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.cmds {
		if strings.HasPrefix(strings.ToUpper(c), prefix) {
			return true
		}
	}
	return false
}

// selfSigned makes a certificate for 127.0.0.1 and localhost, and a pool
// that trusts it.
func selfSigned(t *testing.T, ips ...net.IP) (*tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(time.Now().UnixNano()),
		Subject:               pkix.Name{CommonName: "jobflow test SMTP"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IPAddresses:           append([]net.IP{net.IPv4(127, 0, 0, 1)}, ips...),
		DNSNames:              []string{"localhost"},
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return &tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}

// nonLoopbackIP is an address of this machine that is not a loopback one,
// to play a remote SMTP server.
func nonLoopbackIP(t *testing.T) net.IP {
	t.Helper()
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && !n.IP.IsLoopback() && n.IP.To4() != nil {
			return n.IP
		}
	}
	t.Fatal("this machine has no non-loopback IPv4 address to play a remote SMTP server")
	return nil
}
