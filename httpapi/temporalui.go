package httpapi

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httputil"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"jobflow"
)

// The embedded Temporal Web UI shows every tenant's runs, their inputs
// (scripts, parameters) included. It listens on loopback with no key of its
// own; people reach it through this proxy under /temporal/, as SYS_ADMIN,
// and the proxy adds the UI's key, which the Temporal frontend maps to a
// reader (a writer with JOBFLOW_TEMPORAL_UI_WRITE).

// TemporalUI is where the proxy sends /temporal/ requests.
type TemporalUI struct {
	Upstream string // the UI's base URL, e.g. http://127.0.0.1:8233; "": not served
	Key      string // sent upstream as "Authorization: Bearer <Key>"
	Write    bool   // JOBFLOW_TEMPORAL_UI_WRITE: let write requests through
}

// uiPath is the prefix the UI is served under (temporalserver.UIPublicPath).
const uiPath = "/temporal"

// ctxUICookie marks a /temporal/ request authenticated by TokenCookie.
const ctxUICookie = "jobflow.uiCookie"

// uiCSRFCookie and uiCSRFHeader are the Web UI's double-submit CSRF token.
// The UI skips its own check on requests with an Authorization header,
// which the proxy always adds, so the proxy checks it instead.
const (
	uiCSRFCookie = "_csrf"
	uiCSRFHeader = "X-CSRF-Token"
)

// uiQuery is the one kind of POST the UI makes that only reads: a
// workflow query (stack trace, metadata). Matched on the escaped path, so
// an id holding "%2Fquery%2F" cannot pass for one.
var uiQuery = regexp.MustCompile(`^/temporal/api/v1/namespaces/[^/]+/workflows/[^/]+/query/[^/]+$`)

func (s *Server) temporalUIRoutes() []route {
	const note = "; a browser may send the login token in the jobflow_token cookie instead of Authorization " +
		"(then a write needs the UI's X-CSRF-Token header matching its _csrf cookie); 404 when this jobflow serves no embedded UI"
	rows := []route{
		{method: "GET", path: uiPath, summary: "SYS_ADMIN: the embedded Temporal Web UI (proxied; shows every tenant's runs)" + note},
		{method: "GET", path: uiPath + "/*", summary: "SYS_ADMIN: the embedded Temporal Web UI's pages and read API (proxied)" + note},
	}
	for _, m := range []string{"POST", "PUT", "PATCH", "DELETE"} {
		// The UI's writes (terminate, reset, …) are audited, naming the
		// UI API path they called.
		rows = append(rows, route{method: m, path: uiPath + "/*", audit: "temporal_ui.write", auditParam: "*",
			summary: "SYS_ADMIN: the Web UI's write API (terminate, reset, signal, start, schedule edits): 403 unless JOBFLOW_TEMPORAL_UI_WRITE=true; workflow queries are allowed" + note})
	}
	for i := range rows {
		rows[i].access, rows[i].status, rows[i].handler = sysAdmin, 200, s.temporalUI
	}
	return rows
}

// newUIProxy builds the reverse proxy to the UI, or nil when none is
// configured. The client's credentials stay here: its Authorization header
// and login cookie are replaced by the UI's key.
func newUIProxy(ui TemporalUI) (*httputil.ReverseProxy, error) {
	if ui.Upstream == "" {
		return nil, nil
	}
	target, err := url.Parse(ui.Upstream)
	if err != nil {
		return nil, err
	}
	return &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(target)
			pr.Out.Host = target.Host
			h := pr.Out.Header
			for _, name := range []string{echo.HeaderAuthorization, "Authorization-Extras", "Caller-Type", "Cookie"} {
				h.Del(name)
			}
			for _, ck := range pr.In.Cookies() {
				if ck.Name != TokenCookie {
					pr.Out.AddCookie(ck)
				}
			}
			h.Set(echo.HeaderAuthorization, "Bearer "+ui.Key)
		},
		ModifyResponse: restoreCSP,
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			w.Header().Set(echo.HeaderContentType, echo.MIMEApplicationJSONCharsetUTF8)
			w.WriteHeader(http.StatusServiceUnavailable)
			json.NewEncoder(w).Encode(errorBody{Error: jobflow.Errorf(jobflow.EUNAVAILABLE, "the Temporal Web UI does not answer")})
		},
	}, nil
}

// inlineScript finds the inline scripts of the UI's page.
var inlineScript = regexp.MustCompile(`(?s)<script>(.*?)</script>`)

// restoreCSP puts back the Content-Security-Policy the UI drops when it is
// served under a path prefix (its inline bootstrap script then differs
// from the one its policy hashes): the UI shows tenants' data, so an
// injected script must not run. The policy is the UI's own: only the
// page's inline scripts, by hash, and what they load.
func restoreCSP(resp *http.Response) error {
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Security-Policy") != "" ||
		!strings.HasPrefix(resp.Header.Get(echo.HeaderContentType), echo.MIMETextHTML) {
		return nil
	}
	var body io.Reader = resp.Body
	gzipped := resp.Header.Get(echo.HeaderContentEncoding) == "gzip"
	if gzipped {
		zr, err := gzip.NewReader(resp.Body)
		if err != nil {
			return err
		}
		body = zr
	}
	page, err := io.ReadAll(io.LimitReader(body, 8<<20))
	resp.Body.Close()
	if err != nil {
		return err
	}
	var hashes []string
	for _, m := range inlineScript.FindAllSubmatch(page, -1) {
		sum := sha256.Sum256(m[1])
		hashes = append(hashes, "'sha256-"+base64.StdEncoding.EncodeToString(sum[:])+"'")
	}
	resp.Header.Set("Content-Security-Policy", "script-src 'strict-dynamic' "+strings.Join(hashes, " ")+
		"; object-src 'none'; base-uri 'self'; frame-ancestors 'self'")
	resp.Header.Del(echo.HeaderContentEncoding)
	resp.Header.Set(echo.HeaderContentLength, strconv.Itoa(len(page)))
	resp.ContentLength = int64(len(page))
	resp.Body = io.NopCloser(bytes.NewReader(page))
	return nil
}

// uiTokenFromCookie lets a browser that navigates to /temporal/ log in
// with the token cookie: it becomes the Bearer token the route's usual
// authentication checks. Other routes never read the cookie, so it cannot
// be used for cross-site requests to the API.
func uiTokenFromCookie(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		if p := r.URL.Path; (p == uiPath || strings.HasPrefix(p, uiPath+"/")) && r.Header.Get(echo.HeaderAuthorization) == "" {
			if ck, err := r.Cookie(TokenCookie); err == nil && ck.Value != "" {
				r.Header.Set(echo.HeaderAuthorization, "Bearer "+ck.Value)
				c.Set(ctxUICookie, true)
			}
		}
		return next(c)
	}
}

// temporalUI proxies a SYS_ADMIN's request to the Web UI (the route's
// guard has checked the login).
func (s *Server) temporalUI(c echo.Context) error {
	if s.uiProxy == nil {
		return jobflow.Errorf(jobflow.ENOTFOUND, "this jobflow serves no Temporal Web UI (jobflow standalone does)")
	}
	r := c.Request()
	safe := r.Method == http.MethodGet || r.Method == http.MethodHead
	if !safe && !s.cfg.TemporalUI.Write && !uiQuery.MatchString(r.URL.EscapedPath()) {
		return jobflow.Errorf(jobflow.EFORBIDDEN, "the Temporal Web UI is read-only here; set JOBFLOW_TEMPORAL_UI_WRITE=true to allow terminate, reset, signal, start and schedule edits")
	}
	if !safe && c.Get(ctxUICookie) != nil && !csrfOK(r) {
		return jobflow.Errorf(jobflow.EFORBIDDEN, "missing or wrong %s header", uiCSRFHeader)
	}
	s.uiProxy.ServeHTTP(c.Response(), r)
	return nil
}

// csrfOK checks the UI's double-submit token: a cross-site page can send
// the cookie but cannot read it to copy it into the header.
func csrfOK(r *http.Request) bool {
	ck, err := r.Cookie(uiCSRFCookie)
	h := r.Header.Get(uiCSRFHeader)
	return err == nil && ck.Value != "" && subtle.ConstantTimeCompare([]byte(ck.Value), []byte(h)) == 1
}
