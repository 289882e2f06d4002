// The editor's left panel: the workflow's jobs, searchable, each draggable
// onto the canvas (拖拽), with edit, copy and delete.
import { useState } from 'react'
import { App, Button, Input, List, Popconfirm, Space, Tag, Typography } from 'antd'
import { ApiError, type Job } from '../../api/client'
import { useI18n } from '../../lib/i18n'
import { useDeleteJob } from './api'
import { JobForm } from './JobForm'

export const DRAG_TYPE = 'application/x-jobflow-job'

export function JobList({ wfId, jobs, onCanvas }: { wfId: string; jobs: Job[]; onCanvas: Set<string> }) {
  const { t } = useI18n()
  const { message } = App.useApp()
  const [q, setQ] = useState('')
  const [dialog, setDialog] = useState<{ open: boolean; job?: Job; copyOf?: Job }>({ open: false })
  const remove = useDeleteJob(wfId)
  // A long list shows its first matches only: search narrows it (a
  // 2,000-job workflow stays quick to open).
  const matches = jobs.filter((j) => j.name.toLowerCase().includes(q.toLowerCase()))
  const shown = matches.slice(0, 100)

  async function doDelete(j: Job) {
    try {
      await remove.mutateAsync(j.id)
    } catch (e) {
      const msg = (e as Error).message
      message.error(e instanceof ApiError && e.status === 409 ? t('The job is on the canvas: remove it from the canvas and save first.') + ' (' + msg + ')' : msg)
    }
  }

  return (
    <div style={{ width: 300, borderRight: '1px solid #f0f0f0', display: 'flex', flexDirection: 'column', background: '#fff' }}>
      <Space.Compact style={{ padding: 8 }}>
        <Input size="small" allowClear placeholder={t('Search jobs')} value={q} onChange={(e) => setQ(e.target.value)} data-testid="job-search" />
        <Button size="small" type="primary" onClick={() => setDialog({ open: true })} data-testid="job-add">{t('Add job')}</Button>
      </Space.Compact>
      <Typography.Text type="secondary" style={{ fontSize: 11, padding: '0 8px' }}>{t('Drag onto the canvas')} · {t('Jobs not on the canvas never run.')}</Typography.Text>
      {matches.length > shown.length && (
        <Typography.Text type="secondary" style={{ fontSize: 11, padding: '0 8px' }} data-testid="job-list-more">{shown.length} / {matches.length}</Typography.Text>
      )}
      <List size="small" style={{ overflow: 'auto', flex: 1 }} dataSource={shown} renderItem={(j) => (
        <List.Item draggable data-testid={'job-item-' + j.name}
          onDragStart={(e) => { e.dataTransfer.setData(DRAG_TYPE, j.id); e.dataTransfer.effectAllowed = 'move' }}
          style={{ cursor: 'grab', padding: '4px 8px', opacity: onCanvas.has(j.id) ? 0.55 : 1 }}
          actions={[
            <a key="e" onClick={() => setDialog({ open: true, job: j })} data-testid={'job-edit-' + j.name}>{t('Edit')}</a>,
            <a key="c" onClick={() => setDialog({ open: true, copyOf: j })} data-testid={'job-copy-' + j.name}>{t('Copy')}</a>,
            <Popconfirm key="d" title={t('Delete this job?')} onConfirm={() => doDelete(j)} okText={t('OK')} cancelText={t('Cancel')}
              okButtonProps={{ 'data-testid': 'confirm-ok' }}>
              <a style={{ color: '#f5222d' }} data-testid={'job-delete-' + j.name}>{t('Delete')}</a>
            </Popconfirm>,
          ]}>
          <Space size={4} style={{ minWidth: 0 }}>
            <Tag style={{ fontSize: 10, marginRight: 0 }}>{j.type}</Tag>
            <span style={{ overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap', maxWidth: 120, display: 'inline-block' }} title={j.name}>{j.name}</span>
          </Space>
        </List.Item>
      )} />
      <JobForm wfId={wfId} open={dialog.open} job={dialog.job} copyOf={dialog.copyOf} onClose={() => setDialog({ open: false })} />
    </div>
  )
}
