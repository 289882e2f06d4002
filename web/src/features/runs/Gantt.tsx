// A Gantt of the node runs' start and end times.
import type { NodeRun } from '../../api/client'
import { statusColor } from '../../lib/status'
import { duration, time } from '../../lib/format'

export function Gantt({ nodes, onSelect }: { nodes: NodeRun[]; onSelect: (jobId: string) => void }) {
  const started = nodes.filter((n) => n.startedAt)
  if (!started.length) return <div data-testid="gantt">-</div>
  const t0 = Math.min(...started.map((n) => Date.parse(n.startedAt!)))
  const t1 = Math.max(...started.map((n) => (n.endedAt ? Date.parse(n.endedAt) : Date.now())), t0 + 1)
  const span = t1 - t0
  const rows = [...started].sort((a, b) => Date.parse(a.startedAt!) - Date.parse(b.startedAt!)).slice(0, 500)
  return (
    <div data-testid="gantt" style={{ maxHeight: 320, overflow: 'auto' }}>
      {rows.map((n) => {
        const s = Date.parse(n.startedAt!) - t0
        const e = (n.endedAt ? Date.parse(n.endedAt) : Date.now()) - t0
        return (
          <div key={n.jobId} style={{ display: 'flex', alignItems: 'center', height: 20, cursor: 'pointer' }} onClick={() => onSelect(n.jobId)}
            title={`${n.jobName}: ${time(n.startedAt)} → ${time(n.endedAt)} (${duration(n.startedAt, n.endedAt)})`}>
            <div style={{ width: 160, fontSize: 12, overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }}>{n.jobName}</div>
            <div style={{ flex: 1, position: 'relative', height: 14, background: '#fafafa' }}>
              <div className="jf-gantt-bar" data-testid={'gantt-bar-' + n.jobName}
                style={{ left: (s / span) * 100 + '%', width: Math.max(((e - s) / span) * 100, 0.3) + '%', background: statusColor[n.status] }} />
            </div>
            <div style={{ width: 80, fontSize: 11, textAlign: 'right', color: '#888' }}>{duration(n.startedAt, n.endedAt)}</div>
          </div>
        )
      })}
    </div>
  )
}
