package httpapi_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"io/fs"
	"net/http"
	"strings"
	"testing"

	"jobflow"
	"jobflow/internal/testtier"
	"jobflow/web"
)

// TestConsole_Served checks the embedded console: files by path, the app
// for client-side routes, JSON 404s under /api/, ETag revalidation, gzip
// and the security headers.
func TestConsole_Served(t *testing.T) {
	testtier.Parallel(t)
	forEach(t, func(t *testing.T, e *env) {
		index, err := fs.ReadFile(web.Dist(), "index.html")
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range []string{"/", "/index.html", "/workflows", "/workflows/wf_1/edit", "/runs/run_1"} {
			r := e.do("GET", p, "", "", nil)
			if r.status != 200 || !bytes.Equal(r.body, index) {
				t.Fatalf("GET %s: %d, body is index.html: %v", p, r.status, bytes.Equal(r.body, index))
			}
			if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
				t.Errorf("GET %s: content type %q", p, ct)
			}
			csp := r.header.Get("Content-Security-Policy")
			if !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "script-src 'self' 'unsafe-inline'") ||
				!strings.Contains(csp, "frame-ancestors 'none'") {
				t.Errorf("GET %s: CSP %q", p, csp)
			}
			if r.header.Get("X-Content-Type-Options") != "nosniff" || r.header.Get("Cache-Control") == "" || r.header.Get("ETag") == "" {
				t.Errorf("GET %s: headers %v", p, r.header)
			}
		}
		// The first script the page loads is a real file of the build.
		src := between(string(index), `src="`, `"`)
		if !strings.HasPrefix(src, "/assets/") {
			t.Fatalf("index.html loads no /assets/ script: %q", src)
		}
		js := e.do("GET", src, "", "", nil)
		if js.status != 200 || !strings.Contains(js.header.Get("Content-Type"), "javascript") || len(js.body) < 1000 {
			t.Fatalf("GET %s: %d %q %d bytes", src, js.status, js.header.Get("Content-Type"), len(js.body))
		}

		// ETag: a matching If-None-Match is a 304 without a body.
		req, _ := http.NewRequest("GET", e.srv.URL+src, nil)
		req.Header.Set("If-None-Match", js.header.Get("ETag"))
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 304 || len(b) != 0 {
			t.Fatalf("revalidation: %d with %d bytes", res.StatusCode, len(b))
		}

		// gzip when asked for, and the same bytes once unpacked.
		req, _ = http.NewRequest("GET", e.srv.URL+src, nil)
		req.Header.Set("Accept-Encoding", "gzip")
		res, err = (&http.Transport{DisableCompression: true}).RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		if res.Header.Get("Content-Encoding") != "gzip" {
			t.Fatalf("no gzip: %v", res.Header)
		}
		zr, err := gzip.NewReader(res.Body)
		if err != nil {
			t.Fatal(err)
		}
		plain, _ := io.ReadAll(zr)
		res.Body.Close()
		if !bytes.Equal(plain, js.body) {
			t.Fatalf("gzip body differs")
		}

		// The API keeps its JSON 404s, and a missing asset is not the app.
		e.fail(e.do("GET", "/api/v1/nope", "", "", nil), 404, jobflow.ENOTFOUND)
		e.fail(e.do("GET", "/api", "", "", nil), 404, jobflow.ENOTFOUND)
		e.fail(e.do("GET", "/assets/missing.js", "", "", nil), 404, jobflow.ENOTFOUND)
		e.fail(e.do("GET", "/workflow/open/nope", "", "", nil), 404, jobflow.ENOTFOUND)
	})
}

func between(s, a, b string) string {
	i := strings.Index(s, a)
	if i < 0 {
		return ""
	}
	s = s[i+len(a):]
	if j := strings.Index(s, b); j >= 0 {
		return s[:j]
	}
	return ""
}
