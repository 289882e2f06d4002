import { useEffect, useState } from 'react'
import { App, Button, Card, Input, Popconfirm, Select, Space, Table, Tooltip } from 'antd'
import type { WorkflowItem } from '../../api/client'
import { useI18n } from '../../lib/i18n'
import { Link } from '@tanstack/react-router'
import { useWord } from '../enums/words'
import { DraftMarker } from '../draft/DraftMarker'
import { StatusTag } from '../../lib/status'
import { inZone, time } from '../../lib/format'
import { useDeleteWorkflow, useOffline, usePublish, useWorkflows } from './api'
import { useConfig } from '../config/api'
import { WorkflowFormModal } from './WorkflowFormModal'
import { TransferButtons, WorkflowMore } from '../transfer/WorkflowTransfer'

// useDebounced follows value after it has been still for ms.
function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value)
  useEffect(() => {
    const h = setTimeout(() => setV(value), ms)
    return () => clearTimeout(h)
  }, [value, ms])
  return v
}

// ScheduleZoneTime is the next run time in the schedule's own zone, shown on
// hover: the list carries no config, so the config is fetched (and cached)
// only when a tooltip opens.
function ScheduleZoneTime({ wfId, at }: { wfId: string; at: string }) {
  const { t } = useI18n()
  const cfg = useConfig(wfId)
  const zone = cfg.data?.schedule?.timezone
  return (
    <span data-testid="workflow-next-zone">
      {t('In the schedule’s zone')}: {zone ? inZone(at, zone) : cfg.error ? cfg.error.message : '…'}
    </span>
  )
}

export function WorkflowList() {
  const { t } = useI18n()
  const w = useWord()
  const { message, modal } = App.useApp()
  const [text, setText] = useState('')
  const search = useDebounced(text, 300)
  const [status, setStatus] = useState<string>('')
  const [page, setPage] = useState(1)
  const [pageSize, setPageSize] = useState(20)
  const [form, setForm] = useState<{ open: boolean; editing?: WorkflowItem }>({ open: false })
  const [selected, setSelected] = useState<WorkflowItem[]>([]) // for 导出
  const q = useWorkflows({ search, status, page, pageSize })
  const publish = usePublish()
  const offline = useOffline()
  const remove = useDeleteWorkflow()
  useEffect(() => setPage(1), [search, status])

  async function doPublish(w: WorkflowItem) {
    try {
      const r = await publish.mutateAsync(w.id)
      modal.success({
        title: t('Published') + ': ' + w.name,
        content: (
          <div data-testid="publish-result">
            <div>{t('Next run times')}:</div>
            {(r.nextRunTimes ?? []).map((x) => <div key={x}>{time(x)}</div>)}
          </div>
        ),
      })
    } catch (e) {
      message.error((e as Error).message)
    }
  }
  async function doOffline(w: WorkflowItem) {
    try {
      await offline.mutateAsync(w.id)
      message.success(t('Taken offline'))
    } catch (e) {
      message.error((e as Error).message)
    }
  }
  async function doDelete(w: WorkflowItem) {
    try {
      await remove.mutateAsync(w.id)
      message.success(t('Deleted'))
    } catch (e) {
      message.error({ content: (e as Error).message, className: 'jf-delete-error' })
    }
  }

  return (
    <Card title={t('Workflows')} extra={
      <Space>
        <Input.Search allowClear placeholder={t('Search name or remark')} value={text} onChange={(e) => setText(e.target.value)}
          style={{ width: 240 }} data-testid="workflow-search" />
        <Select value={status} onChange={setStatus} style={{ width: 120 }} data-testid="workflow-status-filter"
          options={[{ value: '', label: t('All') }, ...['DRAFT', 'PUBLISHED', 'OFFLINE'].map((s) => ({ value: s, label: w('status', s) }))]} />
        <TransferButtons selected={selected} />
        <Button type="primary" onClick={() => setForm({ open: true })} data-testid="workflow-add">{t('Add workflow')}</Button>
      </Space>
    }>
      <Table<WorkflowItem> rowKey="id" size="middle" loading={q.isFetching} dataSource={q.data?.items} data-testid="workflow-table"
        onRow={(r) => ({ 'data-testid': 'workflow-row-' + r.name } as object)}
        rowSelection={{ selectedRowKeys: selected.map((w) => w.id), preserveSelectedRowKeys: true, onChange: (_, rows) => setSelected(rows),
          getCheckboxProps: (r) => ({ 'data-testid': 'workflow-select-' + r.name } as object) }}
        pagination={{ current: page, pageSize, total: q.data?.total, showSizeChanger: true,
          onChange: (p, s) => { setPage(p); setPageSize(s) } }}
        columns={[
          { title: t('Name'), dataIndex: 'name', render: (v, r) => (
            <Link to="/workflows/$id" params={{ id: r.id }} data-testid={'workflow-open-' + r.name}>{v}</Link>) },
          { title: t('Remark'), dataIndex: 'remark', ellipsis: true },
          { title: t('Status'), dataIndex: 'status', width: 130, render: (v, r) => (<>
            <StatusTag status={v} testid="workflow-status" />
            <DraftMarker id={r.id} status={v} at={q.dataUpdatedAt} testid={'workflow-draft-changed-' + r.name} /></>) },
          { title: t('Next run time'), dataIndex: 'nextRunTime', width: 190, render: (v, r) => v ? (
            <Tooltip title={<ScheduleZoneTime wfId={r.id} at={v} />}><span data-testid={'workflow-next-' + r.name}>{time(v)}</span></Tooltip>) : '-' },
          { title: t('Updated'), dataIndex: 'updatedAt', width: 180, render: (v) => time(v) },
          { title: t('Actions'), width: 330, render: (_, r) => (
            <Space size={4}>
              <Button size="small" type="link" onClick={() => doPublish(r)} loading={publish.isPending && publish.variables === r.id}
                data-testid={'workflow-publish-' + r.name}>{t('Publish')}</Button>
              <Button size="small" type="link" disabled={r.status !== 'PUBLISHED'} onClick={() => doOffline(r)}
                data-testid={'workflow-offline-' + r.name}>{t('Offline')}</Button>
              <Button size="small" type="link" onClick={() => setForm({ open: true, editing: r })} data-testid={'workflow-edit-' + r.name}>{t('Edit')}</Button>
              <Link to="/workflows/$id/history" params={{ id: r.id }} data-testid={'workflow-history-' + r.name}>{t('Run history')}</Link>
              <Popconfirm title={t('Delete this workflow?')} onConfirm={() => doDelete(r)} okText={t('OK')} cancelText={t('Cancel')}
                okButtonProps={{ 'data-testid': 'confirm-ok' }}>
                <Button size="small" type="link" danger data-testid={'workflow-delete-' + r.name}>{t('Delete')}</Button>
              </Popconfirm>
              <WorkflowMore w={r} />
            </Space>) },
        ]} />
      <WorkflowFormModal open={form.open} editing={form.editing} onClose={() => setForm({ open: false })} />
    </Card>
  )
}
