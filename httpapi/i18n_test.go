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
