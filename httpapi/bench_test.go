package httpapi_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"sync"
	"testing"
	"time"

	"jobflow"
	"jobflow/httpapi"
	"jobflow/store"
	"jobflow/store/storetest"
)

// BenchmarkListWorkflows_Search measures GET /api/v1/workflows?search=…
// end to end through the Echo handler (token check, user and membership
// lookups, the list query, JSON) on PostgreSQL with 10,000 workflows in the
// tenant.
//
//	go test ./httpapi -run '^$' -bench ListWorkflows_Search -benchtime 2000x
func BenchmarkListWorkflows_Search(b *testing.B) {
	ctx := context.Background()
	st, db := benchPostgres(b)
	deps := httpapi.NewDeps(st)
	if _, err := httpapi.Bootstrap(ctx, deps, adminPassword); err != nil {
		b.Fatal(err)
	}
	admin, err := st.FindUserByAccount(ctx, "admin")
	if err != nil {
		b.Fatal(err)
	}
	ms, err := st.FindMemberships(ctx, admin.ID)
	if err != nil || len(ms) != 1 {
		b.Fatal(ms, err)
	}
	tenantID := ms[0].TenantID
	if _, err := st.UpdateTenant(ctx, tenantID, jobflow.TenantUpdate{MaxWorkflows: ptr(20000)}); err != nil {
		b.Fatal(err)
	}
	const n = 10000
	words := []string{"etl", "report", "sync", "backup", "cleanup", "export", "import", "audit"}
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := g; i < n; i += 8 {
				w := &jobflow.Workflow{TenantID: tenantID, Name: fmt.Sprintf("%s-%05d", words[i%len(words)], i),
					Remark: fmt.Sprintf("nightly %s job number %d", words[(i/8)%len(words)], i), CreatedBy: admin.ID}
				if err := st.CreateWorkflow(ctx, w, 20000); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		b.Fatal(err)
	}
	// Fresh statistics, as autovacuum would have them in a running system.
	if _, err := db.ExecContext(ctx, "ANALYZE"); err != nil {
		b.Fatal(err)
	}
	broad := 0
	for i := range n {
		if words[i%len(words)] == "report" || words[(i/8)%len(words)] == "report" {
			broad++
		}
	}

	api := httpapi.New(httpapi.Config{JWTSecret: testSecret, Logger: slog.New(slog.DiscardHandler)}, deps)
	h := api.Handler()
	token := login(b, h)
	cases := []struct {
		name, query, search string
		page, total         int
	}{
		{"Selective", "search=01234", "01234", 1, 1},
		{"Broad", "search=REPORT", "REPORT", 1, broad}, // in name or remark
		{"NoSearchPage1", "", "", 1, n},
		{"NoSearchPage100", "page=100", "", 100, n},
	}
	for _, bc := range cases {
		b.Run("HTTP/"+bc.name, func(b *testing.B) {
			req := httptest.NewRequest("GET", "/api/v1/workflows?"+bc.query, nil)
			req.Header.Set("Authorization", "Bearer "+token)
			req.Header.Set("X-Tenant-ID", tenantID)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			var l jobflow.List[json.RawMessage]
			if rec.Code != 200 || json.Unmarshal(rec.Body.Bytes(), &l) != nil || l.Total != bc.total {
				b.Fatalf("%d total %d, want %d: %.300s", rec.Code, l.Total, bc.total, rec.Body.String())
			}
			var times []time.Duration
			for b.Loop() {
				start := time.Now()
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req.Clone(ctx))
				if rec.Code != 200 {
					b.Fatal(rec.Code, rec.Body.String())
				}
				times = append(times, time.Since(start))
			}
			reportMedian(b, times)
		})
	}
	// The same queries on the store alone, to show what the HTTP layer adds.
	for _, bc := range cases {
		b.Run("Store/"+bc.name, func(b *testing.B) {
			f := jobflow.WorkflowFilter{ListParams: jobflow.ListParams{Page: bc.page, PageSize: 20, Search: bc.search}}
			var times []time.Duration
			for b.Loop() {
				start := time.Now()
				if _, total, err := st.FindWorkflows(ctx, tenantID, f); err != nil || total != bc.total {
					b.Fatal(total, err)
				}
				times = append(times, time.Since(start))
			}
			reportMedian(b, times)
		})
	}
}

func reportMedian(b *testing.B, times []time.Duration) {
	slices.Sort(times)
	if len(times) > 0 {
		b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "ms-median")
	}
}

func login(b *testing.B, h http.Handler) string {
	body := fmt.Sprintf(`{"account":"admin","password":%q}`, adminPassword)
	req := httptest.NewRequest("POST", "/api/v1/auth/login", stringsReader(body))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var out struct{ Token string }
	if rec.Code != 200 || json.Unmarshal(rec.Body.Bytes(), &out) != nil {
		b.Fatal(rec.Code, rec.Body.String())
	}
	return out.Token
}

func ptr[T any](v T) *T { return &v }

// benchPostgres is a fresh migrated store in a database of its own (dropped
// afterwards), with a direct connection to it for ANALYZE.
func benchPostgres(b *testing.B) (*store.Store, *sql.DB) {
	ctx := context.Background()
	admin, err := sql.Open("postgres", storetest.PostgresURL())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { admin.Close() })
	name := fmt.Sprintf("jobflow_bench_%d", time.Now().UnixNano())
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		b.Fatalf("PostgreSQL at %s: %v", storetest.PostgresURL(), err)
	}
	b.Cleanup(func() { _, _ = admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)") })
	u, _ := url.Parse(storetest.PostgresURL())
	u.Path = "/" + name
	st, err := store.Open(ctx, u.String(), storetest.Key)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	if err := st.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	db, err := sql.Open("postgres", u.String())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	return st, db
}
