// 概览 (/home and /): today's runs by status (each count links to the
// run list so filtered), today's failures and the runs going on, each
// linking to its run, and the next fire times of published workflows.
// Polled every 10 s; "today" is the browser's day.
import { Card, Col, Row, Space, Typography } from 'antd'
import dayjs from 'dayjs'
import type { Run } from '../../api/client'
import { useI18n } from '../../lib/i18n'
import { Link } from '@tanstack/react-router'
import { StatusTag, statusColor } from '../../lib/status'
import { time } from '../../lib/format'
import { RUN_STATUSES, usePublished, useRecentRuns, useTodayCounts } from './api'
import { ms, runMs } from './ms'
import './history.css'

function RunItems({ runs, testid, empty }: { runs?: Run[]; testid: string; empty: string }) {
  const { t } = useI18n()
  if (!runs) return <Typography.Text type="secondary">…</Typography.Text>
  if (!runs.length) return <Typography.Text type="secondary" data-testid={testid + '-empty'}>{empty}</Typography.Text>
  return (
    <ul className="jf-home-list" data-testid={testid}>
      {runs.map((r) => (
        <li key={r.id} data-testid={testid + '-item'} data-run={r.id}>
          <StatusTag status={r.status} />
          <Link to="/runs/$id" params={{ id: r.id }} data-testid={testid + '-link'}>{r.workflowName}</Link>
          <Typography.Text type="secondary">{time(r.startedAt)} · {t(r.trigger)} · {ms(runMs(r))}</Typography.Text>
          {r.error && <Typography.Text type="danger" ellipsis style={{ maxWidth: '100%' }} title={r.error}>{r.error}</Typography.Text>}
        </li>
      ))}
    </ul>
  )
}

export default function HomePage() {
  const { t } = useI18n()
  const from = dayjs().startOf('day').format()
  const counts = useTodayCounts(from)
  const failures = useRecentRuns('FAIL', from)
  const running = useRecentRuns('RUNNING')
  const published = usePublished()
  const known = counts.every((c) => c.data)
  const total = counts.reduce((n, c) => n + (c.data?.total ?? 0), 0)
  const capped = counts.some((c) => c.data?.totalCapped)

  return (
    <Space direction="vertical" style={{ width: '100%' }} size={12}>
      <Card size="small" title={t('Today’s runs') + ' · ' + dayjs().format('YYYY-MM-DD')} data-testid="home-today"
        extra={<Link to="/runs" search={{ from }} data-testid="home-today-all">{t('All runs today')}</Link>}>
        <div style={{ display: 'flex', flexWrap: 'wrap', gap: 8 }}>
          <Link to="/runs" search={{ from }} className="jf-home-count" data-testid="home-count-ALL" data-count={known ? total : ''}>
            <span>{t('All')}</span><b>{known ? total + (capped ? '+' : '') : '…'}</b>
          </Link>
          {RUN_STATUSES.map((s, i) => {
            const d = counts[i].data
            return (
              <Link key={s} to="/runs" search={{ from, status: s }} className="jf-home-count" data-testid={'home-count-' + s} data-count={d ? d.total : ''}
                style={{ borderTop: '3px solid ' + (statusColor[s] ?? '#8c8c8c'), opacity: d && !d.total ? 0.6 : 1 }}>
                <span>{t(s)}</span><b>{d ? d.total + (d.totalCapped ? '+' : '') : '…'}</b>
              </Link>
            )
          })}
        </div>
        {counts.find((c) => c.error)?.error && <Typography.Text type="danger">{counts.find((c) => c.error)!.error!.message}</Typography.Text>}
      </Card>
      <Row gutter={[12, 12]}>
        <Col xs={24} lg={12}>
          <Card size="small" title={t('Failed today') + (failures.data ? ' (' + failures.data.total + ')' : '')}
            extra={<Link to="/runs" search={{ from, status: 'FAIL' }} data-testid="home-failures-all">{t('All')}</Link>}>
            {failures.error ? <Typography.Text type="danger">{failures.error.message}</Typography.Text>
              : <RunItems runs={failures.data?.items} testid="home-failures" empty={t('No failures today')} />}
          </Card>
        </Col>
        <Col xs={24} lg={12}>
          <Card size="small" title={t('Running now') + (running.data ? ' (' + running.data.total + ')' : '')}
            extra={<Link to="/runs" search={{ status: 'RUNNING' }} data-testid="home-running-all">{t('All')}</Link>}>
            {running.error ? <Typography.Text type="danger">{running.error.message}</Typography.Text>
              : <RunItems runs={running.data?.items} testid="home-running" empty={t('Nothing running')} />}
          </Card>
        </Col>
      </Row>
      <Card size="small" title={t('Next fire times')}>
        {published.error ? <Typography.Text type="danger">{published.error.message}</Typography.Text>
          : !published.data ? <Typography.Text type="secondary">…</Typography.Text>
          : !published.data.length ? <Typography.Text type="secondary" data-testid="home-next-empty">{t('No published workflow is scheduled')}</Typography.Text>
          : (
            <ul className="jf-home-list" data-testid="home-next">
              {published.data.slice(0, 10).map((w) => (
                <li key={w.id} data-testid="home-next-item" data-workflow={w.name}>
                  <span className="jf-mono" style={{ minWidth: 150 }} data-testid="home-next-time">{time(w.nextRunTime)}</span>
                  <Typography.Text type="secondary" style={{ minWidth: 110 }}>{t('in about {d}', { d: ms(Math.max(0, Date.parse(w.nextRunTime!) - Date.now())) })}</Typography.Text>
                  <Link to="/workflows/$id" params={{ id: w.id }}>{w.name}</Link>
                  <Link to="/workflows/$id/history" params={{ id: w.id }} data-testid="home-next-history">{t('Run history')}</Link>
                </li>
              ))}
            </ul>
          )}
      </Card>
    </Space>
  )
}
