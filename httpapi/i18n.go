package httpapi

import (
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// Error messages are written in English where they are made and
// translated here, once, as handleError writes them: the caller's
// Accept-Language picks zh-CN (any zh) or en (the default). Codes and
// details never change, so clients keep branching on them; only the
// message is for people. A message without a translation stays English.

// langZH is the one language besides English.
const langZH = "zh-CN"

// preferredLang picks zh-CN or en from an Accept-Language header: the
// supported language with the highest q, English when none is named.
func preferredLang(r *http.Request) string {
	type choice struct {
		lang string
		q    float64
	}
	var cs []choice
	for _, part := range strings.Split(r.Header.Get("Accept-Language"), ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				continue
			}
			q = f
		}
		primary, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(tag)), "-")
		switch {
		case q <= 0:
		case primary == "zh":
			cs = append(cs, choice{langZH, q})
		case primary == "en":
			cs = append(cs, choice{"en", q})
		}
	}
	sort.SliceStable(cs, func(i, j int) bool { return cs[i].q > cs[j].q })
	if len(cs) > 0 {
		return cs[0].lang
	}
	return "en"
}

// localize is msg in lang.
func localize(msg, lang string) string {
	if lang != langZH {
		return msg
	}
	if t, ok := zhMessages[msg]; ok {
		return t
	}
	for _, p := range zhPatterns {
		if m := p.re.FindStringSubmatchIndex(msg); m != nil {
			return string(p.re.ExpandString(nil, p.zh, msg, m))
		}
	}
	return msg
}

// zhNouns names the objects of "… not found" and "… already exists".
var zhNouns = map[string]string{
	"workflow": "工作流", "run": "运行实例", "tenant": "租户", "user": "用户", "job": "作业", "datasource": "数据源",
	"variable": "变量", "alarm channel": "告警渠道", "invoke token": "调用令牌", "token": "令牌", "version": "版本",
	"tenant or user": "租户或用户", "run snapshot": "运行快照", "member": "成员",
}

// zhMessages are the fixed messages, by their English text.
var zhMessages = map[string]string{
	"invalid account or password": "账号或密码错误",
	"this account is disabled":    "该账号已停用",
	"authentication required":     "需要登录",
	"forbidden":                   "无权执行此操作",
	"this route needs a tenant administrator (TENANT_ADMIN)": "此操作需要租户管理员 (TENANT_ADMIN)",
	"this route needs a system administrator (SYS_ADMIN)":    "此操作需要系统管理员 (SYS_ADMIN)",
	"no such route":                                     "接口不存在",
	"internal error":                                    "内部错误",
	"too many requests":                                 "请求过于频繁",
	"service unavailable":                               "服务不可用",
	"method not allowed on this route":                  "此接口不支持该请求方法",
	"request body is required (JSON)":                   "缺少请求体 (JSON)",
	"request body must hold a single JSON value":        "请求体必须是单个 JSON 值",
	"malformed JSON: unexpected end of body":            "JSON 格式错误:请求体意外结束",
	"the login token has expired":                       "登录已过期,请重新登录",
	"the run has already ended":                         "该运行实例已结束",
	"the run engine is not available":                   "运行引擎不可用",
	"to must not be before from":                        "to 不能早于 from",
	"the current password is wrong":                     "当前密码错误",
	"the new password must differ from the current one": "新密码不能与当前密码相同",
	"jobflow is starting; try again shortly":            "jobflow 正在启动,请稍后重试",
	"the service is temporarily unavailable (its database cannot be reached); try again shortly": "服务暂时不可用(无法连接数据库),请稍后重试",
}

// zhPatterns translate messages that carry names, numbers or field names:
// the fixed part is translated, the captured parts are kept as they are.
var zhPatterns = func() []struct {
	re *regexp.Regexp
	zh string
} {
	var out []struct {
		re *regexp.Regexp
		zh string
	}
	add := func(re, zh string) {
		out = append(out, struct {
			re *regexp.Regexp
			zh string
		}{regexp.MustCompile(re), zh})
	}
	for en, zh := range zhNouns {
		add(`^`+regexp.QuoteMeta(en)+` not found$`, zh+"不存在")
		add(`^an? `+regexp.QuoteMeta(en)+` named (".*") already exists( in this workflow)?$`, "名为 ${1} 的"+zh+"已存在")
	}
	add(`^a user with account (".*") already exists$`, "账号 ${1} 已存在")
	add(`^the tenant may hold at most (\d+) workflows and holds (\d+)$`, "租户最多可有 ${1} 个工作流,现有 ${2} 个")
	add(`^the workflow (".*") is published; take it offline before deleting it$`, "工作流 ${1} 已发布,请先下线再删除")
	add(`^the workflow was changed by someone else \(revision (\d+) is stale\); reload it and save again$`, "工作流已被他人修改(版本号 ${1} 已过期),请刷新后重新保存")
	add(`^request body is larger than (\d+) bytes$`, "请求体超过 ${1} 字节")
	for en, zh := range map[string]string{"a string": "字符串", "a number": "数字", "a boolean": "布尔值", "an array": "数组",
		"an object": "对象", "of another type": "其他类型"} {
		add(`^field (".*") must be `+en+`$`, "字段 ${1} 必须是"+zh)
	}
	add(`^unknown field (".*")$`, "未知字段 ${1}")
	add(`^(\S+) is required$`, "${1} 为必填项")
	add(`^(\S+) is required: (.*)$`, "${1} 为必填项:${2}")
	add(`^(\S+) must be an integer$`, "${1} 必须是整数")
	add(`^(\S+) must be 1 or more$`, "${1} 必须大于等于 1")
	add(`^(\S+) must be an RFC 3339 time such as (\S+)$`, "${1} 必须是 RFC 3339 时间,例如 ${2}")
	add(`^(\S+) must be at most (\d+) characters$`, "${1} 最多 ${2} 个字符")
	add(`^(\S+) must be between (\d+) and (\d+)$`, "${1} 必须在 ${2} 到 ${3} 之间")
	add(`^(\S+) must be (\d+) to (\d+)$`, "${1} 必须在 ${2} 到 ${3} 之间")
	add(`^(\S+) must be (.+)$`, "${1} 必须是 ${2}")
	return out
}()
