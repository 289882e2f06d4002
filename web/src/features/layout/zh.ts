// Chinese for the layout: the menu's groups and the not-found page.
export default {
  'Approvals': '待我审批', 'Monitoring': '监控', 'Resources': '资源',
  'Page not found': '页面不存在',
  'The console has no page at {path}.': '控制台没有 {path} 这个页面。',
}
