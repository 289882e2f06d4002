// 基线: the tenant's baselines — a committed finish time per data date for
// a set of workflows (or jobs of them) — with create, edit and delete, and
// the chosen baseline's instances per date (/baselines?id=…).
import { useState } from 'react'
import { Alert, App, Button, Card, Popconfirm, Space, Table, Tag } from 'antd'
import { useI18n } from '../../lib/i18n'
import { getRouteApi } from '@tanstack/react-router'
import { useBaselines, useDeleteBaseline, useJobNames, useWorkflowNames, type Baseline } from './api'
import { BaselineDialog } from './BaselineDialog'
import { Instances } from './Instances'

const route = getRouteApi('/baselines')

export default function BaselinesPage() {
  const { t } = useI18n()
  const { message } = App.useApp()
  const openId = route.useSearch({ select: (s) => s.id })
  const navigate = route.useNavigate()
  const q = useBaselines()
  const remove = useDeleteBaseline()
  const names = useWorkflowNames()
  const [editing, setEditing] = useState<Baseline | 'new' | null>(null)
  const items = q.data?.items ?? []
  const jobNames = useJobNames(items.flatMap((b) => b.targets.filter((x) => x.jobId).map((x) => x.workflowId)))
  const open = items.find((b) => b.id === openId)
  const pick = (id: string | null) => void navigate({ to: '.', search: { id: id ?? undefined }, replace: true, resetScroll: false })

  return (
    <Space direction="vertical" style={{ width: '100%' }} size={16}>
      <Card title={t('Baselines')} extra={<Button type="primary" onClick={() => setEditing('new')} data-testid="baseline-new">{t('Add baseline')}</Button>}>
        {q.error && <Alert type="error" showIcon title={q.error.message} />}
        <Table<Baseline> rowKey="id" size="small" dataSource={items} loading={q.isLoading} pagination={false} data-testid="baseline-table"
          rowClassName={(b) => (b.id === openId ? 'ant-table-row-selected' : '')}
          onRow={(b) => ({ 'data-testid': 'baseline-row-' + b.name } as object)} columns={[
            { title: t('Name'), dataIndex: 'name', render: (v, b) => <Button type="link" size="small" style={{ padding: 0 }} onClick={() => pick(b.id)} data-testid={'baseline-open-' + b.name}>{v}</Button> },
            { title: t('Finish by'), dataIndex: 'finishBy', width: 110, render: (v, b) => <span data-testid={'baseline-finishby-' + b.name}>{v}</span> },
            { title: t('Time zone'), dataIndex: 'timezone', width: 140 },
            { title: t('Margin (min)'), dataIndex: 'marginMinutes', width: 110 },
            { title: t('Targets'), render: (_, b) => b.targets.map((x, i) => (
              <Tag key={i} data-testid={'baseline-target-tag-' + b.name}>{names.get(x.workflowId) ?? x.workflowId}{x.jobId ? ' / ' + (jobNames.get(x.jobId) ?? x.jobId) : ''}</Tag>)) },
            { title: t('Priority'), dataIndex: 'priority', width: 80 },
            { title: t('Actions'), width: 190, render: (_, b) => (
              <Space size={4}>
                <Button size="small" type="link" onClick={() => pick(b.id)} data-testid={'baseline-instances-' + b.name}>{t('Data dates')}</Button>
                <Button size="small" type="link" onClick={() => setEditing(b)} data-testid={'baseline-edit-' + b.name}>{t('Edit')}</Button>
                <Popconfirm title={t('Delete this baseline?')} okText={t('OK')} cancelText={t('Cancel')} okButtonProps={{ 'data-testid': 'baseline-delete-ok' }}
                  onConfirm={() => remove.mutateAsync(b.id).then(() => { if (openId === b.id) pick(null); message.success(t('Deleted')) }, (e) => message.error(e.message))}>
                  <Button size="small" type="link" danger data-testid={'baseline-delete-' + b.name}>{t('Delete')}</Button>
                </Popconfirm>
              </Space>) },
          ]} />
      </Card>
      {open && <Instances key={open.id} baseline={open} workflowNames={names} />}
      {editing && <BaselineDialog baseline={editing === 'new' ? undefined : editing} names={names} onClose={() => setEditing(null)}
        onSaved={(b) => pick(b.id)} />}
    </Space>
  )
}
