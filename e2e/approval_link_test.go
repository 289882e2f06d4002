package e2e

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"jobflow"
	"jobflow/internal/testtier"
	"jobflow/internal/testwait"
)

// hookInbox is a webhook alarm channel's receiver: it keeps every body.
type hookInbox struct {
	srv    *httptest.Server
	mu     sync.Mutex
	bodies []string
}

func newHookInbox(t *testing.T) *hookInbox {
	h := &hookInbox{}
	h.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		h.mu.Lock()
		h.bodies = append(h.bodies, string(b))
		h.mu.Unlock()
	}))
	t.Cleanup(h.srv.Close)
	return h
}

var linkRE = regexp.MustCompile(`https?://[^\s"\\]+/approval/[A-Za-z0-9_-]{43}`)

// link waits for an alarm naming runID and returns the approval link in it.
func (h *hookInbox) link(t *testing.T, runID string) string {
	t.Helper()
	var found string
	if !testwait.Until(30*time.Second, func() bool {
		h.mu.Lock()
		defer h.mu.Unlock()
		for _, b := range h.bodies {
			if strings.Contains(b, runID) {
				found = linkRE.FindString(b)
			}
		}
		return found != ""
	}) {
		t.Fatalf("no approval link for run %s in %d alarms: %v", runID, len(h.bodies), h.bodies)
	}
	return found
}

// postLink posts a decision form to an approval link.
func postLink(t *testing.T, link string, form url.Values) (int, string) {
	t.Helper()
	resp, err := http.PostForm(link, form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestApproval_OneClickLink: an APPROVAL node that starts waiting sends an
// APPROVAL_WAITING alarm with a one-click link. Opening it changes nothing;
// a bad or forged form is refused; the form decides once, as "link via
// <channel>", with the comment on the node and in the audit log; the link
// is then used up. A link past the approval's deadline decides nothing.
func TestApproval_OneClickLink(t *testing.T) {
	testtier.Long(t, "PostgreSQL, jobflow processes and minutes (end-to-end)")
	e := newEnv(t, envOptions{})
	hook := newHookInbox(t)
	e.API.AllowEgress("127.0.0.1") // the receiver (docs/security.md)
	var ch jobflow.AlarmChannel
	e.API.Must("POST", "/api/v1/alarm-channels", map[string]any{"name": "ops-hook", "type": "WEBHOOK", "config": map[string]any{"url": hook.srv.URL}}, 201, &ch)
	alarms := []map[string]any{{"events": []string{"APPROVAL_WAITING"}, "channelIds": []string{ch.ID}}}
	wf, ids := e.workflow("gated", []jobSpec{
		{Name: "gate", Type: "APPROVAL", Config: map[string]any{"approvers": map[string]any{"roles": []string{"MEMBER"}},
			"message": "load tonight?", "timeoutSeconds": 600}},
		shell("load", "echo loaded"),
	}, [][2]string{{"gate", "load"}}, map[string]any{"alarms": alarms})

	runID := e.start(wf, nil)
	link := hook.link(t, runID)
	if !strings.HasPrefix(link, e.Server.URL+"/approval/") {
		t.Fatalf("link %s is not on the API's public URL %s", link, e.Server.URL)
	}
	// Opening the link shows the approval and decides nothing.
	resp, err := http.Get(link)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(page), "load tonight?") || !strings.Contains(string(page), `data-testid="link-approve"`) ||
		resp.Header.Get("Referrer-Policy") != "no-referrer" {
		t.Fatalf("GET link: %d %s", resp.StatusCode, page)
	}
	if code, _ := postLink(t, link, url.Values{"decision": {"MAYBE"}}); code != 400 {
		t.Errorf("a bad decision: %d", code)
	}
	forged := link[:len(link)-4] + "AAAA"
	if code, _ := postLink(t, forged, url.Values{"decision": {"APPROVE"}}); code != 404 {
		t.Errorf("a forged token: %d", code)
	}
	time.Sleep(500 * time.Millisecond)
	if n := node(t, e.run(runID), ids["gate"]); n.Status != jobflow.NodeWaiting {
		t.Fatalf("gate is %s before any decision", n.Status)
	}

	code, body := postLink(t, link, url.Values{"decision": {"APPROVE"}, "comment": {"go ahead"}})
	if code != 200 || !strings.Contains(body, "Approved") {
		t.Fatalf("decide: %d %s", code, body)
	}
	r := e.waitFinished(runID)
	if r.Status != jobflow.RunSuccess {
		t.Fatalf("run %s: %+v", r.Status, r.Nodes)
	}
	var res struct {
		Decision, By, Comment string
	}
	gate := node(t, r, ids["gate"])
	if err := json.Unmarshal(gate.Result, &res); err != nil || res.Decision != "APPROVED" || res.By != "link via ops-hook" || res.Comment != "go ahead" {
		t.Errorf("gate result %s (%v)", gate.Result, err)
	}
	// Used: a second click decides nothing.
	if code, body := postLink(t, link, url.Values{"decision": {"REJECT"}}); code != 410 || !strings.Contains(body, "used already") {
		t.Errorf("second use: %d %s", code, body)
	}
	var audit jobflow.List[jobflow.AuditEntry]
	e.API.Must("GET", "/api/v1/audit-logs?action=run.decide_link", nil, 200, &audit)
	if len(audit.Items) != 1 || audit.Items[0].ObjectID != runID || !strings.Contains(audit.Items[0].Summary, "go ahead") {
		t.Errorf("audit %+v", audit.Items)
	}

	// A link past the deadline: the timeout decided (REJECT), the link is gone.
	wf2, ids2 := e.workflow("gated-short", []jobSpec{
		{Name: "gate", Type: "APPROVAL", Config: map[string]any{"approvers": map[string]any{"roles": []string{"TENANT_ADMIN"}}, "timeoutSeconds": 2}},
	}, nil, map[string]any{"alarms": alarms})
	run2 := e.start(wf2, nil)
	link2 := hook.link(t, run2)
	if r2 := e.waitFinished(run2); r2.Status != jobflow.RunFail || node(t, r2, ids2["gate"]).Status != jobflow.NodeFail {
		t.Fatalf("timed-out approval run %s", r2.Status)
	}
	if code, body := postLink(t, link2, url.Values{"decision": {"APPROVE"}}); code != 410 || !strings.Contains(body, "expired") {
		t.Errorf("an expired link: %d %s", code, body)
	}
}
