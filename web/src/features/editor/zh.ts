// The editor's Chinese (undo, copy/paste, palette, shortcuts).
export default {
  'Undo': '撤销',
  'Redo': '重做',
  'Nothing to undo': '没有可撤销的操作',
  'Nothing to redo': '没有可重做的操作',
  'Copied {n} jobs': '已复制 {n} 个作业',
  'Pasted {n} jobs': '已粘贴 {n} 个作业',
  'Select jobs on the canvas first (click, Shift+click or Shift+drag).': '请先在画布上选择作业（单击、Shift+单击或按住 Shift 拖动框选）。',
  'On canvas': '已在画布',
  'Job types': '作业类型',
  '{n} jobs, zoom in to edit': '{n} 个作业，放大后可编辑',
  '{n} jobs, zoom in for details': '{n} 个作业，放大后查看详情',
  'Drag a type onto the canvas to add a new job of it.': '将作业类型拖到画布上即可新建该类型的作业。',
}
