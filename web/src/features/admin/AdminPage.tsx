// SYS_ADMIN pages: tenants (with max workflows), users, members and roles,
// and the license (show and install).
import { useState } from 'react'
import { Alert, App, Button, Card, Descriptions, Form, Input, InputNumber, Modal, Select, Space, Switch, Table, Tabs } from 'antd'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { answer, client, type Schemas, type Tenant, type User } from '../../api/client'
import { useI18n } from '../../lib/i18n'
import { time } from '../../lib/format'
import { useNavigate, useParams } from '@tanstack/react-router'
import type { AdminTab } from '../../router'
import { useWord } from '../enums/words'

export default function AdminPage() {
  const { t } = useI18n()
  const navigate = useNavigate()
  // /admin is the first tab; /admin/$tab the others.
  const key = useParams({ strict: false, select: (p) => p.tab }) ?? 'tenants'
  return (
    <Card title={t('Admin')}>
      <Tabs activeKey={key} onChange={(k) => void navigate({ to: '/admin/$tab', params: { tab: k as AdminTab } })} items={[
        { key: 'tenants', label: <span data-testid="admin-tab-tenants">{t('Tenants')}</span>, children: <Tenants /> },
        { key: 'users', label: <span data-testid="admin-tab-users">{t('Users')}</span>, children: <Users /> },
        { key: 'license', label: <span data-testid="admin-tab-license">{t('License')}</span>, children: <License /> },
      ]} />
    </Card>
  )
}

// FormModal is a small modal form that shows the API's 4xx message in place.
function FormModal<V extends object>({ title, fields, initial, onSubmit, onClose, testid }: {
  title: string; fields: React.ReactNode; initial?: object; onSubmit: (v: V) => Promise<unknown>; onClose: () => void; testid: string
}) {
  const { t } = useI18n()
  const [form] = Form.useForm<V>()
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  async function ok() {
    const v = await form.validateFields()
    setBusy(true)
    try { await onSubmit(v); onClose() } catch (e) { setError((e as Error).message) } finally { setBusy(false) }
  }
  return (
    <Modal open title={title} onOk={ok} onCancel={onClose} confirmLoading={busy} okText={t('Save')} cancelText={t('Cancel')} okButtonProps={{ 'data-testid': testid + '-ok' }}>
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 8 }} data-testid={testid + '-error'} />}
      <Form form={form} layout="vertical" size="small" initialValues={initial}>{fields}</Form>
    </Modal>
  )
}

function Tenants() {
  const { t } = useI18n()
  const qc = useQueryClient()
  const [page, setPage] = useState(1)
  const q = useQuery({ queryKey: ['tenants', page], meta: { page: true }, queryFn: () => answer(client.GET('/tenants', { params: { query: { page } } })) })
  const [edit, setEdit] = useState<Tenant | 'new' | null>(null)
  const done = () => qc.invalidateQueries({ queryKey: ['tenants'] })
  return (
    <>
      <Button type="primary" onClick={() => setEdit('new')} style={{ marginBottom: 8 }} data-testid="tenant-add">{t('Add tenant')}</Button>
      {q.error && <Alert type="error" title={q.error.message} />}
      <Table<Tenant> rowKey="id" size="small" dataSource={q.data?.items} pagination={{ current: page, total: q.data?.total, onChange: setPage }} columns={[
        { title: t('Name'), dataIndex: 'name' }, { title: t('Max workflows'), dataIndex: 'maxWorkflows' },
        { title: t('Created'), dataIndex: 'createdAt', render: (v) => time(v) },
        { title: t('Actions'), render: (_, r) => <button type="button" className="jf-linkbtn" onClick={() => setEdit(r)}>{t('Edit')}</button> },
      ]} />
      {edit && <FormModal<Schemas['TenantInput']> testid="tenant-form" title={t('Tenant')} initial={edit === 'new' ? { maxWorkflows: 1000 } : edit} onClose={() => setEdit(null)}
        onSubmit={(v) => answer(edit === 'new' ? client.POST('/tenants', { body: v }) : client.PATCH('/tenants/{id}', { params: { path: { id: edit.id } }, body: v })).then(done)}
        fields={<>
          <Form.Item name="name" label={t('Name')} rules={[{ required: true, message: t('Required') }]}><Input data-testid="tenant-form-name" /></Form.Item>
          <Form.Item name="maxWorkflows" label={t('Max workflows')}><InputNumber min={1} /></Form.Item>
        </>} />}
    </>
  )
}

interface MemberValues { tenantId: string; role: Schemas['MemberInput']['role'] }

function Users() {
  const { t } = useI18n()
  const w = useWord()
  const qc = useQueryClient()
  const [page, setPage] = useState(1)
  const [search, setSearch] = useState('')
  const q = useQuery({ queryKey: ['users', page, search], meta: { page: true }, queryFn: () => answer(client.GET('/users', { params: { query: { page, search } } })) })
  const tenants = useQuery({ queryKey: ['tenants', 'all'], queryFn: () => answer(client.GET('/tenants', { params: { query: { pageSize: 200 } } })) })
  const [adding, setAdding] = useState(false)
  const [member, setMember] = useState<User | null>(null)
  const setRole = useMutation({
    mutationFn: (v: { tenantId: string } & Schemas['MemberInput']) =>
      answer(client.POST('/tenants/{id}/members', { params: { path: { id: v.tenantId } }, body: { userId: v.userId, role: v.role } })),
  })
  return (
    <>
      <Space style={{ marginBottom: 8 }}>
        <Button type="primary" onClick={() => setAdding(true)} data-testid="user-add">{t('Add user')}</Button>
        <Input.Search allowClear onSearch={(v) => { setSearch(v); setPage(1) }} />
      </Space>
      {q.error && <Alert type="error" title={q.error.message} />}
      <Table<User> rowKey="id" size="small" dataSource={q.data?.items} pagination={{ current: page, total: q.data?.total, onChange: setPage }} columns={[
        { title: t('Account'), dataIndex: 'account' }, { title: t('Name'), dataIndex: 'name' },
        { title: t('System administrator'), dataIndex: 'sysAdmin', render: (v) => (v ? '✓' : '') },
        { title: t('Created'), dataIndex: 'createdAt', render: (v) => time(v) },
        { title: t('Actions'), render: (_, r) => <button type="button" className="jf-linkbtn" onClick={() => setMember(r)} data-testid={'user-member-' + r.account}>{t('Add member')}</button> },
      ]} />
      {adding && <FormModal<Schemas['UserInput']> testid="user-form" title={t('Add user')} onClose={() => setAdding(false)}
        onSubmit={(v) => answer(client.POST('/users', { body: v })).then(() => qc.invalidateQueries({ queryKey: ['users'] }))}
        fields={<>
          <Form.Item name="account" label={t('Account')} rules={[{ required: true, message: t('Required') }]}><Input data-testid="user-form-account" /></Form.Item>
          <Form.Item name="name" label={t('Name')}><Input /></Form.Item>
          <Form.Item name="password" label={t('Password')} rules={[{ required: true, message: t('Required') }]}><Input.Password autoComplete="new-password" data-testid="user-form-password" /></Form.Item>
          <Form.Item name="sysAdmin" label={t('System administrator')} valuePropName="checked"><Switch /></Form.Item>
        </>} />}
      {member && <FormModal<MemberValues> testid="member-form" title={t('Add member') + ': ' + member.account} initial={{ role: 'MEMBER' }} onClose={() => setMember(null)}
        onSubmit={(v) => setRole.mutateAsync({ tenantId: v.tenantId, userId: member.id, role: v.role })}
        fields={<>
          <Form.Item name="tenantId" label={t('Tenant')} rules={[{ required: true, message: t('Required') }]}>
            <Select options={(tenants.data?.items ?? []).map((x) => ({ value: x.id, label: x.name }))} data-testid="member-form-tenant" /></Form.Item>
          <Form.Item name="role" label={t('Role')}><Select options={['TENANT_ADMIN', 'MEMBER'].map((r) => ({ value: r, label: w('role', r), title: r }))} /></Form.Item>
        </>} />}
    </>
  )
}

function License() {
  const { t } = useI18n()
  const { message } = App.useApp()
  const qc = useQueryClient()
  const q = useQuery({ queryKey: ['license'], meta: { page: true }, queryFn: () => answer(client.GET('/license')) })
  const [token, setToken] = useState('')
  const [error, setError] = useState<string | null>(null)
  const install = useMutation({ mutationFn: () => answer(client.PUT('/license', { body: { token } })), onSuccess: () => { qc.invalidateQueries({ queryKey: ['license'] }); message.success(t('Saved')) } })
  const l = q.data?.license
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      {q.error && <Alert type="error" title={q.error.message} />}
      {q.data && (l ? (
        <Descriptions bordered size="small" column={2} items={[
          { label: t('Subject'), children: l.subject }, { label: t('Max tenants'), children: l.maxTenants },
          { label: t('Max workflows per tenant'), children: l.maxWorkflowsPerTenant }, { label: t('Expires'), children: time(l.expiresAt) + (q.data.expired ? ' ✕' : '') },
        ]} />) : <Alert type="info" title={t('No license installed')} data-testid="license-none" />)}
      {error && <Alert type="error" showIcon title={error} data-testid="license-error" />}
      <Input.TextArea rows={3} placeholder={t('License token')} value={token} onChange={(e) => setToken(e.target.value)} data-testid="license-token" />
      <Button type="primary" disabled={!token} loading={install.isPending} data-testid="license-install"
        onClick={() => { setError(null); install.mutateAsync().catch((e) => setError(e.message)) }}>{t('Install license')}</Button>
    </Space>
  )
}
