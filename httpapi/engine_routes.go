package httpapi

// engineRoutes are the routes of the run engine (runs, scheduling,
// backfill, invoke tokens, external invocation). Without an engine in Deps
// the routes that need one answer 503 UNAVAILABLE; the rest read the store.
func (s *Server) engineRoutes() []route {
	const v1 = "/api/v1"
	return append([]route{
		{method: "POST", path: v1 + "/workflows/:id/publish", access: member, summary: "MEMBER: publish (发布): validate, snapshot a version, create or update the Temporal Schedule; returns the next 5 run times; optional body {note} is kept on the version", body: "PublishInput", resp: "Published", status: 200, handler: s.publish},
		{method: "POST", path: v1 + "/workflows/:id/offline", access: member, summary: "MEMBER: take offline (下线): remove the schedule; runs in flight go on", resp: "Workflow", status: 200, handler: s.offline},
		{method: "GET", path: v1 + "/workflows/:id/schedule", access: member, summary: "MEMBER: next 10 run times and recent scheduled runs", resp: "Object", status: 200, handler: s.schedule},
		{method: "POST", path: v1 + "/workflows/:id/backfill", access: member, summary: "MEMBER: backfill (补数) {start, end, overlap}: one run per fire time in the range", body: "Object", resp: "Object", status: 202, idempotent: true, handler: s.backfill},
		{method: "POST", path: v1 + "/workflows/:id/runs", access: member, summary: "MEMBER: run (运行) the current draft now {params}, or a past version {version: n, params} (trigger MANUAL, versionId set): 202 {runId}", body: "RunInput", resp: "RunStarted", status: 202, idempotent: true, handler: s.startRun},
		{method: "GET", path: v1 + "/runs", access: member, summary: "MEMBER: runs, newest first (without nodes and edges); total is exact up to 1,000 runs, beyond it is 1000 with totalCapped: true; parentRunId= lists the SUBFLOW child runs of one run, trigger=SUBFLOW all child runs", resp: "RunList", status: 200, query: []string{"workflowId", "status", "trigger", "parentRunId", "page", "pageSize"}, handler: s.listRuns},
		{method: "GET", path: v1 + "/runs/:id", access: member, summary: "MEMBER: a run with its node runs (with their outputs) and edges; answers an ETag, and 304 with no body to an If-None-Match naming the current one (so polling an unchanged run costs nothing). version grows whenever the run row or any of its node rows is written; with since=<version> the answer is the run's fields with only the nodes written after that version (none when nothing changed) and no edges, so polling a large running run is small; a since that is not a whole number >= 0 is 400 (details.field since)", resp: "Run", status: 200, query: []string{"since"}, handler: s.getRun},
		{method: "POST", path: v1 + "/runs/:id/abort", access: member, summary: "MEMBER: abort (中止) a RUNNING run: 202; 409 if not running", resp: "RunStarted", status: 202, handler: s.abortRun},
		{method: "POST", path: v1 + "/runs/:id/rerun", access: member, summary: "MEMBER: rerun (重跑) {mode, nodeId}: 202 {runId}; 409 while running", body: "RerunInput", resp: "RunStarted", status: 202, idempotent: true, handler: s.rerun},
		{method: "POST", path: v1 + "/runs/:id/nodes/:jobId/break", access: member, summary: "MEMBER: break (中断) a PENDING or WAITING node: 409 otherwise", resp: "BreakResult", status: 200, handler: s.breakNode},
		{method: "GET", path: v1 + "/runs/:id/nodes/:jobId/log", access: member, summary: "MEMBER: the node run's log so far (text/plain). With offset (bytes): only the content after that offset, and X-Log-Offset is the offset to ask for next (an offset past the end, or a log whose head was truncated away, answers from the start with X-Log-Reset: true)", status: 200, query: []string{"offset"}, handler: s.nodeLog},
		{method: "POST", path: v1 + "/cron/preview", access: loggedIn, summary: "Any user: the next fire times of a cron (5-field Unix or 6/7-field Quartz) in a time zone, within startAt and endAt, from the same cron package as publishing; 400 naming the bad field (cron, timezone, count, endAt)", body: "CronPreviewInput", resp: "CronPreview", status: 200, handler: s.cronPreview},
		{method: "POST", path: v1 + "/workflows/:id/invoke-tokens", access: member, summary: "MEMBER: create an invoke token (1 year): {token, jti, expiresAt, curl}", resp: "InvokeTokenIssued", status: 201, handler: s.createInvokeToken},
		{method: "GET", path: v1 + "/workflows/:id/invoke-tokens", access: member, summary: "MEMBER: invoke tokens (never the token text)", resp: "InvokeTokenList", status: 200, query: []string{"page", "pageSize"}, handler: s.listInvokeTokens},
		{method: "DELETE", path: v1 + "/workflows/:id/invoke-tokens/:jti", access: member, summary: "MEMBER: revoke an invoke token", status: 204, handler: s.revokeInvokeToken},
		{method: "POST", path: "/workflow/open/invokeWorkflow", access: public, summary: "External invocation (外部调用) with an invoke token {workflowId, token, params, requestId}: 200 {runId}", body: "Object", resp: "Object", status: 200, handler: s.invokeWorkflow},
	}, s.alarmRoutes()...)
}
