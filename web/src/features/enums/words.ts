// Every code the API returns (statuses, triggers, alarm events, alarm
// record states, schedule policies, job types, roles …) in words, in both
// languages: "Run start" / 运行开始, never RUN_START. English is here; the
// Chinese is in zh.ts under "kind.CODE" (or, for the run and node
// statuses, the main dictionary's "CODE" keys). A code this table does not
// know yet reads as its words ("SOME_CODE" → "Some code"), not as the code.
import { useCallback } from 'react'
import { useI18n, type Lang } from '../../lib/i18n'

export type Kind = 'status' | 'trigger' | 'event' | 'record' | 'overlap' | 'dst' | 'calendar' | 'jobType' | 'role' | 'channel' | 'datasource' | 'sqlMode' | 'decision' | 'rule'

const en: Record<Kind, Record<string, string>> = {
  status: {
    PENDING: 'Pending', WAITING: 'Waiting', RUNNING: 'Running', SUCCESS: 'Succeeded', FAIL: 'Failed', UPSTREAM_FAILED: 'Upstream failed',
    ABORTED: 'Aborted', ABORTING: 'Aborting', BREAK: 'Interrupted', SKIPPED: 'Skipped', NOT_SELECTED: 'Not selected', DISABLED: 'Disabled',
    PAUSED: 'Paused', FORCED_SUCCESS: 'Marked succeeded', QUEUED: 'Queued', DRAFT: 'Draft', PUBLISHED: 'Published', OFFLINE: 'Offline',
    SENT: 'Sent', FAILED: 'Failed', SILENCED: 'Silenced', SAFE: 'Safe', WARNING: 'Warning', BREACHED: 'Breached', MET: 'Met',
    NOT_STARTED: 'Not started', APPROVED: 'Approved', REJECTED: 'Rejected',
  },
  trigger: { MANUAL: 'Manual', SCHEDULE: 'Scheduled', INVOKE: 'External call', RERUN: 'Rerun', BACKFILL: 'Backfill', SUBFLOW: 'Subflow' },
  event: {
    RUN_START: 'Run start', RUN_END: 'Run end', RUN_FAIL: 'Run failed', RUN_SUCCESS: 'Run succeeded', RUN_TIMEOUT: 'Run over its max duration',
    JOB_START: 'Job start', JOB_SUCCESS: 'Job succeeded', JOB_FAIL: 'Job failed', JOB_TIMEOUT: 'Job timed out', APPROVAL_WAITING: 'Awaiting approval',
    BASELINE_WARNING: 'Baseline warning', BASELINE_BREACHED: 'Baseline breached', BASELINE_RECOVERED: 'Baseline recovered', TEST: 'Test send',
  },
  record: { SENT: 'Sent', FAILED: 'Send failed', SILENCED: 'Silenced' },
  overlap: { SKIP: 'Skip', BUFFER_ONE: 'Buffer one', BUFFER_ALL: 'Buffer all', CANCEL_OTHER: 'Cancel the running one', TERMINATE_OTHER: 'Terminate the running one', ALLOW_ALL: 'Allow all' },
  dst: { SHIFT: 'Shift', SKIP: 'Skip', ONCE: 'Once', TWICE: 'Twice' },
  calendar: { SKIP: 'Skip', DRY_RUN: 'Dry run' },
  jobType: {
    SHELL: 'Shell', PYTHON: 'Python', SQL: 'SQL', HTTP: 'HTTP', CONDITION: 'Condition', SUBFLOW: 'Subflow', DEPENDENT: 'Dependency',
    APPROVAL: 'Approval', FOREACH: 'For each',
  },
  role: { SYS_ADMIN: 'System administrator', TENANT_ADMIN: 'Tenant admin', MEMBER: 'Member' },
  channel: { WEBHOOK: 'Webhook', DINGTALK: 'DingTalk', FEISHU: 'Feishu', WECOM: 'WeCom', EMAIL: 'Email' },
  datasource: { POSTGRES: 'PostgreSQL', MYSQL: 'MySQL' },
  sqlMode: { EXECUTE: 'Execute (rows affected)', QUERY: 'Query (keep the rows)' },
  decision: { APPROVED: 'Approved', REJECTED: 'Rejected' },
  rule: { ALL_SUCCESS: 'All succeeded (default)', ALL_DONE: 'All done', ONE_SUCCESS: 'One succeeded', ONE_FAILED: 'One failed', NONE_FAILED: 'None failed', allowFailure: 'Allow failure' },
}

// humanize: "SOME_CODE" → "Some code".
function humanize(code: string): string {
  const s = code.toLowerCase().replace(/_/g, ' ')
  return s.charAt(0).toUpperCase() + s.slice(1)
}

export type Word = (kind: Kind, code: string | undefined | null) => string

export function word(lang: Lang, t: (k: string) => string, kind: Kind, code: string | undefined | null): string {
  if (!code) return ''
  const english = en[kind][code] ?? humanize(code)
  if (lang === 'en') return english
  const key = kind + '.' + code
  let s = t(key)
  if (s !== key) return s
  if (kind === 'status') {
    s = t(code)
    if (s !== code) return s
  }
  const viaEnglish = t(english)
  return viaEnglish
}

// useWord gives the words of a code in the console's language.
export function useWord(): Word {
  const { lang, t } = useI18n()
  return useCallback((kind, code) => word(lang, t, kind, code), [lang, t])
}

// codes lists the codes of a kind (for filters and selects).
export function codes(kind: Kind): string[] {
  return Object.keys(en[kind])
}
