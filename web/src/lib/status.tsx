// Status colours and icons, shared by the run view, lists and the canvas.
import { useI18n } from './i18n'

export const statusColor: Record<string, string> = {
  PENDING: '#8c8c8c', WAITING: '#722ed1', RUNNING: '#1677ff', SUCCESS: '#52c41a', FAIL: '#f5222d',
  UPSTREAM_FAILED: '#fa8c16', ABORTED: '#595959', ABORTING: '#faad14', BREAK: '#eb2f96', SKIPPED: '#13c2c2', NOT_SELECTED: '#bfbfbf',
  DISABLED: '#a6a6a6', PAUSED: '#d48806', FORCED_SUCCESS: '#389e0d', QUEUED: '#1d39c4',
  DRAFT: '#8c8c8c', PUBLISHED: '#52c41a', OFFLINE: '#faad14', SENT: '#52c41a', FAILED: '#f5222d',
  // a baseline's data date (基线) and its targets
  SAFE: '#52c41a', WARNING: '#fa8c16', BREACHED: '#f5222d', MET: '#1677ff', NOT_STARTED: '#8c8c8c',
}

export const statusIcon: Record<string, string> = {
  PENDING: '○', WAITING: '◷', RUNNING: '⟳', SUCCESS: '✓', FAIL: '✕', UPSTREAM_FAILED: '⤓', ABORTED: '■', ABORTING: '◼', BREAK: '⏸', SKIPPED: '↷',
  NOT_SELECTED: '⊘', DISABLED: '⊝', PAUSED: '‖', FORCED_SUCCESS: '✔', QUEUED: '⋯',
  SAFE: '✓', WARNING: '!', BREACHED: '✕', MET: '✔', NOT_STARTED: '○',
}

export const finalRun = (s?: string) => s === 'SUCCESS' || s === 'FAIL' || s === 'ABORTED' || s === 'SKIPPED'

// liveRun: a run that goes on (it can be aborted).
export const liveRun = (s?: string) => s === 'RUNNING' || s === 'PAUSED' || s === 'QUEUED'

// StatusTag looks like antd's coloured Tag but is one plain span: tables
// of hundreds of node runs render it per row. label replaces the status's
// own text (a status word that means something else on another page).
export function StatusTag({ status, testid, label }: { status: string; testid?: string; label?: string }) {
  const { t } = useI18n()
  const c = statusColor[status] ?? '#8c8c8c'
  return (
    <span className="jf-tag" style={{ background: c, borderColor: c, color: '#fff' }} data-testid={testid} data-status={status}>
      {statusIcon[status] ? statusIcon[status] + ' ' : ''}{label ?? t(status)}
    </span>
  )
}
