// The run grid (Airflow's Grid view): the workflow's jobs down the side in
// canvas order, its last runs across, oldest on the left and newest on the
// right, a square per node run in its status colour. Built of plain
// elements with one delegated handler for hover, focus and click (an antd
// Tooltip per cell would be thousands of components), and only the rows
// in view are rendered, so 2,000 jobs × 100 runs scroll smoothly.
import { memo, useRef, useState, type MouseEvent, type FocusEvent, type UIEvent } from 'react'
import { useI18n, type T } from '../../lib/i18n'
import { useRouter } from '@tanstack/react-router'
import { StatusTag, statusColor } from '../../lib/status'
import { time } from '../../lib/format'
import dayjs from 'dayjs'
import type { GridJob, GridRun } from './api'
import { ms, runMs } from './ms'
import { cellHref } from './links'

// A cell's colour comes from its data-status through one stylesheet made
// from the status colours, not from a style object per cell: thousands of
// cells mount on a long scroll.
const sheet = document.createElement('style')
sheet.textContent = Object.entries(statusColor).map(([s, c]) => `.jf-grid-cell[data-status="${s}"]{background:${c}}`).join('\n')
document.head.appendChild(sheet)

export const NAME_W = 220
export const COL_W = 20
const ROW_H = 22
const BAR_H = 32
const OVERSCAN = 6

interface Props { jobs: GridJob[]; runs: GridRun[]; selected: string; onSelect: (jobId: string) => void; now: number }

type Win = { first: number; last: number }

// rowsInView: the rows under the sticky header and above the bottom edge,
// with a few more on each side so a small scroll shows rows already there.
function rowsInView(el: { scrollTop: number; clientHeight: number }, head: number, n: number): Win {
  return {
    first: Math.max(0, Math.floor(el.scrollTop / ROW_H) - OVERSCAN),
    last: Math.min(n, Math.ceil((el.scrollTop + el.clientHeight - head) / ROW_H) + OVERSCAN),
  }
}

export function Grid({ jobs, runs, selected, onSelect, now }: Props) {
  const router = useRouter()
  const { t } = useI18n()
  const head = useRef<HTMLDivElement>(null)
  const [win, setWin] = useState<Win>(() => ({ first: 0, last: Math.min(jobs.length, Math.ceil(window.innerHeight / ROW_H) + OVERSCAN) }))
  const [tip, setTip] = useState<{ x: number; y: number; r: number; j: number } | null>(null)
  const columns = NAME_W + 'px repeat(' + runs.length + ', ' + COL_W + 'px)'
  const width = NAME_W + runs.length * COL_W
  const last = Math.min(win.last, jobs.length)

  function point(e: MouseEvent | FocusEvent) {
    const el = (e.target as Element).closest<HTMLElement>('[data-r]')
    if (!el) return setTip(null)
    const b = el.getBoundingClientRect()
    setTip({ x: b.left + b.width / 2, y: b.bottom + 6, r: Number(el.dataset.r), j: el.dataset.j ? Number(el.dataset.j) : -1 })
  }
  function click(e: MouseEvent) {
    const el = e.target as Element
    const job = el.closest<HTMLElement>('[data-job]')
    if (job) return onSelect(job.dataset.job!)
    const a = el.closest('a')
    if (!a || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return
    e.preventDefault()
    void router.navigate({ href: a.getAttribute('href')! })
  }
  // A scroll re-renders only when other rows come into view.
  function scroll(e: UIEvent<HTMLDivElement>) {
    setTip(null)
    const w = rowsInView(e.currentTarget, head.current?.offsetHeight ?? 0, jobs.length)
    setWin((old) => (old.first === w.first && old.last === w.last ? old : w))
  }

  const rows = []
  for (let i = win.first; i < last; i++) {
    rows.push(<Row key={jobs[i].id} job={jobs[i]} j={i} runs={runs} columns={columns} selected={jobs[i].id === selected} t={t} />)
  }
  return (
    <>
      <div className="jf-grid" style={{ maxHeight: 'calc(100vh - 260px)', minHeight: 160 }} onScroll={scroll} data-testid="run-grid"
        onMouseOver={point} onMouseLeave={() => setTip(null)} onFocus={point} onBlur={() => setTip(null)} onClick={click}>
        <div className="jf-grid-head" style={{ width }} ref={head}>
          <Head runs={runs} now={now} t={t} />
        </div>
        <div className="jf-grid-body" style={{ width, height: jobs.length * ROW_H }}>{rows}</div>
      </div>
      {tip && <Tip tip={tip} jobs={jobs} runs={runs} now={now} />}
    </>
  )
}

// Head is the run columns' headers: a bar as long as the run, in its
// status colour, under its start time and trigger (memoized: scrolling
// does not touch it).
const Head = memo(function Head({ runs, now, t }: { runs: GridRun[]; now: number; t: T }) {
  const longest = Math.max(1, ...runs.map((r) => runMs(r, now) ?? 0))
  return (<>
    <div className="jf-grid-corner" style={{ width: NAME_W }}>{t('Job')} \ {t('Run')}</div>
    {runs.map((r, i) => {
      const d = runMs(r, now)
      return (
        <a key={r.id} className="jf-grid-run" href={'/runs/' + r.id} style={{ width: COL_W }} data-r={i} data-status={r.status} data-testid={'grid-run-' + r.id}
          aria-label={t('Run') + ' ' + time(r.startedAt) + ', ' + t(r.trigger) + ', ' + t(r.status) + ', ' + ms(d)}>
          <span className="jf-grid-label">{dayjs(r.startedAt).format('MM-DD HH:mm') + ' ' + t(r.trigger)}</span>
          <span className="jf-grid-barbox" style={{ height: BAR_H }}>
            <span className="jf-grid-bar" style={{ height: Math.max(2, Math.round(((d ?? 0) / longest) * BAR_H)), background: statusColor[r.status] ?? '#8c8c8c' }} />
          </span>
        </a>
      )
    })}
  </>)
})

// Row is one job's line: a CSS grid of the name and one element per run
// (the cell, or an empty square where the job did not run). Memoized, so
// moving the tooltip re-renders no row; only a new answer or new rows do.
const Row = memo(function Row({ job, j, runs, columns, selected, t }: { job: GridJob; j: number; runs: GridRun[]; columns: string; selected: boolean; t: T }) {
  return (
    <div className={'jf-grid-row' + (selected ? ' jf-selected' : '')} style={{ top: j * ROW_H, height: ROW_H, gridTemplateColumns: columns }}
      data-testid={'grid-row-' + job.name}>
      <button type="button" className="jf-grid-name" data-job={job.id} data-testid={'grid-job-' + job.name}
        aria-pressed={selected} title={t('Duration trend') + ': ' + job.name}>
        <span className="jf-job-type">{job.type}</span><span>{job.name}</span>
      </button>
      {runs.map((r, i) => {
        const c = r.cells[job.id]
        return c
          ? <a key={r.id} className="jf-grid-cell" href={cellHref(r.id, job.id)} data-r={i} data-j={j} data-status={c.status}
              data-testid={'grid-cell-' + job.name + '-' + r.id} aria-label={job.name + ': ' + t(c.status) + ', ' + ms(c.durationMs)} />
          : <span key={r.id} className="jf-grid-none" />
      })}
    </div>
  )
})

// Tip is the one tooltip of the grid: a node run (job and run) or a run.
function Tip({ tip, jobs, runs, now }: { tip: { x: number; y: number; r: number; j: number }; jobs: GridJob[]; runs: GridRun[]; now: number }) {
  const { t } = useI18n()
  const r = runs[tip.r]
  if (!r) return null
  const job = tip.j >= 0 ? jobs[tip.j] : undefined
  const c = job ? r.cells[job.id] : undefined
  const left = Math.max(8, Math.min(tip.x - 120, window.innerWidth - 370))
  const top = tip.y + 160 > window.innerHeight ? tip.y - 190 : tip.y
  return (
    <div className="jf-grid-tip" style={{ left, top }} data-testid="grid-tip" role="tooltip">
      {job && c ? (<>
        <div><b>{job.name}</b></div>
        <div>{t('Status')}: <StatusTag status={c.status} /></div>
        <div>{t('Duration')}: <span data-testid="grid-tip-duration">{c.durationMs === null ? (c.status === 'RUNNING' ? t('RUNNING') : '-') : ms(c.durationMs)}</span></div>
        {c.attempt > 1 && <div>{t('Attempt')}: {c.attempt}</div>}
        <div style={{ opacity: .75 }}>{t('Run')} {time(r.startedAt)} · {t(r.trigger)}</div>
      </>) : (<>
        <div><b>{time(r.startedAt)}</b></div>
        <div>{t('Status')}: <StatusTag status={r.status} /></div>
        <div>{t('Trigger')}: {t(r.trigger)}</div>
        <div>{t('Duration')}: {ms(runMs(r, now))}{r.endedAt ? '' : ' …'}</div>
        <div>{t('Version')}: {r.versionNumber ? 'v' + r.versionNumber : t('Draft')}</div>
        <div className="jf-mono" style={{ opacity: .75 }}>{r.id}</div>
      </>)}
    </div>
  )
}
