// A baseline's instances, one per data date (newest first, or the date
// picked), polled every 10 s: status (SAFE green, WARNING orange, BREACHED
// red, MET blue), the committed deadline and the warning time, predicted
// against actual finish, why, each target with its run, and the key path
// (the remaining chain that decides the predicted finish).
import { useState } from 'react'
import { Alert, Card, DatePicker, Space, Table, Typography } from 'antd'
import dayjs from 'dayjs'
import type { T } from '../../lib/i18n'
import { useI18n } from '../../lib/i18n'
import { Link } from '@tanstack/react-router'
import { StatusTag } from '../../lib/status'
import { inZone, time } from '../../lib/format'
import { useInstances, useJobNames, type Baseline, type BaselineInstance } from './api'

type Target = BaselineInstance['targets'][number]

// reasonText translates the judge's reasons (baseline.go); the ones that
// end with a name keep it.
const reasonPrefixes = ['finishBy passed with a target failed: ', 'a target failed: ', 'no prediction for ']
function reasonText(t: T, r: string): string {
  for (const p of reasonPrefixes) if (r.startsWith(p)) return t(p.trim()) + ' ' + r.slice(p.length)
  return t(r)
}

export function Instances({ baseline, workflowNames }: { baseline: Baseline; workflowNames: Map<string, string> }) {
  const { t } = useI18n()
  const [date, setDate] = useState<string | undefined>()
  const q = useInstances(baseline.id, date)
  const items = q.data?.items ?? []
  // Names of target jobs and key-path jobs, by the workflows they are in.
  const jobNames = useJobNames([...items.flatMap((x) => x.keyPath.map((k) => k.workflowId)), ...baseline.targets.filter((x) => x.jobId).map((x) => x.workflowId)])
  const late = (at: string | null | undefined, in_: BaselineInstance) => !!at && Date.parse(at) > Date.parse(in_.deadline)
  return (
    <Card data-testid="baseline-instances" loading={q.isLoading}
      title={<Space>{t('Baseline') + ': ' + baseline.name}<Typography.Text type="secondary" style={{ fontSize: 12, fontWeight: 400 }}>
        {t('Finish by')} {baseline.finishBy} ({baseline.timezone})</Typography.Text></Space>}
      extra={<Space>
        <DatePicker allowClear value={date ? dayjs(date) : null} onChange={(d) => setDate(d ? d.format('YYYY-MM-DD') : undefined)}
          placeholder={t('Data date')} data-testid="baseline-date" />
        <Typography.Text type="secondary" style={{ fontSize: 12 }} data-testid="baseline-polled">{t('Refreshed every 10 s')}</Typography.Text>
      </Space>}>
      {q.error && <Alert type="error" showIcon title={q.error.message} style={{ marginBottom: 8 }} data-testid="baseline-instances-error" />}
      <Table<BaselineInstance> rowKey="date" size="small" dataSource={q.error ? [] : items} pagination={items.length > 20 ? { pageSize: 20 } : false}
        locale={{ emptyText: t('No data date checked yet: the first check follows a save within seconds.') }}
        onRow={(x) => ({ 'data-testid': 'baseline-instance-' + x.date, 'data-status': x.status } as object)} columns={[
          { title: t('Data date'), dataIndex: 'date', width: 110 },
          { title: t('Status'), dataIndex: 'status', width: 100, render: (v: string, x) => <StatusTag status={v} testid={'baseline-status-' + x.date} /> },
          { title: t('Deadline'), width: 190, render: (_, x) => (<>
            <div title={inZone(x.deadline, baseline.timezone)}>{time(x.deadline)}</div>
            <div style={{ fontSize: 12, color: '#8c8c8c' }}>{t('Warn at')} {time(x.warnAt)}</div></>) },
          { title: t('Predicted / actual finish'), width: 210, render: (_, x) => (<div data-testid={'baseline-finish-' + x.date}>
            <div style={{ color: late(x.predictedFinishAt, x) ? '#f5222d' : undefined }}>{t('Predicted')} {time(x.predictedFinishAt)}</div>
            <div style={{ color: late(x.finishedAt, x) ? '#f5222d' : undefined }}>{t('Actual')} {time(x.finishedAt)}</div></div>) },
          { title: t('Targets'), render: (_, x) => x.targets.map((g, i) => <TargetLine key={i} g={g} testid={'baseline-target-' + x.date + '-' + i} jobNames={jobNames} />) },
          { title: t('Key path'), width: 200, render: (_, x) => (
            <span data-testid={'baseline-keypath-' + x.date}>
              {x.keyPath.length ? x.keyPath.map((k, i) => (<span key={i}>
                {i > 0 && <span style={{ color: '#fa8c16' }}> → </span>}
                {k.runId ? <Link to="/runs/$id" params={{ id: k.runId }} title={(workflowNames.get(k.workflowId) ?? k.workflowId) + ' · ' + k.jobId}>{jobNames.get(k.jobId) ?? k.jobId}</Link>
                  : <span title={(workflowNames.get(k.workflowId) ?? k.workflowId) + ' · ' + k.jobId}>{jobNames.get(k.jobId) ?? k.jobId}</span>}
              </span>)) : '-'}
            </span>) },
          { title: t('Reason'), dataIndex: 'reason', width: 220, render: (v: string, x) => <span data-testid={'baseline-reason-' + x.date}>{v ? reasonText(t, v) : '-'}</span> },
          { title: t('Checked'), dataIndex: 'checkedAt', width: 160, render: (v) => time(v) },
        ]} />
    </Card>
  )
}

// TargetLine: the target (workflow, or workflow / job), its state on the
// date and its run.
function TargetLine({ g, testid, jobNames }: { g: Target; testid: string; jobNames: Map<string, string> }) {
  const { t } = useI18n()
  return (
    <div data-testid={testid} data-status={g.status} style={{ display: 'flex', alignItems: 'center', gap: 4, flexWrap: 'wrap', marginBottom: 2 }}>
      <StatusTag status={g.status} label={t('target.' + g.status)} />
      <span>{g.workflowName}{g.jobId ? ' / ' + (jobNames.get(g.jobId) ?? g.jobId) : ''}</span>
      {g.runId && <Link to="/runs/$id" params={{ id: g.runId }} data-testid={testid + '-run'} style={{ fontSize: 12 }}>{t('Run')} {g.runId}</Link>}
      {!g.finishedAt && g.predictedFinishAt && <span style={{ fontSize: 12, color: '#8c8c8c' }}>{t('Predicted')} {time(g.predictedFinishAt)}</span>}
    </div>
  )
}
