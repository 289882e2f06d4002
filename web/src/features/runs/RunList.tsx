// 运行记录: every run of the tenant, filtered, newest first.
import { useState } from 'react'
import { Card, Select, Space, Table, Typography } from 'antd'
import type { Run } from '../../api/client'
import { useI18n } from '../../lib/i18n'
import { Link, navigate, useLocation } from '../../lib/router'
import { useWord } from '../enums/words'
import { StatusTag } from '../../lib/status'
import { duration, time } from '../../lib/format'
import { useRuns } from './api'

export default function RunList() {
  const { t } = useI18n()
  const w = useWord()
  const { query } = useLocation()
  const [status, setStatus] = useState('')
  const [trigger, setTrigger] = useState('')
  const [page, setPage] = useState(1)
  const [pageSize, setPageSize] = useState(20)
  const workflowId = query.get('workflowId') ?? undefined
  const q = useRuns({ workflowId, status, trigger, page, pageSize })
  return (
    <Card title={t('Runs')} extra={
      <Space>
        <Select value={status} onChange={(v) => { setStatus(v); setPage(1) }} style={{ width: 130 }} data-testid="runs-status-filter"
          options={[{ value: '', label: t('Status') + ': ' + t('All') }, ...['RUNNING', 'QUEUED', 'PAUSED', 'SUCCESS', 'FAIL', 'ABORTING', 'ABORTED', 'SKIPPED'].map((s) => ({ value: s, label: w('status', s) }))]} />
        <Select value={trigger} onChange={(v) => { setTrigger(v); setPage(1) }} style={{ width: 130 }} data-testid="runs-trigger-filter"
          options={[{ value: '', label: t('Trigger') + ': ' + t('All') }, ...['MANUAL', 'SCHEDULE', 'INVOKE', 'RERUN', 'BACKFILL', 'SUBFLOW'].map((s) => ({ value: s, label: w('trigger', s) }))]} />
      </Space>}>
      {q.error && <Typography.Text type="danger">{q.error.message}</Typography.Text>}
      <Table<Run> rowKey="id" size="middle" loading={q.isFetching && !q.data} dataSource={q.data?.items} data-testid="runs-table"
        pagination={{ current: page, pageSize, total: q.data?.total, showSizeChanger: true, onChange: (p, s) => { setPage(p); setPageSize(s) } }}
        onRow={(r) => ({ onClick: () => navigate('/runs/' + r.id), style: { cursor: 'pointer' }, 'data-testid': 'run-row' } as object)}
        columns={[
          // The name is a link too: rows are reachable by Tab, not by mouse only.
          { title: t('Workflow'), dataIndex: 'workflowName', render: (v, r) => <Link to={'/runs/' + r.id} onClick={(e) => e.stopPropagation()} data-testid="run-link">{v}</Link> },
          { title: t('Trigger'), dataIndex: 'trigger', render: (v) => <span data-testid="run-trigger" data-code={v}>{w('trigger', v)}</span> },
          { title: t('Status'), dataIndex: 'status', render: (v) => <StatusTag status={v} /> },
          { title: t('Logical time'), dataIndex: 'logicalTime', render: (v) => time(v) },
          { title: t('Started'), dataIndex: 'startedAt', render: (v) => time(v) },
          { title: t('Duration'), render: (_, r) => duration(r.startedAt, r.endedAt) },
        ]} />
    </Card>
  )
}
