package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"database/sql"
	"encoding/base64"
	"fmt"
	"log"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	_ "github.com/lib/pq"
	"go.temporal.io/sdk/client"
	_ "modernc.org/sqlite" // the soak's own connection that locks the store

	"jobflow/internal/testrig"
	"jobflow/temporalserver"
)

// stack is the jobflow installation under test and its faults.
type stack interface {
	base() string                              // the REST API's base URL
	storeURL() string                          // the store, reached directly (not through a fault)
	killWorker() string                        // SIGKILL one worker and start it again; says which
	storeOutage(d time.Duration) string        // make the store unreachable for d
	restartTemporal(down time.Duration) string // "" when the mode has no Temporal of its own
	temporal() (client.Client, error)
	stop()
}

const adminPassword = "soak-admin-pw"

var encryptionKey = []byte("soak-key-0123456789abcdef0123456")

// serverStack: `jobflow api` and two `jobflow worker` processes on
// PostgreSQL through a TCP proxy, and an in-process Temporal server.
type serverStack struct {
	procs    *processes
	httpBase string
	dbURL    string
	dropDB   func()
	proxy    *testrig.Proxy
	work     string
	keep     bool
	tdir     string
	tport    int
	mu       sync.Mutex
	ts       *temporalserver.Server
	nextKill int
}

func newServerStack(bin, work, pgAdmin string, keep bool) (*serverStack, error) {
	s := &serverStack{work: work, keep: keep, tdir: filepath.Join(work, "temporal"), tport: freePort()}
	var err error
	if s.dbURL, s.dropDB, err = createDatabase(pgAdmin); err != nil {
		return nil, err
	}
	pgURL, _ := url.Parse(s.dbURL)
	if s.proxy, err = testrig.NewProxy(pgURL.Host); err != nil {
		return nil, err
	}
	pgURL.Host = s.proxy.Addr()
	// Three processes share a PostgreSQL that others use too (100
	// connections by default): 10 each, not 32.
	q := pgURL.Query()
	q.Set("pool_max_conns", "10")
	pgURL.RawQuery = q.Encode()
	if s.ts, err = s.startTemporal(); err != nil {
		return nil, err
	}
	httpPort := freePort()
	s.httpBase = fmt.Sprintf("http://127.0.0.1:%d", httpPort)
	env := append(baseEnv(httpPort),
		"JOBFLOW_DATABASE_URL="+pgURL.String(),
		"JOBFLOW_TEMPORAL_ADDRESS="+s.ts.FrontendAddress(),
		// The in-process server is the embedded one: TLS and an API key,
		// the same across its restart (same data dir).
		"JOBFLOW_TEMPORAL_TLS_CA="+s.ts.CAFile(),
		"JOBFLOW_TEMPORAL_API_KEY="+s.ts.APIKey(),
		"JOBFLOW_JWT_SECRET=soak-secret-soak-secret-soak-secret-soak",
		"JOBFLOW_ENCRYPTION_KEY="+base64.StdEncoding.EncodeToString(encryptionKey),
	)
	cmd := exec.Command(bin, "migrate")
	cmd.Env = env
	if out, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("migrate: %v\n%s", err, out)
	}
	s.procs = &processes{bin: bin, env: env, logDir: work}
	s.procs.start("api", "api")
	s.procs.start("worker-0", "worker")
	s.procs.start("worker-1", "worker")
	return s, waitReady(s.httpBase)
}

func (s *serverStack) startTemporal() (*temporalserver.Server, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	// Its logs go to a file of the work dir, not between the soak's lines.
	f, err := os.OpenFile(filepath.Join(s.work, "temporal.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return nil, err
	}
	return temporalserver.Start(ctx, temporalserver.Config{DataDir: s.tdir, FrontendPort: s.tport,
		Logger: slog.New(slog.NewTextHandler(f, nil))})
}

func (s *serverStack) base() string     { return s.httpBase }
func (s *serverStack) storeURL() string { return s.dbURL + "&pool_max_conns=8" }

func (s *serverStack) killWorker() string {
	name := fmt.Sprintf("worker-%d", s.nextKill%2)
	s.nextKill++
	s.procs.kill(name)
	s.procs.start(name, "worker")
	return name + " SIGKILLed and started again"
}

func (s *serverStack) storeOutage(d time.Duration) string {
	s.proxy.Cut()
	time.Sleep(d)
	if err := s.proxy.Restore(); err != nil {
		log.Print(err)
	}
	return fmt.Sprintf("PostgreSQL connection cut (proxy) for %s", d)
}

func (s *serverStack) restartTemporal(down time.Duration) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ts.Stop()
	time.Sleep(down)
	ts, err := s.startTemporal()
	if err != nil {
		log.Fatalf("Temporal restart failed: %v", err)
	}
	s.ts = ts
	return fmt.Sprintf("Temporal server stopped for %s and started again (same port and data)", down)
}

func (s *serverStack) temporal() (client.Client, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return client.Dial(s.ts.ClientOptions(temporalserver.DefaultNamespace))
}

func (s *serverStack) stop() {
	s.procs.stopAll()
	s.mu.Lock()
	s.ts.Stop()
	s.mu.Unlock()
	s.proxy.Cut()
	if s.keep {
		logf("PostgreSQL database kept: %s", s.dbURL)
		return
	}
	s.dropDB()
}

// standaloneStack: one `jobflow standalone` (SQLite, embedded Temporal, its
// worker inside) on a data dir. Killing "a worker" is SIGKILL of the whole
// process and a start on the same data dir.
type standaloneStack struct {
	procs    *processes
	httpBase string
	dataDir  string
	tport    int
}

func newStandaloneStack(bin, work string) (*standaloneStack, error) {
	s := &standaloneStack{dataDir: filepath.Join(work, "data"), tport: freePort()}
	httpPort := freePort()
	s.httpBase = fmt.Sprintf("http://127.0.0.1:%d", httpPort)
	env := append(baseEnv(httpPort),
		"JOBFLOW_DATA_DIR="+s.dataDir,
		"JOBFLOW_TEMPORAL_PORT="+strconv.Itoa(s.tport),
		"JOBFLOW_TEMPORAL_UI_ADDR=127.0.0.1:"+strconv.Itoa(freePort()),
	)
	s.procs = &processes{bin: bin, env: env, logDir: work}
	s.procs.start("standalone", "standalone")
	return s, waitReady(s.httpBase)
}

func (s *standaloneStack) base() string { return s.httpBase }
func (s *standaloneStack) storeURL() string {
	return "sqlite://" + filepath.Join(s.dataDir, "jobflow.db")
}

func (s *standaloneStack) killWorker() string {
	s.procs.kill("standalone")
	s.procs.start("standalone", "standalone")
	return "standalone SIGKILLed and started again on its data dir"
}

// storeOutage holds SQLite's write lock from another connection.
func (s *standaloneStack) storeOutage(d time.Duration) string {
	path := filepath.Join(s.dataDir, "jobflow.db")
	db, err := sql.Open("sqlite", path+"?_pragma=busy_timeout(30000)")
	if err != nil {
		return "SQLite lock failed: " + err.Error()
	}
	defer db.Close()
	conn, err := db.Conn(context.Background())
	if err != nil {
		return "SQLite lock failed: " + err.Error()
	}
	defer conn.Close()
	waited := time.Now()
	if _, err := conn.ExecContext(context.Background(), "BEGIN EXCLUSIVE"); err != nil {
		return "SQLite lock failed: " + err.Error()
	}
	took := time.Since(waited)
	time.Sleep(d)
	if _, err := conn.ExecContext(context.Background(), "COMMIT"); err != nil {
		log.Printf("SQLite unlock: %v", err)
	}
	return fmt.Sprintf("SQLite locked (BEGIN EXCLUSIVE from another connection, obtained in %s) for %s", took.Round(time.Millisecond), d)
}

func (s *standaloneStack) restartTemporal(time.Duration) string { return "" }

func (s *standaloneStack) temporal() (client.Client, error) {
	key, err := os.ReadFile(filepath.Join(s.dataDir, temporalserver.APIKeyFile))
	if err != nil {
		return nil, err
	}
	ca, err := os.ReadFile(filepath.Join(s.dataDir, temporalserver.CAFile))
	if err != nil {
		return nil, err
	}
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(ca)
	return client.Dial(client.Options{
		HostPort:          net.JoinHostPort("127.0.0.1", strconv.Itoa(s.tport)),
		Credentials:       client.NewAPIKeyStaticCredentials(strings.TrimSpace(string(key))),
		ConnectionOptions: client.ConnectionOptions{TLS: &tls.Config{RootCAs: roots, ServerName: "localhost"}},
	})
}

func (s *standaloneStack) stop() { s.procs.stopAll() }

// jobWritable is the side directory jobs write to (JOBFLOW_JOB_WRITABLE).
var jobWritable string

func baseEnv(httpPort int) []string {
	return []string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"),
		"JOBFLOW_JOB_WRITABLE=" + jobWritable,
		"JOBFLOW_ADMIN_PASSWORD=" + adminPassword,
		"JOBFLOW_HTTP_ADDR=127.0.0.1:" + strconv.Itoa(httpPort),
		"JOBFLOW_LOG_LEVEL=warn",
		"JOBFLOW_WORKER_STOP_TIMEOUT=5s",
		// Stuck runs are looked at every minute instead of every 5.
		"JOBFLOW_RECONCILE_INTERVAL=1m",
	}
}

// processes are the jobflow processes of the soak, by name.
type processes struct {
	bin, logDir string
	env         []string
	mu          sync.Mutex
	cmds        map[string]*exec.Cmd
	exited      map[string]chan struct{}
}

func (p *processes) start(name, mode string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cmds == nil {
		p.cmds, p.exited = map[string]*exec.Cmd{}, map[string]chan struct{}{}
	}
	f, _ := os.OpenFile(filepath.Join(p.logDir, name+".log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	fmt.Fprintf(f, "=== %s started at %s\n", name, time.Now().Format(time.RFC3339))
	cmd := exec.Command(p.bin, mode)
	cmd.Env, cmd.Stdout, cmd.Stderr = p.env, f, f
	if err := cmd.Start(); err != nil {
		log.Printf("start %s: %v", name, err)
		return
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); f.Close(); close(done) }()
	p.cmds[name], p.exited[name] = cmd, done
}

// kill SIGKILLs the process only (not its group: a job's supervisor must
// see its worker die) and waits for it to be gone.
func (p *processes) kill(name string) {
	p.mu.Lock()
	c, done := p.cmds[name], p.exited[name]
	p.mu.Unlock()
	if c == nil {
		return
	}
	c.Process.Signal(syscall.SIGKILL)
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		log.Printf("%s did not exit 10 s after SIGKILL", name)
	}
}

func (p *processes) stopAll() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.cmds {
		c.Process.Signal(syscall.SIGTERM)
	}
	for name, done := range p.exited {
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			p.cmds[name].Process.Kill()
		}
	}
}

func waitReady(base string) error {
	deadline := time.Now().Add(3 * time.Minute)
	for time.Now().Before(deadline) {
		if resp, err := http.Get(base + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return nil
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	return fmt.Errorf("%s/readyz never answered 200", base)
}

func freePort() int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func createDatabase(admin string) (string, func(), error) {
	db, err := sql.Open("postgres", admin)
	if err != nil {
		return "", nil, err
	}
	name := fmt.Sprintf("jobflow_soak_%d", time.Now().UnixNano())
	if _, err := db.Exec("CREATE DATABASE " + name); err != nil {
		db.Close()
		return "", nil, fmt.Errorf("PostgreSQL at %s: %w", admin, err)
	}
	u, _ := url.Parse(admin)
	u.Path = "/" + name
	return u.String(), func() {
		db.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
		db.Close()
	}, nil
}
