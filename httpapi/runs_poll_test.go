package httpapi_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"jobflow"
	"jobflow/internal/testtier"
)

// TestRunPolling covers what the console's run view polls with: an ETag on
// GET /runs/{id} answered 304 while nothing changed, and the log offset
// that lets it append only the new part of a running node's log.
func TestRunPolling(t *testing.T) {
	testtier.Parallel(t)
	e := newRunEnv(t)
	w := e.flow("poll", nil, `for i in 1 2 3 4 5 6; do echo "line $i"; sleep 0.4; done`)
	runID := e.runManual(w.ID)
	jobID := w.Canvas.Nodes[0].JobID

	// Follow the log by offset while it runs: the pieces, put together, are
	// the whole log, and no piece repeats an earlier one.
	var got strings.Builder
	offset, polls := 0, 0
	deadline := time.Now().Add(60 * time.Second)
	for {
		r := e.as("GET", "/api/v1/runs/"+runID+"/nodes/"+jobID+"/log?offset="+strconv.Itoa(offset), nil)
		if r.status == 404 && polls == 0 && time.Now().Before(deadline) {
			time.Sleep(50 * time.Millisecond) // the node's row is written when the run reaches it; a client retries as well
			continue
		}
		if r.status != 200 || r.header.Get("X-Log-Reset") != "" {
			t.Fatalf("log poll: %d reset=%q %s", r.status, r.header.Get("X-Log-Reset"), r.body)
		}
		next, err := strconv.Atoi(r.header.Get("X-Log-Offset"))
		if err != nil || next != offset+len(r.body) {
			t.Fatalf("X-Log-Offset %q after %d + %d bytes", r.header.Get("X-Log-Offset"), offset, len(r.body))
		}
		got.Write(r.body)
		offset = next
		polls++
		run, _ := e.st.FindRunByID(t.Context(), e.tenantID, runID)
		if run != nil && run.Status.Finished() {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("run did not finish")
		}
		time.Sleep(150 * time.Millisecond) // a console's poll interval: the test is the polling client
	}
	r := e.as("GET", "/api/v1/runs/"+runID+"/nodes/"+jobID+"/log?offset="+strconv.Itoa(offset), nil)
	got.Write(r.body)
	whole := e.as("GET", "/api/v1/runs/"+runID+"/nodes/"+jobID+"/log", nil)
	if got.String() != string(whole.body) || !strings.Contains(got.String(), "line 6") {
		t.Fatalf("followed log %q, whole log %q (%d polls)", got.String(), whole.body, polls)
	}
	if polls < 3 {
		t.Errorf("only %d polls while running: the test did not follow a running log", polls)
	}
	// An offset past the end answers the whole log again, marked as a reset.
	r = e.as("GET", "/api/v1/runs/"+runID+"/nodes/"+jobID+"/log?offset=999999", nil)
	if r.status != 200 || r.header.Get("X-Log-Reset") != "true" || string(r.body) != string(whole.body) {
		t.Fatalf("offset past the end: %d reset=%q %q", r.status, r.header.Get("X-Log-Reset"), r.body)
	}
	for _, bad := range []string{"-1", "x", "1.5"} {
		e.fail(e.as("GET", "/api/v1/runs/"+runID+"/nodes/"+jobID+"/log?offset="+bad, nil), 400, jobflow.EINVALID)
	}
	e.fail(e.as("GET", "/api/v1/runs/"+runID+"/nodes/no-such-job/log?offset=0", nil), 404, jobflow.ENOTFOUND)

	// ETag: the same run answers the same tag, and If-None-Match is a 304.
	a := e.as("GET", "/api/v1/runs/"+runID, nil)
	tag := a.header.Get("ETag")
	if a.status != 200 || tag == "" {
		t.Fatalf("run: %d etag %q", a.status, tag)
	}
	if b := e.as("GET", "/api/v1/runs/"+runID, nil); b.header.Get("ETag") != tag {
		t.Fatalf("etag of an unchanged run changed: %q then %q", tag, b.header.Get("ETag"))
	}
	req, _ := http.NewRequest("GET", e.srv.URL+"/api/v1/runs/"+runID, nil)
	req.Header.Set("Authorization", "Bearer "+e.admin)
	req.Header.Set("X-Tenant-ID", e.tenantID)
	req.Header.Set("If-None-Match", tag)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 304 {
		t.Fatalf("If-None-Match of the current tag: %d", res.StatusCode)
	}
	// A run that changes gets a new tag: a rerun is another run, and this
	// run's tag differs from it; a stale tag is answered in full.
	req.Header.Set("If-None-Match", `"stale"`)
	res, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("If-None-Match of a stale tag: %d", res.StatusCode)
	}
}

// TestRunETagChanges checks that the tag follows the run's state: polled
// while running, the tag changes when the run finishes.
func TestRunETagChanges(t *testing.T) {
	testtier.Parallel(t)
	e := newRunEnv(t)
	w := e.flow("etag", nil, "sleep 1")
	runID := e.runManual(w.ID)
	first := e.as("GET", "/api/v1/runs/"+runID, nil).header.Get("ETag")
	e.waitRun(runID, 60*time.Second)
	last := e.as("GET", "/api/v1/runs/"+runID, nil).header.Get("ETag")
	if first == "" || first == last {
		t.Fatalf("etag while running %q, after %q", first, last)
	}
}
