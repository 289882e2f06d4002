package httpapi_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"jobflow"
	"jobflow/internal/testtier"
)

// sendLang sends a request as the admin with an Accept-Language header.
func sendLang(e *env, method, path, lang string, body any) resp {
	e.t.Helper()
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, e.srv.URL+path, r)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+e.admin)
	req.Header.Set("X-Tenant-ID", e.tenantID)
	if lang != "" {
		req.Header.Set("Accept-Language", lang)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return resp{status: res.StatusCode, header: res.Header, body: b}
}

// TestErrorLanguage: the same bad request in en and zh-CN answers the same
// status, code and details, the message in Chinese for zh-CN (field names
// and values kept) and English by default; a refused request changes nothing.
func TestErrorLanguage(t *testing.T) {
	testtier.Parallel(t)
	forEach(t, func(t *testing.T, e *env) {
		w := e.workflow("dup")
		for _, tc := range []struct {
			method, path string
			body         any
			status       int
			code         string
			zhHas        []string
		}{
			{"GET", "/api/v1/runs?from=yesterday", nil, 400, jobflow.EINVALID, []string{"from 必须是 RFC 3339 时间"}},
			{"GET", "/api/v1/runs?pageSize=x", nil, 400, jobflow.EINVALID, []string{"pageSize 必须是整数"}},
			{"POST", "/api/v1/workflows", map[string]any{"name": "dup"}, 409, jobflow.ECONFLICT, []string{`名为 "dup" 的工作流已存在`}},
			{"GET", "/api/v1/workflows/wf_nope", nil, 404, jobflow.ENOTFOUND, []string{"工作流不存在"}},
			{"POST", "/api/v1/workflows", map[string]any{"name": 5}, 400, jobflow.EINVALID, []string{`字段 "name" 必须是字符串`}},
		} {
			before := e.snapshot(e.tenantID, w.ID)
			var answers []apiError
			for _, lang := range []string{"", "en-US,en;q=0.9", "zh-CN,zh;q=0.9,en;q=0.8"} {
				r := sendLang(e, tc.method, tc.path, lang, tc.body)
				answers = append(answers, e.fail(r, tc.status, tc.code))
			}
			en, en2, zh := answers[0], answers[1], answers[2]
			if en.Message != en2.Message || !reflect.DeepEqual(en.Details, zh.Details) || en.Code != zh.Code {
				t.Errorf("%s %s: en %+v, zh %+v", tc.method, tc.path, en, zh)
			}
			for _, want := range tc.zhHas {
				if !strings.Contains(zh.Message, want) || zh.Message == en.Message {
					t.Errorf("%s %s: zh message %q lacks %q (en %q)", tc.method, tc.path, zh.Message, want, en.Message)
				}
			}
			if after := e.snapshot(e.tenantID, w.ID); after != before || e.count(e.tenantID) != 1 {
				t.Errorf("%s %s changed something", tc.method, tc.path)
			}
		}
		// Login failure: no token, the same code either way.
		for lang, want := range map[string]string{"zh": "账号或密码错误", "en;q=1, zh-CN;q=0.5": "invalid account or password"} {
			req, _ := http.NewRequest("POST", e.srv.URL+"/api/v1/auth/login", strings.NewReader(`{"account":"admin","password":"wrong-password-1"}`))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Accept-Language", lang)
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(res.Body)
			res.Body.Close()
			got := e.fail(resp{status: res.StatusCode, body: b}, 401, jobflow.EUNAUTHORIZED)
			if got.Message != want {
				t.Errorf("login with %q: %q, want %q", lang, got.Message, want)
			}
		}
	})
}

// TestImportProblemsLanguage: a dry-run import's problems, and a refused
// import's message and details, carry their messages in Chinese for zh-CN
// and in English otherwise; workflow and path are the same either way.
func TestImportProblemsLanguage(t *testing.T) {
	testtier.Parallel(t)
	forEach(t, func(t *testing.T, e *env) {
		e.refs(e.tenantID)
		e.workflow("taken")
		pos := map[string]int{"x": 0, "y": 0}
		shell := func(name string) map[string]any {
			return map[string]any{"name": name, "type": "SHELL", "config": map[string]any{"script": "true"}, "position": pos}
		}
		wf := func(name string, jobs []map[string]any, edges []map[string]string) map[string]any {
			return map[string]any{"apiVersion": "jobflow/v1", "kind": "Workflow", "metadata": map[string]any{"name": name},
				"spec": map[string]any{"config": map[string]any{}, "jobs": jobs, "edges": edges}}
		}
		late := shell("late")
		late["timeoutSeconds"] = -1
		docs := []map[string]any{
			wf("taken", []map[string]any{shell("a")}, []map[string]string{}),
			wf("broken", []map[string]any{shell("a"), shell("a"), late,
				{"name": "load", "type": "SQL", "config": map[string]any{"datasource": "nowhere", "sql": "select 1", "mode": "QUERY"}, "position": pos}},
				[]map[string]string{{"from": "a", "to": "ghost"}}),
			wf("cyclic", []map[string]any{shell("a"), shell("b")}, []map[string]string{{"from": "a", "to": "b"}, {"from": "b", "to": "a"}}),
			{"apiVersion": "jobflow/v9", "kind": "Workflow", "metadata": map[string]any{"name": "future"}, "spec": map[string]any{}},
		}
		text, _ := json.Marshal(docs)
		body := map[string]any{"document": string(text), "dryRun": true}
		// The Chinese each problem must carry, by workflow and path.
		wantZH := map[string]string{
			"taken metadata.name":                  "同名工作流已存在(以 OVERWRITE 模式导入可替换其草稿)",
			"broken spec.jobs.1.name":              `作业名 "a" 出现了两次`,
			"broken spec.jobs.2":                   `作业 "late":timeoutSeconds 必须在 0 到 604800 之间`,
			"broken spec.jobs.3.config.datasource": `本租户没有名为 "nowhere" 的数据源(可用 map.datasources 映射)`,
			"broken spec.edges.0":                  "连线 a -> ghost 连接的作业不在文档中或没有位置 (position)",
			"cyclic spec.edges":                    "画布存在环:",
			"future apiVersion":                    `需要 apiVersion jobflow/v1 与 kind Workflow,实际为 "jobflow/v9" 与 "Workflow"`,
		}
		answers := map[string]importResult{}
		for _, lang := range []string{"", "en-US,en;q=0.9", "zh-CN,zh;q=0.9,en;q=0.8"} {
			var res importResult
			e.ok(sendLang(e, "POST", "/api/v1/workflows/import", lang, body), 200, &res)
			answers[lang] = res
		}
		en, en2, zh := answers[""], answers["en-US,en;q=0.9"], answers["zh-CN,zh;q=0.9,en;q=0.8"]
		if len(en.Problems) != len(wantZH) || len(zh.Problems) != len(en.Problems) || !reflect.DeepEqual(en, en2) {
			t.Fatalf("problems: en %+v, zh %+v", en.Problems, zh.Problems)
		}
		for i, p := range zh.Problems {
			ep := en.Problems[i]
			want, ok := wantZH[p.Workflow+" "+p.Path]
			if !ok || p.Workflow != ep.Workflow || p.Path != ep.Path {
				t.Errorf("problem %d: zh %+v, en %+v", i, p, ep)
				continue
			}
			if !strings.HasPrefix(p.Message, want) {
				t.Errorf("%s %s: zh %q, want %q", p.Workflow, p.Path, p.Message, want)
			}
			if strings.ContainsAny(ep.Message, "的了不") || ep.Message == p.Message {
				t.Errorf("%s %s: en %q is not English", ep.Workflow, ep.Path, ep.Message)
			}
		}

		// Refused (no dry run): the message and details.problems in Chinese.
		body["dryRun"] = false
		n := e.count(e.tenantID)
		got := e.fail(sendLang(e, "POST", "/api/v1/workflows/import", "zh-CN", body), 400, jobflow.EINVALID)
		if !strings.HasPrefix(got.Message, "导入有 7 个问题,未做任何更改:") || !strings.Contains(got.Message, `broken: spec.jobs.1.name: 作业名 "a" 出现了两次`) {
			t.Errorf("refused zh message %q", got.Message)
		}
		b, _ := json.Marshal(got.Details)
		var details struct {
			Field    string
			Problems []struct{ Workflow, Path, Message string }
		}
		json.Unmarshal(b, &details)
		if len(details.Problems) != len(wantZH) || details.Field != zh.Problems[0].Path ||
			details.Problems[1].Message != zh.Problems[1].Message {
			t.Errorf("refused zh details %s", b)
		}
		gotEN := e.fail(sendLang(e, "POST", "/api/v1/workflows/import", "", body), 400, jobflow.EINVALID)
		if !strings.HasPrefix(gotEN.Message, "the import has 7 problem(s)") || !strings.Contains(gotEN.Message, `job name "a" appears twice`) {
			t.Errorf("refused en message %q", gotEN.Message)
		}
		if e.count(e.tenantID) != n {
			t.Error("a refused import created a workflow")
		}
	})
}
