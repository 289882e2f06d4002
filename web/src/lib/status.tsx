// Status colours and icons, shared by the run view, lists and the canvas.
import { useWord, type Kind } from '../features/enums/words'

// White text on these passes WCAG AA (contrast ≥ 4.5:1; web/contrast_test.go
// computes every pair), and so do the icons drawn in them on white.
export const statusColor: Record<string, string> = {
  PENDING: '#595959', WAITING: '#722ed1', RUNNING: '#0958d9', SUCCESS: '#237804', FAIL: '#cf1322',
  UPSTREAM_FAILED: '#ad4e00', ABORTED: '#434343', ABORTING: '#d4380d', BREAK: '#c41d7f', SKIPPED: '#006d75', NOT_SELECTED: '#737373',
  DISABLED: '#6b6b6b', PAUSED: '#874d00', FORCED_SUCCESS: '#135200', QUEUED: '#1d39c4',
  DRAFT: '#595959', PUBLISHED: '#237804', OFFLINE: '#874d00', SENT: '#237804', FAILED: '#cf1322', SILENCED: '#595959',
  APPROVED: '#237804', REJECTED: '#cf1322',
  // a baseline's data date (基线) and its targets
  SAFE: '#237804', WARNING: '#ad4e00', BREACHED: '#cf1322', MET: '#0958d9', NOT_STARTED: '#595959',
}

// tagText is the text colour of a status tag; tagFallback the colour of a
// status not in the table.
export const tagText = '#ffffff'
export const tagFallback = '#595959'

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
export function StatusTag({ status, testid, label, kind = 'status' }: { status: string; testid?: string; label?: string; kind?: Kind }) {
  const w = useWord()
  const c = statusColor[status] ?? tagFallback
  return (
    <span className="jf-tag" style={{ background: c, borderColor: c, color: tagText }} data-testid={testid} data-status={status}>
      {statusIcon[status] ? statusIcon[status] + ' ' : ''}{label ?? w(kind, status)}
    </span>
  )
}
