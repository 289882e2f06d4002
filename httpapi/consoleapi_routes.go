package httpapi

import (
	"jobflow"
)

// consoleAPIRoutes are the read routes the web console's run screens use
// (docs/api.md#console-api); they read the store only.
func (s *Server) consoleAPIRoutes() []route {
	const v1 = "/api/v1"
	return []route{
		{method: "GET", path: v1 + "/workflows/:id/run-grid", access: member, summary: "MEMBER: the workflow's last limit runs (default 25, 1 to 100, else 400 naming limit) by job, Airflow's grid view: jobs [{id, name, type}] in the draft canvas's order, runs [{id, status, trigger, startedAt, endedAt, versionNumber, cells: {jobId: {status, durationMs, attempt}}}] newest first; a job removed from the canvas since may have cells but no row", resp: schemaOf[jobflow.RunGrid](), status: 200, query: []string{"limit"}, handler: s.runGrid},
		{method: "GET", path: v1 + "/node-runs", access: member, summary: "MEMBER: task instances (作业实例) across runs, newest start first (never-started nodes last), without logs, results or outputs: runId, workflowId, workflowName, jobId, jobName, jobType, status, attempt, startedAt, endedAt, durationMs, error. Filters: workflowId, jobId, status (a node status), from and to (RFC 3339, both included, on startedAt); a bad filter value is 400 naming the parameter in details.field; total is exact up to 1,000, beyond it 1000 with totalCapped: true", resp: schemaOf[jobflow.List[*jobflow.NodeRunItem]](), status: 200, query: []string{"workflowId", "jobId", "status", "from", "to", "page", "pageSize"}, handler: s.listNodeRuns},
	}
}
