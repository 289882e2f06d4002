package httpapi

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"jobflow"
	"jobflow/engine"
)

// engine is the run engine, or UNAVAILABLE when none is configured.
// Reading runs needs only the store; starting and steering them needs it.
func (s *Server) engine() (*engine.Engine, error) {
	if s.deps.Engine == nil {
		return nil, jobflow.Errorf(jobflow.EUNAVAILABLE, "the run engine is not available")
	}
	return s.deps.Engine, nil
}

type runInput struct {
	Params  map[string]string `json:"params"`
	Version *int              `json:"version"` // run this past version instead of the draft
}

type runStarted struct {
	RunID       string            `json:"runId"`
	Status      jobflow.RunStatus `json:"status"`
	TemporalURL string            `json:"temporalUrl,omitempty"`
}

func (s *Server) startRun(c echo.Context) error {
	var in runInput
	if err := decodeOptional(c, &in); err != nil {
		return err
	}
	eng, err := s.engine()
	if err != nil {
		return err
	}
	a := actor(c)
	var r *jobflow.Run
	if in.Version != nil {
		if *in.Version < 1 {
			return invalid("version", "version must be a version number (1, 2, …)")
		}
		r, err = eng.RunVersion(c.Request().Context(), a.TenantID, c.Param("id"), *in.Version, in.Params, a.UserID)
	} else {
		r, err = eng.RunManual(c.Request().Context(), a.TenantID, c.Param("id"), in.Params, a.UserID)
	}
	if err != nil {
		return err
	}
	o := auditObject{ID: r.ID, Name: r.WorkflowName, Version: r.VersionNumber}
	if in.Version != nil {
		o.Version = *in.Version
	}
	setAudit(c, o)
	return c.JSON(http.StatusAccepted, runStarted{RunID: r.ID, Status: r.Status, TemporalURL: s.runURL(c, r)})
}

func (s *Server) listRuns(c echo.Context) error {
	p, err := listParams(c)
	if err != nil {
		return err
	}
	f := jobflow.RunFilter{Page: p.Page, PageSize: p.PageSize, WorkflowID: c.QueryParam("workflowId"),
		Status: jobflow.RunStatus(c.QueryParam("status")), Trigger: jobflow.Trigger(c.QueryParam("trigger")),
		ParentRunID: c.QueryParam("parentRunId"), Q: c.QueryParam("q")}
	if f.From, f.To, err = queryTimeRange(c); err != nil {
		return err
	}
	if len(f.Q) > 200 {
		return invalid("q", "q must be at most 200 characters")
	}
	if f.Status != "" && !slices.Contains(jobflow.RunStatuses, f.Status) {
		return invalid("status", "status must be one of %s", strings.Join(names(jobflow.RunStatuses), ", "))
	}
	switch f.Trigger {
	case "", jobflow.TriggerManual, jobflow.TriggerSchedule, jobflow.TriggerInvoke, jobflow.TriggerRerun, jobflow.TriggerBackfill,
		jobflow.TriggerSubflow:
	default:
		return invalid("trigger", "trigger must be MANUAL, SCHEDULE, INVOKE, RERUN, BACKFILL or SUBFLOW")
	}
	runs, total, err := s.deps.Runs.FindRuns(c.Request().Context(), actor(c).TenantID, f)
	if err != nil {
		return err
	}
	for _, r := range runs {
		s.link(c, r)
	}
	out := page(runs, total, p)
	if limit := jobflow.RunCountLimit(p); total > limit {
		out.Total, out.TotalCapped = limit, true
	}
	return c.JSON(http.StatusOK, out)
}

// link sets the run's link into the Temporal Web UI, when there is one.
// The UI shows every tenant's runs and opens to SYS_ADMIN only, so other
// callers get no link at all.
func (s *Server) link(c echo.Context, r *jobflow.Run) {
	r.TemporalURL = s.runURL(c, r)
}

func (s *Server) runURL(c echo.Context, r *jobflow.Run) string {
	if s.deps.Engine == nil || !actor(c).SysAdmin {
		return ""
	}
	return s.absoluteURL(c.Request(), s.deps.Engine.RunURL(r))
}

func (s *Server) getRun(c echo.Context) error {
	r, delta, err := s.findRun(c)
	if err != nil {
		return err
	}
	withJobs, err := predictedJobs(c)
	if err != nil {
		return err
	}
	s.link(c, r)
	if err := s.predict(c.Request().Context(), r, delta); err != nil {
		return err
	}
	if delta && !withJobs && r.Prediction != nil {
		r.Prediction.Jobs = nil
	}
	r.Nodes = nonNil(r.Nodes)
	if !delta { // a delta leaves the edges out: they never change
		r.Edges = nonNil(r.Edges)
	}
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	// The ETag is the hash of the answer itself, so it changes exactly when
	// anything a poller would see changes.
	sum := sha256.Sum256(b)
	etag := `"` + hex.EncodeToString(sum[:12]) + `"`
	h := c.Response().Header()
	h.Set("ETag", etag)
	h.Set("Cache-Control", "private, no-cache")
	if m := c.Request().Header.Get("If-None-Match"); m != "" && etagMatch(m, etag) {
		return c.NoContent(http.StatusNotModified)
	}
	return c.JSONBlob(http.StatusOK, b)
}

func (s *Server) abortRun(c echo.Context) error {
	eng, err := s.engine()
	if err != nil {
		return err
	}
	r, err := eng.Abort(c.Request().Context(), actor(c).TenantID, c.Param("id"))
	if err != nil {
		return err
	}
	setAudit(c, auditObject{Name: r.WorkflowName})
	return c.JSON(http.StatusAccepted, runStarted{RunID: r.ID, Status: r.Status})
}

// markSuccessInput is the body of POST /runs/{id}/nodes/{jobId}/mark-success.
type markSuccessInput struct {
	Reason string `json:"reason" required:"true"`
}

// markSuccessResult names the run the mark took effect in: the same one,
// or the rerun of a finished one.
type markSuccessResult struct {
	RunID  string             `json:"runId"`
	JobID  string             `json:"jobId"`
	Status jobflow.NodeStatus `json:"status"`
}

func (s *Server) markSuccess(c echo.Context) error {
	var in markSuccessInput
	if err := decode(c, &in); err != nil {
		return err
	}
	if in.Reason = strings.TrimSpace(in.Reason); in.Reason == "" || len(in.Reason) > 500 {
		return invalid("reason", "reason is required (at most 500 bytes): say why the node counts as succeeded")
	}
	eng, err := s.engine()
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	a := actor(c)
	by := a.UserID
	if u, err := s.deps.Users.FindUserByID(ctx, a.UserID); err == nil {
		by = u.Account
	}
	r, err := eng.MarkSuccess(ctx, a.TenantID, c.Param("id"), c.Param("jobId"), by, in.Reason)
	if err != nil {
		return err
	}
	setAudit(c, auditObject{Name: r.WorkflowName})
	return c.JSON(http.StatusOK, markSuccessResult{RunID: r.ID, JobID: c.Param("jobId"), Status: jobflow.NodeForcedSuccess})
}

// approvalInput is the body of POST /runs/{id}/nodes/{jobId}/approve|reject.
type approvalInput struct {
	Comment string `json:"comment" doc:"why (at most 2000 bytes); shown on the node run and in the audit log"`
}

// approvalResult answers a decision.
type approvalResult struct {
	RunID    string `json:"runId"`
	JobID    string `json:"jobId"`
	Decision string `json:"decision" enum:"APPROVED,REJECTED"`
}

// listApprovals answers the WAITING approvals the actor may decide (待我审批).
func (s *Server) listApprovals(c echo.Context) error {
	eng, err := s.engine()
	if err != nil {
		return err
	}
	items, err := eng.Approvals(c.Request().Context(), actor(c).TenantID, s.approver(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, page(items, len(items), jobflow.ListParams{Page: 1, PageSize: len(items)}))
}

// approver is the actor as an approver.
func (s *Server) approver(c echo.Context) engine.Approver {
	a := actor(c)
	who := engine.Approver{UserID: a.UserID, Role: a.Role}
	if a.SysAdmin {
		who.Role = jobflow.RoleTenantAdmin
	}
	if u, err := s.deps.Users.FindUserByID(c.Request().Context(), a.UserID); err == nil {
		who.Account = u.Account
	}
	return who
}

func (s *Server) approveNode(c echo.Context) error { return s.decide(c, true) }
func (s *Server) rejectNode(c echo.Context) error  { return s.decide(c, false) }

// decide applies an approver's decision to a WAITING APPROVAL node
// (docs/run-semantics.md#approval-jobs).
func (s *Server) decide(c echo.Context, approve bool) error {
	var in approvalInput
	if err := decodeOptional(c, &in); err != nil {
		return err
	}
	eng, err := s.engine()
	if err != nil {
		return err
	}
	r, err := eng.Decide(c.Request().Context(), actor(c).TenantID, c.Param("id"), c.Param("jobId"), s.approver(c), approve, in.Comment)
	if err != nil {
		return err
	}
	setAudit(c, auditObject{Name: r.WorkflowName})
	res := approvalResult{RunID: r.ID, JobID: c.Param("jobId"), Decision: "REJECTED"}
	if approve {
		res.Decision = "APPROVED"
	}
	return c.JSON(http.StatusOK, res)
}

// pauseRun and resumeRun answer the run as FlowRun has recorded it.
func (s *Server) pauseRun(c echo.Context) error {
	return s.pauseOrResume(c, (*engine.Engine).Pause)
}

func (s *Server) resumeRun(c echo.Context) error {
	return s.pauseOrResume(c, (*engine.Engine).Resume)
}

func (s *Server) pauseOrResume(c echo.Context, do func(*engine.Engine, context.Context, string, string) (*jobflow.Run, error)) error {
	eng, err := s.engine()
	if err != nil {
		return err
	}
	r, err := do(eng, c.Request().Context(), actor(c).TenantID, c.Param("id"))
	if err != nil {
		return err
	}
	setAudit(c, auditObject{Name: r.WorkflowName})
	return c.JSON(http.StatusOK, r)
}

type rerunInput struct {
	Mode   jobflow.RerunMode `json:"mode"`
	NodeID string            `json:"nodeId"`
}

func (s *Server) rerun(c echo.Context) error {
	var in rerunInput
	if err := decodeOptional(c, &in); err != nil {
		return err
	}
	eng, err := s.engine()
	if err != nil {
		return err
	}
	a := actor(c)
	r, err := eng.Rerun(c.Request().Context(), a.TenantID, c.Param("id"), in.Mode, in.NodeID, a.UserID)
	if err != nil {
		return err
	}
	setAudit(c, auditObject{Name: r.WorkflowName})
	return c.JSON(http.StatusAccepted, runStarted{RunID: r.ID, Status: r.Status, TemporalURL: s.runURL(c, r)})
}

func (s *Server) breakNode(c echo.Context) error {
	eng, err := s.engine()
	if err != nil {
		return err
	}
	if err := eng.Break(c.Request().Context(), actor(c).TenantID, c.Param("id"), c.Param("jobId")); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, breakResult{RunID: c.Param("id"), JobID: c.Param("jobId"), Status: jobflow.NodeBreak})
}

// nodeLog answers a node run's log. With ?offset=N it answers only the
// bytes after N and, in X-Log-Offset, the offset to ask for next, so the
// console follows a running log by appending. Offsets count bytes of the
// stored log; once the log has outgrown its limit its head is cut away and
// old offsets no longer mean anything, so a truncated log, or an offset past
// the end, is answered whole from the start with X-Log-Reset: true.
func (s *Server) nodeLog(c echo.Context) error {
	var offset int
	if q := c.QueryParam("offset"); q != "" {
		n, err := strconv.Atoi(q)
		if err != nil || n < 0 {
			return invalid("offset", "offset must be a byte offset (an integer >= 0)")
		}
		offset = n
	}
	text, err := s.deps.Runs.FindNodeLog(c.Request().Context(), actor(c).TenantID, c.Param("id"), c.Param("jobId"))
	if err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set("Cache-Control", "no-store")
	if offset > 0 && (offset > len(text) || strings.HasPrefix(text, jobflow.LogTruncatedMarker)) {
		h.Set("X-Log-Reset", "true")
		offset = 0
	}
	h.Set("X-Log-Offset", strconv.Itoa(len(text)))
	return c.String(http.StatusOK, text[offset:])
}

// breakResult is the answer of POST /runs/{id}/nodes/{jobId}/break.
type breakResult struct {
	RunID  string             `json:"runId"`
	JobID  string             `json:"jobId"`
	Status jobflow.NodeStatus `json:"status"`
}
