package httpapi

import (
	"encoding/json"
	"maps"
	"net/http"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"

	"jobflow/internal/openapi"
)

func (s *Server) openapi(c echo.Context) error {
	doc, err := s.openapiDoc()
	if err != nil {
		return err
	}
	return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, doc)
}

// openapiDoc builds the document once per server.
func (s *Server) openapiDoc() ([]byte, error) {
	s.doc.once.Do(func() { s.doc.b, s.doc.err = s.buildOpenAPI() })
	return s.doc.b, s.doc.err
}

func (s *Server) buildOpenAPI() ([]byte, error) {
	ref := newReflector()
	errorRef := ref.Ref(schemaOf[errorBody](), false)
	paths := map[string]map[string]any{}
	tags := map[string]bool{}
	for _, r := range s.routes {
		p := openapiPath(r.path)
		if paths[p] == nil {
			paths[p] = map[string]any{}
		}
		paths[p][strings.ToLower(r.method)] = operation(r, ref)
		tags[tag(r.path)] = true
	}
	schemas := ref.Components()
	for name, sc := range jobConfigComponents() {
		schemas[name] = sc
	}
	tagJobUnion(schemas)
	doc := map[string]any{
		"openapi": "3.0.3",
		"info": map[string]any{
			"title": "jobflow API",
			// The repository carries no license file yet: use is governed by
			// the installation's license (GET /api/v1/license).
			"license": map[string]any{"name": "Proprietary: the installed jobflow license", "url": "/api/v1/license"},
			"version": "1",
			"description": "Job-flow (作业流) orchestration on Temporal. Errors are {\"error\":{\"code\",\"message\",\"details\"}}. " +
				"Tenant-scoped routes need X-Tenant-ID; a tenant the caller does not belong to answers 404 NOT_FOUND, the same as a tenant that does not exist. " +
				"Roles: SYS_ADMIN manages tenants, users, members and the license and may enter any tenant as TENANT_ADMIN; " +
				"TENANT_ADMIN deletes workflows and creates, edits and deletes datasources; MEMBER does everything else in its tenant. " +
				"An expired installed license keeps its limits and refuses new tenants and workflows (403 LIMIT_EXCEEDED) until a new one is installed. " +
				"Deviations from and additions to the contract: a wrong HTTP method is 405 with code INVALID; a rate-limited invoke is 429 TOO_MANY_REQUESTS with Retry-After; " +
				"deleting a datasource used by a SQL job is 409; rerun FROM_NODE marks every node outside the node's descendants SKIPPED (DolphinScheduler's start-from-node); " +
				"a job whose worker died mid-run runs again only if its retry policy allows a second attempt; " +
				"failed logins are throttled (429 TOO_MANY_REQUESTS with Retry-After) after 5 failures of an account from one client address or 20 of a client address within 15 min, the block doubling from 30 s up to 15 min; an account is never blocked for other addresses; " +
				"the client address is the TCP peer's, X-Forwarded-For only from a peer in JOBFLOW_TRUSTED_PROXIES; a SYS_ADMIN lists and clears throttles (GET/DELETE /api/v1/login-throttles); " +
				"the jobflow_token cookie is Secure when served over HTTPS (https JOBFLOW_PUBLIC_URL, TLS, or X-Forwarded-Proto: https from a trusted proxy); " +
				"passwords are 10-72 bytes and not the account name; a password change, reset or disable revokes every earlier login token at once, a logout within 2 s on every api process; " +
				"a disabled user's login is 401 'this account is disabled' (only after the right password); " +
				"any route that needs the database answers 503 UNAVAILABLE with Retry-After while the database cannot be reached (never 500), and recovers by itself; " +
				"POST /workflows/{id}/runs, /runs/{id}/rerun and /workflows/{id}/backfill take an Idempotency-Key header (an addition): a repeat within 24 h answers the same status and body (header Idempotent-Replayed: true) and starts nothing, the same key with another path or body is 409, a failed first request frees the key; " +
				"in Quartz cron exactly one of day-of-month/day-of-week must be '?', and in a daylight-saving fall-back hour a matching time fires twice (as Temporal calendars do). " +
				"Additions for the web console: POST /api/v1/cron/preview (next fire times of a cron); GET /runs/{id} answers an ETag and 304 to a matching If-None-Match; " +
				"GET /runs/{id}/nodes/{jobId}/log?offset=N answers the bytes after N with X-Log-Offset (and X-Log-Reset: true when it starts over); " +
				"every other GET outside /api/ serves the console (GET /{path}). " +
				"Error messages follow Accept-Language: zh-CN (any zh) or en, the default; code and details never change (Content-Language says zh-CN when translated). " +
				"Console API: GET /runs/{id} carries version and takes since=; GET /runs takes from, to and q; GET /node-runs lists task instances; GET /workflows/{id}/run-grid is the grid view.",
		},
		"servers":  []any{map[string]any{"url": "/", "description": "the jobflow server that serves this document"}},
		"security": []any{map[string]any{"bearer": []string{}}},
		"tags":     tagList(tags),
		"paths":    paths,
		"components": map[string]any{
			"schemas": schemas,
			"securitySchemes": map[string]any{
				"bearer": map[string]any{"type": "http", "scheme": "bearer", "bearerFormat": "JWT",
					"description": "a login token (JWT from /auth/login), or a personal API token (jf_pat_…) on tenant routes, GET /me and GET /audit-logs"},
			},
			"responses": map[string]any{
				"Error": map[string]any{
					"description": "An error in the envelope",
					"content":     map[string]any{"application/json": map[string]any{"schema": errorRef}},
				},
			},
		},
	}
	return json.MarshalIndent(doc, "", "  ")
}

// openapiPath turns /runs/:id into /runs/{id} and /temporal/* into
// /temporal/{path}.
func openapiPath(p string) string {
	parts := strings.Split(p, "/")
	for i, s := range parts {
		if strings.HasPrefix(s, ":") {
			parts[i] = "{" + s[1:] + "}"
		} else if s == "*" {
			parts[i] = "{path}"
		}
	}
	return strings.Join(parts, "/")
}

func operation(r route, ref *openapi.Reflector) map[string]any {
	var params []any
	for _, s := range strings.Split(r.path, "/") {
		if strings.HasPrefix(s, ":") {
			params = append(params, map[string]any{"name": s[1:], "in": "path", "required": true, "schema": map[string]any{"type": "string"}})
		} else if s == "*" {
			params = append(params, map[string]any{"name": "path", "in": "path", "required": true,
				"description": "the rest of the path, slashes included", "schema": map[string]any{"type": "string"}})
		}
	}
	if r.access == member || r.access == tenantAdmin {
		params = append(params, map[string]any{"name": headerTenant, "in": "header", "required": true,
			"description": "the tenant to act in", "schema": map[string]any{"type": "string"}})
	}
	if r.idempotent {
		params = append(params, map[string]any{"name": headerIdempotencyKey, "in": "header", "required": false,
			"description": "makes the start idempotent: a repeat with the same key (per tenant and route, kept 24 h) answers the same run ids and starts nothing; the same key with another path or body is 409 CONFLICT",
			"schema":      map[string]any{"type": "string", "maxLength": maxIdempotencyKey}})
	}
	for _, q := range r.query {
		typ := "string"
		if q == "page" || q == "pageSize" || q == "offset" || q == "since" || q == "limit" {
			typ = "integer"
		}
		if q == "predictedJobs" {
			typ = "boolean"
		}
		params = append(params, map[string]any{"name": q, "in": "query", "required": false, "schema": map[string]any{"type": typ}})
	}
	ok := map[string]any{"description": http.StatusText(r.status)}
	if r.resp != nil {
		ok["content"] = map[string]any{"application/json": map[string]any{"schema": ref.Ref(r.resp, false)}}
	}
	responses := map[string]any{itoa(r.status): ok, "default": map[string]any{"$ref": "#/components/responses/Error"}}
	for _, st := range errorStatuses(r) {
		responses[itoa(st)] = map[string]any{"$ref": "#/components/responses/Error"}
	}
	op := map[string]any{
		"summary":     r.summary,
		"operationId": strings.ToLower(r.method) + strings.NewReplacer("/", "_", ":", "", "-", "_", ".", "_", "*", "path").Replace(r.path),
		"tags":        []string{tag(r.path)},
		"responses":   responses,
	}
	if len(params) > 0 {
		op["parameters"] = params
	}
	if r.body != nil {
		op["requestBody"] = map[string]any{"required": true,
			"content": map[string]any{"application/json": map[string]any{"schema": ref.Ref(r.body, true)}}}
	}
	if r.access == public {
		op["security"] = []any{} // the document's default is the bearer token
	}
	return op
}

// tag groups operations by their first path segment after /api/v1.
func tag(p string) string {
	p = strings.TrimPrefix(p, "/api/v1")
	seg := strings.Split(strings.TrimPrefix(p, "/"), "/")[0]
	if seg == "" {
		return "meta"
	}
	return seg
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// errorStatuses are the 4xx answers a route can give, derived from its
// access level, method and parameters (docs/api.md lists what each means).
func errorStatuses(r route) []int {
	var out []int
	params := strings.Contains(r.path, ":") || strings.Contains(r.path, "*")
	write := r.method != http.MethodGet && r.method != http.MethodHead
	if r.body != nil || len(r.query) > 0 || params || r.idempotent {
		out = append(out, http.StatusBadRequest)
	}
	if r.access != public || r.path == "/api/v1/auth/login" || r.path == "/workflow/open/invokeWorkflow" {
		out = append(out, http.StatusUnauthorized)
	}
	if r.access != public {
		out = append(out, http.StatusForbidden)
	}
	if params || r.access == member || r.access == tenantAdmin || r.path == "/api/v1/audit-logs" {
		out = append(out, http.StatusNotFound)
	}
	if write && r.access != public {
		out = append(out, http.StatusConflict)
	}
	if r.path == "/api/v1/auth/login" || r.path == "/workflow/open/invokeWorkflow" {
		out = append(out, http.StatusTooManyRequests)
	}
	if len(out) == 0 {
		// A wrong method or a path outside the table answers the envelope too.
		out = append(out, http.StatusNotFound)
	}
	return out
}

// tagDescriptions describe the operation groups (a path's first segment
// after /api/v1).
var tagDescriptions = map[string]string{
	"meta":            "Health, readiness, metrics and this document",
	"healthz":         "Liveness",
	"readyz":          "Readiness",
	"metrics":         "Prometheus metrics",
	"openapi.json":    "This OpenAPI document",
	"auth":            "Login and logout",
	"me":              "The caller: profile, password, personal API tokens",
	"tenants":         "Tenants and their members (SYS_ADMIN, or a tenant's TENANT_ADMIN for members)",
	"users":           "User accounts and their API tokens (SYS_ADMIN)",
	"login-throttles": "Failed-login throttles (SYS_ADMIN)",
	"license":         "The installed license (SYS_ADMIN)",
	"workflows":       "Workflows: canvas, config, jobs, versions, publishing, runs, export and import",
	"jobs":            "Jobs of a workflow",
	"variables":       "Tenant variables and secrets",
	"datasources":     "SQL datasources",
	"calendars":       "Business calendars",
	"runs":            "Runs and their node runs",
	"node-runs":       "Task instances across runs",
	"cron":            "Cron preview",
	"alarm-channels":  "Alarm channels",
	"alarm-records":   "Alarm send attempts",
	"audit-logs":      "The audit log",
	"workflow":        "External invocation with an invoke token",
	"temporal":        "The embedded Temporal Web UI (proxied)",
	"{path}":          "The web console",
}

func tagList(used map[string]bool) []any {
	names := slices.Sorted(maps.Keys(used))
	out := make([]any, 0, len(names))
	for _, n := range names {
		d := tagDescriptions[n]
		if d == "" {
			d = n
		}
		out = append(out, map[string]any{"name": n, "description": d})
	}
	return out
}
