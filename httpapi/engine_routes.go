package httpapi

import (
	"jobflow"
	"jobflow/engine"
	"jobflow/invoke"
)

// engineRoutes are the routes of the run engine (runs, scheduling,
// backfill, invoke tokens, external invocation). Without an engine in Deps
// the routes that need one answer 503 UNAVAILABLE; the rest read the store.
func (s *Server) engineRoutes() []route {
	const v1 = "/api/v1"
	return append([]route{
		{method: "POST", path: v1 + "/workflows/:id/publish", access: member, summary: "MEMBER: publish (发布): validate, snapshot a version, create or update the Temporal Schedule; returns the next 5 run times; optional body {note} is kept on the version", body: schemaOf[publishInput](), resp: schemaOf[publishedView](), status: 200, handler: s.publish},
		{method: "POST", path: v1 + "/workflows/:id/offline", access: member, summary: "MEMBER: take offline (下线): remove the schedule; runs in flight go on", resp: schemaOf[workflowView](), status: 200, handler: s.offline},
		{method: "GET", path: v1 + "/workflows/:id/schedule", access: member, summary: "MEMBER: next 10 run times and recent scheduled runs", resp: schemaOf[engine.ScheduleInfo](), status: 200, handler: s.schedule},
		{method: "POST", path: v1 + "/workflows/:id/backfill", access: member, summary: "MEMBER: backfill (补数) {start, end, overlap, reprocess NONE|FAILED|ALL, order ASC|DESC, maxConcurrent, dryRun}: one run per fire time in the range (the schedule's calendar applies); dryRun answers 200 with the logicalTimes and starts nothing", body: schemaOf[engine.BackfillRequest](), resp: schemaOf[engine.Backfilled](), status: 202, idempotent: true, handler: s.backfill},
		{method: "POST", path: v1 + "/workflows/:id/runs", access: member, summary: "MEMBER: run (运行) the current draft now {params}, or a past version {version: n, params} (trigger MANUAL, versionId set): 202 {runId}", body: schemaOf[runInput](), resp: schemaOf[runStarted](), status: 202, idempotent: true, handler: s.startRun},
		{method: "GET", path: v1 + "/runs", access: member, summary: "MEMBER: runs, newest first (without nodes and edges); total is exact up to 1,000 runs, beyond it is 1000 with totalCapped: true; parentRunId= lists the SUBFLOW child runs of one run, trigger=SUBFLOW all child runs; from and to (RFC 3339, both included) bound startedAt; q selects runs whose id or params JSON contains it (ASCII case ignored, % and _ literal, at most 200 characters); a bad filter value is 400 naming the parameter in details.field. Items carry versionNumber (absent for a run of the draft), trigger, startedAt, endedAt and durationMs (once ended)", resp: schemaOf[jobflow.List[*jobflow.Run]](), status: 200, query: []string{"workflowId", "status", "trigger", "parentRunId", "from", "to", "q", "page", "pageSize"}, handler: s.listRuns},
		{method: "GET", path: v1 + "/runs/:id", access: member, summary: "MEMBER: a run with its node runs (with their outputs) and edges; answers an ETag, and 304 with no body to an If-None-Match naming the current one (so polling an unchanged run costs nothing). version grows whenever the run row or any of its node rows is written; with since=<version> the answer is the run's fields with only the nodes written after that version (none when nothing changed) and no edges, so polling a large running run is small; a since that is not a whole number >= 0 is 400 (details.field since)", resp: schemaOf[jobflow.Run](), status: 200, query: []string{"since"}, handler: s.getRun},
		{method: "POST", path: v1 + "/runs/:id/abort", access: member, summary: "MEMBER: abort (中止) a RUNNING run: 202; 409 if not running", resp: schemaOf[runStarted](), status: 202, handler: s.abortRun},
		{method: "POST", path: v1 + "/runs/:id/rerun", access: member, summary: "MEMBER: rerun (重跑) {mode, nodeId}: 202 {runId}; 409 while running", body: schemaOf[rerunInput](), resp: schemaOf[runStarted](), status: 202, idempotent: true, handler: s.rerun},
		{method: "POST", path: v1 + "/runs/:id/nodes/:jobId/break", access: member, summary: "MEMBER: break (中断) a PENDING or WAITING node: 409 otherwise", resp: schemaOf[breakResult](), status: 200, handler: s.breakNode},
		{method: "GET", path: v1 + "/runs/:id/nodes/:jobId/log", access: member, summary: "MEMBER: the node run's log so far (text/plain). With offset (bytes): only the content after that offset, and X-Log-Offset is the offset to ask for next (an offset past the end, or a log whose head was truncated away, answers from the start with X-Log-Reset: true)", status: 200, query: []string{"offset"}, handler: s.nodeLog},
		{method: "POST", path: v1 + "/cron/preview", access: loggedIn, summary: "Any user: the next fire times of a schedule (cron and/or crons, 5-field Unix or 6/7-field Quartz) in a time zone after from, within startAt and endAt, under its DST policy and business calendar: the same decision publishing compiles and FlowRun applies; 400 naming the bad field (cron, crons[i], timezone, count, endAt, dst.missing, dst.repeated, calendar.id, calendar.policy)", body: schemaOf[cronPreviewInput](), resp: schemaOf[cronPreview](), status: 200, handler: s.cronPreview},
		{method: "POST", path: v1 + "/workflows/:id/invoke-tokens", access: member, summary: "MEMBER: create an invoke token (1 year): {token, jti, expiresAt, curl}; curl's URL is built on JOBFLOW_PUBLIC_URL when set, else on the request's scheme and host (X-Forwarded-Proto and X-Forwarded-Host only from a peer in JOBFLOW_TRUSTED_PROXIES)", resp: schemaOf[issuedToken](), status: 201, handler: s.createInvokeToken},
		{method: "GET", path: v1 + "/workflows/:id/invoke-tokens", access: member, summary: "MEMBER: invoke tokens (never the token text)", resp: schemaOf[jobflow.List[*jobflow.InvokeToken]](), status: 200, query: []string{"page", "pageSize"}, handler: s.listInvokeTokens},
		{method: "DELETE", path: v1 + "/workflows/:id/invoke-tokens/:jti", access: member, summary: "MEMBER: revoke an invoke token", status: 204, handler: s.revokeInvokeToken},
		{method: "POST", path: "/workflow/open/invokeWorkflow", access: public, summary: "External invocation (外部调用) with an invoke token {workflowId, token, params, requestId}: 200 {runId}", body: schemaOf[invoke.Request](), resp: schemaOf[invoked](), status: 200, handler: s.invokeWorkflow},
	}, s.alarmRoutes()...)
}
