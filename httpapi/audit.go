package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/golang-jwt/jwt/v5"
	"github.com/labstack/echo/v4"

	"jobflow"
)

// The audit log (docs/lifecycle.md#audit-log) is written by one middleware on every
// mutating route of the route table, so no handler has to remember it. It
// records after the handler: who (user, personal API token), where
// (tenant, client address, request id), what (action and object derived
// from the route, the object's id, name and version read from the path
// and the answer) and the result (ok or the error code). The summary
// lists the request's field names and only a few harmless values; bodies
// and secrets are never stored.
//
// Calls that fail authentication are not recorded (anyone could flood the
// log with them), except logins, whose failures are the point. External
// invocations are recorded when they start a run.

// auditCapture is how much of a request or answer body the audit reads.
const auditCapture = 64 << 10

// teeWriter keeps the first auditCapture bytes of an answer.
type teeWriter struct {
	http.ResponseWriter
	buf bytes.Buffer
}

func (w *teeWriter) Write(p []byte) (int, error) {
	if room := auditCapture - w.buf.Len(); room > 0 {
		w.buf.Write(p[:min(room, len(p))])
	}
	return w.ResponseWriter.Write(p)
}

func (w *teeWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (s *Server) audit(r route) echo.MiddlewareFunc {
	objType, action := auditAction(r.method, r.path)
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if s.deps.Audit == nil {
				return next(c)
			}
			req := c.Request()
			var reqBody []byte
			if req.Body != nil {
				reqBody, _ = io.ReadAll(io.LimitReader(req.Body, auditCapture+1))
				req.Body = struct {
					io.Reader
					io.Closer
				}{io.MultiReader(bytes.NewReader(reqBody), req.Body), req.Body}
			}
			tee := &teeWriter{ResponseWriter: c.Response().Writer}
			c.Response().Writer = tee
			err := next(c)
			c.Response().Writer = tee.ResponseWriter

			a, authed := jobflow.ActorFromContext(c.Request().Context())
			public := r.access == public
			result := auditResult(err, c.Response().Status)
			if !authed && !public {
				return err // unauthenticated: not recorded
			}
			// Of the public routes only logins (success and failure) and
			// invocations that started a run are recorded.
			if public && action != "auth.login" && (action != "run.invoke" || result != jobflow.AuditOK) {
				return err
			}
			e := &jobflow.AuditEntry{
				TenantID: a.TenantID, UserID: a.UserID, Action: action, ObjectType: objType, Result: result,
				RequestID:  c.Response().Header().Get(echo.HeaderXRequestID),
				ClientAddr: c.RealIP(),
			}
			if tok, ok := c.Get(ctxAPIToken).(*jobflow.APIToken); ok {
				e.TokenID = tok.ID
			}
			if u, ok := c.Get(ctxUser).(string); ok && e.UserID == "" {
				e.UserID = u // a login that succeeded
			}
			var in map[string]any
			if len(reqBody) <= auditCapture {
				_ = json.Unmarshal(reqBody, &in)
			}
			s.auditObject(c, e, in, tee.buf.Bytes())
			e.Summary = auditSummary(in, len(reqBody))
			// The action has happened: a failed audit write is logged, and
			// the answer stays what it was.
			ctx := context.WithoutCancel(c.Request().Context())
			write := func() {
				if werr := s.deps.Audit.CreateAuditEntry(ctx, e); werr != nil {
					s.log.Error("audit write failed", "err", werr, "action", action, "request_id", e.RequestID)
				}
			}
			if action == "run.invoke" {
				// Third parties invoke at high rates: their answer does
				// not wait for the row (it is lost only if the process
				// dies in the next milliseconds; the run row is not).
				go write()
			} else {
				write()
			}
			return err
		}
	}
}

// auditResult is "ok" or the error code the caller gets.
func auditResult(err error, status int) string {
	if err == nil {
		if status >= 400 {
			return strconv.Itoa(status)
		}
		return jobflow.AuditOK
	}
	var he *echo.HTTPError
	if errors.As(err, &he) {
		var de *jobflow.Error
		if errors.As(he.Internal, &de) {
			return de.Code
		}
		err, _ = fromEcho(he)
	}
	return jobflow.ErrorCode(err)
}

// auditObject fills the object's id, name and version from the path, the
// answer and the request, in that order of trust.
func (s *Server) auditObject(c echo.Context, e *jobflow.AuditEntry, in map[string]any, out []byte) {
	var resp map[string]any
	_ = json.Unmarshal(out, &resp)
	str := func(m map[string]any, k string) string {
		v, _ := m[k].(string)
		return v
	}
	sub := func(m map[string]any, k string) map[string]any {
		v, _ := m[k].(map[string]any)
		return v
	}
	if e.ObjectType == "tenant" || e.ObjectType == "member" {
		if e.TenantID == "" {
			e.TenantID = c.Param("id")
		}
	}
	// The path names the object, except where the route makes one.
	switch {
	case c.Param("userId") != "":
		e.ObjectID = c.Param("userId")
	case c.Param("jti") != "":
		e.ObjectID = c.Param("jti")
	case c.Param("tokenId") != "":
		e.ObjectID = c.Param("tokenId")
	case strings.HasSuffix(e.Action, ".create") || e.Action == "run.start" || e.Action == "workflow.copy" || e.Action == "workflow.import":
	default:
		e.ObjectID = c.Param("id")
	}
	if w := sub(resp, "workflow"); w != nil {
		if e.ObjectID == "" {
			e.ObjectID = str(w, "id")
		}
		e.ObjectName = str(w, "name")
	}
	if e.ObjectID == "" {
		for _, k := range []string{"id", "runId", "jti"} {
			if v := str(resp, k); v != "" {
				e.ObjectID = v
				break
			}
		}
	}
	if e.ObjectID == "" && e.ObjectType == "workflow" {
		e.ObjectID = c.Param("id")
	}
	if e.ObjectName == "" {
		e.ObjectName = str(resp, "name")
	}
	if e.ObjectName == "" {
		e.ObjectName = str(in, "name")
	}
	if e.Action == "auth.login" {
		e.ObjectName, e.ObjectID = str(in, "account"), e.UserID
	}
	if e.ObjectName == "" {
		e.ObjectName = str(resp, "account")
	}
	if v := sub(resp, "version"); v != nil {
		if n, ok := v["number"].(float64); ok {
			e.Version = int(n)
		}
	}
	if n, err := strconv.Atoi(c.Param("n")); err == nil && e.Version == 0 {
		e.Version = n
	}
	if n, ok := in["version"].(float64); ok && e.Version == 0 {
		e.Version = int(n)
	}
	if e.Action == "run.invoke" {
		e.ObjectType = "run"
		e.ObjectName = str(in, "workflowId")
		// The call succeeded, so its token is valid: its tenant claim is
		// read without checking the signature a second time.
		var claims jwt.MapClaims
		if tok, ok := in["token"].(string); ok {
			if _, _, err := jwt.NewParser().ParseUnverified(tok, &claims); err == nil {
				e.TenantID, _ = claims["tid"].(string)
			}
		}
	}
	e.ObjectName = truncate(e.ObjectName, 200)
}

// auditSafe are request fields whose values are harmless and useful in a
// summary; every other field is listed by name only.
var auditSafe = map[string]bool{
	"name": true, "role": true, "mode": true, "status": true, "disabled": true, "format": true,
	"dryRun": true, "version": true, "account": true, "type": true, "nodeId": true, "note": true,
	"start": true, "end": true, "overlap": true, "tenantId": true, "userId": true, "revision": true,
	"serviceAccount": true, "sysAdmin": true, "maxWorkflows": true,
}

// auditSummary is a short line about the request body: field names, and
// the values of harmless fields. Secrets never reach it.
func auditSummary(in map[string]any, size int) string {
	if size == 0 {
		return ""
	}
	if in == nil {
		return "body not summarized (" + strconv.Itoa(size) + " bytes)"
	}
	keys := make([]string, 0, len(in))
	for k := range in {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		v := in[k]
		switch x := v.(type) {
		case string, bool, float64:
			if auditSafe[k] {
				b, _ := json.Marshal(x)
				parts = append(parts, k+"="+truncate(string(b), 80))
				continue
			}
		}
		parts = append(parts, k)
	}
	return truncate("fields: "+strings.Join(parts, ", "), 400)
}

func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n]) + "…"
}

// auditOverrides names the actions whose route does not say them plainly.
var auditOverrides = map[string][2]string{
	"POST /api/v1/auth/login":                         {"auth", "auth.login"},
	"POST /api/v1/auth/logout":                        {"auth", "auth.logout"},
	"DELETE /api/v1/login-throttles":                  {"auth", "auth.throttles.clear"},
	"PUT /api/v1/me/password":                         {"user", "user.password.change"},
	"POST /api/v1/users/:id/password":                 {"user", "user.password.reset"},
	"POST /api/v1/tenants/:id/members":                {"member", "member.set"},
	"PATCH /api/v1/tenants/:id/members/:userId":       {"member", "member.role"},
	"DELETE /api/v1/tenants/:id/members/:userId":      {"member", "member.remove"},
	"PUT /api/v1/license":                             {"license", "license.install"},
	"PATCH /api/v1/workflows/:id":                     {"workflow", "workflow.edit"},
	"PUT /api/v1/workflows/:id/canvas":                {"workflow", "workflow.canvas.save"},
	"PUT /api/v1/workflows/:id/config":                {"workflow", "workflow.config.save"},
	"POST /api/v1/workflows/:id/runs":                 {"run", "run.start"},
	"POST /api/v1/workflows/:id/jobs":                 {"job", "job.create"},
	"PATCH /api/v1/jobs/:id":                          {"job", "job.edit"},
	"POST /api/v1/workflows/:id/invoke-tokens":        {"invoke_token", "invoke_token.create"},
	"DELETE /api/v1/workflows/:id/invoke-tokens/:jti": {"invoke_token", "invoke_token.revoke"},
	"POST /api/v1/runs/:id/nodes/:jobId/break":        {"run", "run.break"},
	"POST /api/v1/workflows/:id/versions/:n/restore":  {"workflow", "workflow.version.restore"},
	"POST /api/v1/me/tokens":                          {"api_token", "api_token.create"},
	"DELETE /api/v1/me/tokens/:tokenId":               {"api_token", "api_token.revoke"},
	"POST /api/v1/users/:id/tokens":                   {"api_token", "api_token.create"},
	"DELETE /api/v1/users/:id/tokens/:tokenId":        {"api_token", "api_token.revoke"},
	"POST /api/v1/workflows/import":                   {"workflow", "workflow.import"},
	"POST /workflow/open/invokeWorkflow":              {"run", "run.invoke"},
	"POST /api/v1/workflows/:id/copy":                 {"workflow", "workflow.copy"},
	"POST /api/v1/datasources/:id/test":               {"datasource", "datasource.test"},
	"POST /api/v1/alarm-channels/:id/test":            {"alarm_channel", "alarm_channel.test"},
}

// auditAction derives (object type, action) from a route: the override,
// or the first resource of the path and a verb, e.g. POST /workflows →
// workflow.create, POST /workflows/:id/publish → workflow.publish,
// DELETE /alarm-channels/:id → alarm_channel.delete. Routes added later
// get a sensible name without touching this file.
func auditAction(method, path string) (string, string) {
	if o, ok := auditOverrides[method+" "+path]; ok {
		return o[0], o[1]
	}
	segs := strings.Split(strings.Trim(strings.TrimPrefix(path, "/api/v1"), "/"), "/")
	typ := singular(segs[0])
	var rest []string
	for _, s := range segs[1:] {
		if !strings.HasPrefix(s, ":") {
			rest = append(rest, strings.ReplaceAll(s, "-", "_"))
		}
	}
	last := segs[len(segs)-1]
	verb := map[string]string{http.MethodPost: "create", http.MethodPut: "save", http.MethodPatch: "edit", http.MethodDelete: "delete"}[method]
	switch {
	case len(rest) == 0:
		return typ, typ + "." + verb
	case method == http.MethodPost && !strings.HasPrefix(last, ":"):
		return typ, typ + "." + strings.Join(rest, ".") // an action: publish, abort, rerun, …
	default:
		return typ, typ + "." + strings.Join(rest, ".") + "." + verb
	}
}

func singular(s string) string {
	s = strings.ReplaceAll(s, "-", "_")
	if strings.HasSuffix(s, "ies") {
		return strings.TrimSuffix(s, "ies") + "y"
	}
	return strings.TrimSuffix(s, "s")
}

// listAuditLogs is GET /audit-logs: a SYS_ADMIN without X-Tenant-ID sees
// every tenant (optionally one, with tenantId); anyone else names a tenant
// they administer.
func (s *Server) listAuditLogs(c echo.Context) error {
	p, err := listParams(c)
	if err != nil {
		return err
	}
	f := jobflow.AuditFilter{ListParams: p, ObjectID: c.QueryParam("objectId"), UserID: c.QueryParam("userId"),
		Action: c.QueryParam("action")}
	for _, q := range []struct {
		name string
		dst  **time.Time
	}{{"from", &f.From}, {"to", &f.To}} {
		if v := c.QueryParam(q.name); v != "" {
			t, err := time.Parse(time.RFC3339, v)
			if err != nil {
				return invalid(q.name, "%s must be an RFC 3339 time such as 2026-11-25T00:00:00Z", q.name)
			}
			*q.dst = &t
		}
	}
	if f.From != nil && f.To != nil && f.To.Before(*f.From) {
		return invalid("to", "to must not be before from")
	}
	list := func(c echo.Context) error {
		a := actor(c)
		if a.TenantID == "" {
			f.AllTenants, f.TenantID = true, c.QueryParam("tenantId")
		} else {
			f.TenantID = a.TenantID
		}
		items, total, err := s.deps.Audit.FindAuditEntries(c.Request().Context(), f)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, page(items, total, p))
	}
	if c.Request().Header.Get(headerTenant) == "" && actor(c).SysAdmin {
		return list(c)
	}
	return s.enterTenant(requireTenantAdmin(list))(c)
}
