package httpapi

import (
	"jobflow/internal/testtier"

	"net/http"
	"testing"
)

// TestLocalize covers the common messages' Chinese and the language choice.
func TestLocalize(t *testing.T) {
	testtier.Parallel(t)
	for en, zh := range map[string]string{
		"invalid account or password":                                         "账号或密码错误",
		`a workflow named "etl" already exists`:                               `名为 "etl" 的工作流已存在`,
		`a job named "a" already exists in this workflow`:                     `名为 "a" 的作业已存在`,
		"the tenant may hold at most 10 workflows and holds 10":               "租户最多可有 10 个工作流,现有 10 个",
		`the workflow "etl" is published; take it offline before deleting it`: `工作流 "etl" 已发布,请先下线再删除`,
		"run not found":            "运行实例不存在",
		"tenant or user not found": "租户或用户不存在",
		"forbidden":                "无权执行此操作",
		"this route needs a tenant administrator (TENANT_ADMIN)":     "此操作需要租户管理员 (TENANT_ADMIN)",
		"limit must be 1 to 100":                                     "limit 必须在 1 到 100 之间",
		"pageSize must be between 1 and 200":                         "pageSize 必须在 1 到 200 之间",
		"status must be RUNNING, SUCCESS, FAIL, ABORTING or ABORTED": "status 必须是 RUNNING, SUCCESS, FAIL, ABORTING or ABORTED",
		"cron is required":                                           "cron 为必填项",
		"something nobody translated, yet":                           "something nobody translated, yet",
		// Nested: a job's or a config's own message inside an import problem.
		`job "pick": a CONDITION job cannot be disabled (it would choose no branch); disable the jobs of its branches instead`: `作业 "pick":CONDITION 作业不能禁用(否则不会选择任何分支),请改为禁用其分支中的作业`,
		`job "x": config: unknown field "colour"`:                `作业 "x":config:未知字段 "colour"`,
		"schedule.endAt must be after schedule.startAt":          "schedule.endAt 必须晚于 schedule.startAt",
		`schedule.timezone "Mars/Base" is not an IANA time zone`: `schedule.timezone "Mars/Base" 不是 IANA 时区`,
	} {
		if got := localize(en, langZH); got != zh {
			t.Errorf("localize(%q) = %q, want %q", en, got, zh)
		}
		if got := localize(en, "en"); got != en {
			t.Errorf("en localize(%q) = %q", en, got)
		}
	}
	for header, want := range map[string]string{
		"": "en", "zh-CN": langZH, "zh": langZH, "zh-Hans-CN;q=0.8, fr": langZH, "fr, de": "en",
		"en-GB, zh-CN;q=0.9": "en", "zh-CN;q=0.2, en;q=0.5": "en", "zh-TW;q=0": "en", "zh;q=x, en": "en",
	} {
		r, _ := http.NewRequest("GET", "/", nil)
		r.Header.Set("Accept-Language", header)
		if got := preferredLang(r); got != want {
			t.Errorf("preferredLang(%q) = %q, want %q", header, got, want)
		}
	}
}
