package e2e

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"jobflow/internal/testrig"
	"jobflow/internal/testtier"
)

// TestStoreOutage_InvokeRateKept: a third party invoking well within its
// token's rate (8/s of 10/s) while SQLite is locked by another connection
// gets 200 or 503, never 429. Before the limiter metered requests at
// arrival, the requests the locked store held up reached it together once
// the lock went and some were refused (found by bench/soak).
func TestStoreOutage_InvokeRateKept(t *testing.T) {
	testtier.Long(t, "PostgreSQL, jobflow processes and minutes (end-to-end)")
	e := &env{Rig: testrig.New(t, testrig.Options{SQLite: true}), t: t}
	wf, _ := e.workflow("invoked", []jobSpec{shell("a", "true")}, nil, map[string]any{"invoke": map[string]any{"enabled": true}})
	e.API.Must("POST", "/api/v1/workflows/"+wf+"/publish", nil, 200, nil)
	var tok struct{ Token string }
	e.API.Must("POST", "/api/v1/workflows/"+wf+"/invoke-tokens", nil, 201, &tok)

	db, err := sql.Open("sqlite", strings.TrimPrefix(e.DBURL, "sqlite://"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	conn, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(context.Background(), "BEGIN EXCLUSIVE"); err != nil {
		t.Fatal(err)
	}
	unlock := time.AfterFunc(4*time.Second, func() { conn.ExecContext(context.Background(), "COMMIT") })
	defer unlock.Stop()

	var mu sync.Mutex
	codes := map[int]int{}
	var wg sync.WaitGroup
	tick := time.NewTicker(125 * time.Millisecond) // 8/s
	for i := range 48 {                            // 6 s
		<-tick.C
		wg.Add(1)
		go func() {
			defer wg.Done()
			body, _ := json.Marshal(map[string]any{"workflowId": wf, "token": tok.Token, "requestId": fmt.Sprintf("r-%d", i)})
			resp, err := http.Post(e.Server.URL+"/workflow/open/invokeWorkflow", "application/json", bytes.NewReader(body))
			code := 0
			if err == nil {
				resp.Body.Close()
				code = resp.StatusCode
			}
			mu.Lock()
			codes[code]++
			mu.Unlock()
		}()
	}
	tick.Stop()
	wg.Wait()
	t.Logf("invokes at 8/s through a 4 s SQLite lock: %v", codes)
	for code, n := range codes {
		if code != 200 && code != 503 {
			t.Errorf("%d answers %d (want only 200 and 503): %v", n, code, codes)
		}
	}
}
