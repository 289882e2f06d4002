// 资源池: the tenant's pools — slots used, jobs waiting — with who holds
// and who waits for one pool's slots (docs/run-semantics.md#pools).
import { useState } from 'react'
import { Alert, App, Button, Card, Form, Input, InputNumber, Modal, Popconfirm, Progress, Space, Table, Tag } from 'antd'
import { useI18n } from '../../lib/i18n'
import { Link } from '@tanstack/react-router'
import { time } from '../../lib/format'
import { useDeletePool, usePool, usePools, useSavePool, type Pool, type PoolLease } from './api'

export default function PoolsPage() {
  const { t } = useI18n()
  const { message } = App.useApp()
  const q = usePools()
  const remove = useDeletePool()
  const [editing, setEditing] = useState<Pool | 'new' | null>(null)
  const [open, setOpen] = useState<string | null>(null)
  const items = q.data?.items ?? []
  return (
    <Space direction="vertical" style={{ width: '100%' }} size={16}>
      <Card title={t('Pools')} extra={<Button type="primary" onClick={() => setEditing('new')} data-testid="pool-add">{t('Add pool')}</Button>}>
        {q.error && <Alert type="error" showIcon title={q.error.message} />}
        <Table<Pool> rowKey="id" size="small" dataSource={items} loading={q.isLoading} pagination={false} data-testid="pool-table"
          onRow={(p) => ({ 'data-testid': 'pool-row-' + p.name } as object)} columns={[
            { title: t('Name'), dataIndex: 'name', render: (v, p) => <Button type="link" size="small" style={{ padding: 0 }} onClick={() => setOpen(p.id)} data-testid={'pool-open-' + p.name}>{v}</Button> },
            { title: t('Slots used'), width: 260, render: (_, p) => (
              <Space><Progress percent={Math.round((100 * p.used) / p.slots)} size="small" style={{ width: 120 }} showInfo={false} status={p.used >= p.slots ? 'exception' : 'normal'} />
                <span data-testid={'pool-used-' + p.name}>{p.used}/{p.slots}</span></Space>) },
            { title: t('Waiting'), dataIndex: 'waiting', width: 90, render: (v: number, p) => <span data-testid={'pool-waiting-' + p.name}>{v > 0 ? <Tag color="purple">{v}</Tag> : 0}</span> },
            { title: t('Description'), dataIndex: 'description', ellipsis: true },
            { title: t('Actions'), width: 160, render: (_, p) => (
              <Space size={4}>
                <Button size="small" type="link" onClick={() => setEditing(p)} data-testid={'pool-edit-' + p.name}>{t('Edit')}</Button>
                <Popconfirm title={t('Delete this pool?')} okText={t('OK')} cancelText={t('Cancel')} okButtonProps={{ 'data-testid': 'pool-delete-ok' }}
                  onConfirm={() => remove.mutateAsync(p.id).then(() => { if (open === p.id) setOpen(null); message.success(t('Deleted')) }, (e) => message.error(e.message))}>
                  <Button size="small" type="link" danger data-testid={'pool-delete-' + p.name}>{t('Delete')}</Button>
                </Popconfirm>
              </Space>) },
          ]} />
      </Card>
      {open && <PoolDetail id={open} />}
      {editing && <PoolDialog pool={editing === 'new' ? undefined : editing} onClose={() => setEditing(null)} />}
    </Space>
  )
}

// PoolDetail lists the node runs holding the pool's slots and those
// waiting, in the order they will be served.
function PoolDetail({ id }: { id: string }) {
  const { t } = useI18n()
  const q = usePool(id)
  const p = q.data
  const columns = (waiting: boolean) => [
    ...(waiting ? [{ title: t('position'), dataIndex: 'position', width: 70 }] : []),
    { title: t('Job'), dataIndex: 'jobName' },
    { title: t('Workflow'), dataIndex: 'workflowName' },
    { title: t('Run ID'), dataIndex: 'runId', render: (v: string) => <Link to="/runs/$id" params={{ id: v }}>{v}</Link> },
    { title: t('Slots'), dataIndex: 'slots', width: 70 },
    { title: t('Priority'), dataIndex: 'priority', width: 80 },
    { title: waiting ? t('Waiting since') : t('Held since'), dataIndex: 'since', render: (v: string) => time(v) },
  ]
  return (
    <Card title={t('Pool') + ': ' + (p?.name ?? '') + (p ? ` (${p.used}/${p.slots})` : '')} loading={q.isLoading} data-testid="pool-detail">
      {q.error && <Alert type="error" showIcon title={q.error.message} />}
      <h4>{t('Holders')}</h4>
      <Table<PoolLease> rowKey={(l) => l.runId + l.jobId} size="small" pagination={false} dataSource={p?.holders ?? []} columns={columns(false)} data-testid="pool-holders" />
      <h4 style={{ marginTop: 16 }}>{t('Waiters')}</h4>
      <Table<PoolLease> rowKey={(l) => l.runId + l.jobId} size="small" pagination={false} dataSource={p?.waiters ?? []} columns={columns(true)} data-testid="pool-waiters" />
    </Card>
  )
}

function PoolDialog({ pool, onClose }: { pool?: Pool; onClose: () => void }) {
  const { t } = useI18n()
  const { message } = App.useApp()
  const save = useSavePool(pool?.id)
  const [form] = Form.useForm<{ name: string; slots: number; description: string }>()
  const [error, setError] = useState<string | null>(null)
  async function doSave() {
    setError(null)
    try {
      await save.mutateAsync(form.getFieldsValue())
      message.success(t('Saved'))
      onClose()
    } catch (e) {
      setError((e as Error).message)
    }
  }
  return (
    <Modal open title={pool ? t('Edit pool') : t('Add pool')} onCancel={onClose} onOk={doSave} confirmLoading={save.isPending}
      okButtonProps={{ 'data-testid': 'pool-form-ok' }} okText={t('Save')} cancelText={t('Cancel')} destroyOnHidden>
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 8 }} data-testid="pool-form-error" />}
      <Form form={form} layout="vertical" initialValues={{ name: pool?.name ?? '', slots: pool?.slots ?? 1, description: pool?.description ?? '' }}>
        <Form.Item name="name" label={t('Name')} extra={t('pool.name.help')}><Input data-testid="pool-form-name" /></Form.Item>
        <Form.Item name="slots" label={t('Slots')} extra={t('pool.slots.help')}><InputNumber min={1} max={10000} data-testid="pool-form-slots" /></Form.Item>
        <Form.Item name="description" label={t('Description')}><Input data-testid="pool-form-description" /></Form.Item>
      </Form>
    </Modal>
  )
}
