package httpapi_test

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"jobflow"
	"jobflow/internal/testtier"
)

func (e *env) audit(token, tenant, query string) jobflow.List[jobflow.AuditEntry] {
	e.t.Helper()
	var l jobflow.List[jobflow.AuditEntry]
	e.ok(e.do("GET", "/api/v1/audit-logs?"+query, token, tenant, nil), 200, &l)
	return l
}

// TestAudit_MutatingCalls: every mutating call writes one row with the
// actor, the object, the result and the request id, never a secret; GETs
// and unauthenticated calls write none; logins write success and failure.
func TestAudit_MutatingCalls(t *testing.T) {
	testtier.Parallel(t)
	forEach(t, func(t *testing.T, e *env) {
		start := e.audit(e.admin, "", "pageSize=1").Total // the bootstrap login

		w := e.workflow("audited")
		e.ok(e.as("PATCH", "/api/v1/workflows/"+w.ID, map[string]any{"remark": "new remark"}), 200, nil)
		j := e.job(w.ID, "a")
		e.canvas(w.ID, []string{j.ID}, nil)
		e.fail(e.as("PUT", "/api/v1/workflows/"+w.ID+"/config", map[string]any{"schedule": map[string]any{"cron": "0 0 25 * * ?"}}), 400, jobflow.EINVALID)
		r := e.as("POST", "/api/v1/datasources", map[string]any{"name": "pg", "type": "POSTGRES", "host": "127.0.0.1", "port": 5432,
			"database": "x", "user": "u", "password": "very-secret-password"})
		e.ok(r, 201, nil)
		e.as("GET", "/api/v1/workflows", nil)
		e.do("POST", "/api/v1/workflows", "", e.tenantID, map[string]any{"name": "anon"}) // 401: not recorded
		e.fail(loginAs(e, "admin", "wrong-password-x"), 401, jobflow.EUNAUTHORIZED)
		e.ok(loginAs(e, "admin", adminPassword), 200, nil)
		memberID, memberTok := e.user("mei", jobflow.RoleMember)
		e.fail(e.do("DELETE", "/api/v1/workflows/"+w.ID, memberTok, e.tenantID, nil), 403, jobflow.EFORBIDDEN)

		all := e.audit(e.admin, "", "pageSize=100")
		if strings.Contains(e.logs.String(), "audit write failed") {
			t.Fatalf("audit writes failed: %s", e.logs.String())
		}
		// workflow.create, workflow.edit, job.create, canvas, config (400),
		// datasource.create, 2 logins, user.create, member.set, mei's
		// login, the refused delete.
		if got := all.Total - start; got != 12 {
			var acts []string
			for _, it := range all.Items {
				acts = append(acts, it.Action+"/"+it.Result)
			}
			t.Fatalf("%d new rows, want 12: %v", got, acts)
		}
		byAction := map[string]jobflow.AuditEntry{}
		for _, it := range all.Items {
			if _, seen := byAction[it.Action+"/"+it.Result]; !seen {
				byAction[it.Action+"/"+it.Result] = it
			}
		}
		c := byAction["workflow.create/ok"]
		if c.ObjectID != w.ID || c.ObjectName != "audited" || c.ObjectType != "workflow" || c.TenantID != e.tenantID ||
			c.UserID == "" || c.RequestID == "" || c.ClientAddr == "" || !strings.Contains(c.Summary, `name="audited"`) {
			t.Fatalf("workflow.create row %+v", c)
		}
		if ed := byAction["workflow.edit/ok"]; ed.ObjectID != w.ID || ed.ObjectName != "audited" || ed.Summary != "fields: remark" {
			t.Fatalf("workflow.edit row %+v (a remark's text is not summarized)", ed)
		}
		if cv := byAction["workflow.canvas.save/ok"]; cv.ObjectID != w.ID {
			t.Fatalf("canvas row %+v", cv)
		}
		if cf := byAction["workflow.config.save/INVALID"]; cf.ObjectID != w.ID {
			t.Fatalf("config row %+v", byAction)
		}
		if jc := byAction["job.create/ok"]; jc.ObjectID != j.ID || jc.ObjectName != "a" {
			t.Fatalf("job.create row %+v", jc)
		}
		if l := byAction["auth.login/UNAUTHORIZED"]; l.ObjectName != "admin" || l.UserID != "" || l.TenantID != "" {
			t.Fatalf("failed login row %+v", l)
		}
		if l := byAction["auth.login/ok"]; l.UserID != memberID || l.ObjectID != memberID || l.ObjectName != "mei" {
			t.Fatalf("login row %+v", l)
		}
		if d := byAction["workflow.delete/FORBIDDEN"]; d.UserID != memberID || d.ObjectID != w.ID {
			t.Fatalf("forbidden delete row %+v", d)
		}
		ds := byAction["datasource.create/ok"]
		if ds.ObjectName != "pg" || !strings.Contains(ds.Summary, "password") {
			t.Fatalf("datasource row %+v", ds)
		}
		for _, it := range all.Items {
			if strings.Contains(it.Summary+it.ObjectName, "very-secret-password") || strings.Contains(it.Summary, "wrong-password") {
				t.Fatalf("a secret in the audit log: %+v", it)
			}
		}

		// Filters and access: the tenant admin sees the tenant's rows, a
		// member gets 403, bad times are 400.
		if l := e.audit(e.admin, e.tenantID, "objectId="+w.ID); l.Total != 5 {
			t.Fatalf("rows of the workflow: %d, want 5", l.Total)
		}
		if l := e.audit(e.admin, e.tenantID, "userId="+memberID); l.Total != 1 {
			t.Fatalf("rows of mei in the tenant: %d, want 1", l.Total)
		}
		if l := e.audit(e.admin, "", "action=auth.login&userId="+memberID); l.Total != 1 {
			t.Fatalf("mei's logins: %d, want 1", l.Total)
		}
		future := url.QueryEscape(time.Now().Add(time.Hour).Format(time.RFC3339))
		if l := e.audit(e.admin, e.tenantID, "from="+future); l.Total != 0 {
			t.Fatalf("rows from the future: %d", l.Total)
		}
		e.fail(e.do("GET", "/api/v1/audit-logs", memberTok, e.tenantID, nil), 403, jobflow.EFORBIDDEN)
		e.fail(e.do("GET", "/api/v1/audit-logs", memberTok, "", nil), 400, jobflow.EINVALID)
		e.fail(e.as("GET", "/api/v1/audit-logs?from=yesterday", nil), 400, jobflow.EINVALID)
		e.fail(e.as("GET", "/api/v1/audit-logs?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z", nil), 400, jobflow.EINVALID)
		e.fail(e.as("GET", "/api/v1/audit-logs?pageSize=0", nil), 400, jobflow.EINVALID)
		other := e.tenant("other", 10)
		if l := e.audit(e.admin, other, ""); l.Total != 0 {
			t.Fatalf("another tenant sees %d rows", l.Total)
		}
		// Retention: rows older than the limit go, the rest stay.
		before := e.audit(e.admin, "", "").Total
		n, err := e.st.PurgeAuditEntries(context.Background(), time.Now().Add(-time.Hour))
		if err != nil || n != 0 || e.audit(e.admin, "", "").Total != before {
			t.Fatalf("purge of rows older than an hour removed %d (%v)", n, err)
		}
	})
}
