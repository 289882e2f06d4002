package temporalserver

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"net"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
)

// TestInternode_NeedsCertificate: the history, matching, worker and
// internal-frontend ports, which trust any caller with a certificate of
// the data dir's CA, refuse a plaintext gRPC client and a TLS client
// without a certificate, even one that trusts the CA. A client with a
// certificate of that CA (the positive control) gets an answer.
func TestInternode_NeedsCertificate(t *testing.T) {
	dir := t.TempDir()
	// Its own frontend port, not 7233: other packages' servers run meanwhile.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	s, err := Start(context.Background(), Config{DataDir: dir, FrontendPort: port})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Stop()

	// A certificate of the same CA, as the server's own services hold.
	certs, err := newPKI(dir)
	if err != nil {
		t.Fatal(err)
	}
	pair, err := tls.X509KeyPair(certs.certPEM, certs.keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(certs.caPEM)

	check := func(addr string, creds credentials.TransportCredentials) error {
		conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(creds))
		if err != nil {
			return err
		}
		defer conn.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		_, err = healthpb.NewHealthClient(conn).Check(ctx, &healthpb.HealthCheckRequest{})
		return err
	}
	p := s.ports
	for name, port := range map[string]int{"history": p.history, "matching": p.matching, "worker": p.worker, "internal-frontend": p.internalFrontend} {
		addr := hostPort(port)
		if err := check(addr, insecure.NewCredentials()); err == nil {
			t.Errorf("%s: plaintext health check answered", name)
		}
		noCert := credentials.NewTLS(&tls.Config{RootCAs: roots, ServerName: serverName})
		if err := check(addr, noCert); err == nil {
			t.Errorf("%s: TLS without a client certificate answered", name)
		}
		// The handshake itself is refused: the server's alert arrives on
		// the first read.
		conn, err := tls.DialWithDialer(&net.Dialer{Timeout: 3 * time.Second}, "tcp", addr,
			&tls.Config{RootCAs: roots, ServerName: serverName, NextProtos: []string{"h2"}})
		if err == nil {
			conn.SetReadDeadline(time.Now().Add(3 * time.Second))
			_, err = conn.Read(make([]byte, 1))
			conn.Close()
		}
		if err == nil || isTimeout(err) {
			t.Errorf("%s: TLS without a client certificate: %v, want the handshake refused", name, err)
		} else {
			t.Logf("%s: without a certificate: %v", name, err)
		}
		withCert := credentials.NewTLS(&tls.Config{RootCAs: roots, ServerName: serverName, Certificates: []tls.Certificate{pair}})
		if err := check(addr, withCert); err != nil && name != "worker" {
			// The worker service registers no health server; reaching it
			// at all is checked by the error not being a TLS one.
			t.Errorf("%s: health check with the CA's certificate: %v", name, err)
		}
	}
}

func isTimeout(err error) bool {
	ne, ok := err.(net.Error)
	return ok && ne.Timeout()
}
