// 数据源: list, create, edit, delete, and 测试连接 with its result.
import { useState } from 'react'
import { Alert, App, Button, Card, Form, Input, InputNumber, Modal, Popconfirm, Select, Space, Table } from 'antd'
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { answer, client, done, type Datasource, type Schemas } from '../../api/client'
import { useI18n } from '../../lib/i18n'
import { time } from '../../lib/format'
import { useWord } from '../enums/words'

export default function DatasourcesPage() {
  const { t } = useI18n()
  const w = useWord()
  const { message, modal } = App.useApp()
  const qc = useQueryClient()
  const [page, setPage] = useState(1)
  const [search, setSearch] = useState('')
  const q = useQuery({ queryKey: ['datasources', page, search], meta: { page: true }, queryFn: () => answer(client.GET('/datasources', { params: { query: { page, search } } })), placeholderData: keepPreviousData })
  const [editing, setEditing] = useState<Datasource | 'new' | null>(null)
  const remove = useMutation({ mutationFn: (id: string) => done(client.DELETE('/datasources/{id}', { params: { path: { id } } })), onSuccess: () => qc.invalidateQueries({ queryKey: ['datasources'] }) })

  async function test(d: Datasource) {
    try {
      const r = await answer(client.POST('/datasources/{id}/test', { params: { path: { id: d.id } } }))
      if (r.ok) modal.success({ title: d.name, content: <span data-testid="ds-test-result">{t('Connected in {n} ms', { n: r.latencyMs ?? 0 })}</span> })
      else modal.error({ title: t('Connection failed'), content: <span data-testid="ds-test-result">{r.error}</span> })
    } catch (e) {
      message.error((e as Error).message)
    }
  }
  return (
    <Card title={t('Datasources')} extra={<Space>
      <Input.Search allowClear placeholder={t('Search name or remark')} onSearch={(v) => { setSearch(v); setPage(1) }} />
      <Button type="primary" onClick={() => setEditing('new')} data-testid="ds-add">{t('Add datasource')}</Button></Space>}>
      {q.error && <Alert type="error" showIcon title={q.error.message} />}
      <Table<Datasource> rowKey="id" size="middle" dataSource={q.data?.items} loading={q.isFetching && !q.data}
        pagination={{ current: page, total: q.data?.total, onChange: setPage }} columns={[
          { title: t('Name'), dataIndex: 'name' }, { title: t('Type'), dataIndex: 'type', render: (v) => w('datasource', v) },
          { title: t('Host'), render: (_, d) => `${d.host}:${d.port}` }, { title: t('Database'), dataIndex: 'database' },
          { title: t('User'), dataIndex: 'user' }, { title: t('Updated'), dataIndex: 'updatedAt', render: (v) => time(v) },
          { title: t('Actions'), render: (_, d) => (<Space size={4}>
            <Button size="small" type="link" onClick={() => test(d)} data-testid={'ds-test-' + d.name}>{t('Test connection')}</Button>
            <Button size="small" type="link" onClick={() => setEditing(d)}>{t('Edit')}</Button>
            <Popconfirm title={t('Delete this item?')} onConfirm={() => remove.mutateAsync(d.id).catch((e) => message.error(e.message))}>
              <Button size="small" type="link" danger>{t('Delete')}</Button></Popconfirm></Space>) },
        ]} />
      {editing && <DatasourceForm ds={editing === 'new' ? undefined : editing} onClose={() => setEditing(null)} />}
    </Card>
  )
}

type DatasourceInput = Schemas['DatasourceInput']

function DatasourceForm({ ds, onClose }: { ds?: Datasource; onClose: () => void }) {
  const { t } = useI18n()
  const qc = useQueryClient()
  const [form] = Form.useForm<DatasourceInput>()
  const [error, setError] = useState<string | null>(null)
  const save = useMutation({
    mutationFn: (b: DatasourceInput) =>
      answer(ds ? client.PATCH('/datasources/{id}', { params: { path: { id: ds.id } }, body: b }) : client.POST('/datasources', { body: b })),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['datasources'] }),
  })
  async function ok() {
    const v = await form.validateFields()
    if (!v.password) delete v.password
    try { await save.mutateAsync(v); onClose() } catch (e) { setError((e as Error).message) }
  }
  return (
    <Modal open title={t('Datasource')} onOk={ok} onCancel={onClose} confirmLoading={save.isPending} okText={t('Save')} cancelText={t('Cancel')}
      okButtonProps={{ 'data-testid': 'ds-form-ok' }}>
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 8 }} data-testid="ds-form-error" />}
      <Form form={form} layout="vertical" size="small" initialValues={ds ?? { type: 'POSTGRES', port: 5432 }}>
        <Form.Item name="name" label={t('Name')} rules={[{ required: true, message: t('Required') }]}><Input data-testid="ds-form-name" /></Form.Item>
        <Form.Item name="type" label={t('Type')}><Select options={[{ value: 'POSTGRES', label: 'PostgreSQL' }, { value: 'MYSQL', label: 'MySQL' }]} /></Form.Item>
        <Space><Form.Item name="host" label={t('Host')} rules={[{ required: true, message: t('Required') }]}><Input data-testid="ds-form-host" /></Form.Item>
          <Form.Item name="port" label={t('Port')}><InputNumber min={1} max={65535} /></Form.Item></Space>
        <Form.Item name="database" label={t('Database')}><Input data-testid="ds-form-database" /></Form.Item>
        <Form.Item name="user" label={t('User')}><Input data-testid="ds-form-user" /></Form.Item>
        <Form.Item name="password" label={t('Password')}><Input.Password placeholder={ds ? t('Leave empty to keep') : ''} autoComplete="new-password" /></Form.Item>
        <Form.Item name="remark" label={t('Remark')}><Input /></Form.Item>
      </Form>
    </Modal>
  )
}
