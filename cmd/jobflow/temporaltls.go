package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"time"

	"go.temporal.io/api/serviceerror"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// Settings of a production Temporal connection (docs/security.md).
const (
	envTLSCA         = "JOBFLOW_TEMPORAL_TLS_CA"
	envTLSCert       = "JOBFLOW_TEMPORAL_TLS_CERT"
	envTLSKey        = "JOBFLOW_TEMPORAL_TLS_KEY"
	envTLSServerName = "JOBFLOW_TEMPORAL_TLS_SERVER_NAME"
	envAPIKey        = "JOBFLOW_TEMPORAL_API_KEY"
)

// loadTemporalTLS builds the client TLS configuration from the
// JOBFLOW_TEMPORAL_TLS_* settings: nil when none is set. Files are read and
// checked here, so a wrong file is a start-up error naming its setting
// before anything is dialled.
func loadTemporalTLS(getenv func(string) string) (*tls.Config, error) {
	caPath := strings.TrimSpace(getenv(envTLSCA))
	certPath := strings.TrimSpace(getenv(envTLSCert))
	keyPath := strings.TrimSpace(getenv(envTLSKey))
	name := strings.TrimSpace(getenv(envTLSServerName))
	if caPath == "" && certPath == "" && keyPath == "" && name == "" {
		return nil, nil
	}
	cfg := &tls.Config{ServerName: name, MinVersion: tls.VersionTLS12}
	if caPath != "" {
		b, err := os.ReadFile(caPath)
		if err != nil {
			return nil, &settingError{envTLSCA, err.Error()}
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(b) {
			return nil, &settingError{envTLSCA, fmt.Sprintf("%s holds no PEM certificate", caPath)}
		}
		cfg.RootCAs = pool
	}
	switch {
	case certPath != "" && keyPath == "":
		return nil, &settingError{envTLSKey, "required with " + envTLSCert}
	case keyPath != "" && certPath == "":
		return nil, &settingError{envTLSCert, "required with " + envTLSKey}
	case certPath != "":
		certPEM, err := os.ReadFile(certPath)
		if err != nil {
			return nil, &settingError{envTLSCert, err.Error()}
		}
		keyPEM, err := os.ReadFile(keyPath)
		if err != nil {
			return nil, &settingError{envTLSKey, err.Error()}
		}
		leaf, err := parseCert(certPEM)
		if err != nil {
			return nil, &settingError{envTLSCert, fmt.Sprintf("%s: %v", certPath, err)}
		}
		if time.Now().After(leaf.NotAfter) {
			return nil, &settingError{envTLSCert, fmt.Sprintf("%s expired on %s", certPath, leaf.NotAfter.Format(time.RFC3339))}
		}
		pair, err := tls.X509KeyPair(certPEM, keyPEM)
		if err != nil {
			return nil, &settingError{envTLSKey, fmt.Sprintf("%s is not the private key of %s: %v", keyPath, certPath, err)}
		}
		cfg.Certificates = []tls.Certificate{pair}
	}
	return cfg, nil
}

// parseCert parses the first certificate of a PEM file.
func parseCert(b []byte) (*x509.Certificate, error) {
	for {
		var block *pem.Block
		block, b = pem.Decode(b)
		if block == nil {
			return nil, errors.New("no PEM certificate in the file")
		}
		if block.Type == "CERTIFICATE" {
			return x509.ParseCertificate(block.Bytes)
		}
	}
}

// probeTLS shakes hands with the frontend before the SDK does, to turn a
// TLS failure into an error naming the setting to fix: the SDK would only
// report "connection error" and retry until the start-up deadline. A
// frontend that cannot be reached at all is left to the SDK's error.
func probeTLS(ctx context.Context, addr string, cfg *tls.Config, apiKey bool) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	raw, err := (&net.Dialer{}).DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil
	}
	defer raw.Close()
	c := cfg.Clone()
	c.NextProtos = []string{"h2"}
	if c.ServerName == "" {
		c.ServerName, _, _ = net.SplitHostPort(addr)
	}
	conn := tls.Client(raw, c)
	err = conn.HandshakeContext(ctx)
	var unknownCA x509.UnknownAuthorityError
	var hostname x509.HostnameError
	var invalid x509.CertificateInvalidError
	switch {
	case err == nil:
	case errors.As(err, &hostname):
		return &settingError{envTLSServerName, fmt.Sprintf("temporal at %s: %v", addr, err)}
	case errors.As(err, &unknownCA):
		if cfg.RootCAs == nil {
			return &settingError{envTLSCA, fmt.Sprintf("temporal at %s: %v; set it to the CA that signed the server's certificate", addr, err)}
		}
		return &settingError{envTLSCA, fmt.Sprintf("temporal at %s: the server's certificate is not signed by this CA: %v", addr, err)}
	case errors.As(err, &invalid):
		return &settingError{envTLSCA, fmt.Sprintf("temporal at %s: the server's certificate is not valid: %v", addr, err)}
	case isRemoteTLSAlert(err):
		return clientCertError(addr, cfg, err)
	default:
		setting := envTLSCA
		if apiKey && cfg.RootCAs == nil && len(cfg.Certificates) == 0 {
			setting = envAPIKey // TLS is on only because of the API key
		}
		return &settingError{setting, fmt.Sprintf("temporal at %s does not complete a TLS handshake (is it serving TLS?): %v", addr, err)}
	}
	// In TLS 1.3 a server refuses a client certificate after the client
	// has finished its side of the handshake: the alert comes with the
	// first read. A server that accepted sends its HTTP/2 settings, or
	// nothing until the deadline.
	conn.SetReadDeadline(time.Now().Add(2 * time.Second))
	_, err = conn.Read(make([]byte, 1))
	if err != nil && isRemoteTLSAlert(err) {
		return clientCertError(addr, cfg, err)
	}
	return nil
}

// servesTLS tells whether addr answers a TLS handshake, to explain a
// plaintext dial that failed.
func servesTLS(ctx context.Context, addr string) bool {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	raw, err := (&net.Dialer{}).DialContext(ctx, "tcp", addr)
	if err != nil {
		return false
	}
	defer raw.Close()
	// Only to recognise the protocol; nothing is sent over it.
	conn := tls.Client(raw, &tls.Config{InsecureSkipVerify: true, NextProtos: []string{"h2"}})
	err = conn.HandshakeContext(ctx)
	return err == nil || isRemoteTLSAlert(err)
}

func isRemoteTLSAlert(err error) bool {
	return err != nil && strings.Contains(err.Error(), "remote error: tls:")
}

func clientCertError(addr string, cfg *tls.Config, err error) error {
	if len(cfg.Certificates) == 0 {
		return &settingError{envTLSCert, fmt.Sprintf("temporal at %s wants a client certificate (%v): set %s and %s", addr, err, envTLSCert, envTLSKey)}
	}
	return &settingError{envTLSCert, fmt.Sprintf("temporal at %s refused the client certificate: %v", addr, err)}
}

// credentialError names JOBFLOW_TEMPORAL_API_KEY when the frontend refuses
// the caller (the TLS layer has been checked by probeTLS already).
func credentialError(addr string, apiKey bool, err error) error {
	var denied *serviceerror.PermissionDenied
	if !errors.As(err, &denied) && status.Code(err) != codes.Unauthenticated {
		return nil
	}
	if apiKey {
		return &settingError{envAPIKey, fmt.Sprintf("temporal at %s refused the key: %v", addr, err)}
	}
	return &settingError{envAPIKey, fmt.Sprintf("temporal at %s wants credentials: %v; set %s or a client certificate (%s, %s)", addr, err, envAPIKey, envTLSCert, envTLSKey)}
}
