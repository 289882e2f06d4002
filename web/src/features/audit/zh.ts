// 审计日志, with the actions and objects in words (words.ts).
export default {
  'Audit log': '审计日志', 'Action': '操作', 'Object': '对象', 'Object id': '对象 ID', 'Only this object': '只看该对象', 'Result': '结果', 'Succeeded': '成功',
  'Summary': '摘要', 'Client': '客户端地址', 'System': '系统', 'API token': 'API 令牌', 'Clear filters': '清除筛选', '{n} entries': '共 {n} 条',
  'Create workflow': '新建作业流', 'Delete workflow': '删除作业流', 'Save canvas': '保存画布', 'Save config': '保存配置', 'Publish workflow': '发布作业流',
  'Take workflow offline': '下线作业流', 'Copy workflow': '复制作业流', 'Import workflows': '导入作业流', 'Restore version': '恢复版本',
  'Create job': '新建作业', 'Delete job': '删除作业', 'Start run': '开始运行', 'Abort run': '中止运行', 'Break node': '中断节点', 'Pause run': '暂停运行',
  'Resume run': '恢复运行', 'Mark node succeeded': '强制成功', 'Decide by approval link': '通过审批链接审批', 'Scheduled run': '调度运行',
  'Run settled by the reconciler': '由对账修复的运行', 'Schedule created by the reconciler': '由对账创建的调度', 'Schedule updated by the reconciler': '由对账更新的调度',
  'Schedule deleted by the reconciler': '由对账删除的调度', 'Create variable': '新建变量', 'Edit variable': '编辑变量', 'Delete variable': '删除变量',
  'Create datasource': '新建数据源', 'Edit datasource': '编辑数据源', 'Delete datasource': '删除数据源', 'Test datasource': '测试数据源',
  'Create alarm channel': '新建告警渠道', 'Edit alarm channel': '编辑告警渠道', 'Delete alarm channel': '删除告警渠道', 'Test alarm channel': '测试告警渠道',
  'Create calendar': '新建日历', 'Delete calendar': '删除日历', 'Import calendar days': '导入日历日期', 'Create pool': '新建资源池', 'Delete pool': '删除资源池',
  'Create baseline': '新建基线', 'Delete baseline': '删除基线', 'Create API token': '创建 API 令牌', 'Revoke API token': '吊销 API 令牌',
  'Create invoke token': '创建外部调用令牌', 'Revoke invoke token': '吊销外部调用令牌', 'Clear login throttles': '清除登录限制', 'Change member role': '修改成员角色',
  'Remove member': '移除成员', 'Create tenant': '新建租户', 'Edit tenant': '编辑租户', 'Create user': '新建用户', 'Edit user': '编辑用户',
  'Change password': '修改密码', 'Reset password': '重置密码', 'Write in the Temporal Web UI': '在 Temporal Web UI 中写操作',
  'Variable': '变量', 'Invoke token': '外部调用令牌', 'Login': '登录', 'Member': '成员', 'Alarm channel': '告警渠道', 'Calendar': '日历',
}
