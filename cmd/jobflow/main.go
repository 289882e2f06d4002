// Command jobflow is the job-flow orchestration service: one binary that
// runs everything in one process (standalone, the default) or one part of a
// production deployment (server, api, worker), applies store migrations
// (migrate), and makes licenses (license keygen / license issue).
// Configuration comes from JOBFLOW_* environment variables (docs/operations.md#settings; see
// usage below and config.go).
package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	// Time zones travel with the binary: schedules, variables and FlowRun's
	// discrete-mode timers must resolve the same zones on every worker,
	// including slim containers without /usr/share/zoneinfo.
	_ "time/tzdata"
)

func main() {
	// Jobs may run as this process's own user (a worker not started as
	// root): a non-dumpable process cannot be ptraced by them, nor its
	// /proc/<pid>/environ, mem or root read.
	nonDumpable()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args, os.Getenv, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		// The one line an operator reads: what is missing or unreachable.
		slog.New(slog.NewTextHandler(os.Stderr, nil)).Error("jobflow failed", "err", err)
		os.Exit(1)
	}
}

// run is the whole program, with its environment passed in so that tests
// can call it like main does. It returns when the command is done or, for
// the services, when ctx is cancelled and everything has stopped.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cmd, rest := modeStandalone, []string(nil)
	if len(args) > 1 {
		cmd, rest = args[1], args[2:]
	}
	switch cmd {
	case "version", "-version", "--version":
		fmt.Fprintln(stdout, versionString())
		return nil
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	case "license":
		return runLicense(rest, getenv, stdout, stderr)
	case "backup":
		return runBackup(ctx, rest, getenv, stdout)
	case "apply":
		return runApply(ctx, rest, getenv, stdout, stderr)
	case "export":
		return runExport(ctx, rest, getenv, stdout, stderr)
	case modeStandalone, modeServer, modeAPI, modeWorker, modeMigrate, modeRotateKey:
	default:
		return fmt.Errorf("unknown command %q (run 'jobflow help')", cmd)
	}
	if len(rest) > 0 {
		return fmt.Errorf("%s takes no arguments; it is configured with JOBFLOW_* environment variables (run 'jobflow help')", cmd)
	}

	cfg, err := loadConfig(cmd, getenv)
	if err != nil {
		return err
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: cfg.LogLevel}))
	switch cmd {
	case modeMigrate:
		return migrate(ctx, cfg, logger)
	case modeRotateKey:
		return rotateKey(ctx, cfg, getenv, logger, stdout)
	}
	return serve(ctx, cmd, cfg, logger, stdout)
}

const usage = `jobflow — job-flow orchestration on Temporal

Usage:
  jobflow [standalone]   everything in one process: embedded Temporal server and
                         Web UI, worker, REST API, SQLite store in JOBFLOW_DATA_DIR
  jobflow server         REST API + worker against PostgreSQL and a Temporal cluster
  jobflow api            REST API only
  jobflow worker         worker only
  jobflow migrate        apply store migrations and exit
  jobflow rotate-key     re-encrypt stored secrets with JOBFLOW_NEW_ENCRYPTION_KEY (stop jobflow first)
  jobflow version        print the version
  jobflow backup <dir>   standalone: consistent copy of the data dir (store, Temporal, secrets)
                         while jobflow runs; start on it with JOBFLOW_DATA_DIR=<dir>
  jobflow license keygen               print a new Ed25519 key pair
  jobflow license issue -key-file F …  sign a license (jobflow license issue -h)
  jobflow apply -f <file or dir> [--dry-run] [--publish]
                         create or update workflows by name from jobflow/v1 documents
  jobflow export [-format yaml|json] [-o file] [name…]
                         write workflows (all without a name) as jobflow/v1 documents
                         (apply and export: JOBFLOW_URL, JOBFLOW_TOKEN, JOBFLOW_TENANT)

Environment (defaults in brackets):
  JOBFLOW_HTTP_ADDR           REST API address [:8080]
  JOBFLOW_DATA_DIR            standalone: SQLite files, generated secrets [./data]
  JOBFLOW_DATABASE_URL        postgres://… selects PostgreSQL [standalone: DATA_DIR/jobflow.db]
                              required by server, api, worker
  JOBFLOW_TEMPORAL_ADDRESS    host:port of a Temporal frontend, or several of one cluster
                              (host:port,host:port) [standalone: embedded]
                              required by server, api, worker
  JOBFLOW_TEMPORAL_NAMESPACE  [default]
  JOBFLOW_TEMPORAL_UI_ADDR    standalone: embedded Temporal Web UI address [:8233]
  JOBFLOW_TEMPORAL_PORT       standalone: embedded frontend port [7233 if free, else any]
  JOBFLOW_TEMPORAL_UI_URL     base URL of the Temporal Web UI for run links [standalone: embedded UI]
  JOBFLOW_TASK_QUEUE          default task queue [jobflow]
  JOBFLOW_WORKER_GROUPS       extra worker groups this worker serves (comma-separated)
  JOBFLOW_JWT_SECRET          at least 32 bytes; required by server, api
                              [standalone: generated once into DATA_DIR/jwt-secret]
  JOBFLOW_ENCRYPTION_KEY      32 bytes as base64 or 64 hex digits (openssl rand -base64 32);
                              required by server, api, worker
                              [standalone: generated once into DATA_DIR/encryption-key]
  JOBFLOW_ADMIN_PASSWORD      first start: password of 'admin' [random, printed once]
  JOBFLOW_PUBLIC_URL          base URL of invoke curl commands and Temporal UI links
                              [the scheme and host each request came to]
  JOBFLOW_LICENSE_PUBLIC_KEY  Ed25519 public key (base64) that verifies licenses
  JOBFLOW_CORS_ORIGINS        web console origins allowed to call the API (comma-separated)
  JOBFLOW_TRUSTED_PROXIES     reverse proxies (comma-separated IPs/CIDRs) whose X-Forwarded-For and
                              X-Forwarded-Proto are believed; from others the TCP peer is the client [none]
  JOBFLOW_LOG_LEVEL           debug, info, warn or error [info]
  JOBFLOW_WORKER_STOP_TIMEOUT on SIGTERM, how long running jobs may finish before they are stopped [30s]
  JOBFLOW_WORKER_JOBS         jobs one worker runs at once; more wait in Temporal, served fairly by tenant [1000]
  JOBFLOW_AUDIT_RETENTION     how long audit log rows are kept, e.g. 90d or 720h [180d]
`
