package httpapi

import (
	"jobflow"
	"jobflow/document"
)

// lifecycleRoutes are the routes of the workflow lifecycle (docs/lifecycle.md):
// version history, the audit log, personal API tokens and members.
func (s *Server) lifecycleRoutes() []route {
	const v1 = "/api/v1"
	paged := []string{"page", "pageSize"}
	return []route{
		{method: "GET", path: v1 + "/workflows/:id/versions", access: member, summary: "MEMBER: the workflow's published versions, newest first (number, publishedAt, publishedBy, note, jobCount, current)", resp: schemaOf[jobflow.List[*jobflow.VersionSummary]](), status: 200, query: paged, handler: s.listVersions},
		{method: "GET", path: v1 + "/workflows/:id/versions/diff", access: member, summary: "MEMBER: structured diff from one version (or draft) to another (default: the draft): jobs added, removed and changed with field paths and old/new values, edges added and removed, config changes; secret-bearing fields show ******", resp: schemaOf[document.Diff](), status: 200, query: []string{"from", "to"}, handler: s.diffVersions},
		{method: "GET", path: v1 + "/workflows/:id/versions/:n", access: member, summary: "MEMBER: version n with its whole snapshot (canvas, jobs, config)", resp: schemaOf[jobflow.Version](), status: 200, handler: s.getVersion},
		{method: "POST", path: v1 + "/workflows/:id/versions/:n/restore", access: member, summary: "MEMBER: copy version n into the draft (jobs keep their ids; draft jobs not in the version are deleted; the revision moves on; 409 on a stale optional revision). Roll back = restore, then publish", body: schemaOf[restoreInput](), resp: schemaOf[workflowView](), status: 200, audit: "workflow.version.restore", handler: s.restoreVersion},

		{method: "GET", path: v1 + "/workflows/:id/export", access: member, summary: "MEMBER: the workflow's draft as a jobflow/v1 Workflow document (format yaml, the default, or json): jobs, canvas positions, config; datasources, alarm channels and SUBFLOW targets by name, never ids or secrets (secret header/env values show ******)", status: 200, query: []string{"format"}, handler: s.exportWorkflow},
		{method: "GET", path: v1 + "/workflows/export", access: member, summary: "MEMBER: several workflows (repeat name=…; none: all of the tenant) as one multi-document YAML stream (or a JSON array with format=json)", status: 200, query: []string{"name", "format"}, handler: s.exportWorkflows},
		{method: "POST", path: v1 + "/workflows/import", access: member, summary: "MEMBER: import jobflow/v1 documents {document (YAML/JSON text or object), mode CREATE|OVERWRITE, dryRun, map:{datasources, alarmChannels, workflows: {from: to}}}: all or nothing, under the workflow limit; a dry run answers each workflow's action and diff against its draft and every problem; OVERWRITE of an identical draft is UNCHANGED; every id a document still carries (a raw datasourceId, workflowId or CONDITION target) must be the tenant's: otherwise 400 INVALID naming the workflow, job, field and id, and nothing is written", body: schemaOf[importInput](), resp: schemaOf[ImportResult](), status: 200, audit: "workflow.import", handler: s.importWorkflows},
		{method: "POST", path: v1 + "/workflows/:id/copy", access: member, summary: "MEMBER: copy a workflow's draft to a new DRAFT {name} with new job ids (409 on a taken name; 403 LIMIT_EXCEEDED)", body: schemaOf[copyInput](), resp: schemaOf[workflowView](), status: 201, audit: "workflow.copy", auditParam: "-", handler: s.copyWorkflow},

		{method: "GET", path: v1 + "/audit-logs", access: loggedIn, summary: "TENANT_ADMIN: the audit log of the X-Tenant-ID tenant; SYS_ADMIN without X-Tenant-ID: every tenant (tenantId filters). Newest first; from/to are RFC 3339", resp: schemaOf[jobflow.List[*jobflow.AuditEntry]](), status: 200, query: []string{"objectId", "userId", "action", "from", "to", "tenantId", "page", "pageSize"}, handler: s.listAuditLogs},

		{method: "POST", path: v1 + "/me/tokens", access: loggedIn, summary: "Create a personal API token {name, tenantId, role, expiresAt}: the jf_pat_ text is in the answer once, stored only as a hash. Role at most the caller's in the tenant; expiresAt default 90 days, at most 366", body: schemaOf[apiTokenInput](), resp: schemaOf[apiTokenCreated](), status: 201, audit: "api_token.create", auditParam: "-", handler: s.createMyToken},
		{method: "GET", path: v1 + "/me/tokens", access: loggedIn, summary: "The caller's personal API tokens (never their text)", resp: schemaOf[jobflow.List[*jobflow.APIToken]](), status: 200, handler: s.listMyTokens},
		{method: "DELETE", path: v1 + "/me/tokens/:tokenId", access: loggedIn, summary: "Revoke one of the caller's personal API tokens", status: 204, audit: "api_token.revoke", auditParam: "tokenId", handler: s.deleteMyToken},
		{method: "POST", path: v1 + "/users/:id/tokens", access: sysAdmin, summary: "SYS_ADMIN: create an API token for a user, e.g. a service account (POST /users {serviceAccount:true})", body: schemaOf[apiTokenInput](), resp: schemaOf[apiTokenCreated](), status: 201, audit: "api_token.create", auditParam: "-", handler: s.createUserToken},
		{method: "GET", path: v1 + "/users/:id/tokens", access: sysAdmin, summary: "SYS_ADMIN: a user's API tokens", resp: schemaOf[jobflow.List[*jobflow.APIToken]](), status: 200, handler: s.listUserTokens},
		{method: "DELETE", path: v1 + "/users/:id/tokens/:tokenId", access: sysAdmin, summary: "SYS_ADMIN: revoke a user's API token", status: 204, audit: "api_token.revoke", auditParam: "tokenId", handler: s.deleteUserToken},

		{method: "GET", path: v1 + "/tenants/:id/members", access: loggedIn, summary: "SYS_ADMIN or the tenant's TENANT_ADMIN: the tenant's members (search matches account or name)", resp: schemaOf[jobflow.List[*jobflow.Member]](), status: 200, query: []string{"search", "page", "pageSize"}, handler: s.listMembers},
		{method: "PATCH", path: v1 + "/tenants/:id/members/:userId", access: loggedIn, summary: "SYS_ADMIN or the tenant's TENANT_ADMIN: change a member's role (409 if it would leave no TENANT_ADMIN)", body: schemaOf[roleInput](), resp: schemaOf[jobflow.Member](), status: 200, audit: "member.role", auditParam: "userId", handler: s.changeMemberRole},
		{method: "DELETE", path: v1 + "/tenants/:id/members/:userId", access: loggedIn, summary: "SYS_ADMIN or the tenant's TENANT_ADMIN: remove a member and its API tokens for the tenant (409 for the last TENANT_ADMIN)", status: 204, audit: "member.remove", auditParam: "userId", handler: s.removeMember},
	}
}
