// 审计日志 (/audit): who did what to which object, newest first, with the
// filters GET /audit-logs has (user, action, object id, time range) and
// paging. A TENANT_ADMIN sees the tenant's rows; others get the API's 403
// in words.
import { useState } from 'react'
import { Alert, AutoComplete, Button, Card, DatePicker, Input, Select, Space, Table, Tag, Tooltip, Typography } from 'antd'
import { keepPreviousData, useQuery } from '@tanstack/react-query'
import type { Dayjs } from 'dayjs'
import { answer, client, type Schemas } from '../../api/client'
import { useI18n } from '../../lib/i18n'
import { time } from '../../lib/format'
import { Link, linkOptions } from '@tanstack/react-router'
import { useMembers, useUserName } from './users'
import { actionWords, objectWords, resultWords } from './words'

type Entry = Schemas['AuditEntry']

// actions are offered as suggestions; any other may be typed.
const actions = Object.keys(actionWords)

// objectLink opens the object where the console has a page for it.
function objectLink(e: Entry) {
  if (!e.objectId) return null
  if (e.objectType === 'workflow') return linkOptions({ to: '/workflows/$id', params: { id: e.objectId } })
  if (e.objectType === 'run') return linkOptions({ to: '/runs/$id', params: { id: e.objectId } })
  if (e.objectType === 'variable') return linkOptions({ to: '/variables' })
  return null
}

export default function AuditPage() {
  const { t } = useI18n()
  const who = useUserName()
  const members = useMembers()
  const [userId, setUserId] = useState<string>()
  const [action, setAction] = useState('')
  const [objectId, setObjectId] = useState('')
  const [range, setRange] = useState<[Dayjs | null, Dayjs | null] | null>(null)
  const [page, setPage] = useState(1)
  const [pageSize, setPageSize] = useState(20)
  const f = { userId, action: action.trim(), objectId: objectId.trim(), from: range?.[0]?.toISOString(), to: range?.[1]?.toISOString(), page, pageSize }
  const q = useQuery({
    queryKey: ['audit-logs', f],
    queryFn: () => answer(client.GET('/audit-logs', { params: { query: f } })),
    placeholderData: keepPreviousData,
    retry: false,
  })
  const set = <T,>(fn: (v: T) => void) => (v: T) => { fn(v); setPage(1) }
  const filtered = !!(userId || action || objectId || range)
  return (
    <Card title={t('Audit log')} data-testid="audit-page" extra={
      <Button onClick={() => q.refetch()} loading={q.isFetching} data-testid="audit-refresh">{t('Refresh')}</Button>}>
      <Space wrap style={{ marginBottom: 12 }}>
        <Select allowClear showSearch placeholder={t('User')} value={userId} onChange={set(setUserId)} style={{ width: 200 }} data-testid="audit-user"
          optionFilterProp="label" options={(members.data?.items ?? []).map((m) => ({ value: m.userId, label: m.name ? `${m.name} (${m.account})` : m.account }))} />
        <AutoComplete allowClear placeholder={t('Action')} value={action} onChange={set(setAction)} style={{ width: 220 }} data-testid="audit-action"
          options={actions.filter((a) => a.includes(action.trim())).map((a) => ({ value: a, label: <span>{a} <Typography.Text type="secondary">{actionWords[a] ? t(actionWords[a]) : ''}</Typography.Text></span> }))} />
        <Input allowClear placeholder={t('Object id')} value={objectId} onChange={(e) => set(setObjectId)(e.target.value)} style={{ width: 220 }} data-testid="audit-object" />
        <DatePicker.RangePicker showTime value={range} onChange={set(setRange)} data-testid="audit-range" />
        {filtered && <Button onClick={() => { setUserId(undefined); setAction(''); setObjectId(''); setRange(null); setPage(1) }} data-testid="audit-clear">{t('Clear filters')}</Button>}
      </Space>
      {q.error && <Alert type="error" showIcon title={q.error.message} style={{ marginBottom: 12 }} data-testid="audit-error" />}
      <Table<Entry> rowKey="id" size="small" dataSource={q.data?.items} loading={q.isFetching && !q.data} data-testid="audit-table"
        onRow={(e) => ({ 'data-testid': 'audit-row', 'data-action': e.action } as object)}
        pagination={{ current: page, pageSize, total: q.data?.total, showSizeChanger: true, onChange: (p, s) => { setPage(p); setPageSize(s) },
          showTotal: (n) => t('{n} entries', { n }) }}
        columns={[
          { title: t('Time'), dataIndex: 'at', width: 170, render: (v) => time(v) },
          { title: t('User'), dataIndex: 'userId', width: 170, render: (v: string, e) => v ? (
            <Space size={4}><a onClick={() => set(setUserId)(v)}>{who(v)}</a>{e.tokenId && <Tooltip title={e.tokenId}><Tag>{t('API token')}</Tag></Tooltip>}</Space>)
            : <Typography.Text type="secondary">{t('System')}</Typography.Text> },
          { title: t('Action'), dataIndex: 'action', width: 220, render: (v: string) => (
            <Tooltip title={v}><a onClick={() => set(setAction)(v)} data-testid="audit-row-action">{actionWords[v] ? t(actionWords[v]) : v}</a></Tooltip>) },
          { title: t('Object'), render: (_, e) => {
            const to = objectLink(e)
            const name = e.objectName || e.objectId || '-'
            return (
              <Space size={4}>
                {e.objectType && <Tag>{objectWords[e.objectType] ? t(objectWords[e.objectType]) : e.objectType}</Tag>}
                {to ? <Link {...to}>{name}</Link> : name}
                {e.version ? <Tag>v{e.version}</Tag> : null}
                {e.objectId && <Button size="small" type="text" onClick={() => set(setObjectId)(e.objectId)} title={t('Only this object')}>⌕</Button>}
              </Space>)
          } },
          { title: t('Result'), dataIndex: 'result', width: 130, render: (v: string) => v === 'ok' ? <Tag color="green">{t('Succeeded')}</Tag>
            : <Tooltip title={v}><Tag color="red">{resultWords[v] ? t(resultWords[v]) : v}</Tag></Tooltip> },
          { title: t('Summary'), dataIndex: 'summary', ellipsis: true },
          { title: t('Client'), dataIndex: 'clientAddr', width: 130 },
        ]} />
    </Card>
  )
}
