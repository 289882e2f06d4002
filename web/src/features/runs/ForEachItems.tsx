// The items of a FOREACH node run (docs/run-semantics.md#foreach-jobs):
// counts by state as a progress bar, and a table of items with their
// child runs, filtered by state and paged by index; polled while the run
// goes on.
import { useState } from 'react'
import { Button, Progress, Select, Space, Table, Tag, Typography } from 'antd'
import { keepPreviousData, useQuery } from '@tanstack/react-query'
import { answer, client } from '../../api/client'
import { useI18n } from '../../lib/i18n'
import { Link } from '@tanstack/react-router'
import { StatusTag } from '../../lib/status'
import { duration, time } from '../../lib/format'

const STATES = ['PENDING', 'QUEUED', 'RUNNING', 'PAUSED', 'SUCCESS', 'FAIL', 'ABORTED', 'SKIPPED']
const PAGE = 50

function useItems(runId: string, jobId: string, status: string | undefined, after: number, live: boolean) {
  return useQuery({
    queryKey: ['foreach-items', runId, jobId, status, after],
    queryFn: () => answer(client.GET('/runs/{id}/nodes/{jobId}/items', {
      params: { path: { id: runId, jobId }, query: { status, after: String(after), pageSize: PAGE } } })),
    placeholderData: keepPreviousData,
    refetchInterval: live ? 2000 : false,
  })
}

export function ForEachItems({ runId, jobId, live }: { runId: string; jobId: string; live: boolean }) {
  const { t } = useI18n()
  const [status, setStatus] = useState<string>()
  const [pages, setPages] = useState<number[]>([-1]) // the after of each page seen
  const after = pages[pages.length - 1]
  const q = useItems(runId, jobId, status, after, live)
  const d = q.data
  const total = d?.total ?? 0
  const counts = d?.counts ?? {}
  const ok = counts.SUCCESS ?? 0
  const failed = (counts.FAIL ?? 0) + (counts.ABORTED ?? 0)
  return (
    <div data-testid="foreach-items">
      <Space wrap style={{ marginBottom: 8 }}>
        <Progress type="line" style={{ width: 260 }} percent={total ? Math.round(((ok + failed) * 100) / total) : 0}
          success={{ percent: total ? Math.round((ok * 100) / total) : 0 }} strokeColor={failed ? '#ff4d4f' : undefined}
          format={() => `${ok + failed}/${total}`} data-testid="foreach-progress" />
        <Typography.Text data-testid="foreach-total">{t('Items')}: {total}</Typography.Text>
        {STATES.filter((s) => counts[s]).map((s) => (
          <Tag key={s} data-testid={'foreach-count-' + s}>{t(s)} {counts[s]}</Tag>
        ))}
        <Select allowClear placeholder={t('Status')} style={{ width: 140 }} value={status} data-testid="foreach-filter"
          options={STATES.map((s) => ({ value: s, label: t(s) }))} onChange={(v) => { setStatus(v); setPages([-1]) }} />
      </Space>
      <Table size="small" rowKey="index" loading={q.isFetching && !d} dataSource={d?.items ?? []} pagination={false} data-testid="foreach-table"
        onRow={(r) => ({ 'data-testid': 'foreach-item-' + r.index } as object)}
        columns={[
          { title: '#', dataIndex: 'index', width: 60 },
          { title: t('Item'), dataIndex: 'item', ellipsis: true },
          { title: t('Status'), dataIndex: 'status', width: 130, render: (v, r) => (<>
            <StatusTag status={v} />{r.carried && <Tag title={t('Succeeded in the run this one reruns')}>{t('carried')}</Tag>}</>) },
          { title: t('Run'), dataIndex: 'runId', ellipsis: true, render: (v?: string) => v
            ? <Link to="/runs/$id" params={{ id: v }} data-testid="foreach-run-link">{v}</Link> : '-' },
          { title: t('Started'), dataIndex: 'startedAt', render: (v) => time(v) },
          { title: t('Duration'), render: (_, r) => (r.startedAt ? duration(r.startedAt, r.endedAt) : '-') },
          { title: t('Error'), dataIndex: 'error', ellipsis: true },
        ]} />
      <Space style={{ marginTop: 8 }}>
        <Button size="small" disabled={pages.length < 2} onClick={() => setPages(pages.slice(0, -1))} data-testid="foreach-prev">{t('Previous')}</Button>
        <Button size="small" disabled={!d || d.next < 0} onClick={() => d && setPages([...pages, d.next])} data-testid="foreach-next">{t('Next')}</Button>
      </Space>
    </div>
  )
}
