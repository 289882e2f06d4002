// Chinese for the outage notices (offline banner, route error, not current).
export default {
  'Cannot reach the server': '无法连接服务器',
  'The server is unavailable ({status}).': '服务器暂时不可用（{status}）。',
  'since {time}; retrying every few seconds. Changes are not saved until it answers.': '自 {time} 起；每隔几秒自动重试。服务器恢复前，修改不会保存。',
  'This page could not be loaded: cannot reach the server': '页面加载失败：无法连接服务器',
  'This page could not be shown': '页面无法显示',
  'It loads again by itself once the server answers, or press Retry.': '服务器恢复后会自动重新加载，也可以点击重试。',
  'Retry': '重试',
  'Not current: the data shown was loaded at {time} and could not be refreshed.': '数据可能已过期：显示的是 {time} 加载的数据，刷新失败。',
}
