// 变量 (/variables): the tenant's variables and secrets. A plain variable is
// ${global.NAME} in jobs; a secret ${{ secret.NAME }}. A secret's value is
// write-only: the API never returns it, the list shows ••••••, and the edit
// form's field starts empty ("leave empty to keep").
import { useRef, useState } from 'react'
import { Alert, App, Button, Card, Form, Input, Modal, Popconfirm, Space, Switch, Table, Tag, Typography } from 'antd'
import { useI18n } from '../../lib/i18n'
import { time } from '../../lib/format'
import { useUserName } from '../audit/users'
import { useDeleteVariable, useSaveVariable, useVariables, type Variable, type VariableInput } from './api'

const usage = (v: { name: string; secret: boolean }) => (v.secret ? '${{ secret.' + v.name + ' }}' : '${global.' + v.name + '}')

export default function VariablesPage() {
  const { t } = useI18n()
  const { message } = App.useApp()
  const who = useUserName()
  const [search, setSearch] = useState('')
  const [page, setPage] = useState(1)
  const [pageSize, setPageSize] = useState(20)
  const q = useVariables({ search, page, pageSize })
  const remove = useDeleteVariable()
  const [editing, setEditing] = useState<Variable | 'new' | null>(null)
  return (
    <Card title={t('Variables')} data-testid="variables-page" extra={
      <Space>
        <Input.Search allowClear placeholder={t('Search name or remark')} onSearch={(v) => { setSearch(v); setPage(1) }} style={{ width: 220 }} data-testid="variable-search" />
        <Button type="primary" onClick={() => setEditing('new')} data-testid="variable-add">{t('Add variable')}</Button>
      </Space>}>
      <Typography.Paragraph type="secondary">{t('Plain variables are ${global.NAME} in jobs; secrets are ${{ secret.NAME }}, encrypted at rest and never shown again.')}</Typography.Paragraph>
      {q.error && <Alert type="error" showIcon title={q.error.message} data-testid="variables-error" />}
      <Table<Variable> rowKey="id" size="middle" dataSource={q.data?.items} loading={q.isFetching && !q.data} data-testid="variable-table"
        onRow={(v) => ({ 'data-testid': 'variable-row-' + v.name } as object)}
        pagination={{ current: page, pageSize, total: q.data?.total, showSizeChanger: true, onChange: (p, s) => { setPage(p); setPageSize(s) } }}
        columns={[
          { title: t('Name'), dataIndex: 'name', render: (v) => <code>{v}</code> },
          { title: t('Type'), dataIndex: 'secret', width: 100, render: (s: boolean, v) => s
            ? <Tag color="gold" data-testid={'variable-kind-' + v.name}>{t('Secret')}</Tag> : <Tag data-testid={'variable-kind-' + v.name}>{t('Plain')}</Tag> },
          { title: t('Value'), dataIndex: 'value', ellipsis: true, render: (val: string, v) => (
            <span data-testid={'variable-value-' + v.name}>{v.secret ? (v.hasValue ? '••••••' : '-') : val}</span>) },
          { title: t('In jobs'), width: 220, render: (_, v) => <Typography.Text code copyable>{usage(v)}</Typography.Text> },
          { title: t('Remark'), dataIndex: 'remark', ellipsis: true },
          { title: t('Updated'), width: 250, render: (_, v) => <>{time(v.updatedAt)} · {who(v.updatedBy)}</> },
          { title: t('Actions'), width: 130, render: (_, v) => (
            <Space size={4}>
              <Button size="small" type="link" onClick={() => setEditing(v)} data-testid={'variable-edit-' + v.name}>{t('Edit')}</Button>
              <Popconfirm title={t('Delete this variable? Jobs that use it will fail.')} okText={t('OK')} cancelText={t('Cancel')} okButtonProps={{ 'data-testid': 'variable-delete-ok' }}
                onConfirm={() => remove.mutateAsync(v.name).then(() => message.success(t('Deleted')), (e) => message.error(e.message))}>
                <Button size="small" type="link" danger data-testid={'variable-delete-' + v.name}>{t('Delete')}</Button>
              </Popconfirm>
            </Space>) },
        ]} />
      {editing && <VariableDialog v={editing === 'new' ? undefined : editing} onClose={() => setEditing(null)} />}
    </Card>
  )
}

// secretStyle looks like antd's input (whose hashed classes a plain input lacks).
const secretStyle = { width: '100%', boxSizing: 'border-box', padding: '4px 11px', fontSize: 14, lineHeight: 1.5715, border: '1px solid #d9d9d9', borderRadius: 4 } as const

interface Values { name: string; secret: boolean; value?: string; remark?: string }

function VariableDialog({ v, onClose }: { v?: Variable; onClose: () => void }) {
  const { t } = useI18n()
  const [form] = Form.useForm<Values>()
  const secret = Form.useWatch('secret', form) ?? v?.secret ?? false
  const save = useSaveVariable(v?.name)
  const [error, setError] = useState<string | null>(null)
  // The secret's field is an uncontrolled input outside the form: a
  // controlled one mirrors what is typed into its value attribute, in
  // the page's HTML.
  const secretRef = useRef<HTMLInputElement>(null)
  async function ok() {
    const f = await form.validateFields()
    const body: VariableInput = { remark: f.remark ?? '' }
    if (!v) { body.name = f.name; body.secret = f.secret }
    const value = f.secret ? secretRef.current?.value ?? '' : f.value ?? ''
    // An empty secret on edit keeps the stored one; a plain value is sent as it is.
    if (!(v && f.secret && value === '')) body.value = value
    if (!v && f.secret && value === '') { setError(t('A secret needs a value')); return }
    setError(null)
    try {
      await save.mutateAsync(body)
      if (secretRef.current) secretRef.current.value = ''
      onClose()
    } catch (e) {
      setError((e as Error).message)
    }
  }
  return (
    <Modal open title={v ? t('Edit variable') : t('Add variable')} onOk={ok} onCancel={onClose} confirmLoading={save.isPending} okText={t('Save')} cancelText={t('Cancel')}
      okButtonProps={{ 'data-testid': 'variable-form-ok' }} cancelButtonProps={{ 'data-testid': 'variable-form-cancel' }} destroyOnHidden>
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 8 }} data-testid="variable-form-error" />}
      <Form form={form} layout="vertical" initialValues={{ name: v?.name, secret: v?.secret ?? false, value: v && !v.secret ? v.value : undefined, remark: v?.remark }}>
        <Form.Item name="name" label={t('Name')} extra={t('Letters, digits and _; cannot be renamed later.')} rules={[{ required: true, message: t('Required') }]}>
          <Input disabled={!!v} data-testid="variable-form-name" /></Form.Item>
        <Form.Item name="secret" label={t('Secret')} valuePropName="checked" extra={t('A secret’s value is write-only; plain and secret cannot be switched later.')}>
          <Switch disabled={!!v} data-testid="variable-form-secret" /></Form.Item>
        {secret ? (
          <Form.Item label={t('Value')} extra={v?.hasValue ? t('Leave empty to keep') : t('Write-only: it is never shown again.')}>
            <input ref={secretRef} type="password" autoComplete="new-password" aria-label={t('Value')}
              placeholder={v?.hasValue ? '•••••• ' + t('Leave empty to keep') : ''} data-testid="variable-form-secret-value" style={secretStyle} />
          </Form.Item>
        ) : (
          <Form.Item name="value" label={t('Value')}><Input.TextArea rows={3} data-testid="variable-form-value" /></Form.Item>
        )}
        <Form.Item name="remark" label={t('Remark')}><Input data-testid="variable-form-remark" /></Form.Item>
      </Form>
    </Modal>
  )
}
