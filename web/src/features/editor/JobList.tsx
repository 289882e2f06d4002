// The editor's left panel: the workflow's jobs, searchable, each draggable
// onto the canvas (拖拽), with edit, copy and delete. Rows are plain
// elements (no antd component per row) and the list is memoized: the
// editor re-renders on every drag frame, the list only when jobs change.
import { memo, useState } from 'react'
import { App, Button, Input, Space, Typography } from 'antd'
import { ApiError, type Job } from '../../api/client'
import { useI18n } from '../../lib/i18n'
import { useDeleteJob } from './api'
import { JobForm } from './JobForm'
import { useWord } from '../enums/words'

export const DRAG_TYPE = 'application/x-jobflow-job'

// A long list shows its first matches only: search narrows it (a 2,000-job
// workflow stays quick to open).
const SHOWN = 100

// onPlace puts a job on the canvas from the keyboard (Enter on its row).
interface Props { wfId: string; jobs: Job[]; onCanvas: Set<string>; childrenOf: Map<string, string[]>; onPlace?: (jobId: string) => void }

export const JobList = memo(function JobList({ wfId, jobs, onCanvas, childrenOf, onPlace }: Props) {
  const { t } = useI18n()
  const w = useWord()
  const { message, modal } = App.useApp()
  const [q, setQ] = useState('')
  const [dialog, setDialog] = useState<{ open: boolean; job?: Job; copyOf?: Job }>({ open: false })
  const remove = useDeleteJob(wfId)
  const lq = q.toLowerCase()
  const matches = lq ? jobs.filter((j) => j.name.toLowerCase().includes(lq)) : jobs
  const shown = matches.slice(0, SHOWN)

  function confirmDelete(j: Job) {
    modal.confirm({
      title: t('Delete this job?'), content: j.name, okText: t('OK'), cancelText: t('Cancel'), okButtonProps: { danger: true, ...({ 'data-testid': 'confirm-ok' } as object) },
      onOk: async () => {
        try {
          await remove.mutateAsync(j.id)
        } catch (e) {
          const msg = (e as Error).message
          message.error(e instanceof ApiError && e.status === 409 ? t('The job is on the canvas: remove it from the canvas and save first.') + ' (' + msg + ')' : msg)
        }
      },
    })
  }

  return (
    <div style={{ width: 300, borderRight: '1px solid #f0f0f0', display: 'flex', flexDirection: 'column', background: '#fff' }}>
      <Space.Compact style={{ padding: 8 }}>
        <Input size="small" allowClear placeholder={t('Search jobs')} value={q} onChange={(e) => setQ(e.target.value)} data-testid="job-search" />
        <Button size="small" type="primary" onClick={() => setDialog({ open: true })} data-testid="job-add">{t('Add job')}</Button>
      </Space.Compact>
      <Typography.Text type="secondary" style={{ fontSize: 11, padding: '0 8px' }}>{t('Drag onto the canvas (or Enter on a job)')} · {t('Jobs not on the canvas never run.')}</Typography.Text>
      {matches.length > shown.length && (
        <Typography.Text type="secondary" style={{ fontSize: 11, padding: '0 8px' }} data-testid="job-list-more">{shown.length} / {matches.length}</Typography.Text>
      )}
      <div style={{ overflow: 'auto', flex: 1 }} className="jf-joblist">
        {shown.map((j) => (
          // The row is focusable: Enter places the job on the canvas (or
          // shows it there); its actions are buttons, reachable by Tab.
          <div key={j.id} className="jf-job" draggable data-testid={'job-item-' + j.name}
            tabIndex={0} role="button" aria-label={j.name + ' · ' + t('Enter: place on the canvas')} data-on-canvas={onCanvas.has(j.id) ? 'true' : 'false'}
            onKeyDown={(e) => { if (e.key === 'Enter' && e.target === e.currentTarget) { e.preventDefault(); onPlace?.(j.id) } }}
            onDragStart={(e) => { e.dataTransfer.setData(DRAG_TYPE, j.id); e.dataTransfer.effectAllowed = 'move' }}>
            <span className="jf-job-type" title={j.type}>{w('jobType', j.type)}</span>
            <span className="jf-job-name" title={j.name}>{j.name}</span>
            {/* On the canvas already: a mark, not a faded row (it is not disabled). */}
            {onCanvas.has(j.id) && <span title={t('On canvas')} aria-label={t('On canvas')} style={{ color: '#1f6feb' }} data-testid={'job-on-canvas-' + j.name}>●</span>}
            <button type="button" className="jf-linkbtn" onClick={() => setDialog({ open: true, job: j })} data-testid={'job-edit-' + j.name}>{t('Edit')}</button>
            <button type="button" className="jf-linkbtn" onClick={() => setDialog({ open: true, copyOf: j })} data-testid={'job-copy-' + j.name}>{t('Copy')}</button>
            <button type="button" className="jf-linkbtn jf-danger" onClick={() => confirmDelete(j)} data-testid={'job-delete-' + j.name}>{t('Delete')}</button>
          </div>
        ))}
      </div>
      {dialog.open && <JobForm wfId={wfId} jobs={jobs} childrenOf={childrenOf} open job={dialog.job} copyOf={dialog.copyOf} onClose={() => setDialog({ open: false })} />}
    </div>
  )
})
