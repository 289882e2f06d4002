// 运行历史 (/workflows/:id/history): a workflow's last runs by job, the
// grid, and the duration trend of the job whose name is clicked. The
// number of runs (?limit=) and the job (?job=) are kept in the URL.
import { useMemo } from 'react'
import { Alert, Card, Segmented, Space, Spin, Typography } from 'antd'
import { useQuery } from '@tanstack/react-query'
import { useI18n } from '../../lib/i18n'
import { Link, getRouteApi } from '@tanstack/react-router'
import { statusColor } from '../../lib/status'
import { workflowQuery } from '../workflows/api'
import { useRunGrid } from './api'
import { Grid } from './Grid'
import { Trend } from './Trend'
import './history.css'

const LIMITS = [25, 50, 100]
const route = getRouteApi('/workflows/$id/history')

export default function RunGridPage({ id }: { id: string }) {
  const { t } = useI18n()
  const s = route.useSearch()
  const navigate = route.useNavigate()
  // The limit and the job replace the URL in place (no step for Back).
  const set = (patch: Partial<typeof s>) => void navigate({ to: '.', search: (prev: typeof s) => ({ ...prev, ...patch }), replace: true, resetScroll: false })
  const limit = s.limit && LIMITS.includes(s.limit) ? s.limit : 25
  const jobId = s.job ?? ''
  const grid = useRunGrid(id, limit)
  const wf = useQuery(workflowQuery(id))
  // Columns oldest first: the newest run is on the right, as in Airflow.
  const runs = useMemo(() => [...(grid.data?.runs ?? [])].reverse(), [grid.data])
  const jobs = useMemo(() => grid.data?.jobs ?? [], [grid.data])
  const seen = useMemo(() => {
    const s = new Set<string>()
    for (const r of runs) {
      s.add(r.status)
      for (const c of Object.values(r.cells)) s.add(c.status)
    }
    return [...s]
  }, [runs])
  const job = jobs.find((j) => j.id === jobId)
  const now = grid.dataUpdatedAt || Date.now()

  return (
    <div style={{ display: 'flex', flexDirection: 'column', gap: 8 }}>
      <Card size="small" title={<Space wrap>
        <span>{t('Run history')}</span>
        <Typography.Text strong data-testid="history-workflow">{wf.data?.name ?? '…'}</Typography.Text>
      </Space>} extra={<Space wrap>
        <Link to="/workflows/$id" params={{ id: id }} data-testid="history-editor">{t('Edit')}</Link>
        <Link to="/runs" search={{ workflowId: id }} data-testid="history-runs">{t('Runs')}</Link>
        <Link to="/node-runs" search={{ workflowId: id }} data-testid="history-node-runs">{t('Task instances')}</Link>
        <span>{t('Last runs')}:</span>
        <Segmented size="small" value={limit} onChange={(v) => set({ limit: v === 25 ? undefined : v })} data-testid="history-limit"
          options={LIMITS.map((n) => ({ value: n, label: String(n) }))} />
      </Space>}>
        <Space direction="vertical" style={{ width: '100%' }} size={8}>
          <div style={{ display: 'flex', justifyContent: 'space-between', gap: 16, flexWrap: 'wrap' }}>
            <Typography.Text type="secondary">{t('Newest run on the right. Hover a square for its status and duration, click it to open the run; click a job for its duration trend.')}</Typography.Text>
            <div className="jf-legend" data-testid="history-legend">
              {seen.map((s) => <span key={s}><i style={{ background: statusColor[s] ?? '#8c8c8c' }} />{t(s)}</span>)}
            </div>
          </div>
          {grid.error && <Alert type="error" showIcon title={grid.error.message} data-testid="history-error" />}
          {grid.isLoading ? <Spin style={{ margin: 32 }} />
            : grid.data && !runs.length ? <Typography.Text type="secondary" data-testid="history-empty">{t('No runs yet')}</Typography.Text>
            : grid.data && <Grid jobs={jobs} runs={runs} selected={jobId} now={now} onSelect={(j) => set({ job: j === jobId ? undefined : j })} />}
          {/* Under the grid, in its columns: bar i is the run of column i. */}
          {job && runs.length > 0 && <Trend job={job} runs={runs} />}
        </Space>
      </Card>
    </div>
  )
}
