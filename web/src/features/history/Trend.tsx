// A job's duration trend over the grid's runs (oldest left, as the grid):
// a bar per run in the node's status colour, height by duration, with the
// median as a dashed line. Plain SVG; each bar links to the node in its run.
import type { MouseEvent } from 'react'
import { useI18n } from '../../lib/i18n'
import { useRouter } from '@tanstack/react-router'
import { statusColor } from '../../lib/status'
import { time } from '../../lib/format'
import type { GridJob, GridRun } from './api'
import { COL_W, NAME_W } from './Grid'
import { cellHref } from './links'
import { ms } from './ms'

const H = 90

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}

export function Trend({ job, runs }: { job: GridJob; runs: GridRun[] }) {
  const router = useRouter()
  const { t } = useI18n()
  const points = runs.map((r) => ({ run: r, cell: r.cells[job.id] }))
  const ended = points.filter((p) => p.cell && p.cell.durationMs !== null).map((p) => p.cell!.durationMs!)
  const max = Math.max(1, ...ended)
  const p50 = ended.length ? median(ended) : 0
  const last = [...points].reverse().find((p) => p.cell && p.cell.durationMs !== null)
  const y = (v: number) => H - Math.max(2, (v / max) * H)

  function click(e: MouseEvent) {
    const a = (e.target as Element).closest('a')
    if (!a || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return
    e.preventDefault()
    void router.navigate({ href: a.getAttribute('href')! })
  }
  return (
    <div data-testid="trend" data-job={job.name} style={{ background: '#fff', border: '1px solid #f0f0f0', padding: '8px 0' }}>
      <div style={{ display: 'flex', gap: 16, flexWrap: 'wrap', padding: '0 12px 6px', fontSize: 13 }}>
        <b>{t('Duration trend')}: {job.name}</b>
        <span data-testid="trend-stats">
          {t('{n} ended', { n: ended.length })} · {t('Median')} {ended.length ? ms(Math.round(p50)) : '-'} · {t('Longest')} {ended.length ? ms(max) : '-'}
          {' · '}{t('Latest')} {last ? ms(last.cell!.durationMs) : '-'}
        </span>
      </div>
      <div style={{ overflowX: 'auto' }}>
        <div style={{ display: 'flex', alignItems: 'stretch' }}>
          <div style={{ width: NAME_W, flex: 'none', position: 'relative', fontSize: 11, color: '#8c8c8c', textAlign: 'right', paddingRight: 8, boxSizing: 'border-box', height: H }}>
            <div style={{ position: 'absolute', right: 8, top: -6 }}>{ms(max)}</div>
            {ended.length > 0 && <div style={{ position: 'absolute', right: 8, top: y(p50) - 7 }}>{t('Median')}</div>}
            <div style={{ position: 'absolute', right: 8, bottom: -6 }}>0</div>
          </div>
          <svg width={runs.length * COL_W} height={H} onClick={click} role="img" aria-label={t('Duration trend') + ': ' + job.name} style={{ flex: 'none', overflow: 'visible' }}>
            <line x1={0} x2={runs.length * COL_W} y1={H} y2={H} stroke="#d9d9d9" />
            {points.map(({ run, cell }, i) => {
              if (!cell) return null
              const d = cell.durationMs
              const x = i * COL_W + 4
              const label = time(run.startedAt) + ' · ' + t(cell.status) + ' · ' + (d === null ? '-' : ms(d))
              return (
                <a key={run.id} href={cellHref(run.id, job.id)} aria-label={label}>
                  <rect x={x} y={d === null ? H - 2 : y(d)} width={COL_W - 8} height={d === null ? 2 : H - y(d)} rx={2}
                    fill={statusColor[cell.status] ?? '#8c8c8c'} data-testid="trend-bar" data-ms={d ?? ''} data-status={cell.status}>
                    <title>{label}</title>
                  </rect>
                </a>
              )
            })}
            {ended.length > 0 && <line x1={0} x2={runs.length * COL_W} y1={y(p50)} y2={y(p50)} stroke="#595959" strokeDasharray="4 3" data-testid="trend-median" />}
          </svg>
        </div>
      </div>
    </div>
  )
}
