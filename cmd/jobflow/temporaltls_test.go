package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/subtle"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"io"
	"log/slog"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/server/common/authorization"
	"go.temporal.io/server/common/config"
	"go.temporal.io/server/common/rpc/encryption"
	"go.temporal.io/server/temporal"
	"go.temporal.io/server/temporaltest"

	"jobflow/internal/testtier"
)

// testCA is a certificate authority made for one test.
type testCA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	pem  []byte
}

func newTestCA(t *testing.T, name string) *testCA {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageCertSign, BasicConstraintsValid: true, IsCA: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	return &testCA{cert: cert, key: key, pem: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})}
}

// issue signs a certificate for 127.0.0.1 and localhost, for servers and
// clients alike, and returns it and its key as PEM.
func (ca *testCA) issue(t *testing.T, cn string) (certPEM, keyPEM []byte) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
		DNSNames:    []string{"localhost"}, IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	kd, _ := x509.MarshalECPrivateKey(key)
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kd})
}

func (ca *testCA) pair(t *testing.T, cn string) tls.Certificate {
	t.Helper()
	c, k := ca.issue(t, cn)
	p, err := tls.X509KeyPair(c, k)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func writeTemp(t *testing.T, name string, b []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// tlsProvider gives the in-process test server its frontend TLS: server
// side for the frontend, client side for the server's own system worker.
// Internode traffic stays plaintext (all in one process).
type tlsProvider struct{ server, client *tls.Config }

func (p tlsProvider) GetInternodeServerConfig() (*tls.Config, error)           { return nil, nil }
func (p tlsProvider) GetInternodeClientConfig() (*tls.Config, error)           { return nil, nil }
func (p tlsProvider) GetFrontendServerConfig() (*tls.Config, error)            { return p.server, nil }
func (p tlsProvider) GetFrontendClientConfig() (*tls.Config, error)            { return p.client, nil }
func (p tlsProvider) GetRemoteClusterClientConfig(string) (*tls.Config, error) { return nil, nil }
func (p tlsProvider) GetExpiringCerts(time.Duration) (encryption.CertExpirationMap, encryption.CertExpirationMap, error) {
	return nil, nil, nil
}

// keyMapper admits the API key and, for the server's own system worker, a
// verified client certificate; anything else gets no claims.
type keyMapper struct{ key string }

func (m keyMapper) GetClaims(a *authorization.AuthInfo) (*authorization.Claims, error) {
	if a.TLSSubject != nil || subtle.ConstantTimeCompare([]byte(a.AuthToken), []byte("Bearer "+m.key)) == 1 {
		return &authorization.Claims{System: authorization.RoleAdmin}, nil
	}
	return nil, nil
}
func (keyMapper) AuthInfoRequired() bool { return false }

// tlsTemporal is an in-process Temporal server whose frontend serves TLS
// with a certificate of serverCA.
type tlsTemporal struct {
	ts                 *temporaltest.TestServer
	serverCA, clientCA *testCA
	caFile             string // serverCA's certificate
	addr, namespace    string
}

// startTLSTemporal starts a frontend that demands a client certificate of
// clientCA (mTLS), or, with apiKey, one that demands that key instead.
func startTLSTemporal(t *testing.T, apiKey string) *tlsTemporal {
	t.Helper()
	tt := &tlsTemporal{serverCA: newTestCA(t, "server CA"), clientCA: newTestCA(t, "client CA")}
	tt.caFile = writeTemp(t, "server-ca.pem", tt.serverCA.pem)
	clients := x509.NewCertPool()
	clients.AddCert(tt.clientCA.cert)
	roots := x509.NewCertPool()
	roots.AddCert(tt.serverCA.cert)
	p := tlsProvider{
		server: &tls.Config{Certificates: []tls.Certificate{tt.serverCA.pair(t, "frontend")}, ClientCAs: clients, ClientAuth: tls.RequireAndVerifyClientCert},
		client: &tls.Config{RootCAs: roots, ServerName: "localhost", Certificates: []tls.Certificate{tt.clientCA.pair(t, "system-worker")}},
	}
	opts := []temporal.ServerOption{temporal.WithTLSConfigFactory(p)}
	if apiKey != "" {
		p.server.ClientAuth = tls.VerifyClientCertIfGiven
		opts = append(opts,
			temporal.WithClaimMapper(func(*config.Config) authorization.ClaimMapper { return keyMapper{apiKey} }),
			temporal.WithAuthorizer(authorization.NewDefaultAuthorizer()))
	}
	tt.ts = temporaltest.NewServer(temporaltest.WithT(t), temporaltest.WithBaseServerOptions(opts...))
	tt.addr, tt.namespace = tt.ts.GetFrontendHostPort(), tt.ts.GetDefaultNamespace()
	return tt
}

// dial runs jobflow's start-up dial with the given settings.
func (tt *tlsTemporal) dial(t *testing.T, vars map[string]string) error {
	t.Helper()
	cfg, err := loadConfig(modeWorker, env(withVars(serverEnv(), vars)))
	if err != nil {
		return err
	}
	cfg.TemporalAddress, cfg.TemporalNamespace = tt.addr, tt.namespace
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := dialTemporal(ctx, cfg, nil, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		return err
	}
	defer c.Close()
	// The connection works beyond the checks of the dial itself.
	_, err = c.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{Namespace: tt.namespace})
	return err
}

func withVars(m, vars map[string]string) map[string]string {
	for k, v := range vars {
		m[k] = v
	}
	return m
}

// wantSetting checks err is a settingError naming name.
func wantSetting(t *testing.T, what string, err error, name string) {
	t.Helper()
	var se *settingError
	if !errors.As(err, &se) || se.name != name {
		t.Errorf("%s: err = %v, want one naming %s", what, err, name)
		return
	}
	t.Logf("%s: %v", what, err)
}

// TestTemporal_MTLS: against a frontend that demands a client certificate,
// the right CA, certificate and key connect; each wrong or missing piece
// is an error naming the setting to fix.
func TestTemporal_MTLS(t *testing.T) {
	tt := startTLSTemporal(t, "")
	cert, key := tt.clientCA.issue(t, "jobflow")
	certFile, keyFile := writeTemp(t, "client.pem", cert), writeTemp(t, "client-key.pem", key)
	good := map[string]string{envTLSCA: tt.caFile, envTLSCert: certFile, envTLSKey: keyFile}
	if err := tt.dial(t, good); err != nil {
		t.Fatalf("with CA, certificate and key: %v", err)
	}
	if err := tt.dial(t, withVars(map[string]string{envTLSServerName: "localhost"}, good)); err != nil {
		t.Errorf("with server name localhost: %v", err)
	}

	other := newTestCA(t, "someone else's CA")
	oc, ok := other.issue(t, "intruder")
	otherCert, otherKey := writeTemp(t, "other.pem", oc), writeTemp(t, "other-key.pem", ok)
	otherCA := writeTemp(t, "other-ca.pem", other.pem)
	wantSetting(t, "no client certificate", tt.dial(t, map[string]string{envTLSCA: tt.caFile}), envTLSCert)
	wantSetting(t, "certificate of another CA", tt.dial(t, map[string]string{envTLSCA: tt.caFile, envTLSCert: otherCert, envTLSKey: otherKey}), envTLSCert)
	wantSetting(t, "wrong CA", tt.dial(t, withVars(map[string]string{envTLSCA: otherCA}, map[string]string{envTLSCert: certFile, envTLSKey: keyFile})), envTLSCA)
	wantSetting(t, "system roots", tt.dial(t, map[string]string{envTLSCert: certFile, envTLSKey: keyFile}), envTLSCA)
	wantSetting(t, "wrong server name", tt.dial(t, withVars(map[string]string{envTLSServerName: "temporal.example.com"}, good)), envTLSServerName)
	wantSetting(t, "plaintext", tt.dial(t, nil), envTLSCA)

	// Files that are wrong in themselves are found before any dial.
	notPEM := writeTemp(t, "junk.pem", []byte("not a certificate"))
	wantSetting(t, "CA not PEM", tt.dial(t, map[string]string{envTLSCA: notPEM}), envTLSCA)
	wantSetting(t, "CA missing", tt.dial(t, map[string]string{envTLSCA: filepath.Join(t.TempDir(), "none.pem")}), envTLSCA)
	wantSetting(t, "certificate not PEM", tt.dial(t, map[string]string{envTLSCA: tt.caFile, envTLSCert: notPEM, envTLSKey: keyFile}), envTLSCert)
	wantSetting(t, "key of another certificate", tt.dial(t, map[string]string{envTLSCA: tt.caFile, envTLSCert: certFile, envTLSKey: otherKey}), envTLSKey)
	wantSetting(t, "key not PEM", tt.dial(t, map[string]string{envTLSCA: tt.caFile, envTLSCert: certFile, envTLSKey: notPEM}), envTLSKey)
	wantSetting(t, "certificate without key", tt.dial(t, map[string]string{envTLSCA: tt.caFile, envTLSCert: certFile}), envTLSKey)
	wantSetting(t, "key without certificate", tt.dial(t, map[string]string{envTLSCA: tt.caFile, envTLSKey: keyFile}), envTLSCert)
}

// TestTemporal_APIKey: against a frontend that wants an API key (over TLS,
// as Temporal Cloud), the key connects; no key or a wrong one is an error
// naming JOBFLOW_TEMPORAL_API_KEY, and a key without the server's CA one
// naming JOBFLOW_TEMPORAL_TLS_CA.
func TestTemporal_APIKey(t *testing.T) {
	const key = "test-api-key-0123456789abcdef0123456789"
	tt := startTLSTemporal(t, key)
	if err := tt.dial(t, map[string]string{envTLSCA: tt.caFile, envAPIKey: key}); err != nil {
		t.Fatalf("with the key: %v", err)
	}
	wantSetting(t, "no key", tt.dial(t, map[string]string{envTLSCA: tt.caFile}), envAPIKey)
	err := tt.dial(t, map[string]string{envTLSCA: tt.caFile, envAPIKey: strings.Repeat("x", len(key))})
	wantSetting(t, "wrong key", err, envAPIKey)
	if err != nil && strings.Contains(err.Error(), "xxxx") {
		t.Errorf("the error shows the key: %v", err)
	}
	wantSetting(t, "key, system roots", tt.dial(t, map[string]string{envAPIKey: key}), envTLSCA)
}

// TestBinary_ErrTemporalTLS: `jobflow worker` with a CA that did not sign
// the server's certificate exits with one error line naming the setting.
func TestBinary_ErrTemporalTLS(t *testing.T) {
	testtier.Long(t, "the jobflow binary (tests that run jobflow processes)")
	tt := startTLSTemporal(t, "")
	other := writeTemp(t, "other-ca.pem", newTestCA(t, "other").pem)
	vars := serverEnv()
	vars["JOBFLOW_TEMPORAL_ADDRESS"] = tt.addr
	vars["JOBFLOW_TEMPORAL_NAMESPACE"] = tt.namespace
	vars[envTLSCA] = other
	cmd, _, stderr := command(t, vars, "worker")
	if code := exitCode(t, cmd); code == 0 {
		t.Fatal("exit code 0 with the wrong CA")
	}
	assertOneErrorLine(t, stderr.String(), envTLSCA)
}
