package httpapi

import (
	"bytes"
	"html/template"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"jobflow"
	"jobflow/engine"
)

// One-click approval links (docs/run-semantics.md#approval-jobs). The link
// an APPROVAL_WAITING alarm carries opens a page (GET changes nothing, so
// a mail scanner that follows links decides nothing); its form posts the
// decision, which uses the link once and decides as "link via <channel>".
// The token is the credential: no login, no other check.

// linkAuditInput is the context key of the decision a link carried, for
// the audit summary (the form body is not JSON).
const linkAuditInput = "jobflow.linkAudit"

var linkPage = template.Must(template.New("link").Parse(`<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><title>jobflow 审批 approval</title>
<style>body{font:15px/1.6 sans-serif;max-width:560px;margin:40px auto;padding:0 16px;color:#262626}
h1{font-size:20px}.box{border:1px solid #d9d9d9;border-radius:6px;padding:16px}textarea{width:100%;box-sizing:border-box}
button{font-size:15px;padding:6px 18px;margin:12px 8px 0 0;border-radius:4px;border:1px solid #d9d9d9;cursor:pointer}
.ok{background:#1677ff;color:#fff;border-color:#1677ff}.no{background:#ff4d4f;color:#fff;border-color:#ff4d4f}.muted{color:#8c8c8c}</style></head>
<body><h1>{{.Title}}</h1><div class="box" data-testid="link-page">
{{if .Link}}<p>作业 Job: <b>{{.Link.JobName}}</b><br>运行 Run: {{.Link.RunID}}<br>说明 Message: {{if .Link.Message}}{{.Link.Message}}{{else}}-{{end}}<br>
<span class="muted">截止 Deadline: {{.Deadline}} · 渠道 Channel: {{.Link.ChannelName}}</span></p>{{end}}
{{if .Form}}<form method="post"><label>意见 Comment (optional)<br><textarea name="comment" rows="3" maxlength="2000" data-testid="link-comment"></textarea></label><br>
<button class="ok" name="decision" value="APPROVE" data-testid="link-approve">通过 Approve</button>
<button class="no" name="decision" value="REJECT" data-testid="link-reject">驳回 Reject</button></form>
<p class="muted">此链接只能使用一次。This link decides once.</p>{{end}}
{{if .Note}}<p data-testid="link-note">{{.Note}}</p>{{end}}</div></body></html>`))

type linkView struct {
	Title    string
	Link     *jobflow.ApprovalLink
	Deadline string
	Form     bool
	Note     string
}

// renderLink answers an approval link page with status code.
func renderLink(c echo.Context, code int, v linkView) error {
	h := c.Response().Header()
	h.Set("Cache-Control", "no-store")
	h.Set("Referrer-Policy", "no-referrer") // the token is in the URL
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'")
	h.Set("X-Robots-Tag", "noindex")
	if v.Link != nil {
		v.Deadline = v.Link.ExpiresAt.Format(time.RFC3339)
	}
	var b bytes.Buffer
	if err := linkPage.Execute(&b, v); err != nil {
		return err
	}
	return c.HTMLBlob(code, b.Bytes())
}

func (s *Server) approvalLinks() (jobflow.ApprovalLinkService, bool) {
	l, ok := s.deps.Runs.(jobflow.ApprovalLinkService)
	return l, ok
}

// approvalLinkPage answers GET /approval/{token}: what the link decides,
// and the form; it uses nothing.
func (s *Server) approvalLinkPage(c echo.Context) error {
	links, ok := s.approvalLinks()
	if !ok {
		return renderLink(c, http.StatusServiceUnavailable, linkView{Title: "不可用 Unavailable", Note: "approval links are not available here"})
	}
	l, err := links.FindApprovalLink(c.Request().Context(), jobflow.ApprovalTokenHash(c.Param("token")))
	switch {
	case jobflow.ErrorCode(err) == jobflow.ENOTFOUND:
		return renderLink(c, http.StatusNotFound, linkView{Title: "链接无效 Unknown link", Note: "这个链接不存在或已被新的链接取代。This link does not exist, or a newer one replaced it."})
	case err != nil:
		return err
	case l.UsedAt != nil:
		return renderLink(c, http.StatusGone, linkView{Title: "链接已使用 Link used", Link: l, Note: "这个链接已经用过了。This link has been used already."})
	case !time.Now().Before(l.ExpiresAt):
		return renderLink(c, http.StatusGone, linkView{Title: "链接已过期 Link expired", Link: l, Note: "审批已超时。The approval's time is up."})
	}
	return renderLink(c, http.StatusOK, linkView{Title: "待审批 Awaiting approval", Link: l, Form: true})
}

// decideByLink answers POST /approval/{token} {decision, comment} (a form):
// the link is used once, then the decision goes to the run; a decision
// that could not be delivered for a passing reason frees the link again.
func (s *Server) decideByLink(c echo.Context) error {
	links, ok := s.approvalLinks()
	eng, err := s.engine()
	if !ok || err != nil {
		return renderLink(c, http.StatusServiceUnavailable, linkView{Title: "不可用 Unavailable", Note: "approval links are not available here"})
	}
	decision, comment := c.FormValue("decision"), strings.TrimSpace(c.FormValue("comment"))
	if decision != "APPROVE" && decision != "REJECT" {
		return renderLink(c, http.StatusBadRequest, linkView{Title: "无效请求 Bad request", Note: "decision must be APPROVE or REJECT"})
	}
	if len(comment) > engine.MaxApprovalComment {
		return renderLink(c, http.StatusBadRequest, linkView{Title: "无效请求 Bad request", Note: "the comment is longer than 2000 bytes"})
	}
	ctx := c.Request().Context()
	hash := jobflow.ApprovalTokenHash(c.Param("token"))
	l, err := links.UseApprovalLink(ctx, hash, time.Now())
	switch jobflow.ErrorCode(err) {
	case "":
	case jobflow.ENOTFOUND:
		return renderLink(c, http.StatusNotFound, linkView{Title: "链接无效 Unknown link", Note: "这个链接不存在。This link does not exist."})
	case jobflow.ECONFLICT:
		return renderLink(c, http.StatusGone, linkView{Title: "链接不可用 Link not usable", Note: jobflow.ErrorMessage(err)})
	default:
		return err
	}
	setAudit(c, auditObject{ID: l.RunID, Name: l.JobName, TenantID: l.TenantID})
	c.Set(linkAuditInput, map[string]any{"decision": decision, "comment": comment, "jobId": l.JobID, "channel": l.ChannelName})
	_, err = eng.Decide(ctx, l.TenantID, l.RunID, l.JobID, engine.Approver{Link: l.ChannelName}, decision == "APPROVE", comment)
	switch code := jobflow.ErrorCode(err); {
	case err == nil:
	case code == jobflow.ECONFLICT || code == jobflow.ENOTFOUND:
		return renderLink(c, http.StatusConflict, linkView{Title: "无法审批 Cannot decide", Link: l, Note: jobflow.ErrorMessage(err)})
	default:
		if rerr := links.ReleaseApprovalLink(ctx, hash); rerr != nil {
			s.log.Error("release approval link", "run", l.RunID, "err", rerr)
		}
		return renderLink(c, http.StatusServiceUnavailable, linkView{Title: "暂不可用 Try again", Link: l,
			Note: "the decision could not be delivered; the link still works: " + jobflow.ErrorMessage(err)})
	}
	title := "已通过 Approved"
	if decision == "REJECT" {
		title = "已驳回 Rejected"
	}
	return renderLink(c, http.StatusOK, linkView{Title: title, Link: l, Note: "决定已记录。The decision is recorded."})
}
