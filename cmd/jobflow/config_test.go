package main

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"jobflow/license"
)

// env turns a map into a getenv function.
func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

var (
	testKey    = bytes.Repeat([]byte{7}, 32)
	testSecret = strings.Repeat("s", 32)
)

// serverEnv is a complete environment for server mode.
func serverEnv() map[string]string {
	return map[string]string{
		"JOBFLOW_DATABASE_URL":     "postgres://u:p@db:5432/jobflow",
		"JOBFLOW_TEMPORAL_ADDRESS": "temporal:7233",
		"JOBFLOW_JWT_SECRET":       testSecret,
		"JOBFLOW_ENCRYPTION_KEY":   base64.StdEncoding.EncodeToString(testKey),
	}
}

func TestLoadConfig_Defaults(t *testing.T) {
	cfg, err := loadConfig(modeStandalone, env(nil))
	if err != nil {
		t.Fatal(err)
	}
	want := Config{
		HTTPAddr:          ":8080",
		DataDir:           "./data",
		DatabaseURL:       filepath.Join("data", "jobflow.db"),
		TemporalNamespace: "default",
		TemporalUIAddr:    "127.0.0.1:8233",
		TaskQueue:         "jobflow",
		PublicURL:         "",
		LogLevel:          slog.LevelInfo,
	}
	if cfg.HTTPAddr != want.HTTPAddr || cfg.DataDir != want.DataDir || cfg.DatabaseURL != want.DatabaseURL ||
		cfg.TemporalAddress != "" || cfg.TemporalNamespace != want.TemporalNamespace ||
		cfg.TemporalUIAddr != want.TemporalUIAddr || cfg.TaskQueue != want.TaskQueue ||
		cfg.PublicURL != want.PublicURL || cfg.LogLevel != want.LogLevel ||
		cfg.JWTSecret != nil || cfg.EncryptionKey != nil || cfg.WorkerGroups != nil {
		t.Fatalf("defaults = %+v, want %+v", *cfg, want)
	}
}

func TestLoadConfig_Env(t *testing.T) {
	pub, _, err := license.Keygen()
	if err != nil {
		t.Fatal(err)
	}
	m := serverEnv()
	m["JOBFLOW_HTTP_ADDR"] = "127.0.0.1:9000"
	m["JOBFLOW_TEMPORAL_NAMESPACE"] = "prod"
	m["JOBFLOW_TASK_QUEUE"] = "jf"
	m["JOBFLOW_WORKER_GROUPS"] = " gpu, etl-2 ,,"
	m["JOBFLOW_CORS_ORIGINS"] = "https://a.example,https://b.example"
	m["JOBFLOW_TRUSTED_PROXIES"] = "10.0.0.0/8, 192.168.1.7"
	m["JOBFLOW_PUBLIC_URL"] = "https://jobflow.example/"
	m["JOBFLOW_LICENSE_PUBLIC_KEY"] = pub
	m["JOBFLOW_LOG_LEVEL"] = "warn"
	m["JOBFLOW_ENCRYPTION_KEY"] = hex.EncodeToString(testKey)
	m["JOBFLOW_ADMIN_PASSWORD"] = "correct horse"
	m["JOBFLOW_RECONCILE_INTERVAL"] = "90s"
	m["JOBFLOW_WORKER_STOP_TIMEOUT"] = "2m"
	m["JOBFLOW_WORKER_JOBS"] = "64"
	cfg, err := loadConfig(modeServer, env(m))
	if err != nil {
		t.Fatal(err)
	}
	switch {
	case cfg.WorkerJobs != 64:
		t.Errorf("WorkerJobs = %d", cfg.WorkerJobs)
	case cfg.HTTPAddr != "127.0.0.1:9000":
		t.Errorf("HTTPAddr = %q", cfg.HTTPAddr)
	case cfg.DatabaseURL != m["JOBFLOW_DATABASE_URL"]:
		t.Errorf("DatabaseURL = %q", cfg.DatabaseURL)
	case cfg.TemporalAddress != "temporal:7233" || cfg.TemporalNamespace != "prod" || cfg.TaskQueue != "jf":
		t.Errorf("temporal = %q %q %q", cfg.TemporalAddress, cfg.TemporalNamespace, cfg.TaskQueue)
	case !slices.Equal(cfg.WorkerGroups, []string{"gpu", "etl-2"}):
		t.Errorf("WorkerGroups = %q", cfg.WorkerGroups)
	case !slices.Equal(cfg.CORSOrigins, []string{"https://a.example", "https://b.example"}):
		t.Errorf("CORSOrigins = %q", cfg.CORSOrigins)
	case cfg.PublicURL != "https://jobflow.example":
		t.Errorf("PublicURL = %q", cfg.PublicURL)
	case fmt.Sprint(cfg.TrustedProxies) != "[10.0.0.0/8 192.168.1.7/32]":
		t.Errorf("TrustedProxies = %v", cfg.TrustedProxies)
	case len(cfg.LicensePublicKey) != 32:
		t.Errorf("LicensePublicKey has %d bytes", len(cfg.LicensePublicKey))
	case cfg.LogLevel != slog.LevelWarn:
		t.Errorf("LogLevel = %v", cfg.LogLevel)
	case !bytes.Equal(cfg.EncryptionKey, testKey):
		t.Errorf("EncryptionKey = %x", cfg.EncryptionKey)
	case string(cfg.JWTSecret) != testSecret:
		t.Errorf("JWTSecret = %q", cfg.JWTSecret)
	case cfg.AdminPassword != "correct horse":
		t.Errorf("AdminPassword = %q", cfg.AdminPassword)
	case cfg.ReconcileInterval != 90*time.Second:
		t.Errorf("ReconcileInterval = %v", cfg.ReconcileInterval)
	case cfg.WorkerStopTimeout != 2*time.Minute:
		t.Errorf("WorkerStopTimeout = %v", cfg.WorkerStopTimeout)
	}
}

// TestLoadConfig_BadTrustedProxies: a malformed entry is one error naming the setting.
func TestLoadConfig_BadTrustedProxies(t *testing.T) {
	m := serverEnv()
	m["JOBFLOW_TRUSTED_PROXIES"] = "10.0.0.1, not-an-ip"
	_, err := loadConfig(modeServer, env(m))
	var se *settingError
	if !errors.As(err, &se) || se.name != "JOBFLOW_TRUSTED_PROXIES" {
		t.Fatalf("err = %v, want a settingError naming JOBFLOW_TRUSTED_PROXIES", err)
	}
}

// TestLoadConfig_ErrRequired: each mode names the first setting it lacks.
func TestLoadConfig_ErrRequired(t *testing.T) {
	required := map[string][]string{
		modeServer: {"JOBFLOW_DATABASE_URL", "JOBFLOW_TEMPORAL_ADDRESS", "JOBFLOW_JWT_SECRET", "JOBFLOW_ENCRYPTION_KEY"},
		modeAPI:    {"JOBFLOW_DATABASE_URL", "JOBFLOW_TEMPORAL_ADDRESS", "JOBFLOW_JWT_SECRET", "JOBFLOW_ENCRYPTION_KEY"},
		modeWorker: {"JOBFLOW_DATABASE_URL", "JOBFLOW_TEMPORAL_ADDRESS", "JOBFLOW_ENCRYPTION_KEY"},
	}
	for mode, names := range required {
		if _, err := loadConfig(mode, env(serverEnv())); err != nil {
			t.Fatalf("%s with a full environment: %v", mode, err)
		}
		for _, name := range names {
			t.Run(mode+"/"+name, func(t *testing.T) {
				m := serverEnv()
				delete(m, name)
				_, err := loadConfig(mode, env(m))
				var se *settingError
				if !errors.As(err, &se) || se.name != name {
					t.Fatalf("err = %v, want a settingError naming %s", err, name)
				}
				if !strings.Contains(err.Error(), "required in "+mode+" mode") {
					t.Errorf("err = %q, want it to say the mode", err)
				}
			})
		}
	}
	// A worker does not sign tokens: no JWT secret needed.
	m := serverEnv()
	delete(m, "JOBFLOW_JWT_SECRET")
	if _, err := loadConfig(modeWorker, env(m)); err != nil {
		t.Errorf("worker without JWT secret: %v", err)
	}
}

func TestLoadConfig_ErrInvalid(t *testing.T) {
	tests := []struct{ name, value string }{
		{"JOBFLOW_JWT_SECRET", "short"},
		{"JOBFLOW_ENCRYPTION_KEY", "not a key!"},
		{"JOBFLOW_ENCRYPTION_KEY", base64.StdEncoding.EncodeToString(make([]byte, 16))},
		{"JOBFLOW_TEMPORAL_ADDRESS", "temporal"},
		{"JOBFLOW_TEMPORAL_ADDRESS", "t1:7233,temporal"},
		{"JOBFLOW_TEMPORAL_ADDRESS", " , "},
		{"JOBFLOW_HTTP_ADDR", "8080"},
		{"JOBFLOW_TEMPORAL_UI_ADDR", "localhost"},
		{"JOBFLOW_TEMPORAL_PORT", "70000"},
		{"JOBFLOW_TEMPORAL_UI_WRITE", "maybe"},
		{"JOBFLOW_WORKER_GROUPS", "gpu,bad group"},
		{"JOBFLOW_LOG_LEVEL", "loud"},
		{"JOBFLOW_EGRESS_ALLOW", "10.0.0.0/8,10.0.0.0/33"},
		{"JOBFLOW_LICENSE_PUBLIC_KEY", "abc"},
		{"JOBFLOW_RECONCILE_INTERVAL", "often"},
		{"JOBFLOW_RECONCILE_INTERVAL", "1s"},
		{"JOBFLOW_WORKER_STOP_TIMEOUT", "soon"},
		{"JOBFLOW_WORKER_STOP_TIMEOUT", "-1s"},
		{"JOBFLOW_WORKER_JOBS", "0"},
		{"JOBFLOW_WORKER_JOBS", "many"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := serverEnv()
			m[tt.name] = tt.value
			_, err := loadConfig(modeServer, env(m))
			var se *settingError
			if !errors.As(err, &se) || se.name != tt.name {
				t.Fatalf("%s=%q: err = %v, want a settingError naming it", tt.name, tt.value, err)
			}
		})
	}
}

func TestParseKey(t *testing.T) {
	for _, form := range []string{
		hex.EncodeToString(testKey),
		base64.StdEncoding.EncodeToString(testKey),
		base64.RawStdEncoding.EncodeToString(testKey),
		base64.URLEncoding.EncodeToString(testKey),
	} {
		got, err := parseKey(form)
		if err != nil || !bytes.Equal(got, testKey) {
			t.Errorf("parseKey(%q) = %x, %v", form, got, err)
		}
	}
	if _, err := parseKey(hex.EncodeToString(testKey[:16])); err == nil {
		t.Error("16-byte key accepted")
	}
}

func TestLoadSecrets(t *testing.T) {
	dir := t.TempDir()
	cfg := &Config{DataDir: dir}
	if err := loadSecrets(cfg); err != nil {
		t.Fatal(err)
	}
	if len(cfg.JWTSecret) < minJWTSecret || len(cfg.EncryptionKey) != 32 {
		t.Fatalf("generated secret %d bytes, key %d bytes", len(cfg.JWTSecret), len(cfg.EncryptionKey))
	}
	for _, f := range []string{jwtSecretFile, encryptionKeyFile} {
		fi, err := os.Stat(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s mode = %v, want 0600", f, fi.Mode().Perm())
		}
	}
	// A restart reads the same secrets back.
	again := &Config{DataDir: dir}
	if err := loadSecrets(again); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(again.JWTSecret, cfg.JWTSecret) || !bytes.Equal(again.EncryptionKey, cfg.EncryptionKey) {
		t.Error("secrets changed across loads")
	}
	// The environment wins over the files.
	fromEnv := &Config{DataDir: dir, JWTSecret: []byte(testSecret), EncryptionKey: testKey}
	if err := loadSecrets(fromEnv); err != nil {
		t.Fatal(err)
	}
	if string(fromEnv.JWTSecret) != testSecret || !bytes.Equal(fromEnv.EncryptionKey, testKey) {
		t.Error("files overrode the environment")
	}
	// An emptied file is an error, not an empty secret.
	if err := os.WriteFile(filepath.Join(dir, jwtSecretFile), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := loadSecrets(&Config{DataDir: dir}); err == nil {
		t.Error("empty secret file accepted")
	}
}

func TestParseRetention(t *testing.T) {
	for in, want := range map[string]time.Duration{"90d": 90 * 24 * time.Hour, "36h": 36 * time.Hour, "0": 0, "1d": 24 * time.Hour} {
		if got, err := parseRetention(in); err != nil || got != want {
			t.Errorf("parseRetention(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"10m", "-1d", "xd", "ninety", "1.5d"} {
		if _, err := parseRetention(bad); err == nil {
			t.Errorf("parseRetention(%q) accepted", bad)
		}
	}
	if _, err := loadConfig(modeStandalone, env(map[string]string{"JOBFLOW_RUN_RETENTION": "soon"})); err == nil || !strings.Contains(err.Error(), "JOBFLOW_RUN_RETENTION") {
		t.Errorf("a bad JOBFLOW_RUN_RETENTION: %v, want an error naming it", err)
	}
}

func TestLoadConfig_EgressAllow(t *testing.T) {
	m := serverEnv()
	m["JOBFLOW_EGRESS_ALLOW"] = " 10.0.0.0/8:443, db.internal:5432 ,[::1]:80"
	cfg, err := loadConfig(modeServer, env(m))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range cfg.EgressAllow {
		got = append(got, r.String())
	}
	if want := []string{"10.0.0.0/8:443", "db.internal:5432", "[::1]:80"}; !slices.Equal(got, want) {
		t.Fatalf("EgressAllow = %v, want %v", got, want)
	}
	m["JOBFLOW_EGRESS_ALLOW"] = "10.0.0.0/8,bad entry!"
	_, err = loadConfig(modeServer, env(m))
	var se *settingError
	if !errors.As(err, &se) || se.name != "JOBFLOW_EGRESS_ALLOW" || !strings.Contains(err.Error(), `"bad entry!"`) {
		t.Fatalf("bad entry: %v, want a settingError naming the variable and the entry", err)
	}
}

func TestEgressDeny(t *testing.T) {
	for dsn, want := range map[string]string{
		"postgres://u:p@10.1.2.3:5433/jobflow?sslmode=disable": "10.1.2.3:5433",
		"postgresql://u@db.internal/jobflow":                   "db.internal:5432",
		"host=10.9.9.9 port=6432 dbname=jobflow user=u":        "10.9.9.9:6432",
		"postgres:///jobflow?host=/var/run/postgresql":         "localhost:5432",
		"/var/lib/jobflow/jobflow.db":                          "",
		"sqlite:///var/lib/jobflow/jobflow.db":                 "",
	} {
		if got := databaseHostPort(dsn); got != want {
			t.Errorf("databaseHostPort(%q) = %q, want %q", dsn, got, want)
		}
	}
	cfg := &Config{DatabaseURL: "postgres://u@127.0.0.1:5432/jobflow", TemporalAddress: "10.0.0.7:7233,10.0.0.8:7233", TemporalUIAddr: "127.0.0.1:8233"}
	deny := egressDeny(t.Context(), cfg, slog.New(slog.DiscardHandler))
	var got []string
	for _, a := range deny {
		got = append(got, a.String())
	}
	for _, want := range []string{"127.0.0.1:5432", "[::1]:5432", "10.0.0.7:7233", "10.0.0.8:7233", "127.0.0.1:8233"} {
		if !slices.Contains(got, want) {
			t.Errorf("deny list %v lacks %s", got, want)
		}
	}
}
