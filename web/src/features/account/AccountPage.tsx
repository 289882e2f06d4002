// 个人中心 (/account): who is logged in, and the personal API tokens
// (jf_pat_…) for scripts and `jobflow apply`: created here, the text shown
// once with a copy button, listed without it, revoked.
import { useState } from 'react'
import { Alert, App, Button, Card, Descriptions, Form, Input, InputNumber, Modal, Popconfirm, Select, Space, Table, Tag, Typography } from 'antd'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import dayjs from 'dayjs'
import { answer, client, done, type Schemas } from '../../api/client'
import { useI18n } from '../../lib/i18n'
import { session } from '../../lib/session'
import { time } from '../../lib/format'

type Token = Schemas['APIToken']
type Role = Token['role']

export default function AccountPage() {
  const { t } = useI18n()
  const { message } = App.useApp()
  const qc = useQueryClient()
  const s = session.get()!
  const q = useQuery({ queryKey: ['me-tokens'], queryFn: () => answer(client.GET('/me/tokens')) })
  const revoke = useMutation({
    mutationFn: (id: string) => done(client.DELETE('/me/tokens/{tokenId}', { params: { path: { tokenId: id } } })),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['me-tokens'] }),
  })
  const [creating, setCreating] = useState(false)
  return (
    <Space direction="vertical" style={{ width: '100%' }} size={16}>
      <Card title={t('My account')} data-testid="account-page">
        <Descriptions size="small" column={3} items={[
          { key: 'a', label: t('Account'), children: s.user.account },
          { key: 'n', label: t('Name'), children: s.user.name || '-' },
          { key: 't', label: t('Tenants'), children: <Space wrap>{s.tenants.map((x) => <Tag key={x.id}>{x.name} · {t(x.role)}</Tag>)}</Space> },
        ]} />
      </Card>
      <Card title={t('Personal API tokens')} extra={<Button type="primary" onClick={() => setCreating(true)} data-testid="token-add">{t('Create token')}</Button>}>
        <Typography.Paragraph type="secondary">{t('For scripts and jobflow apply: a token acts as you in one tenant with the role you give it (at most yours). Its text is shown once.')}</Typography.Paragraph>
        {q.error && <Alert type="error" showIcon title={q.error.message} data-testid="tokens-error" />}
        <Table<Token> rowKey="id" size="small" dataSource={q.data?.items} loading={q.isLoading} pagination={false} data-testid="token-table"
          onRow={(x) => ({ 'data-testid': 'token-row-' + x.name } as object)}
          columns={[
            { title: t('Name'), dataIndex: 'name' },
            { title: t('Tenant'), dataIndex: 'tenantName' },
            { title: t('Role'), dataIndex: 'role', render: (v) => t(v) },
            { title: t('Created'), dataIndex: 'createdAt', render: (v) => time(v) },
            { title: t('Last used'), dataIndex: 'lastUsedAt', render: (v) => (v ? time(v) : t('Never')) },
            { title: t('Expires'), dataIndex: 'expiresAt', render: (v) => (v ? time(v) : t('Never')) },
            { title: t('Actions'), width: 90, render: (_, x) => (
              <Popconfirm title={t('Revoke this token? Scripts using it stop working.')} okText={t('Revoke')} cancelText={t('Cancel')} okButtonProps={{ danger: true, 'data-testid': 'token-revoke-ok' }}
                onConfirm={() => revoke.mutateAsync(x.id).then(() => message.success(t('Revoked')), (e) => message.error(e.message))}>
                <Button size="small" type="link" danger data-testid={'token-revoke-' + x.name}>{t('Revoke')}</Button>
              </Popconfirm>) },
          ]} />
      </Card>
      {creating && <CreateToken onClose={() => setCreating(false)} />}
    </Space>
  )
}

function CreateToken({ onClose }: { onClose: () => void }) {
  const { t } = useI18n()
  const qc = useQueryClient()
  const s = session.get()!
  const [form] = Form.useForm<{ name: string; tenantId: string; role: Role; days: number }>()
  const tenantId = Form.useWatch('tenantId', form) ?? s.tenantId
  const mine = s.tenants.find((x) => x.id === tenantId)?.role
  const [error, setError] = useState<string | null>(null)
  // The token's text lives in this dialog's state only: closed, it is gone.
  const [created, setCreated] = useState<Schemas['APITokenCreated'] | null>(null)
  const create = useMutation({
    mutationFn: (b: Schemas['APITokenInput']) => answer(client.POST('/me/tokens', { body: b })),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['me-tokens'] }),
  })
  async function ok() {
    if (created) { onClose(); return }
    const v = await form.validateFields()
    setError(null)
    try {
      setCreated(await create.mutateAsync({ name: v.name, tenantId: v.tenantId, role: v.role, expiresAt: dayjs().add(v.days, 'day').toISOString() }))
    } catch (e) {
      setError((e as Error).message)
    }
  }
  return (
    <Modal open title={t('Create token')} onOk={ok} onCancel={onClose} confirmLoading={create.isPending} okText={created ? t('Done') : t('Create')} cancelText={t('Cancel')}
      okButtonProps={{ 'data-testid': 'token-form-ok' }} cancelButtonProps={{ style: created ? { display: 'none' } : undefined }} destroyOnHidden>
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 8 }} data-testid="token-form-error" />}
      {created ? (
        <Space direction="vertical" style={{ width: '100%' }}>
          <Alert type="warning" showIcon title={t('Shown once: copy it now.')} />
          <Typography.Paragraph copyable={{ text: created.token, tooltips: [t('Copy'), t('Copied')] }} code data-testid="token-created">{created.token}</Typography.Paragraph>
          <Typography.Text type="secondary">{t('Use it as Authorization: Bearer <token>, e.g. JOBFLOW_TOKEN for jobflow apply.')}</Typography.Text>
        </Space>
      ) : (
        <Form form={form} layout="vertical" initialValues={{ tenantId: s.tenantId, role: 'MEMBER', days: 90 }}>
          <Form.Item name="name" label={t('Name')} rules={[{ required: true, message: t('Required') }]}><Input placeholder="ci" data-testid="token-form-name" /></Form.Item>
          <Form.Item name="tenantId" label={t('Tenant')}><Select options={s.tenants.map((x) => ({ value: x.id, label: x.name }))} data-testid="token-form-tenant" /></Form.Item>
          <Form.Item name="role" label={t('Role')} extra={t('At most your own role in the tenant, checked at every call.')}>
            <Select data-testid="token-form-role" options={[{ value: 'MEMBER', label: t('MEMBER') },
              ...(mine === 'TENANT_ADMIN' || s.user.sysAdmin ? [{ value: 'TENANT_ADMIN', label: t('TENANT_ADMIN') }] : [])]} /></Form.Item>
          <Form.Item name="days" label={t('Valid for (days)')}><InputNumber min={1} max={366} data-testid="token-form-days" /></Form.Item>
        </Form>
      )}
    </Modal>
  )
}
