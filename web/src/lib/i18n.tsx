// Chinese and English. Keys are the English text; zh holds the Chinese,
// with the seed product's words (作业流, 作业, 发布, 下线, 运行, 中止, 重跑 …).
// zh-CN is the default when the browser prefers Chinese; the toggle in the
// header is remembered in localStorage.
import { createContext, useContext, useMemo, useState, type ReactNode } from 'react'

export type Lang = 'zh' | 'en'

const zh: Record<string, string> = {
  'Workflows': '作业流', 'Workflow': '作业流', 'Jobs': '作业', 'Job': '作业', 'Runs': '运行记录', 'Datasources': '数据源',
  'Alarm channels': '告警渠道', 'Alarm records': '告警记录', 'Tenants': '租户', 'Users': '用户', 'License': '许可证', 'Admin': '系统管理',
  'Log in': '登录', 'Log out': '退出登录', 'Account': '账号', 'Password': '密码', 'Tenant': '租户', 'Your session has ended, please log in again.': '登录已失效，请重新登录。',
  'Too many attempts. Try again in {n} s.': '尝试次数过多，请 {n} 秒后重试。',
  'Search name or remark': '搜索名称或备注', 'Status': '状态', 'All': '全部', 'Name': '名称', 'Remark': '备注', 'Next run time': '下次运行时间',
  'Updated': '更新时间', 'Actions': '操作', 'Publish': '发布', 'Offline': '下线', 'Delete': '删除', 'Edit': '编辑', 'Add workflow': '添加作业流',
  'Save': '保存', 'Cancel': '取消', 'OK': '确定', 'Delete this workflow?': '确定删除该作业流？', 'Deleted': '已删除', 'Saved': '已保存',
  'Published': '已发布', 'Taken offline': '已下线', 'Next run times': '接下来的运行时间', 'DRAFT': '草稿', 'PUBLISHED': '已发布', 'OFFLINE': '已下线',
  'Edit workflow': '编辑作业流', 'Required': '必填', 'Run': '运行', 'Abort': '中止', 'Rerun': '重跑', 'Config': '配置', 'Format': '格式化', 'Fit': '适应屏幕',
  'Rerun all': '全部重跑', 'Rerun failed': '重跑失败节点', 'Switch workflow': '作业流快速切换', 'Add job': '添加作业', 'Search jobs': '搜索作业',
  'Copy': '复制', 'Drag onto the canvas': '拖拽到画布', 'Type': '类型', 'Script': '脚本', 'Datasource': '数据源', 'Mode': '模式', 'Method': '请求方法',
  'Headers': '请求头', 'Body': '请求体', 'Success codes': '成功状态码', 'Timeout (s)': '超时（秒）', 'Max attempts': '最大尝试次数', 'Retry interval (s)': '重试间隔（秒）',
  'Backoff': '退避系数', 'Worker group': '执行组', 'Job cron (discrete mode)': '作业 cron（离散调度）', 'Edit job': '编辑作业', 'Delete this job?': '确定删除该作业？',
  'Find node': '查找节点', 'Unsaved changes will be lost. Leave?': '有未保存的修改，确定离开？', 'The canvas changed elsewhere. Reload it?': '画布已在别处修改，是否重新加载？',
  'Reload': '重新加载', 'Cycle': '存在环', 'Params (KEY=value per line)': '参数（每行 KEY=value）', 'Run started': '已开始运行', 'Unsaved': '未保存',
  'Latest run': '最近运行', 'No runs yet': '还没有运行', 'Temporal Web UI': 'Temporal Web UI', 'Schedule': '调度', 'Baseline alarms': '基线告警',
  'External invocation': '外部调用', 'Execution': '执行策略', 'Enabled': '启用', 'Single schedule': '单一调度', 'Discrete schedule': '离散调度',
  'Simple': '简单定义', 'Advanced': '高级定义', 'Every N minutes': '每 N 分钟', 'Hourly at': '每小时', 'Daily at': '每天', 'Weekly on': '每周', 'Monthly on': '每月',
  'minutes': '分钟', 'minute': '分', 'Time': '时间', 'Day of month': '日', 'Weekday': '星期', 'Time zone': '时区', 'Start': '开始', 'End': '结束',
  'Overlap policy': '重叠策略', 'Catch-up window (s)': '补偿窗口（秒）', 'Next fire times (server)': '接下来的触发时间（服务端计算）',
  'Rules': '规则', 'Events': '事件', 'Channels': '渠道', 'Template': '模板', 'Add rule': '添加规则', 'Template variables': '模板变量',
  'Allow external invocation': '允许外部调用', 'Create token': '创建令牌', 'Revoke': '吊销', 'Expires': '过期时间', 'Created': '创建时间',
  'Copy curl': '复制 curl', 'Copied': '已复制', 'Shown once: copy it now.': '只显示一次，请立即复制。',
  'The workflow must be published again for invocation to take effect.': '作业流需要重新发布，外部调用才会生效。',
  'Failure strategy': '失败策略', 'Continue other branches': '继续其他分支', 'End the run': '结束运行', 'Max parallelism': '最大并行数', 'Default params': '默认参数',
  'Trigger': '触发方式', 'Logical time': '逻辑时间', 'Started': '开始时间', 'Ended': '结束时间', 'Duration': '耗时', 'Attempt': '尝试', 'Exit code': '退出码',
  'Error': '错误', 'Nodes': '节点', 'Gantt': '甘特图', 'Log': '日志', 'Follow': '跟随', 'Wrap': '换行', 'Download': '下载', 'Search log': '搜索日志',
  'Rerun downstream': '重跑下游', 'Rerun this node': '重跑当前', 'Break': '中断', 'Run view': '运行详情', 'Graph': '流程图',
  'Test connection': '测试连接', 'Host': '主机', 'Port': '端口', 'Database': '数据库', 'User': '用户', 'Add datasource': '添加数据源',
  'Connected in {n} ms': '连接成功，耗时 {n} ms', 'Connection failed': '连接失败', 'Leave empty to keep': '留空则保持不变',
  'Add channel': '添加渠道', 'Test send': '测试发送', 'Sent': '已发送', 'Send failed': '发送失败', 'URL': 'URL', 'Secret': '密钥', 'SMTP host': 'SMTP 主机',
  'Username': '用户名', 'From': '发件人', 'To (comma separated)': '收件人（逗号分隔）', 'Response': '响应', 'Event': '事件', 'Channel': '渠道',
  'Add tenant': '添加租户', 'Max workflows': '最大作业流数', 'Add user': '添加用户', 'Members': '成员', 'Role': '角色', 'Add member': '添加成员',
  'System administrator': '系统管理员', 'Install license': '安装许可证', 'License token': '许可证令牌', 'Subject': '主体', 'Max tenants': '最大租户数',
  'Max workflows per tenant': '每租户最大作业流数', 'No license installed': '未安装许可证', 'Language': '语言', 'Refresh': '刷新',
  'Workflow name': '作业流名称', 'Run ID': '运行 ID', 'Every': '每', 'at minute': '第几分', 'Unix or Quartz cron': 'Unix 或 Quartz cron',
  'Edit canvas': '编辑画布', 'Loading': '加载中', 'Not found': '未找到', 'Back': '返回', 'Start at node': '从节点开始', 'Open': '打开',
  'Only PENDING or WAITING nodes can be broken': '只有等待中的节点可以中断', 'Run aborted': '已中止', 'Node': '节点', 'Confirm': '确认',
  'Mon': '周一', 'Tue': '周二', 'Wed': '周三', 'Thu': '周四', 'Fri': '周五', 'Sat': '周六', 'Sun': '周日', 'Close': '关闭', 'Params': '参数',
  'The job is on the canvas: remove it from the canvas and save first.': '该作业在画布上：请先从画布移除并保存。', 'Jobs not on the canvas never run.': '不在画布上的作业不会运行。',
  'Drag a job from the list on the left onto the canvas; connect jobs by dragging from the right handle of one to another.': '把左侧的作业拖到画布上；从一个作业右侧的连接点拖到另一个作业即可连线。',
  'PENDING': '等待', 'WAITING': '等待调度', 'RUNNING': '运行中', 'SUCCESS': '成功', 'FAIL': '失败', 'UPSTREAM_FAILED': '上游失败', 'ABORTED': '已中止',
  'ABORTING': '中止中', 'BREAK': '已中断', 'SKIPPED': '已跳过', 'MANUAL': '手动', 'SCHEDULE': '调度', 'INVOKE': '外部调用', 'RERUN': '重跑', 'BACKFILL': '补数',
  'Rerun started': '已开始重跑', 'Delete this item?': '确定删除？', 'Tokens': '令牌', 'Revoked': '已吊销', 'Page {p}': '第 {p} 页',
  'Positions are saved with the canvas; auto-layout runs only when you press Format.': '位置随画布保存；只有点击格式化时才自动布局。',
  // Trigger rules, allowFailure, outputs, NOT_SELECTED (docs/run-semantics.md)
  'Trigger rule': '触发规则', 'Allow failure': '允许失败', 'Its failure does not fail the run; trigger rules still see it as failed.': '它失败不会使运行失败；触发规则仍把它当作失败。',
  'rule.ALL_SUCCESS': '全部成功（默认）', 'rule.ALL_DONE': '全部结束', 'rule.ONE_SUCCESS': '任一成功', 'rule.ONE_FAILED': '任一失败', 'rule.NONE_FAILED': '无失败',
  'rule.ALL_SUCCESS.help': '每个上游都成功（或跳过、未选中）后运行。', 'rule.ALL_DONE.help': '每个上游都结束后运行，不论成败：适合清理作业。',
  'rule.ONE_SUCCESS.help': '任一上游成功即运行。', 'rule.ONE_FAILED.help': '任一上游失败即运行：适合失败处理作业。', 'rule.NONE_FAILED.help': '每个上游都结束且没有失败时运行。',
  'Outputs': '输出', 'NOT_SELECTED': '未选中', 'SUBFLOW': '子作业流',
  'DISABLED': '已禁用', 'Disabled': '禁用',
  'FORCED_SUCCESS': '强制成功', 'Mark succeeded': '强制成功', 'Marked succeeded': '已标记为成功', 'Why it counts as succeeded': '为何视为成功（必填）',
  'The node becomes FORCED_SUCCESS and its downstream jobs run; a finished run goes on in a rerun.': '节点变为“强制成功”，其下游作业继续运行；已结束的运行会以重跑继续。',
  'PAUSED': '已暂停', 'Pause': '暂停', 'Resume': '恢复', 'Run paused': '运行已暂停', 'Run resumed': '运行已恢复',
  'Pools': '资源池', 'Pool': '资源池', 'Add pool': '新建资源池', 'Edit pool': '编辑资源池', 'Delete this pool?': '确定删除该资源池？', 'Slots': '槽位',
  'Slots used': '已用槽位', 'Waiting': '等待中', 'Holders': '占用中', 'Waiters': '等待队列', 'Held since': '占用开始', 'Waiting since': '等待开始',
  'Priority': '优先级', 'Pool slots': '占用槽位', 'Description': '描述', 'None': '无',
  'pool.name.help': '作业按名称引用资源池；字母、数字、_ - .', 'pool.slots.help': '同时可占用的槽位数；增加后等待的作业立即获得。',
  'priority.help': '1 最高，5 最低；决定资源池等待队列的顺序，也是作业在 Temporal 任务队列中的优先级。',
  'Why waiting': '等待原因',
  'Awaiting my approval': '待我审批', 'Approve': '通过', 'Reject': '驳回', 'Approved': '已通过', 'Rejected': '已驳回', 'Comment': '意见（可选）',
  'Message': '说明', 'Deadline': '截止', 'then approved': '到期自动通过', 'then rejected': '到期自动驳回', 'Approver roles': '审批角色',
  'Approver users (user ids)': '审批人（用户 ID）', 'On timeout': '超时处理', 'Message to the approvers': '给审批人的说明', '0: 24 h': '0：24 小时',
  'Max duration (s)': '最长运行时间（秒）', 'maxDuration.help': '0 表示不限。超过后发送 RUN_TIMEOUT 告警，并按所选处理。',
  'maxDuration.ALERT': '仅告警，继续运行', 'maxDuration.FAIL': '停止作业，运行失败', 'maxDuration.ABORT': '中止运行',
  'timeoutAction.help': '超时（秒）到达时：失败（默认）停止作业并失败；告警 发送 JOB_TIMEOUT 后继续运行；告警并失败 先告警再停止作业。',
  'timeoutAction.FAIL': '失败', 'timeoutAction.WARN': '告警，继续运行', 'timeoutAction.WARN_AND_FAIL': '告警并失败',
  'Silence (HH:MM, the workflow’s zone)': '静默时段（HH:MM，作业流时区）',
  'Repeat every (s, 0: never)': '重复告警间隔（秒，0 不重复）', 'at most (times)': '最多重复（次）', 'SILENCED': '已静默',
  'Jobs (empty: every job)': '作业（为空：全部作业）',
  'with a one-click approval link': '待审批，附一键审批链接', 'FOREACH': '循环', 'Items': '循环项', 'Item': '项', 'carried': '沿用', 'Succeeded in the run this one reruns': '在被重跑的运行中已成功，未再运行',
  'Previous': '上一页', 'Next': '下一页', 'Workflow per item': '每项运行的作业流', 'Item param': '项参数名',
  'The child reads the item as ${params.<name>}': '子运行以 ${params.<参数名>} 读取该项', 'At most at once': '最大并发',
  'Failures tolerated (%)': '容忍失败比例（%）', 'A JSON list, or a text that gives one:': 'JSON 列表，或得到列表的表达式：',
  'foreach.help': '为列表中的每一项运行一次所选作业流（子运行，触发方式 子作业流），该项放在项参数中；失败项超过容忍比例则本节点失败，且不再启动新项。重跑失败节点只重跑未成功的项。',
  'TENANT_ADMIN': '租户管理员', 'MEMBER': '成员', 'APPROVAL': '审批',
  'approval.help': '节点等待（等待调度状态，不占并行数），直到审批人通过或驳回，或超时按设置处理。通过后下游继续；驳回则节点失败并记录审批人和意见。',
  'QUEUED': '排队中', 'Concurrent runs': '并发运行数', 'Limit': '限制', 'position': '位置',
  'concurrency.help': '同一作业流同时运行（运行中、已暂停、中止中）的实例上限，对手动、调度、外部调用、重跑、补数和子作业流一视同仁。',
  'concurrency.QUEUE': '排队等待（按触发顺序）', 'concurrency.SKIP': '跳过（记为已跳过）', 'concurrency.FAIL': '拒绝（手动/外部调用返回 409）',
  'Queued: waiting for a slot under the workflow concurrency limit': '排队中：等待作业流并发名额',
  'Run queued: the workflow concurrency limit is reached': '已排队：作业流并发数已满', 'Run skipped: the workflow concurrency limit is reached': '已跳过：作业流并发数已满',
  'Never executed: its status is DISABLED, trigger rules count it as succeeded, its edges stay.': '不执行：状态为“已禁用”，触发规则视其为成功，连线保留。',
  'Pick a workflow': '选择作业流', 'Whole run': '整个运行', 'not a child': '非下游', 'When': '条件', 'Run children': '运行下游', 'Add case': '添加分支',
  'The first case whose expression is true chooses its children; none true chooses the default. Children not chosen are NOT_SELECTED.': '第一个表达式为真的分支决定运行哪些下游；都不为真时走默认分支。未选中的下游为“未选中”。',
  'Default (no case true)': '默认分支（无条件为真时）', 'Version': '版本', 'Published version': '已发布版本', 'Draft': '草稿', 'Wait for it': '等待结束',
  'Values may use ${…}: params, variables, outputs of ancestors.': '值可以使用 ${…}：参数、变量、上游输出。',
  'Waits (WAITING, holding no parallelism slot) until the named workflows or jobs have a SUCCESS run whose logical time is in the window of this run’s logical time.': '等待（等待调度状态，不占并行数）直到所依赖的作业流或作业有一次逻辑时间落在本次运行逻辑时间所在周期内的成功运行。',
  'Add dependency': '添加依赖', 'Relation': '关系', 'Wait timeout (s)': '等待超时（秒）', '0: the job’s timeout, else 24 h': '0：使用作业超时，否则 24 小时',
  'Upstream failed': '上游失败时', 'Fail': '失败', 'Keep waiting': '继续等待', 'Check every (s)': '检查间隔（秒）', 'Job (optional)': '作业（可选）', 'Window': '周期',
  'window.today': '今天', 'window.yesterday': '昨天', 'window.thisHour': '本小时', 'window.lastHour': '上一小时', 'window.lastNHours': '最近 N 小时',
  'window.thisWeek': '本周', 'window.lastWeek': '上周', 'window.thisMonth': '本月', 'window.lastMonth': '上月', 'window.lastNDays': '最近 N 天',
  // Backfill (补数), the schedule's zone
  'Backfill': '补数', 'Date range': '日期范围', 'Backfill started: {n} runs': '已开始补数：{n} 次运行', 'Overlap': '执行方式',
  'One after another': '依次执行', 'All at once': '同时执行', 'Runs the published version once per fire time of its schedule in the range (dates in the schedule’s zone).': '在范围内按调度的每个触发时间运行一次已发布版本（日期按调度时区解读）。',
  'In the schedule’s zone': '调度时区',
  // Business calendars (业务日历), several crons, DST policy, backfill options
  'Calendars': '日历', 'Add calendar': '新建日历', 'Edit calendar': '编辑日历', 'Shared': '共享', 'Every tenant sees it': '所有租户可见', 'Import': '导入',
  'Delete this calendar?': '确定删除该日历？', 'Year view': '年视图', 'Previous year': '上一年', 'Next year': '下一年', 'Weekdays': '工作星期',
  'Days of these weekdays are calendar days, unless holidays.': '这些星期的日子是日历日（节假日除外）。', 'Holidays': '节假日',
  'Make-up workdays (调休)': '调休上班日', 'Calendar day': '日历日', 'Non-calendar day': '非日历日', 'Holiday': '节假日', 'Make-up workday': '调休上班',
  '{n} calendar days in {y}': '{y} 年共 {n} 个日历日', 'Click a day to toggle it as a holiday or make-up workday.': '点击日期可切换节假日 / 调休上班日。',
  'Yearly list': '年度列表', 'One date a line: 2026-10-01 [HOLIDAY|WORKDAY]; # starts a comment.': '每行一个日期：2026-10-01 [HOLIDAY|WORKDAY]；# 开头为注释。',
  'Every all-day VEVENT is a holiday; a SUMMARY with 班/补班/workday makes it a make-up workday.': '每个全天 VEVENT 为节假日；SUMMARY 含“班/补班/workday”的为调休上班日。',
  'Merge into the current days': '合并到现有日期', 'Replace holidays and make-up workdays': '替换节假日和调休上班日',
  'Imported: version {v}, {h} holidays, {w} make-up workdays': '已导入：版本 {v}，{h} 个节假日，{w} 个调休上班日',
  'More crons': '更多 cron', 'Add cron': '添加 cron', 'Remove': '移除', 'Fires at the union of all crons; a time two crons share fires once.': '按所有 cron 的并集触发；多个 cron 相同的时间只触发一次。',
  'Business calendar': '业务日历', 'No calendar: every day': '不使用日历：每天', 'calendar.SKIP.help': '跳过：只在日历日触发，其他日子不运行。',
  'calendar.DRY_RUN.help': '空跑：每天触发；非日历日的运行直接成功，所有作业跳过、不执行。', 'DST policy': '夏令时策略',
  'A time that does not exist (clocks spring forward)': '不存在的时间（时钟拨快）', 'A time that happens twice (clocks fall back)': '重复出现的时间（时钟拨回）',
  'dst.SHIFT.help': '顺延：按跳过的时长后移触发（02:30 → 03:30）。', 'dst.SKIP.help': '跳过：当天不触发这个时间。',
  'dst.ONCE.help': '一次：只在第一次出现时触发（仍是夏令时）。', 'dst.TWICE.help': '两次：两次出现都触发。', 'Dry run': '空跑',
  'Reprocess': '重跑范围', 'reprocess.ALL': '全部触发时间（默认）', 'reprocess.NONE': '跳过已成功的触发时间', 'reprocess.FAILED': '只补最近一次失败或中止的',
  'Order': '顺序', 'Oldest first': '从早到晚', 'Newest first': '从晚到早', 'Max concurrent runs': '最大并发运行数', 'Preview': '预览',
  'Lists the logical times without starting anything.': '列出逻辑时间，不启动任何运行。', '{n} runs would start': '将启动 {n} 次运行',
  '{n} fire times left out by reprocess': '{n} 个触发时间按重跑范围被跳过',
  // Baselines (基线) and a live run's prediction
  'Baselines': '基线', 'Baseline': '基线', 'Add baseline': '新建基线', 'Edit baseline': '编辑基线', 'Delete this baseline?': '确定删除该基线？',
  'Targets': '目标', 'Add target': '添加目标', 'Finish by': '承诺完成', 'Margin (min)': '预警余量（分钟）', 'Data date': '数据日期', 'Data dates': '每日实例',
  'baseline.targets.help': '要按时完成的作业流（1 至 50 个），可只选其中一个作业；为空则指整个运行。', 'finishBy.help': 'HH:MM：数据日期当天的该时刻；+1d HH:MM：次日的该时刻（按所选时区）。',
  'margin.help': '预计完成晚于“承诺完成 − 余量”时进入预警。', 'baseline.channels.help': '预警、破线和恢复时通知这些告警渠道。',
  'baseline.priority.help': '预警时，关键路径上尚未开始的作业在 Temporal 任务队列中的优先级（1 最高）。',
  'SAFE': '安全', 'WARNING': '预警', 'BREACHED': '破线', 'MET': '已达成',
  'target.NOT_STARTED': '未开始', 'target.RUNNING': '运行中', 'target.SUCCESS': '成功', 'target.FAILED': '失败',
  'Warn at': '预警于', 'Predicted / actual finish': '预计 / 实际完成', 'Predicted': '预计', 'Actual': '实际', 'Key path': '关键路径', 'Reason': '原因', 'Checked': '检查时间',
  'Refreshed every 10 s': '每 10 秒刷新', 'No data date checked yet: the first check follows a save within seconds.': '还没有检查过的数据日期：保存后数秒内开始第一次检查。',
  'the targets finished after finishBy': '目标在承诺完成时间之后才完成', 'finishBy passed with a target unfinished': '已过承诺完成时间，仍有目标未完成',
  'finishBy passed with a target failed:': '已过承诺完成时间，有目标失败：', 'a target failed:': '有目标失败：', 'no prediction for': '无法预测：',
  'the predicted finish is past finishBy minus the margin': '预计完成晚于承诺完成减去预警余量', 'finishBy minus the margin passed with a target unfinished': '已过预警时间，仍有目标未完成',
  'Predicted finish': '预计完成', 'in about {d}': '约 {d} 后', 'Critical path': '关键路径', 'No prediction': '无法预测', 'Predicted (p50)': '预测（p50）', 'Now': '当前',
  'prediction.basis': '按每个剩余作业最近至多 {n} 次成功运行的耗时和排队等待（p50 / p90）估算；剩余 {m} 个作业',
  'prediction.none': '{n} 个剩余作业还没有成功运行过（{jobs}）', ' and {n} more': ' 等另外 {n} 个',
}

// English for the keys that are not English text themselves.
const en: Record<string, string> = {
  'rule.ALL_SUCCESS': 'All succeeded (default)', 'rule.ALL_DONE': 'All done', 'rule.ONE_SUCCESS': 'One succeeded', 'rule.ONE_FAILED': 'One failed', 'rule.NONE_FAILED': 'None failed',
  'rule.ALL_SUCCESS.help': 'Runs when every parent succeeded (or was skipped or not selected).', 'rule.ALL_DONE.help': 'Runs when every parent ended, whatever its state: cleanup jobs.',
  'rule.ONE_SUCCESS.help': 'Runs as soon as one parent succeeded.', 'rule.ONE_FAILED.help': 'Runs as soon as one parent failed: on-failure handlers.', 'rule.NONE_FAILED.help': 'Runs when every parent ended and none failed.',
  'window.today': 'Today', 'window.yesterday': 'Yesterday', 'window.thisHour': 'This hour', 'window.lastHour': 'Last hour', 'window.lastNHours': 'Last N hours',
  'window.thisWeek': 'This week', 'window.lastWeek': 'Last week', 'window.thisMonth': 'This month', 'window.lastMonth': 'Last month', 'window.lastNDays': 'Last N days',
  'NOT_SELECTED': 'NOT_SELECTED',
  'maxDuration.help': '0: none. When it passes, RUN_TIMEOUT is sent and the choice applies.',
  'maxDuration.ALERT': 'Alert only, go on', 'maxDuration.FAIL': 'Stop the jobs, fail the run', 'maxDuration.ABORT': 'Abort the run',
  'timeoutAction.help': 'At the timeout: Fail (default) stops the job and fails it; Warn sends JOB_TIMEOUT and lets it go on; Warn and fail sends it, then stops the job.',
  'timeoutAction.FAIL': 'Fail', 'timeoutAction.WARN': 'Warn, go on', 'timeoutAction.WARN_AND_FAIL': 'Warn and fail',
  'foreach.help': 'Runs the chosen workflow once per item of the list (a child run, trigger SUBFLOW), the item in the item param. When more items fail than tolerated the node fails and no more items start. Rerun failed reruns only the items that did not succeed.',
  'Make-up workdays (调休)': 'Make-up workdays', 'calendar.SKIP.help': 'only on calendar days; other days do not run.',
  'calendar.DRY_RUN.help': 'every day; on other days the run succeeds at once with every job skipped (not executed).',
  'dst.SHIFT.help': 'fire it shifted forward by the gap (02:30 → 03:30).', 'dst.SKIP.help': 'do not fire it that day.',
  'dst.ONCE.help': 'fire its first occurrence only (still summer time).', 'dst.TWICE.help': 'fire both occurrences.',
  'reprocess.ALL': 'Every fire time (default)', 'reprocess.NONE': 'Leave out fire times with a successful run', 'reprocess.FAILED': 'Only fire times whose latest run failed or was aborted',
  'baseline.targets.help': '1 to 50 workflows that must finish in time, or one job of one; none picked: the whole run.',
  'finishBy.help': 'HH:MM: that time on the data date; +1d HH:MM: that time on the day after (in the zone chosen).',
  'margin.help': 'WARNING when the predicted finish passes finishBy minus the margin.', 'baseline.channels.help': 'Told of WARNING, BREACHED and recovery.',
  'baseline.priority.help': 'While WARNING, the Temporal priority of key-path jobs not yet started (1 first).',
  'target.NOT_STARTED': 'Not started', 'target.RUNNING': 'Running', 'target.SUCCESS': 'Succeeded', 'target.FAILED': 'Failed',
  'prediction.basis': 'p50 and p90 of up to {n} recent successful runs of each of the {m} jobs left to run',
  'prediction.none': '{n} job(s) left to run have no successful run yet ({jobs})',
}

// Each feature folder may keep its own Chinese in a zh.ts next to its
// screens; they are merged here so t() has one dictionary.
const featureZh = import.meta.glob<Record<string, string>>('../features/*/zh.ts', { eager: true, import: 'default' })
for (const d of Object.values(featureZh)) Object.assign(zh, d)

const dicts: Record<Lang, Record<string, string>> = { zh, en }

function initialLang(): Lang {
  const saved = localStorage.getItem('jobflow.lang')
  if (saved === 'zh' || saved === 'en') return saved
  const prefs = navigator.languages?.length ? navigator.languages : [navigator.language]
  return prefs.some((l) => l.toLowerCase().startsWith('zh')) ? 'zh' : 'en'
}

// apiLanguage is the Accept-Language the API client sends, so the
// server's error messages come in the language the console shows (a user
// may pick English in a Chinese browser).
export function apiLanguage(): string {
  return initialLang() === 'zh' ? 'zh-CN' : 'en'
}

// tr translates outside React (the API client's messages), in the
// language the console shows.
export function tr(key: string, vars?: Record<string, string | number>): string {
  let s = dicts[initialLang()][key] ?? key
  if (vars) for (const [k, v] of Object.entries(vars)) s = s.replace('{' + k + '}', String(v))
  return s
}

export type T = (key: string, vars?: Record<string, string | number>) => string

interface I18n {
  lang: Lang
  t: T
  setLang: (l: Lang) => void
}

const Ctx = createContext<I18n | null>(null)

export function I18nProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Lang>(initialLang)
  const value = useMemo<I18n>(() => {
    const d = dicts[lang]
    const t: T = (key, vars) => {
      let s = d[key] ?? key
      if (vars) for (const [k, v] of Object.entries(vars)) s = s.replace('{' + k + '}', String(v))
      return s
    }
    return {
      lang,
      t,
      setLang: (l) => {
        localStorage.setItem('jobflow.lang', l)
        document.documentElement.lang = l === 'zh' ? 'zh-CN' : 'en'
        setLangState(l)
      },
    }
  }, [lang])
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>
}

export function useI18n(): I18n {
  const v = useContext(Ctx)
  if (!v) throw new Error('useI18n outside I18nProvider')
  return v
}
