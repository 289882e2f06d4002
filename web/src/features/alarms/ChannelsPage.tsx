// 告警渠道: list, create, edit, delete, test send. Secrets (urls, headers,
// signing secrets, passwords) are write-only: never shown, kept when empty.
import { useState } from 'react'
import { Alert, App, Button, Card, Form, Input, InputNumber, Modal, Popconfirm, Select, Space, Table } from 'antd'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { answer, client, done, type AlarmChannel, type Schemas } from '../../api/client'
import { useI18n } from '../../lib/i18n'
import { time } from '../../lib/format'
import { useWord } from '../enums/words'

type ChannelInput = Schemas['AlarmChannelInput']
type ChannelType = AlarmChannel['type']
const types: ChannelType[] = ['WEBHOOK', 'DINGTALK', 'FEISHU', 'WECOM', 'EMAIL']

// The form's values: the config as typed in, 'to' one comma-separated line.
interface ChannelValues {
  name: string
  type: ChannelType
  remark?: string
  config?: { url?: string; secret?: string; host?: string; port?: number | null; username?: string; password?: string; from?: string; to?: string }
}

// channelInput leaves out what was left empty: an absent secret keeps its
// stored value on edit.
function channelInput(v: ChannelValues): ChannelInput {
  const c = v.config ?? {}
  const text = (s?: string) => (s ? s : undefined)
  const to = (c.to ?? '').split(',').map((s) => s.trim()).filter(Boolean)
  return { name: v.name, type: v.type, remark: v.remark ?? '', config: {
    url: text(c.url), secret: text(c.secret), host: text(c.host), port: c.port ?? undefined, username: text(c.username),
    password: text(c.password), from: text(c.from), to: to.length ? to : undefined,
  } }
}

export default function ChannelsPage() {
  const { t } = useI18n()
  const w = useWord()
  const { message, modal } = App.useApp()
  const qc = useQueryClient()
  const [page, setPage] = useState(1)
  const q = useQuery({ queryKey: ['alarm-channels', page], meta: { page: true }, queryFn: () => answer(client.GET('/alarm-channels', { params: { query: { page } } })) })
  const [editing, setEditing] = useState<AlarmChannel | 'new' | null>(null)
  const remove = useMutation({ mutationFn: (id: string) => done(client.DELETE('/alarm-channels/{id}', { params: { path: { id } } })), onSuccess: () => qc.invalidateQueries({ queryKey: ['alarm-channels'] }) })
  async function test(c: AlarmChannel) {
    try {
      const r = await answer(client.POST('/alarm-channels/{id}/test', { params: { path: { id: c.id } } }))
      const body = <div data-testid="channel-test-result">{r.code ? 'HTTP ' + r.code + ' ' : ''}{r.response}{r.error ? ' ' + r.error : ''}</div>
      if (r.ok) modal.success({ title: t('Sent'), content: body })
      else modal.error({ title: t('Send failed'), content: body })
    } catch (e) {
      message.error((e as Error).message)
    }
  }
  return (
    <Card title={t('Alarm channels')} extra={<Button type="primary" onClick={() => setEditing('new')} data-testid="channel-add">{t('Add channel')}</Button>}>
      {q.error && <Alert type="error" showIcon title={q.error.message} />}
      <Table<AlarmChannel> rowKey="id" size="middle" dataSource={q.data?.items} pagination={{ current: page, total: q.data?.total, onChange: setPage }} columns={[
        { title: t('Name'), dataIndex: 'name' }, { title: t('Type'), dataIndex: 'type', render: (v) => w('channel', v) },
        { title: t('URL'), render: (_, c) => c.config.urlPreview ?? c.config.host ?? '-' },
        { title: t('Updated'), dataIndex: 'updatedAt', render: (v) => time(v) },
        { title: t('Actions'), render: (_, c) => (<Space size={4}>
          <Button size="small" type="link" onClick={() => test(c)} data-testid={'channel-test-' + c.name}>{t('Test send')}</Button>
          <Button size="small" type="link" onClick={() => setEditing(c)}>{t('Edit')}</Button>
          <Popconfirm title={t('Delete this item?')} onConfirm={() => remove.mutateAsync(c.id).catch((e) => message.error(e.message))}>
            <Button size="small" type="link" danger>{t('Delete')}</Button></Popconfirm></Space>) },
      ]} />
      {editing && <ChannelForm ch={editing === 'new' ? undefined : editing} onClose={() => setEditing(null)} />}
    </Card>
  )
}

function ChannelForm({ ch, onClose }: { ch?: AlarmChannel; onClose: () => void }) {
  const { t } = useI18n()
  const w = useWord()
  const qc = useQueryClient()
  const [form] = Form.useForm<ChannelValues>()
  const type = Form.useWatch('type', form) ?? ch?.type ?? 'WEBHOOK'
  const [error, setError] = useState<string | null>(null)
  const save = useMutation({
    mutationFn: (b: ChannelInput) =>
      answer(ch ? client.PATCH('/alarm-channels/{id}', { params: { path: { id: ch.id } }, body: b }) : client.POST('/alarm-channels', { body: b })),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['alarm-channels'] }),
  })
  async function ok() {
    const v = await form.validateFields()
    try { await save.mutateAsync(channelInput(v)); onClose() } catch (e) { setError((e as Error).message) }
  }
  const keep = ch ? t('Leave empty to keep') : ''
  return (
    <Modal open title={t('Channel')} onOk={ok} onCancel={onClose} confirmLoading={save.isPending} okText={t('Save')} cancelText={t('Cancel')}
      okButtonProps={{ 'data-testid': 'channel-form-ok' }}>
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 8 }} data-testid="channel-form-error" />}
      <Form form={form} layout="vertical" size="small" initialValues={{ name: ch?.name, type: ch?.type ?? 'WEBHOOK', remark: ch?.remark,
        config: ch ? { host: ch.config.host, port: ch.config.port, username: ch.config.username, from: ch.config.from, to: (ch.config.to ?? []).join(',') } : {} }}>
        <Form.Item name="name" label={t('Name')} rules={[{ required: true, message: t('Required') }]}><Input data-testid="channel-form-name" /></Form.Item>
        <Form.Item name="type" label={t('Type')}><Select disabled={!!ch} options={types.map((x) => ({ value: x, label: w('channel', x), title: x }))} /></Form.Item>
        {type !== 'EMAIL' ? (<>
          <Form.Item name={['config', 'url']} label={t('URL')} rules={ch ? [] : [{ required: true, message: t('Required') }]}>
            <Input.Password visibilityToggle placeholder={ch?.config.urlPreview ?? keep} autoComplete="off" data-testid="channel-form-url" /></Form.Item>
          {type !== 'WEBHOOK' && <Form.Item name={['config', 'secret']} label={t('Secret')}><Input.Password placeholder={keep} autoComplete="off" /></Form.Item>}
        </>) : (<>
          <Space><Form.Item name={['config', 'host']} label={t('SMTP host')}><Input /></Form.Item>
            <Form.Item name={['config', 'port']} label={t('Port')}><InputNumber /></Form.Item></Space>
          <Form.Item name={['config', 'username']} label={t('Username')}><Input /></Form.Item>
          <Form.Item name={['config', 'password']} label={t('Password')}><Input.Password placeholder={keep} autoComplete="new-password" /></Form.Item>
          <Form.Item name={['config', 'from']} label={t('From')}><Input /></Form.Item>
          <Form.Item name={['config', 'to']} label={t('To (comma separated)')}><Input /></Form.Item>
        </>)}
        <Form.Item name="remark" label={t('Remark')}><Input /></Form.Item>
      </Form>
    </Modal>
  )
}
