// 运行记录: every run of the tenant, newest first, filtered by workflow,
// status, trigger, start time and a text (`q`: run id or params). The
// filters and the page live in the URL, so a reload or Back keeps them.
import { Card, Space, Table, Typography } from 'antd'
import type { Run } from '../../api/client'
import { useI18n } from '../../lib/i18n'
import { Link } from '../../lib/router'
import { useWord } from '../enums/words'
import { StatusTag } from '../../lib/status'
import { time } from '../../lib/format'
import { RUN_STATUSES, TRIGGERS } from '../history/api'
import { StatusFilter, TextFilter, TimeRange, WorkflowFilter, useUrlFilters } from '../history/filters'
import { ms, runMs } from '../history/ms'
import { useRuns } from './api'
import '../history/history.css'

export default function RunList() {
  const { t } = useI18n()
  const w = useWord()
  const f = useUrlFilters()
  const page = f.num('page', 1)
  const pageSize = f.num('pageSize', 20)
  const filter = { workflowId: f.get('workflowId'), status: f.get('status'), trigger: f.get('trigger'), from: f.get('from'), to: f.get('to'), q: f.get('q') }
  const q = useRuns({ ...filter, page, pageSize })
  const total = q.data?.total ?? 0
  return (
    <Card title={t('Runs')} extra={
      <Space wrap>
        <WorkflowFilter value={filter.workflowId} onChange={(v) => f.set({ workflowId: v })} testid="runs-workflow-filter" />
        <StatusFilter value={filter.status} onChange={(v) => f.set({ status: v })} statuses={RUN_STATUSES} label={t('Status')} testid="runs-status-filter" />
        <StatusFilter value={filter.trigger} onChange={(v) => f.set({ trigger: v })} statuses={TRIGGERS} kind="trigger" label={t('Trigger')} testid="runs-trigger-filter" />
        <TimeRange from={filter.from} to={filter.to} onChange={(from, to) => f.set({ from, to })} testid="runs-time-filter" />
        <TextFilter value={filter.q} onChange={(v) => f.set({ q: v })} placeholder={t('Run id or params')} testid="runs-q" />
      </Space>}>
      {q.error && <Typography.Text type="danger" data-testid="runs-error">{q.error.message}</Typography.Text>}
      <Table<Run> rowKey="id" size="middle" loading={q.isFetching && !q.data} dataSource={q.data?.items} data-testid="runs-table"
        pagination={{ current: page, pageSize, total, showSizeChanger: true, onChange: (p, s) => f.set({ page: p === 1 ? '' : p, pageSize: s === 20 ? '' : s }),
          showTotal: (n) => (q.data?.totalCapped ? t('more than {n}', { n }) : t('{n} in all', { n })) }}
        onRow={(r) => ({ 'data-testid': 'run-row', 'data-run': r.id, 'data-status': r.status } as object)}
        columns={[
          { title: t('Run id'), dataIndex: 'id', render: (v: string) => <Link to={'/runs/' + v} className="jf-mono" data-testid={'run-link-' + v}>{v}</Link> },
          { title: t('Workflow'), dataIndex: 'workflowName', render: (v: string, r) => <Link to={'/workflows/' + r.workflowId + '/history'} data-testid="run-workflow-link">{v}</Link> },
          { title: t('Version'), dataIndex: 'versionNumber', width: 80, render: (v?: number) => (v ? 'v' + v : t('Draft')) },
          { title: t('Trigger'), dataIndex: 'trigger', width: 100, render: (v) => <span data-testid="run-trigger" data-code={v}>{w('trigger', v)}</span> },
          { title: t('Started'), dataIndex: 'startedAt', width: 170, render: (v) => time(v) },
          { title: t('Ended'), dataIndex: 'endedAt', width: 170, render: (v) => time(v) },
          { title: t('Duration'), width: 110, render: (_, r) => ms(runMs(r)) },
          { title: t('Status'), dataIndex: 'status', width: 110, render: (v) => <StatusTag status={v} testid="run-status-tag" /> },
        ]} />
    </Card>
  )
}
