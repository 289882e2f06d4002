// 个人中心 and 个人令牌.
export default {
  'My account': '个人中心', 'Personal API tokens': '个人令牌', 'Create': '创建', 'Done': '完成', 'Last used': '最近使用', 'Never': '从不', 'Valid for (days)': '有效期（天）',
  'At most your own role in the tenant, checked at every call.': '不超过你在该租户中的角色，每次调用都会检查。',
  'Revoke this token? Scripts using it stop working.': '确定吊销该令牌？使用它的脚本将无法再调用。',
  'Use it as Authorization: Bearer <token>, e.g. JOBFLOW_TOKEN for jobflow apply.': '以 Authorization: Bearer <令牌> 使用，例如 jobflow apply 的 JOBFLOW_TOKEN。',
  'For scripts and jobflow apply: a token acts as you in one tenant with the role you give it (at most yours). Its text is shown once.':
    '用于脚本和 jobflow apply：令牌在一个租户中以你的身份、按所给角色（不超过你的角色）调用 API。令牌只显示一次。',
}
