// 复制、导出、导入.
export default {
  'Copy workflow': '复制作业流', 'Export YAML': '导出 YAML', 'Export all': '导出全部', 'Export {n} selected': '导出所选 {n} 个', 'Import workflows': '导入作业流',
  'More': '更多', 'Version history': '版本历史', 'Name of the copy': '副本名称', 'Copied to {name}': '已复制为 {name}',
  'The copy is a new draft with the same jobs, canvas and config; it is not published.': '副本是一个新的草稿，作业、画布和配置相同；不会发布。',
  'Choose a file': '选择文件', 'Update existing drafts': '覆盖同名草稿', 'Only new workflows': '仅新建',
  'A workflow of the same name gets the document as its draft (jobs matched by name); what is published does not change.': '同名作业流的草稿替换为文档内容（作业按名称匹配）；已发布的版本不受影响。',
  'Every workflow must be new: a taken name is a problem.': '每个作业流都必须是新的：名称已存在即为问题。',
  'Paste jobflow/v1 documents (YAML or JSON, several separated by ---) or choose a file. A dry run shows what would change and every problem; nothing is written before Import.':
    '粘贴 jobflow/v1 文档（YAML 或 JSON，多个用 --- 分隔）或选择文件。预检会列出将要发生的变更和所有问题；点击导入之前不会写入任何内容。',
  'Dry run': '预检', 'The server refused the document': '服务端拒绝了该文档', 'No problems: ready to import': '没有问题，可以导入',
  '{n} problem(s): nothing can be imported until they are fixed': '{n} 个问题：修正之前无法导入', 'Warnings': '警告', 'Where': '位置', 'Problem': '问题',
  'Imported {n} workflow(s)': '已导入 {n} 个作业流', 'A new workflow': '新作业流', 'New workflow': '新建', 'Draft updated': '更新草稿', 'Unchanged': '无变化',
}
