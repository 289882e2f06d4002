package httpapi

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"sync"

	"github.com/labstack/echo/v4"

	"jobflow"
	"jobflow/web"
)

// consoleCSP is the console's Content-Security-Policy: scripts only from the
// binary itself (no inline scripts); styles may be inline because antd's
// CSS-in-JS writes <style> elements at run time; no framing.
const consoleCSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
	"img-src 'self' data:; font-src 'self' data:; connect-src 'self'; worker-src 'self'; " +
	"object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"

// asset is one file of the console build, read once, with its ETag and
// gzip form (when smaller).
type asset struct {
	body, gz []byte
	etag     string
	ctype    string
}

// console serves the embedded web console (docs/console.md): files of the build by
// path, index.html for every other GET outside the API (client-side
// routing). /api/* and the invoke path keep answering JSON 404s. Files are
// revalidated on every load (stable file names, so no long max-age) and
// answered 304 on a matching If-None-Match.
type console struct {
	fsys fs.FS
	mu   sync.Mutex
	memo map[string]*asset
}

func newConsole(fsys fs.FS) *console { return &console{fsys: fsys, memo: map[string]*asset{}} }

func (cs *console) load(name string) (*asset, bool) {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	if a, ok := cs.memo[name]; ok {
		return a, a != nil
	}
	b, err := fs.ReadFile(cs.fsys, name)
	if err != nil {
		cs.memo[name] = nil
		return nil, false
	}
	sum := sha256.Sum256(b)
	a := &asset{body: b, etag: `"` + hex.EncodeToString(sum[:12]) + `"`}
	a.ctype = mime.TypeByExtension(path.Ext(name))
	if a.ctype == "" {
		a.ctype = http.DetectContentType(b)
	}
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	zw.Write(b)
	zw.Close()
	if buf.Len() < len(b) {
		a.gz = buf.Bytes()
	}
	cs.memo[name] = a
	return a, true
}

// isAPIPath says whether a path belongs to the API rather than the console.
func isAPIPath(p string) bool {
	return p == "/api" || strings.HasPrefix(p, "/api/") || strings.HasPrefix(p, "/workflow/open/")
}

func (s *Server) serveConsole(cs *console) echo.HandlerFunc {
	return func(c echo.Context) error {
		p := c.Request().URL.Path
		if isAPIPath(p) {
			c.Set(ctxRouted, nil) // counted as "unmatched", like any unknown route
			return jobflow.Errorf(jobflow.ENOTFOUND, "no such route")
		}
		name := strings.TrimPrefix(path.Clean("/"+p), "/")
		a, ok := cs.load(name)
		if name == "" || !ok {
			// A missing file under assets/ is a real 404; any other path is a
			// route of the single-page app.
			if strings.HasPrefix(name, "assets/") {
				return jobflow.Errorf(jobflow.ENOTFOUND, "no such file")
			}
			if a, ok = cs.load("index.html"); !ok {
				return jobflow.Errorf(jobflow.ENOTFOUND, "the console is not built")
			}
		}
		h := c.Response().Header()
		h.Set("Content-Security-Policy", consoleCSP)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Cache-Control", "no-cache")
		h.Set("ETag", a.etag)
		h.Set("Vary", "Accept-Encoding")
		if match := c.Request().Header.Get("If-None-Match"); match != "" && etagMatch(match, a.etag) {
			return c.NoContent(http.StatusNotModified)
		}
		body := a.body
		if a.gz != nil && strings.Contains(c.Request().Header.Get("Accept-Encoding"), "gzip") {
			h.Set("Content-Encoding", "gzip")
			body = a.gz
		}
		return c.Blob(http.StatusOK, a.ctype, body)
	}
}

// etagMatch reports whether an If-None-Match header names etag (or is *).
func etagMatch(header, etag string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimSpace(t)
		if t == "*" || strings.TrimPrefix(t, "W/") == etag {
			return true
		}
	}
	return false
}

// consoleRoutes are the console's rows of the route table: the catch-all
// GET and HEAD, matched only when no API route is.
func (s *Server) consoleRoutes() []route {
	h := s.serveConsole(newConsole(web.Dist()))
	const sum = "The web console: a file of its embedded build, else index.html (client-side routes); ETag, Cache-Control no-cache, CSP. Paths under /api/ answer JSON 404s"
	return []route{
		{method: "GET", path: "/*", access: public, summary: sum, status: 200, handler: h},
		{method: "HEAD", path: "/*", access: public, summary: sum, status: 200, handler: h},
	}
}
