package cluster_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"jobflow/internal/jobdir"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	_ "github.com/lib/pq"
)

// cluster is the topology of up.sh, started by up.sh itself in a directory
// of the test, on free ports and on databases of its own.
type cluster struct {
	t    testing.TB
	dir  string   // CLUSTER_DIR: logs, pids, secrets
	env  []string // what up.sh and down.sh get
	base int      // CLUSTER_PORT_BASE
}

// scriptDir is deploy/cluster, where up.sh and down.sh live; the test runs
// in e2e/cluster.
func scriptDir(t testing.TB) string {
	d, err := filepath.Abs(filepath.Join("..", "..", "deploy", "cluster"))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// pgAdmin is the PostgreSQL the cluster runs on; the test fails without it.
func pgAdmin(t testing.TB) *sql.DB {
	t.Helper()
	url := os.Getenv("JOBFLOW_TEST_POSTGRES_URL")
	if url == "" {
		url = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
	}
	db, err := sql.Open("postgres", url)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := db.PingContext(ctx); err != nil {
		t.Fatalf("PostgreSQL is not reachable on 127.0.0.1:5432 (or JOBFLOW_TEST_POSTGRES_URL): %v", err)
	}
	return db
}

// newCluster prepares (does not start) a cluster. The binaries are built
// by up.sh into the test's directory, unless JOBFLOW_CLUSTER_BIN names a
// directory that has them (to iterate on the test without rebuilding).
func newCluster(t testing.TB) *cluster {
	t.Helper()
	db := pgAdmin(t)
	var b [4]byte
	rand.Read(b[:])
	prefix := "jobflow_cluster_" + hex.EncodeToString(b[:]) + "_"
	dbs := []string{prefix + "temporal", prefix + "visibility", prefix + "jobflow"}
	c := &cluster{t: t, dir: t.TempDir(), base: freeBase(t)}
	bin := os.Getenv("JOBFLOW_CLUSTER_BIN")
	if bin == "" {
		bin = filepath.Join(c.dir, "bin")
	}
	c.env = append(os.Environ(),
		"CLUSTER_DIR="+c.dir,
		"CLUSTER_BIN="+bin,
		"CLUSTER_PORT_BASE="+strconv.Itoa(c.base),
		"CLUSTER_LOG_LEVEL=warn",
		"CLUSTER_STOP_WAIT=20",
		"TEMPORAL_DB="+dbs[0], "TEMPORAL_VISIBILITY_DB="+dbs[1], "JOBFLOW_DB="+dbs[2],
		"JOBFLOW_ADMIN_PASSWORD=cluster-test-pw",
		// Jobs write their marks into the test's shared directory.
		"JOBFLOW_JOB_WRITABLE="+jobdir.Base(),
	)
	t.Cleanup(func() {
		c.script("down.sh")
		if t.Failed() {
			c.dumpLogs()
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		for _, name := range dbs {
			if _, err := db.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
				t.Logf("drop database %s: %v", name, err)
			}
		}
		db.Close()
	})
	return c
}

// freeBase picks a CLUSTER_PORT_BASE whose ports are all free, below the
// kernel's ephemeral range (whose ports outgoing connections take).
func freeBase(t testing.TB) int {
	t.Helper()
	offsets := []int{}
	for _, node := range []int{0, 100} {
		for _, o := range []int{33, 34, 35, 39, 43, 53, 54, 55, 59} {
			offsets = append(offsets, node+o)
		}
	}
	offsets = append(offsets, 880, 881, 890, 891)
	for range 50 {
		n, _ := rand.Int(rand.Reader, big.NewInt(200))
		base := 10000 + int(n.Int64())*100
		free := true
		for _, o := range offsets {
			l, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(base+o))
			if err != nil {
				free = false
				break
			}
			l.Close()
		}
		if free {
			return base
		}
	}
	t.Fatal("no free port range for the cluster")
	return 0
}

// script runs deploy/cluster/<name> and returns its output.
func (c *cluster) script(name string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(scriptDir(c.t), name), args...)
	cmd.Env = c.env
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// up runs up.sh and fails the test if it fails.
func (c *cluster) up() string {
	c.t.Helper()
	began := time.Now()
	out, err := c.script("up.sh")
	if err != nil {
		c.t.Fatalf("up.sh: %v\n%s", err, out)
	}
	c.t.Logf("up.sh took %s:\n%s", time.Since(began).Round(time.Millisecond), strings.TrimSpace(out))
	return out
}

func (c *cluster) apiURL(n int) string { return fmt.Sprintf("http://127.0.0.1:%d", c.base+879+n) }

func (c *cluster) pid(name string) int {
	c.t.Helper()
	b, err := os.ReadFile(filepath.Join(c.dir, "pids", name+".pid"))
	if err != nil {
		c.t.Fatal(err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		c.t.Fatal(err)
	}
	return pid
}

// kill SIGKILLs a process of the cluster and waits until it is gone.
func (c *cluster) kill(name string) {
	c.t.Helper()
	pid := c.pid(name)
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		c.t.Fatalf("kill %s: %v", name, err)
	}
	for deadline := time.Now().Add(10 * time.Second); syscall.Kill(pid, 0) == nil; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			c.t.Fatalf("%s (pid %d) still alive after SIGKILL", name, pid)
		}
	}
}

// dumpLogs prints the end of every log, for a failure.
func (c *cluster) dumpLogs() {
	logs, _ := filepath.Glob(filepath.Join(c.dir, "logs", "*.log"))
	for _, f := range logs {
		b, _ := os.ReadFile(f)
		lines := strings.Split(strings.TrimSpace(string(b)), "\n")
		if len(lines) > 30 {
			lines = lines[len(lines)-30:]
		}
		c.t.Logf("--- %s (last %d lines)\n%s", filepath.Base(f), len(lines), strings.Join(lines, "\n"))
	}
}
