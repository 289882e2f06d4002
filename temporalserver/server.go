// Package temporalserver runs a Temporal server and the Temporal Web UI
// inside the jobflow process, for `jobflow standalone`. State lives in one
// SQLite file in the data dir, so schedules and run histories survive a
// restart. It also registers jobflow's search attributes, on the embedded
// server and, through RegisterSearchAttributes, on external clusters.
//
// The server listens on loopback only, but every local process, a tenant's
// job too, could dial it there. So the frontend serves TLS and answers only
// callers with the API key of the data dir (APIKey; ClientOptions), the
// internal services take only mutual TLS with a certificate of the data
// dir's CA, and the Web UI holds a key of its own, read-only unless
// Config.UIWrite, meant to be reached only through jobflow's proxy.
package temporalserver

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"sync/atomic"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/server/common/authorization"
	"go.temporal.io/server/common/primitives"
	"go.temporal.io/server/schema/sqlite"
	"go.temporal.io/server/temporal"
)

// DefaultNamespace is always created.
const DefaultNamespace = "default"

// Config configures the embedded server.
type Config struct {
	// DataDir holds temporal.db; created if missing. Required.
	DataDir string
	// FrontendPort is the loopback gRPC port of the frontend. 0 takes 7233
	// when it is free, else any free port (see FrontendAddress).
	FrontendPort int
	// Namespaces to create besides "default".
	Namespaces []string
	// UIAddr is where the Web UI listens, e.g. "127.0.0.1:8233"; empty: no
	// UI. It is served under UIPublicPath, for a proxy in front of it.
	UIAddr string
	// UIWrite lets the Web UI terminate, reset, signal and start workflows
	// and edit schedules; without it the UI hides those actions and its
	// key is only a reader's, so the frontend refuses them too.
	UIWrite bool
	// UINamespace is the namespace the UI opens on; default "default".
	UINamespace string
	// Logger receives the server's logs at LogLevel and above; default
	// slog.Default() at warn.
	Logger   *slog.Logger
	LogLevel *slog.Level
	// QueuePollRPS is the history queues' read rate (0: QueuePollRPS), for
	// benchmarks that compare it with Temporal's default of 20.
	QueuePollRPS int
}

// UIPublicPath is the path prefix the Web UI is served under.
const UIPublicPath = "/temporal"

// Server is a running embedded Temporal server with its Web UI.
type Server struct {
	temporal temporal.Server
	ui       *webUI
	lock     *os.File
	frontend string
	ports    ports
	apiKey   string
	uiKey    string
	caFile   string
	roots    *x509.CertPool
	stopped  bool
	logFloor atomic.Int64 // see slogLogger
}

// Start creates the schema on first use, starts the Temporal services and
// the Web UI, and returns once the frontend answers and the namespaces hold
// jobflow's search attributes. ctx bounds the start-up only.
func Start(ctx context.Context, cfg Config) (_ *Server, err error) {
	if cfg.DataDir == "" {
		return nil, errors.New("temporal server: data dir is required")
	}
	logger := cfg.Logger
	if logger == nil {
		logger = slog.Default()
	}
	level := slog.LevelWarn
	if cfg.LogLevel != nil {
		level = *cfg.LogLevel
	}
	namespaces := []string{DefaultNamespace}
	for _, ns := range cfg.Namespaces {
		if ns != "" && !slices.Contains(namespaces, ns) {
			namespaces = append(namespaces, ns)
		}
	}

	// The data dir holds the API key and the CA's key: its owner only.
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("temporal data dir: %w", err)
	}
	if err := os.Chmod(cfg.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("temporal data dir: %w", err)
	}
	s := &Server{}
	s.logFloor.Store(int64(floorStarting))
	defer func() {
		if err != nil {
			s.Stop()
		}
	}()
	if s.lock, err = lockDataDir(cfg.DataDir); err != nil {
		return nil, err
	}
	if s.apiKey, err = loadOrCreateAPIKey(cfg.DataDir); err != nil {
		return nil, err
	}
	certs, err := newPKI(cfg.DataDir)
	if err != nil {
		return nil, err
	}
	s.caFile = filepath.Join(cfg.DataDir, CAFile)
	s.roots = x509.NewCertPool()
	s.roots.AppendCertsFromPEM(certs.caPEM)
	// The UI's key lives only in this process: the proxy in front of the
	// UI gets it from UIKey.
	s.uiKey = randomKey()
	mapper := &keyClaimMapper{admin: []byte(s.apiKey), ui: []byte(s.uiKey), uiRole: authorization.RoleReader}
	if cfg.UIWrite {
		mapper.uiRole = authorization.RoleWriter
	}

	dbPath := filepath.Join(cfg.DataDir, dbFileName)
	visPath, err := visibilityPath(cfg.DataDir)
	if err != nil {
		return nil, err
	}
	for _, path := range []string{dbPath, visPath} {
		if err := prepareDatabase(path); err != nil {
			return nil, err
		}
	}
	// Namespaces are written straight into the database before the server
	// starts: one registered through the API would only become usable
	// after the namespace cache refreshes. Existing ones are left alone.
	var nsConfigs []*sqlite.NamespaceConfig
	for _, ns := range namespaces {
		c, err := sqlite.NewNamespaceConfig(clusterName, ns, false, SearchAttributes)
		if err != nil {
			return nil, fmt.Errorf("namespace %q: %w", ns, err)
		}
		nsConfigs = append(nsConfigs, c)
	}
	if err := sqlite.CreateNamespaces(sqlConfig(dbPath), nsConfigs...); err != nil {
		return nil, fmt.Errorf("create namespaces: %w", err)
	}

	p, err := pickPorts(cfg.FrontendPort)
	if err != nil {
		return nil, err
	}
	s.frontend, s.ports = hostPort(p.frontend), p
	if err := checkPorts(p); err != nil {
		return nil, err
	}
	srv, err := temporal.NewServer(
		temporal.WithConfig(serverConfig(dbPath, visPath, p, certs)),
		temporal.ForServices(append(slices.Clone(temporal.DefaultServices), string(primitives.InternalFrontendService))),
		temporal.WithClaimMapper(mapper.provider()),
		temporal.WithAuthorizer(authorization.NewDefaultAuthorizer()),
		temporal.WithStaticHosts(staticHosts(p)),
		temporal.WithDynamicConfigClient(dynamicConfig(cfg.QueuePollRPS)),
		temporal.WithLogger(newSlogLogger(logger, level, &s.logFloor)),
	)
	if err != nil {
		return nil, fmt.Errorf("temporal server: %w", err)
	}
	if err := srv.Start(); err != nil {
		return nil, fmt.Errorf("start temporal server: %w", err)
	}
	s.temporal = srv

	// Namespaces created before this version of jobflow added a search
	// attribute get it here, by the same path as an external cluster.
	c, err := dialReady(ctx, s.ClientOptions(DefaultNamespace))
	if err != nil {
		return nil, err
	}
	defer c.Close()
	for _, ns := range namespaces {
		if err := RegisterSearchAttributes(ctx, c.OperatorService(), ns); err != nil {
			return nil, err
		}
	}

	if cfg.UIAddr != "" {
		uiNS := cfg.UINamespace
		if uiNS == "" {
			uiNS = DefaultNamespace
		}
		if s.ui, err = startUI(ctx, uiConfig{addr: cfg.UIAddr, frontend: s.frontend, namespace: uiNS,
			caPEM: certs.caPEM, write: cfg.UIWrite}); err != nil {
			return nil, err
		}
	}
	s.logFloor.Store(int64(floorRunning))
	return s, nil
}

// dialReady connects an SDK client once the frontend serves requests.
func dialReady(ctx context.Context, opts client.Options) (client.Client, error) {
	opts.Logger = quietSDKLogger{}
	var lastErr error
	for {
		c, err := client.DialContext(ctx, opts)
		if err == nil {
			if _, err = c.CheckHealth(ctx, &client.CheckHealthRequest{}); err == nil {
				return c, nil
			}
			c.Close()
		}
		lastErr = err
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("temporal frontend %s not ready: %w", opts.HostPort, errors.Join(ctx.Err(), lastErr))
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// FrontendAddress is the host:port SDK clients and workers dial.
func (s *Server) FrontendAddress() string { return s.frontend }

// APIKey is the key the frontend wants as "Authorization: Bearer <key>"
// (client.NewAPIKeyStaticCredentials); it is also in the data dir's
// APIKeyFile.
func (s *Server) APIKey() string { return s.apiKey }

// CAFile is the path of the CA certificate that verifies the frontend.
func (s *Server) CAFile() string { return s.caFile }

// ClientTLS is the TLS configuration of a client of the frontend: it trusts
// the data dir's CA only.
func (s *Server) ClientTLS() *tls.Config {
	return &tls.Config{RootCAs: s.roots, ServerName: serverName, MinVersion: tls.VersionTLS12}
}

// ClientOptions are the options of an SDK client of the frontend in
// namespace: address, TLS and API key.
func (s *Server) ClientOptions(namespace string) client.Options {
	return client.Options{
		HostPort:          s.frontend,
		Namespace:         namespace,
		Credentials:       client.NewAPIKeyStaticCredentials(s.apiKey),
		ConnectionOptions: client.ConnectionOptions{TLS: s.ClientTLS()},
	}
}

// UIKey is the Web UI's own key, for a proxy to send as "Authorization:
// Bearer <key>" on the UI's API requests: the UI forwards it to the
// frontend, which gives it a reader's rights (a writer's with UIWrite).
func (s *Server) UIKey() string { return s.uiKey }

// UIURL is the base URL of the Web UI, "" when it is not served.
func (s *Server) UIURL() string {
	if s.ui == nil {
		return ""
	}
	return s.ui.url
}

// Stop stops the Web UI, then the Temporal services, and releases the data
// dir. It is safe to call more than once.
func (s *Server) Stop() error {
	if s == nil || s.stopped {
		return nil
	}
	s.stopped = true
	s.logFloor.Store(int64(floorStopping))
	if s.ui != nil {
		s.ui.stop()
	}
	var err error
	if s.temporal != nil {
		err = s.temporal.Stop()
	}
	if s.lock != nil {
		s.lock.Close()
	}
	return err
}

// quietSDKLogger drops the SDK client's own logs; failures surface as
// returned errors.
type quietSDKLogger struct{}

func (quietSDKLogger) Debug(string, ...any) {}
func (quietSDKLogger) Info(string, ...any)  {}
func (quietSDKLogger) Warn(string, ...any)  {}
func (quietSDKLogger) Error(string, ...any) {}
