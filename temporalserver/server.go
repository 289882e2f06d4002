// Package temporalserver runs a Temporal server and the Temporal Web UI
// inside the jobflow process, for `jobflow standalone`. State lives in one
// SQLite file in the data dir, so schedules and run histories survive a
// restart. It also registers jobflow's search attributes, on the embedded
// server and, through RegisterSearchAttributes, on external clusters.
package temporalserver

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"sync/atomic"
	"time"

	"go.temporal.io/sdk/client"
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
	// UIAddr is where the Web UI listens, e.g. ":8233"; empty: no UI.
	UIAddr string
	// UINamespace is the namespace the UI opens on; default "default".
	UINamespace string
	// Logger receives the server's logs at LogLevel and above; default
	// slog.Default() at warn.
	Logger   *slog.Logger
	LogLevel *slog.Level
}

// Server is a running embedded Temporal server with its Web UI.
type Server struct {
	temporal temporal.Server
	ui       *webUI
	lock     *os.File
	frontend string
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

	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
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
	dbPath := filepath.Join(cfg.DataDir, dbFileName)
	if err := prepareDatabase(dbPath); err != nil {
		return nil, err
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
	s.frontend = hostPort(p.frontend)
	if err := checkPorts(p); err != nil {
		return nil, err
	}
	srv, err := temporal.NewServer(
		temporal.WithConfig(serverConfig(dbPath, p)),
		temporal.ForServices(temporal.DefaultServices),
		temporal.WithStaticHosts(staticHosts(p)),
		temporal.WithDynamicConfigClient(dynamicConfig()),
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
	c, err := dialReady(ctx, s.frontend)
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
		if s.ui, err = startUI(ctx, cfg.UIAddr, s.frontend, uiNS); err != nil {
			return nil, err
		}
	}
	s.logFloor.Store(int64(floorRunning))
	return s, nil
}

// dialReady connects an SDK client once the frontend serves requests.
func dialReady(ctx context.Context, hostPort string) (client.Client, error) {
	var lastErr error
	for {
		c, err := client.DialContext(ctx, client.Options{
			HostPort:  hostPort,
			Namespace: DefaultNamespace,
			Logger:    quietSDKLogger{},
		})
		if err == nil {
			if _, err = c.CheckHealth(ctx, &client.CheckHealthRequest{}); err == nil {
				return c, nil
			}
			c.Close()
		}
		lastErr = err
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("temporal frontend %s not ready: %w", hostPort, errors.Join(ctx.Err(), lastErr))
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// FrontendAddress is the host:port SDK clients and workers dial.
func (s *Server) FrontendAddress() string { return s.frontend }

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
