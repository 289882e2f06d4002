// 运行记录: every run of the tenant, newest first, filtered by workflow,
// status, trigger, start time and a text (`q`: run id or params). The
// filters and the page live in the URL, so a reload or Back keeps them.
import { Card, Space, Table, Typography } from 'antd'
import type { Run } from '../../api/client'
import { useI18n } from '../../lib/i18n'
import { Link, getRouteApi } from '@tanstack/react-router'
import { patchSearch } from '../../lib/search'
import { useWord } from '../enums/words'
import { StatusTag } from '../../lib/status'
import { time } from '../../lib/format'
import { RUN_STATUSES, TRIGGERS } from '../history/api'
import { StatusFilter, TextFilter, TimeRange, WorkflowFilter } from '../history/filters'
import { ms, runMs } from '../history/ms'
import { useRuns } from './api'
import '../history/history.css'

const route = getRouteApi('/runs')
type Search = ReturnType<typeof route.useSearch>

export default function RunList() {
  const { t } = useI18n()
  const w = useWord()
  const s = route.useSearch()
  const navigate = route.useNavigate()
  // A filter change replaces the URL (no step for Back) and goes to page 1.
  const set = (patch: Partial<Search>) => void navigate({ to: '.', search: (prev: Search) => patchSearch(prev, patch), replace: true, resetScroll: false })
  const page = s.page ?? 1
  const pageSize = s.pageSize ?? 20
  const filter = { workflowId: s.workflowId ?? '', status: s.status ?? '', trigger: s.trigger ?? '', from: s.from ?? '', to: s.to ?? '', q: s.q ?? '' }
  const q = useRuns({ ...filter, page, pageSize })
  const total = q.data?.total ?? 0
  return (
    <Card title={t('Runs')} extra={
      <Space wrap>
        <WorkflowFilter value={filter.workflowId} onChange={(v) => set({ workflowId: v })} testid="runs-workflow-filter" />
        <StatusFilter value={filter.status} onChange={(v) => set({ status: v })} statuses={RUN_STATUSES} label={t('Status')} testid="runs-status-filter" />
        <StatusFilter value={filter.trigger} onChange={(v) => set({ trigger: v })} statuses={TRIGGERS} kind="trigger" label={t('Trigger')} testid="runs-trigger-filter" />
        <TimeRange from={filter.from} to={filter.to} onChange={(from, to) => set({ from, to })} testid="runs-time-filter" />
        <TextFilter value={filter.q} onChange={(v) => set({ q: v })} placeholder={t('Run id or params')} testid="runs-q" />
      </Space>}>
      {q.error && <Typography.Text type="danger" data-testid="runs-error">{q.error.message}</Typography.Text>}
      <Table<Run> rowKey="id" size="middle" loading={q.isFetching && !q.data} dataSource={q.data?.items} data-testid="runs-table"
        pagination={{ current: page, pageSize, total, showSizeChanger: true, onChange: (p, n) => set({ page: p === 1 ? undefined : p, pageSize: n === 20 ? undefined : n }),
          showTotal: (n) => (q.data?.totalCapped ? t('more than {n}', { n }) : t('{n} in all', { n })) }}
        onRow={(r) => ({ 'data-testid': 'run-row', 'data-run': r.id, 'data-status': r.status } as object)}
        columns={[
          { title: t('Run id'), dataIndex: 'id', render: (v: string) => <Link to="/runs/$id" params={{ id: v }} className="jf-mono" data-testid={'run-link-' + v}>{v}</Link> },
          { title: t('Workflow'), dataIndex: 'workflowName', render: (v: string, r) => <Link to="/workflows/$id/history" params={{ id: r.workflowId }} data-testid="run-workflow-link">{v}</Link> },
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
