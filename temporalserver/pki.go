package temporalserver

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"
)

// CAFile is the file in the data dir holding the certificate of the
// authority that signs the embedded server's TLS certificates. Clients
// outside this process (another jobflow worker, the temporal CLI) trust the
// frontend with it (JOBFLOW_TEMPORAL_TLS_CA).
const CAFile = "temporal-ca.pem"

// serverName is the name in the node certificate besides 127.0.0.1.
const serverName = "localhost"

// CAKeyFile holds the CA's private key (mode 0600). The CA is kept across
// restarts so that clients given CAFile keep trusting the frontend; the
// node certificate is made anew, in memory, at every start.
const CAKeyFile = "temporal-ca-key.pem"

// pki is the TLS material of one server start, PEM-encoded: the CA's
// certificate and a node certificate with its key.
type pki struct {
	caPEM, certPEM, keyPEM []byte
}

// newPKI loads the CA from dir, creating it on the first start, and signs
// a node certificate valid for 127.0.0.1 and localhost as a server and as a
// client (the internal services dial each other with it).
func newPKI(dir string) (*pki, error) {
	ca, caKey, caPEM, err := loadOrCreateCA(dir)
	if err != nil {
		return nil, err
	}
	nodeKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	notAfter := now.AddDate(1, 0, 0)
	if notAfter.After(ca.NotAfter) {
		notAfter = ca.NotAfter
	}
	nodeTmpl := &x509.Certificate{
		SerialNumber: serial(),
		Subject:      pkix.Name{Organization: []string{"jobflow"}, CommonName: "jobflow embedded Temporal"},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     notAfter,
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
		DNSNames:     []string{serverName},
		IPAddresses:  []net.IP{net.ParseIP(loopback)},
	}
	nodeDER, err := x509.CreateCertificate(rand.Reader, nodeTmpl, ca, &nodeKey.PublicKey, caKey)
	if err != nil {
		return nil, fmt.Errorf("temporal node certificate: %w", err)
	}
	keyDER, err := x509.MarshalECPrivateKey(nodeKey)
	if err != nil {
		return nil, err
	}
	return &pki{
		caPEM:   caPEM,
		certPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: nodeDER}),
		keyPEM:  pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}),
	}, nil
}

// loadOrCreateCA reads the CA's certificate and key from dir. When either
// file is missing both are made (ECDSA P-256, ten years); a file that is
// there but unusable is an error naming it.
func loadOrCreateCA(dir string) (*x509.Certificate, *ecdsa.PrivateKey, []byte, error) {
	certPath, keyPath := filepath.Join(dir, CAFile), filepath.Join(dir, CAKeyFile)
	certPEM, errC := os.ReadFile(certPath)
	keyPEM, errK := os.ReadFile(keyPath)
	if errC == nil && errK == nil {
		pair, err := tls.X509KeyPair(certPEM, keyPEM)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("temporal CA %s / %s: %w (delete both to make a new CA)", certPath, keyPath, err)
		}
		ca, err := x509.ParseCertificate(pair.Certificate[0])
		if err != nil {
			return nil, nil, nil, fmt.Errorf("temporal CA %s: %w", certPath, err)
		}
		key, ok := pair.PrivateKey.(*ecdsa.PrivateKey)
		if !ok || !ca.IsCA || time.Now().After(ca.NotAfter) {
			return nil, nil, nil, fmt.Errorf("temporal CA %s is not a valid ECDSA CA (expired?); delete %s and %s to make a new one", certPath, certPath, keyPath)
		}
		return ca, key, certPEM, nil
	}
	for _, e := range []error{errC, errK} {
		if e != nil && !errors.Is(e, os.ErrNotExist) {
			return nil, nil, nil, fmt.Errorf("temporal CA: %w", e)
		}
	}

	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, nil, err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{Organization: []string{"jobflow"}, CommonName: "jobflow embedded Temporal CA"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.AddDate(10, 0, 0),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("temporal CA: %w", err)
	}
	ca, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, nil, nil, err
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return nil, nil, nil, err
	}
	certPEM = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	// The key first: a certificate without its key is remade next time.
	if err := writeFile(keyPath, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER})); err != nil {
		return nil, nil, nil, err
	}
	if err := writeFile(certPath, certPEM); err != nil {
		return nil, nil, nil, err
	}
	return ca, key, certPEM, nil
}

// writeFile writes b to path (mode 0600) through a temporary file and a
// rename, so a reader never sees half a file.
func writeFile(path string, b []byte) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return fmt.Errorf("temporal CA: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("temporal CA: %w", err)
	}
	return nil
}

func serial() *big.Int {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		panic(err)
	}
	return n
}

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }
