package main

import (
	"context"
	"crypto/ed25519"
	"crypto/tls"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"jobflow/egress"
	"jobflow/engine"
	"jobflow/httpapi"
	"jobflow/license"
	"jobflow/workflows"
)

// Modes, i.e. the subcommands that run services.
const (
	modeStandalone = "standalone"
	modeServer     = "server"
	modeAPI        = "api"
	modeWorker     = "worker"
	modeMigrate    = "migrate"
	modeRotateKey  = "rotate-key"
)

// Config is everything jobflow reads from the environment (docs/operations.md#settings).
type Config struct {
	HTTPAddr          string      // JOBFLOW_HTTP_ADDR
	DataDir           string      // JOBFLOW_DATA_DIR
	DatabaseURL       string      // JOBFLOW_DATABASE_URL; standalone: SQLite file in DataDir
	TemporalAddress   string      // JOBFLOW_TEMPORAL_ADDRESS (host:port[,host:port…]); standalone: "" = embedded
	TemporalNamespace string      // JOBFLOW_TEMPORAL_NAMESPACE
	TemporalUIAddr    string      // JOBFLOW_TEMPORAL_UI_ADDR (embedded UI, behind /temporal/)
	TemporalUIWrite   bool        // JOBFLOW_TEMPORAL_UI_WRITE: the embedded UI may terminate, reset, signal, start
	TemporalAPIKey    string      // JOBFLOW_TEMPORAL_API_KEY; standalone: the embedded server's
	TemporalTLS       *tls.Config // JOBFLOW_TEMPORAL_TLS_*; nil: plaintext (TLS with system roots when an API key is set)
	// The embedded Web UI behind jobflow's /temporal/ proxy (standalone).
	TemporalUIUpstream string   // the UI's own base URL on loopback
	TemporalUIKey      string   // the key the proxy adds
	TemporalPort       int      // JOBFLOW_TEMPORAL_PORT (embedded frontend; 0: 7233 if free)
	TemporalUIURL      string   // JOBFLOW_TEMPORAL_UI_URL, for run links; standalone: the embedded UI
	TaskQueue          string   // JOBFLOW_TASK_QUEUE
	WorkerGroups       []string // JOBFLOW_WORKER_GROUPS
	JWTSecret          []byte   // JOBFLOW_JWT_SECRET; standalone: generated in DataDir
	EncryptionKey      []byte   // JOBFLOW_ENCRYPTION_KEY; standalone: generated in DataDir
	AdminPassword      string   // JOBFLOW_ADMIN_PASSWORD
	PublicURL          string   // JOBFLOW_PUBLIC_URL
	LicensePublicKey   ed25519.PublicKey
	CORSOrigins        []string       // JOBFLOW_CORS_ORIGINS
	TrustedProxies     []netip.Prefix // JOBFLOW_TRUSTED_PROXIES: peers whose X-Forwarded-For/-Proto are believed
	LogLevel           slog.Level     // JOBFLOW_LOG_LEVEL
	ReconcileInterval  time.Duration  // JOBFLOW_RECONCILE_INTERVAL (default 5m, at least 10s)
	JobDir             string         // JOBFLOW_JOB_DIR: parent of jobs' working directories (root worker)
	JobWritable        []string       // JOBFLOW_JOB_WRITABLE: host paths sandboxed jobs may write to
	OldJobUser         bool           // JOBFLOW_JOB_USER is set: no longer used, warned about
	RunRetention       time.Duration  // JOBFLOW_RUN_RETENTION: ended runs older than this are deleted; 0 keeps all
	MetricsAddr        string         // JOBFLOW_METRICS_ADDR: worker mode's /metrics listener; "" for none
	WorkerStopTimeout  time.Duration  // JOBFLOW_WORKER_STOP_TIMEOUT (default 30s): running jobs' grace on SIGTERM
	WorkerJobs         int            // JOBFLOW_WORKER_JOBS (default 0: Temporal's 1,000): jobs one worker runs at once
	AuditRetention     time.Duration  // JOBFLOW_AUDIT_RETENTION (default 180 days)
	// JOBFLOW_EGRESS_ALLOW: egress rules added to every tenant's
	// egressAllow (comma-separated, jobflow/egress syntax).
	EgressAllow []egress.Rule
}

// DefaultWorkerStopTimeout is how long a stopping worker waits for its
// running jobs before it stops them.
const DefaultWorkerStopTimeout = 30 * time.Second

// Minimum length of JOBFLOW_JWT_SECRET: HS256 with a shorter key is
// guessable offline from any token.
const minJWTSecret = 32

// settingError names the setting that is missing or wrong; it is the one
// line an operator sees before jobflow exits.
type settingError struct {
	name, problem string
}

func (e *settingError) Error() string { return e.name + ": " + e.problem }

// loadConfig reads the environment for mode and checks what mode needs.
// Secrets a standalone install generates itself are filled in later (see
// loadSecrets), so they are not required here.
func loadConfig(mode string, getenv func(string) string) (*Config, error) {
	get := func(name, def string) string {
		if v := strings.TrimSpace(getenv(name)); v != "" {
			return v
		}
		return def
	}
	cfg := &Config{
		HTTPAddr:          get("JOBFLOW_HTTP_ADDR", ":8080"),
		DataDir:           get("JOBFLOW_DATA_DIR", "./data"),
		DatabaseURL:       get("JOBFLOW_DATABASE_URL", ""),
		TemporalAddress:   get("JOBFLOW_TEMPORAL_ADDRESS", ""),
		TemporalNamespace: get("JOBFLOW_TEMPORAL_NAMESPACE", "default"),
		TemporalUIAddr:    get("JOBFLOW_TEMPORAL_UI_ADDR", "127.0.0.1:8233"),
		TemporalAPIKey:    strings.TrimSpace(getenv("JOBFLOW_TEMPORAL_API_KEY")),
		TemporalUIURL:     strings.TrimRight(get("JOBFLOW_TEMPORAL_UI_URL", ""), "/"),
		TaskQueue:         get("JOBFLOW_TASK_QUEUE", workflows.DefaultTaskQueue),
		WorkerGroups:      splitList(getenv("JOBFLOW_WORKER_GROUPS")),
		AdminPassword:     getenv("JOBFLOW_ADMIN_PASSWORD"),
		PublicURL:         strings.TrimRight(get("JOBFLOW_PUBLIC_URL", ""), "/"), // "": links follow each request's host
		CORSOrigins:       splitList(getenv("JOBFLOW_CORS_ORIGINS")),
		JobDir:            get("JOBFLOW_JOB_DIR", ""),
		JobWritable:       splitList(getenv("JOBFLOW_JOB_WRITABLE")),
		OldJobUser:        getenv("JOBFLOW_JOB_USER") != "",
		MetricsAddr:       get("JOBFLOW_METRICS_ADDR", ""),
	}

	for _, p := range cfg.JobWritable {
		if !filepath.IsAbs(p) || filepath.Clean(p) == "/" {
			return nil, &settingError{"JOBFLOW_JOB_WRITABLE", fmt.Sprintf("%q is not an absolute path below /", p)}
		}
	}
	if cfg.JobDir != "" && !filepath.IsAbs(cfg.JobDir) {
		return nil, &settingError{"JOBFLOW_JOB_DIR", fmt.Sprintf("%q is not an absolute path", cfg.JobDir)}
	}
	if err := checkAddr("JOBFLOW_HTTP_ADDR", cfg.HTTPAddr); err != nil {
		return nil, err
	}
	if err := checkAddr("JOBFLOW_TEMPORAL_UI_ADDR", cfg.TemporalUIAddr); err != nil {
		return nil, err
	}
	if cfg.MetricsAddr != "" {
		if err := checkAddr("JOBFLOW_METRICS_ADDR", cfg.MetricsAddr); err != nil {
			return nil, err
		}
	}
	if cfg.TemporalAddress != "" {
		if _, err := parseFrontends(cfg.TemporalAddress); err != nil {
			return nil, err
		}
	}
	if v := getenv("JOBFLOW_TEMPORAL_PORT"); v != "" {
		p, err := strconv.Atoi(v)
		if err != nil || p < 1 || p > 65535 {
			return nil, &settingError{"JOBFLOW_TEMPORAL_PORT", fmt.Sprintf("%q is not a port number", v)}
		}
		cfg.TemporalPort = p
	}
	switch v := strings.ToLower(strings.TrimSpace(getenv("JOBFLOW_TEMPORAL_UI_WRITE"))); v {
	case "", "false", "0", "no":
	case "true", "1", "yes":
		cfg.TemporalUIWrite = true
	default:
		return nil, &settingError{"JOBFLOW_TEMPORAL_UI_WRITE", fmt.Sprintf("%q: use true or false", v)}
	}
	tlsCfg, err := loadTemporalTLS(getenv)
	if err != nil {
		return nil, err
	}
	cfg.TemporalTLS = tlsCfg
	for _, g := range cfg.WorkerGroups {
		if !validGroup(g) {
			return nil, &settingError{"JOBFLOW_WORKER_GROUPS", fmt.Sprintf("group %q: use letters, digits, '-' and '_'", g)}
		}
	}
	cfg.ReconcileInterval = engine.DefaultReconcileEvery
	if v := getenv("JOBFLOW_RECONCILE_INTERVAL"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < 10*time.Second {
			return nil, &settingError{"JOBFLOW_RECONCILE_INTERVAL", fmt.Sprintf("%q: use a duration of at least 10s, such as 5m", v)}
		}
		cfg.ReconcileInterval = d
	}
	cfg.RunRetention = defaultRunRetention
	if v := getenv("JOBFLOW_RUN_RETENTION"); v != "" {
		d, err := parseRetention(v)
		if err != nil {
			return nil, &settingError{"JOBFLOW_RUN_RETENTION", err.Error()}
		}
		cfg.RunRetention = d
	}
	cfg.WorkerStopTimeout = DefaultWorkerStopTimeout
	if v := getenv("JOBFLOW_WORKER_STOP_TIMEOUT"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 {
			return nil, &settingError{"JOBFLOW_WORKER_STOP_TIMEOUT", fmt.Sprintf("%q: use a duration such as 30s (0 stops running jobs at once)", v)}
		}
		cfg.WorkerStopTimeout = d
	}
	if v := getenv("JOBFLOW_WORKER_JOBS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100000 {
			return nil, &settingError{"JOBFLOW_WORKER_JOBS", fmt.Sprintf("%q: use a number of jobs from 1 to 100000", v)}
		}
		cfg.WorkerJobs = n
	}
	ret, err := auditRetention(getenv)
	if err != nil {
		return nil, err
	}
	cfg.AuditRetention = ret
	if v := getenv("JOBFLOW_EGRESS_ALLOW"); strings.TrimSpace(v) != "" {
		rules, err := egress.ParseRules(splitList(v))
		if err != nil {
			return nil, &settingError{"JOBFLOW_EGRESS_ALLOW", err.Error()}
		}
		cfg.EgressAllow = rules
	}
	if v := getenv("JOBFLOW_LOG_LEVEL"); v != "" {
		if err := cfg.LogLevel.UnmarshalText([]byte(v)); err != nil {
			return nil, &settingError{"JOBFLOW_LOG_LEVEL", fmt.Sprintf("%q: use debug, info, warn or error", v)}
		}
	}
	if v := getenv("JOBFLOW_TRUSTED_PROXIES"); v != "" {
		p, err := httpapi.ParseTrustedProxies(v)
		if err != nil {
			return nil, &settingError{"JOBFLOW_TRUSTED_PROXIES", fmt.Sprintf("%q: want comma-separated IPs or CIDRs (%v)", v, err)}
		}
		cfg.TrustedProxies = p
	}
	if v := getenv("JOBFLOW_LICENSE_PUBLIC_KEY"); v != "" {
		key, err := license.ParsePublicKey(v)
		if err != nil {
			return nil, &settingError{"JOBFLOW_LICENSE_PUBLIC_KEY", err.Error()}
		}
		cfg.LicensePublicKey = key
	}
	if v := getenv("JOBFLOW_JWT_SECRET"); v != "" {
		if len(v) < minJWTSecret {
			return nil, &settingError{"JOBFLOW_JWT_SECRET", fmt.Sprintf("must be at least %d bytes", minJWTSecret)}
		}
		cfg.JWTSecret = []byte(v)
	}
	if v := getenv("JOBFLOW_ENCRYPTION_KEY"); v != "" {
		key, err := parseKey(v)
		if err != nil {
			return nil, &settingError{"JOBFLOW_ENCRYPTION_KEY", err.Error()}
		}
		cfg.EncryptionKey = key
	}

	// What each mode cannot start without.
	var required []string
	switch mode {
	case modeServer, modeAPI:
		required = []string{"JOBFLOW_DATABASE_URL", "JOBFLOW_TEMPORAL_ADDRESS", "JOBFLOW_JWT_SECRET", "JOBFLOW_ENCRYPTION_KEY"}
	case modeWorker:
		required = []string{"JOBFLOW_DATABASE_URL", "JOBFLOW_TEMPORAL_ADDRESS", "JOBFLOW_ENCRYPTION_KEY"}
	}
	for _, name := range required {
		if strings.TrimSpace(getenv(name)) == "" {
			return nil, &settingError{name, fmt.Sprintf("required in %s mode", mode)}
		}
	}
	if cfg.DatabaseURL == "" {
		// standalone and migrate: the SQLite file in the data dir.
		cfg.DatabaseURL = filepath.Join(cfg.DataDir, "jobflow.db")
	}
	return cfg, nil
}

// parseKey decodes a 32-byte key written as 64 hex digits or as base64
// (standard or URL alphabet, padded or not). A 64-digit hex string decodes
// to 48 bytes as base64, so the two forms cannot be confused.
func parseKey(v string) ([]byte, error) {
	if len(v) == 64 {
		if b, err := hex.DecodeString(v); err == nil {
			return b, nil
		}
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(v); err == nil {
			if len(b) != 32 {
				return nil, fmt.Errorf("must be 32 bytes, got %d (try: openssl rand -base64 32)", len(b))
			}
			return b, nil
		}
	}
	return nil, fmt.Errorf("must be 32 bytes as base64 or 64 hex digits (try: openssl rand -base64 32)")
}

func checkAddr(name, addr string) error {
	if _, port, err := net.SplitHostPort(addr); err != nil || port == "" {
		return &settingError{name, fmt.Sprintf("%q is not [host]:port", addr)}
	}
	return nil
}

// splitList splits a comma-separated setting, dropping blanks.
func splitList(v string) []string {
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

func validGroup(g string) bool {
	if len(g) > 64 {
		return false
	}
	for _, r := range g {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

// defaultRunRetention keeps ended runs 90 days (DolphinScheduler's and
// Airflow's clean-up jobs default to about as long).
const defaultRunRetention = 90 * 24 * time.Hour

// parseRetention reads "90d", "36h" or any Go duration of at least an hour;
// "0" keeps runs forever.
func parseRetention(v string) (time.Duration, error) {
	if v == "0" {
		return 0, nil
	}
	d, err := time.ParseDuration(v)
	if days, ok := strings.CutSuffix(v, "d"); ok {
		var n int
		n, err = strconv.Atoi(days)
		d = time.Duration(n) * 24 * time.Hour
	}
	if err != nil || d < time.Hour {
		return 0, fmt.Errorf("%q: use days such as 90d, a duration of at least 1h, or 0 to keep runs forever", v)
	}
	return d, nil
}

// egressDeny are the addresses no tenant's job, datasource or alarm channel
// may reach unless a rule names them exactly (docs/security.md): jobflow's own store
// (JOBFLOW_DATABASE_URL, when PostgreSQL), the Temporal frontend(s) and the
// embedded Temporal Web UI. Called once Temporal's address is known (the
// standalone mode's embedded frontend picks its port at start-up). A name
// that does not resolve is skipped with a warning.
func egressDeny(ctx context.Context, cfg *Config, log *slog.Logger) []netip.AddrPort {
	var targets []string
	if hp := databaseHostPort(cfg.DatabaseURL); hp != "" {
		targets = append(targets, hp)
	}
	if fs, err := parseFrontends(cfg.TemporalAddress); err == nil {
		targets = append(targets, fs...)
	}
	if cfg.TemporalUIAddr != "" {
		targets = append(targets, cfg.TemporalUIAddr)
	}
	var out []netip.AddrPort
	for _, t := range targets {
		addrs, err := egress.DenyAddrs(ctx, t)
		if err != nil {
			log.Warn("egress: cannot resolve an address to refuse to jobs", "address", t, "err", err)
			continue
		}
		out = append(out, addrs...)
	}
	return out
}

// databaseHostPort is the host:port of a PostgreSQL URL or keyword DSN;
// "" for a SQLite file.
func databaseHostPort(dsn string) string {
	host, port := "", "5432"
	switch {
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		u, err := url.Parse(dsn)
		if err != nil {
			return ""
		}
		host = u.Hostname()
		if u.Port() != "" {
			port = u.Port()
		}
	case strings.Contains(dsn, "host=") || strings.Contains(dsn, "dbname="):
		for _, f := range strings.Fields(dsn) {
			if k, v, ok := strings.Cut(f, "="); ok {
				switch k {
				case "host":
					host = strings.Trim(v, "'")
				case "port":
					port = strings.Trim(v, "'")
				}
			}
		}
	default:
		return ""
	}
	if host == "" || strings.HasPrefix(host, "/") {
		host = "localhost"
	}
	return net.JoinHostPort(host, port)
}
