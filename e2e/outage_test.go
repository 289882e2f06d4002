package e2e

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	_ "modernc.org/sqlite" // the test's own connection that locks the file

	"jobflow"
	"jobflow/internal/testrig"
	"jobflow/internal/testtier"
	"jobflow/internal/testwait"
)

// ticks prints "tick 1" … "tick n", one a second, as the job did.
func ticks(n int) string {
	return fmt.Sprintf("for i in $(seq 1 %d); do echo tick $i; sleep 1; done", n)
}

// tickCounts reports which of "tick 1" … "tick n" a log lacks and which it
// holds more than once.
func tickCounts(log string, n int) (lost, twice []int) {
	seen := map[string]int{}
	for _, line := range strings.Split(log, "\n") {
		seen[strings.TrimSpace(line)]++
	}
	for i := 1; i <= n; i++ {
		switch seen[fmt.Sprintf("tick %d", i)] {
		case 0:
			lost = append(lost, i)
		case 1:
		default:
			twice = append(twice, i)
		}
	}
	return lost, twice
}

// poller calls the API every 200 ms until stopped and counts the answers
// by status code.
type poller struct {
	mu    sync.Mutex
	codes map[int]int
	stop  chan struct{}
	done  chan struct{}
}

func (e *env) poll(paths ...string) *poller {
	p := &poller{codes: map[int]int{}, stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(p.done)
		for {
			for _, path := range paths {
				code, _ := e.API.Do("GET", path, nil)
				p.mu.Lock()
				p.codes[code]++
				p.mu.Unlock()
			}
			select {
			case <-p.stop:
				return
			case <-time.After(200 * time.Millisecond):
			}
		}
	}()
	return p
}

func (p *poller) finish() map[int]int {
	close(p.stop)
	<-p.done
	return p.codes
}

// waitLog waits until the node's log (read directly from the store) holds want.
func (e *env) waitLog(runID, jobID, want string) {
	e.t.Helper()
	var log string
	if !testwait.Until(60*time.Second, func() bool {
		log, _ = e.Store.FindNodeLog(context.Background(), e.API.Tenant, runID, jobID)
		return strings.Contains(log, want)
	}) {
		e.t.Fatalf("log of %s never showed %q: %q", jobID, want, log)
	}
}

// waitStoredRun waits, reading the store directly, for the run to finish.
func (e *env) waitStoredRun(id string) *jobflow.Run {
	e.t.Helper()
	var r *jobflow.Run
	var err error
	if !testwait.Until(90*time.Second, func() bool {
		r, err = e.Store.FindRunByID(context.Background(), e.API.Tenant, id)
		return err == nil && r.Status.Finished()
	}) {
		e.t.Fatalf("run %s not finished: %+v %v", id, r, err)
	}
	return r
}

// TestStoreOutage_Postgres cuts the connection between jobflow and
// PostgreSQL for 6 s while a job prints a line a second, as in the issue.
func TestStoreOutage_Postgres(t *testing.T) {
	testtier.Long(t, "PostgreSQL, jobflow processes and minutes (end-to-end)")
	e := &env{Rig: testrig.New(t, testrig.Options{StoreProxy: true}), t: t}
	wf, ids := e.workflow("outage", []jobSpec{shell("ticks", ticks(10)), shell("after", "echo after")},
		[][2]string{{"ticks", "after"}}, nil)
	id := e.start(wf, nil)
	e.waitLog(id, ids["ticks"], "tick 2")

	e.Proxy.Cut()
	cutAt := time.Now()
	during := e.poll("/api/v1/runs/"+id, "/api/v1/runs?workflowId="+wf, "/api/v1/workflows")
	time.Sleep(6 * time.Second) // the outage itself: the API is watched while it lasts
	codes := during.finish()
	if code, b := e.API.Do("POST", "/api/v1/workflows", map[string]string{"name": "written-while-cut"}); code != 503 {
		t.Fatalf("a write while the store was cut = %d %s, want 503", code, b)
	}
	e.Proxy.Restore()
	t.Logf("store cut for %s; API answers meanwhile: %v", time.Since(cutAt).Round(time.Millisecond), codes)
	if codes[503] == 0 || len(codes) != 1 {
		t.Fatalf("API answers while the store was cut: %v, want only 503", codes)
	}

	// It recovers by itself.
	recovered := time.Now()
	for {
		code, _ := e.API.Do("GET", "/api/v1/runs/"+id, nil)
		if code == 200 {
			break
		}
		if time.Since(recovered) > 10*time.Second {
			t.Fatalf("API still %d 10 s after the store came back", code)
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Logf("API answered 200 %s after the store came back", time.Since(recovered).Round(time.Millisecond))

	r := e.waitStoredRun(id)
	if r.Status != jobflow.RunSuccess {
		t.Fatalf("run %s %q, want SUCCESS", r.Status, r.Error)
	}
	for _, n := range r.Nodes {
		if n.Status != jobflow.NodeSuccess {
			t.Fatalf("node %s %s %q, want SUCCESS", n.JobName, n.Status, n.Error)
		}
	}
	lost, twice := tickCounts(e.log(id, ids["ticks"]), 10)
	t.Logf("log lines lost: %d %v, written twice: %d %v", len(lost), lost, len(twice), twice)
	if len(lost) > 0 || len(twice) > 0 {
		t.Fatalf("log lost %v and doubled %v:\n%s", lost, twice, e.log(id, ids["ticks"]))
	}
}

// TestStoreOutage_SQLiteLocked holds SQLite's write lock from another
// connection for longer than the store's busy timeout while a job prints.
func TestStoreOutage_SQLiteLocked(t *testing.T) {
	testtier.Long(t, "PostgreSQL, jobflow processes and minutes (end-to-end)")
	e := &env{Rig: testrig.New(t, testrig.Options{SQLite: true}), t: t}
	wf, ids := e.workflow("locked", []jobSpec{shell("ticks", ticks(16)), shell("after", "echo after")},
		[][2]string{{"ticks", "after"}}, nil)
	id := e.start(wf, nil)
	e.waitLog(id, ids["ticks"], "tick 2")

	db, err := sql.Open("sqlite", strings.TrimPrefix(e.DBURL, "sqlite://"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	conn, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(context.Background(), "BEGIN EXCLUSIVE"); err != nil {
		t.Fatal(err)
	}
	lockedAt := time.Now()
	during := e.poll("/api/v1/runs/" + id)
	time.Sleep(12 * time.Second) // past the store's 10 s busy timeout: the lock must last that long
	if _, err := conn.ExecContext(context.Background(), "COMMIT"); err != nil {
		t.Fatal(err)
	}
	conn.Close()
	codes := during.finish()
	t.Logf("SQLite locked for %s; API answers meanwhile: %v", time.Since(lockedAt).Round(time.Millisecond), codes)
	for code := range codes {
		if code != 200 && code != 503 {
			t.Fatalf("API answered %d while SQLite was locked: %v (want 200 or 503)", code, codes)
		}
	}

	r := e.waitStoredRun(id)
	if r.Status != jobflow.RunSuccess {
		t.Fatalf("run %s %q, want SUCCESS", r.Status, r.Error)
	}
	lost, twice := tickCounts(e.log(id, ids["ticks"]), 16)
	t.Logf("log lines lost: %d %v, written twice: %d %v", len(lost), lost, len(twice), twice)
	if len(lost) > 0 || len(twice) > 0 {
		t.Fatalf("log lost %v and doubled %v:\n%s", lost, twice, e.log(id, ids["ticks"]))
	}
}
