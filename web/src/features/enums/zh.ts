// Chinese words for the API's codes (see words.ts); the run and node
// statuses use the main dictionary's "CODE" keys.
export default {
  'status.SILENCED': '已静默', 'status.APPROVED': '已通过', 'status.REJECTED': '已驳回', 'status.NOT_STARTED': '未开始',
  'trigger.MANUAL': '手动', 'trigger.SCHEDULE': '调度', 'trigger.INVOKE': '外部调用', 'trigger.RERUN': '重跑', 'trigger.BACKFILL': '补数', 'trigger.SUBFLOW': '子作业流',
  'event.RUN_START': '运行开始', 'event.RUN_END': '运行结束', 'event.RUN_FAIL': '运行失败', 'event.RUN_SUCCESS': '运行成功', 'event.RUN_TIMEOUT': '运行超过最长时间',
  'event.JOB_START': '作业开始', 'event.JOB_SUCCESS': '作业成功', 'event.JOB_FAIL': '作业失败', 'event.JOB_TIMEOUT': '作业超时', 'event.APPROVAL_WAITING': '等待审批',
  'event.BASELINE_WARNING': '基线预警', 'event.BASELINE_BREACHED': '基线破线', 'event.BASELINE_RECOVERED': '基线恢复', 'event.TEST': '测试发送',
  'record.SENT': '已发送', 'record.FAILED': '发送失败', 'record.SILENCED': '已静默',
  'overlap.SKIP': '跳过', 'overlap.BUFFER_ONE': '缓冲一次', 'overlap.BUFFER_ALL': '全部缓冲', 'overlap.CANCEL_OTHER': '取消正在运行的',
  'overlap.TERMINATE_OTHER': '终止正在运行的', 'overlap.ALLOW_ALL': '全部允许',
  'dst.SHIFT': '顺延', 'dst.SKIP': '跳过', 'dst.ONCE': '一次', 'dst.TWICE': '两次',
  'calendar.SKIP': '跳过', 'calendar.DRY_RUN': '空跑',
  'jobType.SHELL': 'Shell 脚本', 'jobType.PYTHON': 'Python 脚本', 'jobType.SQL': 'SQL', 'jobType.HTTP': 'HTTP 请求', 'jobType.CONDITION': '条件分支',
  'jobType.SUBFLOW': '子作业流', 'jobType.DEPENDENT': '依赖检查', 'jobType.APPROVAL': '审批', 'jobType.FOREACH': '循环',
  'role.SYS_ADMIN': '系统管理员', 'role.TENANT_ADMIN': '租户管理员', 'role.MEMBER': '成员',
  'channel.WEBHOOK': 'Webhook', 'channel.DINGTALK': '钉钉', 'channel.FEISHU': '飞书', 'channel.WECOM': '企业微信', 'channel.EMAIL': '邮件',
  'datasource.POSTGRES': 'PostgreSQL', 'datasource.MYSQL': 'MySQL',
  'sqlMode.EXECUTE': '执行（返回影响行数）', 'sqlMode.QUERY': '查询（保留结果行）',
  'rule.allowFailure': '允许失败', 'Every item (AND)': '全部满足（AND）', 'Any item (OR)': '任一满足（OR）',
  'decision.APPROVED': '已通过', 'decision.REJECTED': '已驳回',
}
