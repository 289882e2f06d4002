// Chinese for the layout: the not-found page.
export default {
  'Page not found': '页面不存在',
  'The console has no page at {path}.': '控制台没有 {path} 这个页面。',
}
