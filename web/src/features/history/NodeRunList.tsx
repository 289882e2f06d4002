// 任务实例 (/node-runs): node runs across runs, newest start first,
// filtered by workflow, job (of the workflow picked), status and start
// time; the filters and the page live in the URL.
import { Card, Select, Space, Table, Typography } from 'antd'
import { useQuery } from '@tanstack/react-query'
import { useI18n } from '../../lib/i18n'
import { Link, getRouteApi } from '@tanstack/react-router'
import { patchSearch } from '../../lib/search'
import { StatusTag } from '../../lib/status'
import { time } from '../../lib/format'
import { workflowQuery } from '../workflows/api'
import { NODE_STATUSES, useNodeRuns, type NodeRunItem } from './api'
import { StatusFilter, TimeRange, WorkflowFilter } from './filters'
import { ms } from './ms'
import './history.css'

// JobFilter lists the jobs of the workflow picked (none picked: disabled).
function JobFilter({ workflowId, value, onChange }: { workflowId: string; value: string; onChange: (v: string) => void }) {
  const { t } = useI18n()
  const wf = useQuery({ ...workflowQuery(workflowId), enabled: !!workflowId })
  const jobs = workflowId ? wf.data?.jobs ?? [] : []
  return (
    <Select showSearch={{ optionFilterProp: 'label' }} allowClear disabled={!workflowId} value={value || undefined} onChange={(v) => onChange(v ?? '')}
      placeholder={t('Job') + ': ' + t('All')} style={{ width: 180 }} data-testid="node-runs-job-filter" loading={wf.isFetching}
      options={jobs.map((j) => ({ value: j.id, label: j.name }))} />
  )
}

const route = getRouteApi('/node-runs')
type Search = ReturnType<typeof route.useSearch>

export default function NodeRunList() {
  const { t } = useI18n()
  const s = route.useSearch()
  const navigate = route.useNavigate()
  // A filter change replaces the URL (no step for Back) and goes to page 1.
  const set = (patch: Partial<Search>) => void navigate({ to: '.', search: (prev: Search) => patchSearch(prev, patch), replace: true, resetScroll: false })
  const page = s.page ?? 1
  const pageSize = s.pageSize ?? 20
  const filter = { workflowId: s.workflowId ?? '', jobId: s.jobId ?? '', status: s.status ?? '', from: s.from ?? '', to: s.to ?? '' }
  const q = useNodeRuns({ ...filter, page, pageSize })
  const total = q.data?.total ?? 0
  return (
    <Card title={t('Task instances')} extra={
      <Space wrap>
        <WorkflowFilter value={filter.workflowId} onChange={(v) => set({ workflowId: v, jobId: undefined })} testid="node-runs-workflow-filter" />
        <JobFilter workflowId={filter.workflowId} value={filter.jobId} onChange={(v) => set({ jobId: v })} />
        <StatusFilter value={filter.status} onChange={(v) => set({ status: v })} statuses={NODE_STATUSES} label={t('Status')} testid="node-runs-status-filter" />
        <TimeRange from={filter.from} to={filter.to} onChange={(from, to) => set({ from, to })} testid="node-runs-time-filter" />
      </Space>}>
      {q.error && <Typography.Text type="danger" data-testid="node-runs-error">{q.error.message}</Typography.Text>}
      <Table<NodeRunItem> rowKey={(r) => r.runId + '/' + r.jobId} size="middle" loading={q.isFetching && !q.data} dataSource={q.data?.items} data-testid="node-runs-table"
        pagination={{ current: page, pageSize, total, showSizeChanger: true, onChange: (p, n) => set({ page: p === 1 ? undefined : p, pageSize: n === 20 ? undefined : n }),
          showTotal: (n) => (q.data?.totalCapped ? t('more than {n}', { n }) : t('{n} in all', { n })) }}
        onRow={(r) => ({ 'data-testid': 'node-run-row', 'data-run': r.runId, 'data-job': r.jobName, 'data-status': r.status } as object)}
        columns={[
          { title: t('Run id'), dataIndex: 'runId', render: (v: string, r) => <Link to="/runs/$id" params={{ id: v }} search={{ node: r.jobId }} className="jf-mono" data-testid={'node-run-link-' + v}>{v}</Link> },
          { title: t('Workflow'), dataIndex: 'workflowName', render: (v: string, r) => <Link to="/workflows/$id/history" params={{ id: r.workflowId }}>{v}</Link> },
          { title: t('Job'), dataIndex: 'jobName', render: (v: string, r) => <span>{v} <span className="jf-job-type">{r.jobType}</span></span> },
          { title: t('Status'), dataIndex: 'status', width: 120, render: (v) => <StatusTag status={v} testid="node-run-status" /> },
          { title: t('Started'), dataIndex: 'startedAt', width: 170, render: (v) => time(v) },
          { title: t('Ended'), dataIndex: 'endedAt', width: 170, render: (v) => time(v) },
          { title: t('Duration'), dataIndex: 'durationMs', width: 110, render: (v: number | null) => ms(v) },
          { title: t('Attempt'), dataIndex: 'attempt', width: 70 },
          { title: t('Error'), dataIndex: 'error', ellipsis: true },
        ]} />
    </Card>
  )
}
