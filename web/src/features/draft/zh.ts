// Chinese for the draft-differs marker and the save-before-publish dialog.
export default {
  'Changed since publish': '需要重新发布',
  'The saved draft differs from published version {n}: scheduled and invoked runs use the published one until you publish again.':
    '已保存的草稿与已发布的版本 {n} 不同：重新发布之前，调度和外部调用仍运行已发布的版本。',
  'Save and publish': '保存并发布',
  'Save the changes before publishing?': '发布前先保存修改？',
  'The canvas has unsaved changes. Publish publishes the saved draft: save first, then publish, or cancel.':
    '画布有未保存的修改。发布的是已保存的草稿：请先保存再发布，或取消。',
}
