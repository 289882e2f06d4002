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

	"github.com/labstack/echo/v4"

	"jobflow"
)

// The audit log (docs/lifecycle.md#audit-log) is written by one middleware on
// every mutating route of the route table, so no handler has to remember
// it. Each route declares its action (route.audit); the handler hands over
// the object it acted on (setAudit: id, name, version), so renaming a route
// or a JSON field never changes what is stored. It records after the
// handler: who (user, personal API token), where (tenant, client address,
// request id), what (the declared action and the handed object) and the
// result (ok or the error code). The summary lists the request's field
// names and only a few harmless values; bodies and secrets are never
// stored.
//
// Calls that fail authentication are not recorded (anyone could flood the
// log with them), except logins, whose failures are the point. External
// invocations are recorded when they start a run.

// auditCapture is how much of a request body the audit reads.
const auditCapture = 64 << 10

// noAudit declares a mutating route that records nothing (it changes
// nothing: a preview).
const noAudit = "-"

// auditObject is what a handler hands the audit log about the object it
// acted on (setAudit). The middleware starts it with the id the route's
// declared path parameter names, so a call refused before its handler runs
// (403, 404) still names its object.
type auditObject struct {
	ID, Name string
	Version  int
	// TenantID is the tenant of a call that names none in its headers: an
	// invocation (its token's tenant, after the token was verified), a
	// tenant or its members (the path's tenant).
	TenantID string
}

const ctxAudit = "jobflow.audit"

// setAudit hands the audit log the object a handler acts on; empty fields
// keep what an earlier call (or the path) gave.
func setAudit(c echo.Context, o auditObject) {
	cur, ok := c.Get(ctxAudit).(*auditObject)
	if !ok {
		return // a route that is not audited
	}
	if o.ID != "" {
		cur.ID = o.ID
	}
	if o.Name != "" {
		cur.Name = o.Name
	}
	if o.Version != 0 {
		cur.Version = o.Version
	}
	if o.TenantID != "" {
		cur.TenantID = o.TenantID
	}
}

// auditDecl checks a route's audit declaration: every mutating route names
// its action (or noAudit), so a new route cannot forget it and renaming a
// path or a field never changes what is stored.
func auditDecl(r route) (objType, action, param string) {
	mutating := r.method != http.MethodGet && r.method != http.MethodHead
	switch {
	case mutating && r.audit == "":
		panic("httpapi: route " + r.method + " " + r.path + " declares no audit action")
	case !mutating && r.audit != "":
		panic("httpapi: route " + r.method + " " + r.path + " reads; it records no audit")
	case r.audit == "" || r.audit == noAudit:
		return "", "", ""
	}
	objType, _, _ = strings.Cut(r.audit, ".")
	switch param = r.auditParam; {
	case param == "-": // the route makes its object: the handler names it
		param = ""
	case param == "" && strings.Contains(r.path+"/", "/:id/"):
		param = "id"
	}
	return objType, r.audit, param
}

func (s *Server) audit(r route) echo.MiddlewareFunc {
	objType, action, param := auditDecl(r)
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if s.deps.Audit == nil || action == "" {
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
			obj := &auditObject{}
			if param != "" {
				obj.ID = c.Param(param)
			}
			c.Set(ctxAudit, obj)
			err := next(c)

			a, authed := jobflow.ActorFromContext(c.Request().Context())
			public := r.access == public
			result := auditResult(err, c.Response().Status)
			if !authed && !public {
				return err // unauthenticated: not recorded
			}
			// Of the public routes only logins (success and failure) and
			// invocations that started a run are recorded.
			if public && action != "auth.login" && (action != "run.invoke" && action != "run.decide_link" || result != jobflow.AuditOK) {
				return err
			}
			e := &jobflow.AuditEntry{
				TenantID: a.TenantID, UserID: a.UserID, Action: action, ObjectType: objType, Result: result,
				RequestID:  c.Response().Header().Get(echo.HeaderXRequestID),
				ClientAddr: c.RealIP(),
				ObjectID:   obj.ID, ObjectName: truncate(obj.Name, 200), Version: obj.Version,
			}
			if e.TenantID == "" {
				e.TenantID = obj.TenantID
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
			if form, ok := c.Get(linkAuditInput).(map[string]any); ok {
				in = form // an approval link's form: its decision, not its body
			}
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

// auditSafe are request fields whose values are harmless and useful in a
// summary; every other field is listed by name only.
var auditSafe = map[string]bool{
	"name": true, "role": true, "mode": true, "status": true, "disabled": true, "format": true,
	"dryRun": true, "version": true, "account": true, "type": true, "nodeId": true, "note": true,
	"start": true, "end": true, "overlap": true, "tenantId": true, "userId": true, "revision": true,
	"serviceAccount": true, "sysAdmin": true, "maxWorkflows": true,
	"comment": true, "reason": true, // an approval's or a mark success's why, first 80 characters
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
