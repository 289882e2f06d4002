// The audit log's action and object codes in words (English keys of t()):
// the actions the routes declare (httpapi, `audit:`) and those written by
// the scheduler and the reconcilers (docs/lifecycle.md#audit-log).
export const actionWords: Record<string, string> = {
  'workflow.create': 'Create workflow', 'workflow.edit': 'Edit workflow', 'workflow.delete': 'Delete workflow', 'workflow.canvas.save': 'Save canvas',
  'workflow.config.save': 'Save config', 'workflow.publish': 'Publish workflow', 'workflow.offline': 'Take workflow offline', 'workflow.copy': 'Copy workflow',
  'workflow.import': 'Import workflows', 'workflow.version.restore': 'Restore version', 'workflow.backfill': 'Backfill',
  'job.create': 'Create job', 'job.edit': 'Edit job', 'job.delete': 'Delete job',
  'run.start': 'Start run', 'run.abort': 'Abort run', 'run.rerun': 'Rerun', 'run.break': 'Break node', 'run.pause': 'Pause run', 'run.resume': 'Resume run',
  'run.mark_success': 'Mark node succeeded', 'run.approve': 'Approve', 'run.reject': 'Reject', 'run.decide_link': 'Decide by approval link',
  'run.invoke': 'External invocation', 'run.schedule': 'Scheduled run', 'run.reconcile': 'Run settled by the reconciler',
  'schedule.reconcile.create': 'Schedule created by the reconciler', 'schedule.reconcile.update': 'Schedule updated by the reconciler',
  'schedule.reconcile.delete': 'Schedule deleted by the reconciler',
  'variable.create': 'Create variable', 'variable.edit': 'Edit variable', 'variable.delete': 'Delete variable',
  'datasource.create': 'Create datasource', 'datasource.edit': 'Edit datasource', 'datasource.delete': 'Delete datasource', 'datasource.test': 'Test datasource',
  'alarm_channel.create': 'Create alarm channel', 'alarm_channel.edit': 'Edit alarm channel', 'alarm_channel.delete': 'Delete alarm channel',
  'alarm_channel.test': 'Test alarm channel', 'calendar.create': 'Create calendar', 'calendar.edit': 'Edit calendar', 'calendar.delete': 'Delete calendar',
  'calendar.import': 'Import calendar days', 'pool.create': 'Create pool', 'pool.edit': 'Edit pool', 'pool.delete': 'Delete pool',
  'baseline.create': 'Create baseline', 'baseline.edit': 'Edit baseline', 'baseline.delete': 'Delete baseline',
  'api_token.create': 'Create API token', 'api_token.revoke': 'Revoke API token', 'invoke_token.create': 'Create invoke token', 'invoke_token.revoke': 'Revoke invoke token',
  'auth.login': 'Log in', 'auth.logout': 'Log out', 'auth.throttles.clear': 'Clear login throttles',
  'member.set': 'Add member', 'member.role': 'Change member role', 'member.remove': 'Remove member',
  'tenant.create': 'Create tenant', 'tenant.edit': 'Edit tenant', 'user.create': 'Create user', 'user.edit': 'Edit user',
  'user.password.change': 'Change password', 'user.password.reset': 'Reset password', 'license.install': 'Install license',
  'temporal_ui.write': 'Write in the Temporal Web UI',
}

export const objectWords: Record<string, string> = {
  workflow: 'Workflow', run: 'Run', job: 'Job', variable: 'Variable', api_token: 'API token', invoke_token: 'Invoke token', auth: 'Login',
  member: 'Member', license: 'License', datasource: 'Datasource', alarm_channel: 'Alarm channel', schedule: 'Schedule', calendar: 'Calendar',
  pool: 'Pool', baseline: 'Baseline', tenant: 'Tenant', user: 'User', temporal_ui: 'Temporal Web UI',
}

// resultWords: an action refused or failed shows its error code (docs/api.md#errors) in words.
export const resultWords: Record<string, string> = {
  INVALID: 'Refused: bad input', UNAUTHORIZED: 'Refused: not logged in', FORBIDDEN: 'Refused: not allowed', LIMIT_EXCEEDED: 'Refused: limit exceeded',
  NOT_FOUND: 'Refused: not found', CONFLICT: 'Refused: conflict', TOO_LARGE: 'Refused: too large', TOO_MANY_REQUESTS: 'Refused: too many requests',
  UNAVAILABLE: 'Failed: unavailable', INTERNAL: 'Failed: internal error',
}
