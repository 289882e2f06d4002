// 变量: tenant variables and secrets.
export default {
  'Variables': '变量', 'Add variable': '添加变量', 'Edit variable': '编辑变量', 'Value': '值', 'Plain': '普通', 'In jobs': '在作业中引用',
  'A secret needs a value': '密钥必须有值', 'Delete this variable? Jobs that use it will fail.': '确定删除该变量？引用它的作业将会失败。',
  'Letters, digits and _; cannot be renamed later.': '字母、数字和 _；创建后不能改名。', 'Write-only: it is never shown again.': '只写：保存后不再显示。',
  'A secret’s value is write-only; plain and secret cannot be switched later.': '密钥的值只写不读；创建后不能在普通变量和密钥之间切换。',
  'Plain variables are ${global.NAME} in jobs; secrets are ${{ secret.NAME }}, encrypted at rest and never shown again.':
    '普通变量在作业中写作 ${global.NAME}；密钥写作 ${{ secret.NAME }}，加密存储，保存后不再显示。',
}
