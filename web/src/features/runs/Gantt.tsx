// A Gantt of the node runs' start and end times. While the run is live,
// the predicted bars of the jobs not yet ended are drawn hatched after the
// real ones (a running job's over its real bar, the jobs to come in rows
// of their own), those on the critical path in orange, with a line at now
// (when the run was read, so the real bars and the prediction agree).
//
// Virtualized: a 2,000-job run has 2,000 rows, all reachable by scrolling,
// but only the rows in view (and a few around them) are in the page; the
// rows have a fixed height and a spacer gives the scroll range.
import { useMemo, useState } from 'react'
import type { NodeRun } from '../../api/client'
import { useI18n } from '../../lib/i18n'
import { statusColor } from '../../lib/status'
import { duration, time } from '../../lib/format'
import type { Prediction } from './Prediction'

type Row = { jobId: string; name: string; node?: NodeRun; start: number; end: number; predicted?: { start: number; end: number } }

// ROW is a row's height, VIEW the height of the scrolled area, OVERSCAN
// the rows kept above and below it (a fast scroll shows no gap).
const ROW = 20
const VIEW = 320
const OVERSCAN = 10

// ganttRows are the started nodes by start, then the jobs predicted to
// come by predicted start, with the time span they cover.
function ganttRows(nodes: NodeRun[], prediction: Prediction | undefined, now: number) {
  const byId = new Map(nodes.map((n) => [n.jobId, n]))
  const predicted = new Map((prediction?.jobs ?? []).map((j) => [j.jobId, { start: Date.parse(j.startAt), end: Date.parse(j.finishAt) }]))
  const started: Row[] = nodes.filter((n) => n.startedAt).map((n) => ({ jobId: n.jobId, name: n.jobName, node: n, start: Date.parse(n.startedAt!),
    end: n.endedAt ? Date.parse(n.endedAt) : now, predicted: predicted.get(n.jobId) })).sort((a, b) => a.start - b.start)
  const seen = new Set(started.map((r) => r.jobId))
  const toCome: Row[] = [...predicted].filter(([id]) => !seen.has(id)).sort((a, b) => a[1].start - b[1].start)
    .map(([id, p]) => ({ jobId: id, name: byId.get(id)?.jobName ?? id, start: p.start, end: p.start, predicted: p }))
  const rows = [...started, ...toCome]
  let t0 = Infinity
  let t1 = -Infinity
  for (const r of rows) {
    t0 = Math.min(t0, r.start, r.predicted?.start ?? Infinity)
    t1 = Math.max(t1, r.end, r.predicted?.end ?? -Infinity)
  }
  return { rows, predicted: predicted.size > 0, t0, span: Math.max(t1, t0 + 1) - t0 }
}

export function Gantt({ nodes, prediction, now = Date.now(), onSelect }: { nodes: NodeRun[]; prediction?: Prediction; now?: number; onSelect: (jobId: string) => void }) {
  const { t } = useI18n()
  const [top, setTop] = useState(0)
  const { rows, predicted, t0, span } = useMemo(() => ganttRows(nodes, prediction, now), [nodes, prediction, now])
  const critical = useMemo(() => new Set(prediction?.criticalPath ?? []), [prediction])
  if (!rows.length) return <div data-testid="gantt">-</div>
  const pct = (v: number) => ((v - t0) / span) * 100 + '%'
  const width = (a: number, b: number) => Math.max(((b - a) / span) * 100, 0.3) + '%'
  const first = Math.max(0, Math.floor(top / ROW) - OVERSCAN)
  const last = Math.min(rows.length, Math.ceil((top + VIEW) / ROW) + OVERSCAN)
  return (
    <div data-testid="gantt">
      {predicted && (
        <div style={{ display: 'flex', gap: 16, fontSize: 12, color: '#595959', margin: '0 0 4px 160px' }} data-testid="gantt-legend">
          <span><span className="jf-gantt-predicted" style={{ position: 'relative', display: 'inline-block', width: 24, height: 10, verticalAlign: -1 }} /> {t('Predicted (p50)')}</span>
          <span><span className="jf-gantt-predicted jf-critical" style={{ position: 'relative', display: 'inline-block', width: 24, height: 10, verticalAlign: -1 }} /> {t('Critical path')}</span>
          <span><span style={{ display: 'inline-block', width: 0, height: 10, borderLeft: '1px dashed #f5222d', verticalAlign: -1 }} /> {t('Now')}</span>
        </div>
      )}
      <div style={{ maxHeight: VIEW, overflow: 'auto' }} data-testid="gantt-scroll" onScroll={(e) => setTop(e.currentTarget.scrollTop)}>
        <div style={{ position: 'relative', height: rows.length * ROW }} data-testid="gantt-rows" data-count={rows.length}>
          {rows.slice(first, last).map((r, k) => {
            const n = r.node
            const p = r.predicted
            const tip = n ? `${n.jobName}: ${time(n.startedAt)} → ${time(n.endedAt)} (${duration(n.startedAt, n.endedAt)})` : r.name
            return (
              <div key={r.jobId} style={{ position: 'absolute', top: (first + k) * ROW, left: 0, right: 0, display: 'flex', alignItems: 'center', height: ROW, cursor: 'pointer' }}
                onClick={() => onSelect(r.jobId)} data-testid={'gantt-row-' + r.name} data-index={first + k}
                title={tip + (p ? ` · ${t('Predicted')} ${time(new Date(p.start).toISOString())} → ${time(new Date(p.end).toISOString())}` : '')}>
                <div style={{ width: 160, fontSize: 12, overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap', color: n ? undefined : '#8c8c8c' }}>{r.name}</div>
                <div style={{ flex: 1, position: 'relative', height: 14, background: '#fafafa' }}>
                  {n && <div className="jf-gantt-bar" data-testid={'gantt-bar-' + n.jobName}
                    style={{ left: pct(r.start), width: width(r.start, r.end), background: statusColor[n.status] }} />}
                  {p && <div className={'jf-gantt-bar jf-gantt-predicted' + (critical.has(r.jobId) ? ' jf-critical' : '')} data-testid={'gantt-predicted-' + r.jobId}
                    data-critical={critical.has(r.jobId) ? 'true' : 'false'} style={{ left: pct(p.start), width: width(p.start, p.end) }} />}
                  {predicted && <div style={{ position: 'absolute', left: pct(now), top: -3, bottom: -3, borderLeft: '1px dashed #f5222d' }} />}
                </div>
                <div style={{ width: 80, fontSize: 11, textAlign: 'right', color: '#888' }}>
                  {n ? duration(n.startedAt, n.endedAt) : p ? '≈ ' + duration(new Date(p.start).toISOString(), new Date(p.end).toISOString()) : ''}</div>
              </div>
            )
          })}
        </div>
      </div>
    </div>
  )
}
