// 版本历史: the version list, the diff, restore and rollback.
export default {
  'Version history': '版本历史', 'Version {n}': '版本 {n}', 'Published by': '发布人', 'Note': '备注', 'Compare': '版本对比', 'From': '从', 'To': '到',
  'Restore': '恢复到草稿', 'Roll back': '回滚', 'Changes': '变更明细', 'Side by side': '并排对比', 'Edges': '连线', 'Field': '字段', 'Old': '旧值', 'New': '新值',
  'No differences': '没有差异', 'No version yet: every publish makes one.': '还没有版本：每次发布生成一个版本。',
  'Pick two sides to compare: From and To in the table.': '在表格中选择“从”和“到”两个版本进行对比。', 'The same side on both ends.': '两端是同一个版本。',
  'Published as version {n}': '已发布为版本 {n}', 'Restore version {n} into the draft?': '将版本 {n} 恢复到草稿？',
  'The draft’s jobs, canvas and config become those of the version; jobs not in the version are deleted from the draft. What is published does not change.':
    '草稿的作业、画布和配置将替换为该版本的内容；不在该版本中的作业会从草稿删除。已发布的版本不受影响。',
  'Roll back to version {n}?': '回滚到版本 {n}？', 'Rollback to version {n}': '回滚到版本 {n}',
  'The version is restored into the draft and published as a new version: schedules and runs use it from now on.': '该版本将恢复到草稿并作为新版本发布：此后的调度和运行都使用它。',
  'Too many differences to show line by line': '差异太多，无法逐行显示', 'Unpublished changes are compared here': '未发布的修改（当前草稿）',
  'Version {n} restored into the draft': '版本 {n} 已恢复到草稿', '{n} unchanged lines': '{n} 行未变化',
}
