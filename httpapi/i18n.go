package httpapi

import (
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"jobflow/document"
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
	for _, p := range zhNested {
		if m := p.re.FindStringSubmatchIndex(msg); m != nil {
			rest := msg[m[len(m)-2]:m[len(m)-1]]
			return string(p.re.ExpandString(nil, p.zh, msg, m)) + localize(rest, lang)
		}
	}
	for _, p := range zhPatterns {
		if m := p.re.FindStringSubmatchIndex(msg); m != nil {
			return string(p.re.ExpandString(nil, p.zh, msg, m))
		}
	}
	return msg
}

// localizeProblems is an import's problems with their messages in lang;
// workflow and path, which point into the document, stay as they are.
func localizeProblems(probs []document.Problem, lang string) []document.Problem {
	if lang == "en" {
		return probs
	}
	out := make([]document.Problem, len(probs))
	for i, p := range probs {
		p.Message = localize(p.Message, lang)
		out[i] = p
	}
	return out
}

// localizeAll is msgs (an import's warnings) in lang.
func localizeAll(msgs []string, lang string) []string {
	if lang == "en" {
		return msgs
	}
	out := make([]string, len(msgs))
	for i, m := range msgs {
		out[i] = localize(m, lang)
	}
	return out
}

// zhRule is a translation by pattern: re matches the English message and
// zh is the Chinese, with re's groups expanded into it.
type zhRule struct {
	re *regexp.Regexp
	zh string
}

// zhNested translate a prefix whose last group is a message of its own:
// an import problem wraps a job's or a document's error ("job "a": …").
// The prefix is expanded without that group, which is translated in turn.
var zhNested = []zhRule{
	{regexp.MustCompile(`^job (".*?"): (.+)$`), "作业 ${1}:"},
	{regexp.MustCompile(`^config: (.+)$`), "config:"},
	{regexp.MustCompile(`^document: (.+)$`), "文档:"},
	{regexp.MustCompile(`^document (\d+): (.+)$`), "第 ${1} 个文档:"},
	{regexp.MustCompile(`^YAML document (\d+): (.+)$`), "第 ${1} 个 YAML 文档:"},
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

	// An import's problems (document.Resolve, planImport) and the draft
	// checks they reuse (canvas, config, job); docs/api.md, Language.
	"the import names this workflow twice":                                                       "本次导入中该工作流出现了两次",
	"a workflow with this name already exists (import with mode OVERWRITE to replace its draft)": "同名工作流已存在(以 OVERWRITE 模式导入可替换其草稿)",
	"at most 100 workflows per import":                                                           "每次导入最多 100 个工作流",
	"document is required: a jobflow/v1 document as YAML or JSON text, or as an object":          "document 为必填项:一份 jobflow/v1 文档,YAML 或 JSON 文本,或一个对象",
	"the document is empty":                                                                      "文档为空",
	"no document found":                                                                          "未找到文档",
	"every node needs a jobId":                                                                   "每个节点都需要 jobId",
	"onMaxDuration needs a maxDurationSeconds":                                                   "onMaxDuration 需要同时设置 maxDurationSeconds",
	"schedule.cron (or schedule.crons) is required when the schedule is enabled":                 "启用调度时 schedule.cron(或 schedule.crons)为必填项",
	"schedule.calendar.id is required (or leave out schedule.calendar)":                          "schedule.calendar.id 为必填项(或去掉 schedule.calendar)",
	"schedule.endAt must be after schedule.startAt":                                              "schedule.endAt 必须晚于 schedule.startAt",
	"poolSlots needs a pool":                                                                     "poolSlots 需要同时设置 pool",
	"priority must be between 1 (highest) and 5, or 0 for the default (3)":                       "priority 必须在 1(最高)到 5 之间,或为 0 表示默认值 (3)",
}

// zhPatterns translate messages that carry names, numbers or field names:
// the fixed part is translated, the captured parts are kept as they are.
var zhPatterns = func() []zhRule {
	var out []zhRule
	add := func(re, zh string) {
		out = append(out, zhRule{regexp.MustCompile(re), zh})
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
	// An import's problems and the draft checks they reuse.
	add(`^the import has (\d+) problem\(s\); nothing was changed: (.*)$`, "导入有 ${1} 个问题,未做任何更改:${2}")
	add(`^want apiVersion (\S+) and kind (\S+), got (".*") and (".*")$`, "需要 apiVersion ${1} 与 kind ${2},实际为 ${3} 与 ${4}")
	for en, zh := range map[string]string{"datasource": "数据源", "alarm channel": "告警渠道", "workflow": "工作流"} {
		add(`^no `+en+` named (".*") in this tenant \(map it with (\S+)\)$`, "本租户没有名为 ${1} 的"+zh+"(可用 ${2} 映射)")
		add(`^no `+en+` (".*") in this tenant \(a document names it: (\S+)\)$`, "本租户没有"+zh+" ${1}(文档中应以名称写在 ${2})")
		add(`^no `+en+` (".*") in this tenant$`, "本租户没有"+zh+" ${1}")
	}
	add(`^job name (".*") appears twice$`, "作业名 ${1} 出现了两次")
	add(`^edge (.+) -> (.+) joins a job that is not in the document or has no position$`, "连线 ${1} -> ${2} 连接的作业不在文档中或没有位置 (position)")
	add(`^edge (.+) -> (.+) joins a job that is not on the canvas$`, "连线 ${1} -> ${2} 连接的作业不在画布上")
	add(`^edge (.+) -> (.+) is a self-loop$`, "连线 ${1} -> ${2} 是自环")
	add(`^edge (.+) -> (.+) appears more than once$`, "连线 ${1} -> ${2} 重复出现")
	add(`^the canvas has a cycle: (.+)$`, "画布存在环:${1}")
	add(`^a canvas holds at most (\d+) nodes$`, "画布最多 ${1} 个节点")
	add(`^a workflow holds at most (\d+) jobs$`, "一个工作流最多 ${1} 个作业")
	add(`^node (".*") is not a job of this workflow$`, "节点 ${1} 不是本工作流的作业")
	add(`^job (".*") is on the canvas more than once$`, "作业 ${1} 在画布上出现多次")
	add(`^node (".*"): trigger must be (.+)$`, "节点 ${1}:trigger 必须是 ${2}")
	add(`^a (\S+) job cannot be disabled \(it would choose no branch\); disable the jobs of its branches instead$`, "${1} 作业不能禁用(否则不会选择任何分支),请改为禁用其分支中的作业")
	add(`^(\S+) names (".*"), which is not a child of the (\S+) job on the canvas$`, "${1} 指向的 ${2} 不是画布上该 ${3} 作业的下游子节点")
	add(`^(.+) names job (".*"), which is not upstream of it on the canvas \(only ancestors can be read\)$`, "${1} 引用的作业 ${2} 在画布上不是它的上游(只能读取上游作业的输出)")
	add(`^a schedule has at most (\d+) cron expressions$`, "调度最多 ${1} 个 cron 表达式")
	add(`^schedule\.timezone (".*") is not an IANA time zone$`, "schedule.timezone ${1} 不是 IANA 时区")
	add(`^alarms\[(\d+)\]\.events must name at least one event$`, "alarms[${1}].events 至少要有一个事件")
	add(`^alarms\[(\d+)\]: unknown event (".*") \((.+)\)$`, "alarms[${1}]:未知事件 ${2}(可选 ${3})")
	add(`^alarms\[(\d+)\]\.jobIds: at most (\d+) jobs$`, "alarms[${1}].jobIds 最多 ${2} 个作业")
	add(`^alarms\[(\d+)\]\.channelIds must name at least one channel$`, "alarms[${1}].channelIds 至少要有一个告警渠道")
	add(`^at most (\d+) params$`, "最多 ${1} 个参数")
	add(`^param name (".*") must be letters, digits and '_'$`, "参数名 ${1} 只能包含字母、数字和 '_'")
	add(`^timeoutAction (\S+) needs a timeoutSeconds$`, "timeoutAction ${1} 需要同时设置 timeoutSeconds")
	add(`^workerGroup must be lower-case letters, digits, '-' or '_', at most (\d+) characters$`, "workerGroup 只能包含小写字母、数字、'-' 或 '_',最多 ${1} 个字符")
	add(`^(\S+) must be 1 to (\d+) letters, digits, '_', '-' or '\.', starting with a letter or digit$`, "${1} 必须是 1 到 ${2} 个字母、数字、'_'、'-' 或 '.',以字母或数字开头")
	add(`^(.+): job (.+): a secret value was not in the document \(\*\*\*\*\*\*\): set it after the import$`, "${1}:作业 ${2}:文档中没有密钥的值 (******),请在导入后设置")
	add(`^(\S+) must be at most (\d+) bytes$`, "${1} 最多 ${2} 字节")
	add(`^(\S+) must be 0 or between (\d+) and (\d+)$`, "${1} 必须为 0 或在 ${2} 到 ${3} 之间")
	add(`^(\S+) must be between (\d+) and (\d+), with (\S+) set$`, "${1} 必须在 ${2} 到 ${3} 之间,且需设置 ${4}")
	add(`^(\S+) must be one of (.+)$`, "${1} 必须是以下之一:${2}")
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
