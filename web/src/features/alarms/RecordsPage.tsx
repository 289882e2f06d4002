// 告警记录: every alarm send attempt.
import { useState } from 'react'
import { Alert, Card, Input, Table } from 'antd'
import { useQuery } from '@tanstack/react-query'
import { answer, client, type AlarmRecord } from '../../api/client'
import { useI18n } from '../../lib/i18n'
import { Link } from '@tanstack/react-router'
import { useWord } from '../enums/words'
import { StatusTag } from '../../lib/status'
import { time } from '../../lib/format'

export default function RecordsPage() {
  const { t } = useI18n()
  const w = useWord()
  const [page, setPage] = useState(1)
  const [runId, setRunId] = useState('')
  const q = useQuery({ queryKey: ['alarm-records', page, runId], meta: { page: true }, queryFn: () => answer(client.GET('/alarm-records', { params: { query: { page, runId } } })) })
  return (
    <Card title={t('Alarm records')} extra={<Input.Search allowClear placeholder={t('Run ID')} onSearch={(v) => { setRunId(v); setPage(1) }} />}>
      {q.error && <Alert type="error" showIcon title={q.error.message} />}
      <Table<AlarmRecord> rowKey="id" size="middle" data-testid="records-table" dataSource={q.data?.items} pagination={{ current: page, total: q.data?.total, onChange: setPage }} columns={[
        { title: t('Created'), dataIndex: 'createdAt', render: (v) => time(v) },
        { title: t('Event'), dataIndex: 'event', render: (v) => <span data-testid="record-event" data-code={v}>{w('event', v)}</span> },
        { title: t('Status'), dataIndex: 'status', render: (v) => <StatusTag status={v} kind="record" testid="record-status" /> },
        { title: t('Attempt'), dataIndex: 'attempt' },
        { title: t('Run ID'), dataIndex: 'runId', render: (v) => v ? <Link to="/runs/$id" params={{ id: v }}>{v}</Link> : '-' },
        { title: t('Response'), render: (_, r) => (r.responseCode ? r.responseCode + ' ' : '') + (r.response ?? ''), ellipsis: true },
        { title: t('Error'), dataIndex: 'error', ellipsis: true },
      ]} />
    </Card>
  )
}
