// 配置: schedule (调度), baseline alarms (基线告警), external invocation
// (外部调用), and execution (failure strategy, parallelism, default params).
import { useEffect, useMemo, useState } from 'react'
import { Alert, App, Button, Card, DatePicker, Form, Input, InputNumber, Modal, Radio, Select, Space, Spin, Switch, Table, Tabs, Typography } from 'antd'
import dayjs from 'dayjs'
import type { Workflow, WorkflowConfig } from '../../api/client'
import { useI18n } from '../../lib/i18n'
import { formatParams, parseParams, time } from '../../lib/format'
import { zones } from '../../lib/zones'
import { CronBuilder, CronPreview } from './CronBuilder'
import { CalendarPicker, DstPolicy, ExtraCrons } from './ScheduleExtras'
import { useWord } from '../enums/words'
import { help } from '../a11y/help'
import { useChannels, useConfig, useCreateToken, useInvokeTokens, useRevokeToken, useSaveConfig } from './api'

const templateVars = ['${qing.workflow_name}', '${qing.workflow_id}', '${qing.workflow_instance_id}', '${qing.status}', '${qing.trigger}',
  '${qing.current_datetime}', '${qing.duration}', '${qing.failed_jobs}', '${qing.event}', '${qing.work_name}', '${qing.work_instance_id}', '${qing.approval_link}',
  '${qing.baseline_name}', '${qing.baseline_status}', '${qing.predicted_finish}', '${qing.key_path}']
const events = ['RUN_START', 'RUN_END', 'RUN_FAIL', 'RUN_SUCCESS', 'RUN_TIMEOUT', 'JOB_START', 'JOB_SUCCESS', 'JOB_FAIL', 'JOB_TIMEOUT', 'APPROVAL_WAITING',
  'BASELINE_WARNING', 'BASELINE_BREACHED', 'BASELINE_RECOVERED']
const jobEvents = new Set(['JOB_START', 'JOB_SUCCESS', 'JOB_FAIL', 'JOB_TIMEOUT'])
// Lasting events repeat while their state lasts (docs/scheduling.md#repeats).
const lastingEvents = new Set(['JOB_TIMEOUT', 'RUN_TIMEOUT', 'APPROVAL_WAITING'])

export function ConfigDialog({ wf, open, onClose }: { wf: Workflow; open: boolean; onClose: () => void }) {
  const { t } = useI18n()
  const q = useConfig(wf.id)
  return (
    <Modal open={open} width={860} title={t('Config') + ': ' + wf.name} onCancel={onClose} footer={null} destroyOnHidden>
      {q.isLoading ? <Spin /> : q.error ? <Alert type="error" title={q.error.message} /> : <ConfigForm wfId={wf.id} jobs={wf.jobs ?? []} initial={q.data!} onClose={onClose} />}
    </Modal>
  )
}

function ConfigForm({ wfId, jobs, initial, onClose }: { wfId: string; jobs: { id: string; name: string }[]; initial: WorkflowConfig; onClose: () => void }) {
  const { t } = useI18n()
  const { message } = App.useApp()
  const [c, setC] = useState<WorkflowConfig>(() => structuredClone(initial))
  const [params, setParams] = useState(formatParams(initial.params))
  const [error, setError] = useState<string | null>(null)
  const save = useSaveConfig(wfId)
  const w = useWord()
  const sch = c.schedule ?? ({} as NonNullable<WorkflowConfig['schedule']>)
  const setSch = (p: Partial<typeof sch>) => setC({ ...c, schedule: { ...sch, ...p } })

  async function doSave() {
    setError(null)
    try {
      const crons = (sch.crons ?? []).map((x) => x.trim()).filter(Boolean)
      await save.mutateAsync({ ...c, ...(c.schedule ? { schedule: { ...sch, crons } } : {}), params: parseParams(params) })
      message.success(t('Saved'))
      onClose()
    } catch (e) {
      setError((e as Error).message)
    }
  }

  const tabs = [
    { key: 'schedule', label: <span data-testid="cfg-tab-schedule">{t('Schedule')}</span>, children: (
      <Form layout="horizontal" labelCol={{ span: 5 }} size="small">
        <Form.Item label={t('Enabled')}><Switch checked={!!sch.enabled} onChange={(v) => setSch({ enabled: v })} data-testid="cfg-enabled" /></Form.Item>
        <Form.Item label={t('Mode')} extra={<span data-testid="help-mode">{t(help.mode)}</span>}>
          <Radio.Group value={sch.mode ?? 'SINGLE'} onChange={(e) => setSch({ mode: e.target.value })}
            options={[{ value: 'SINGLE', label: t('Single schedule') }, { value: 'DISCRETE', label: t('Discrete schedule') }]} />
        </Form.Item>
        <Form.Item label="cron"><CronBuilder value={sch.cron ?? ''} onChange={(v) => setSch({ cron: v })} /></Form.Item>
        <Form.Item label={t('More crons')}><ExtraCrons crons={sch.crons ?? []} onChange={(v) => setSch({ crons: v })} /></Form.Item>
        <Form.Item label={t('Time zone')}>
          <Select showSearch value={sch.timezone || 'Asia/Shanghai'} onChange={(v) => setSch({ timezone: v })} style={{ width: 260 }}
            options={zones.map((z) => ({ value: z, label: z }))} data-testid="cfg-timezone" />
        </Form.Item>
        <Form.Item label={t('Business calendar')}><CalendarPicker value={sch.calendar ?? undefined} onChange={(v) => setSch({ calendar: v ?? undefined })} /></Form.Item>
        <Form.Item label={t('DST policy')} extra={<span data-testid="help-dst">{t(help.dst)}</span>}><DstPolicy value={sch.dst} onChange={(v) => setSch({ dst: v })} /></Form.Item>
        <Form.Item label={t('Start') + ' / ' + t('End')}>
          <Space>
            <DatePicker showTime value={sch.startAt ? dayjs(sch.startAt) : null} onChange={(d) => setSch({ startAt: d ? d.toISOString() : null })} />
            <DatePicker showTime value={sch.endAt ? dayjs(sch.endAt) : null} onChange={(d) => setSch({ endAt: d ? d.toISOString() : null })} />
          </Space>
        </Form.Item>
        <Form.Item label={t('Overlap policy')} extra={<span data-testid="help-overlap">{t(help.overlap[sch.overlap ?? 'SKIP'] ?? '')}</span>}>
          <Select value={sch.overlap ?? 'SKIP'} onChange={(v) => setSch({ overlap: v })} style={{ width: 240 }} data-testid="cfg-overlap"
            options={['SKIP', 'BUFFER_ONE', 'BUFFER_ALL', 'CANCEL_OTHER', 'ALLOW_ALL'].map((x) => ({ value: x, label: w('overlap', x), title: w('overlap', x) }))} />
        </Form.Item>
        <Form.Item label={t('Catch-up window (s)')} extra={<span data-testid="help-catchup">{t(help.catchup)}</span>}>
          <InputNumber min={10} value={sch.catchupWindowSeconds ?? 60} onChange={(v) => setSch({ catchupWindowSeconds: v ?? 60 })} />
        </Form.Item>
        {(sch.cron || sch.crons?.some((c) => c.trim())) && <CronPreview cron={sch.cron ?? ''} crons={sch.crons} timezone={sch.timezone || 'Asia/Shanghai'}
          startAt={sch.startAt} endAt={sch.endAt} calendar={sch.calendar} dst={sch.dst} />}
      </Form>) },
    { key: 'alarms', label: <span data-testid="cfg-tab-alarms">{t('Baseline alarms')}</span>, children: <AlarmRules rules={c.alarms ?? []} jobs={jobs} onChange={(a) => setC({ ...c, alarms: a })} /> },
    { key: 'invoke', label: <span data-testid="cfg-tab-invoke">{t('External invocation')}</span>, children: (
      <Invoke wfId={wfId} enabled={!!c.invoke?.enabled} onEnabled={(v) => setC({ ...c, invoke: { ...c.invoke, enabled: v } })} />) },
    { key: 'exec', label: <span data-testid="cfg-tab-exec">{t('Execution')}</span>, children: (
      <Form layout="horizontal" labelCol={{ span: 5 }} size="small">
        <Form.Item label={t('Failure strategy')} extra={<span data-testid="help-failure">{t(help.failure)}</span>}>
          <Radio.Group value={c.failureStrategy ?? 'CONTINUE'} onChange={(e) => setC({ ...c, failureStrategy: e.target.value })}
            options={[{ value: 'CONTINUE', label: t('Continue other branches') }, { value: 'END', label: t('End the run') }]} />
        </Form.Item>
        <Form.Item label={t('Max parallelism')} extra={<span data-testid="help-parallelism">{t(help.parallelism)}</span>}><InputNumber min={1} max={1000} value={c.maxParallelism ?? 16} onChange={(v) => setC({ ...c, maxParallelism: v ?? 16 })} /></Form.Item>
        <Form.Item label={t('Concurrent runs')} extra={t('concurrency.help')}>
          <Space wrap>
            <Switch checked={!!c.concurrency} data-testid="cfg-concurrency" aria-label={t('Concurrent runs')}
              onChange={(on) => setC({ ...c, concurrency: on ? { limit: 1, behavior: 'QUEUE' } : undefined })} />
            {c.concurrency && <>
              <InputNumber min={1} max={1000} value={c.concurrency.limit} addonBefore={t('Limit')} data-testid="cfg-concurrency-limit"
                onChange={(v) => setC({ ...c, concurrency: { ...c.concurrency!, limit: v ?? 1 } })} />
              <Select value={c.concurrency.behavior || 'QUEUE'} style={{ width: 240 }} data-testid="cfg-concurrency-behavior"
                onChange={(v) => setC({ ...c, concurrency: { ...c.concurrency!, behavior: v } })}
                options={(['QUEUE', 'SKIP', 'FAIL'] as const).map((b) => ({ value: b, label: t('concurrency.' + b) }))} />
            </>}
          </Space>
        </Form.Item>
        <Form.Item label={t('Max duration (s)')} extra={t('maxDuration.help')}>
          <Space wrap>
            <InputNumber min={0} max={2678400} value={c.maxDurationSeconds ?? 0} data-testid="cfg-max-duration"
              onChange={(v) => setC({ ...c, maxDurationSeconds: v || undefined, onMaxDuration: v ? c.onMaxDuration ?? 'ALERT' : undefined })} />
            <Select value={c.onMaxDuration ?? 'ALERT'} disabled={!c.maxDurationSeconds} style={{ width: 220 }} data-testid="cfg-on-max-duration"
              onChange={(v) => setC({ ...c, onMaxDuration: v })}
              options={(['ALERT', 'FAIL', 'ABORT'] as const).map((b) => ({ value: b, label: t('maxDuration.' + b) }))} />
          </Space>
        </Form.Item>
        <Form.Item label={t('Default params')} extra={t(help.params)}><Input.TextArea rows={4} value={params} onChange={(e) => setParams(e.target.value)} placeholder="KEY=value" /></Form.Item>
      </Form>) },
  ]
  return (
    <>
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 8 }} data-testid="cfg-error" />}
      <Tabs items={tabs} />
      <div style={{ textAlign: 'right', marginTop: 8 }}>
        <Space><Button onClick={onClose}>{t('Cancel')}</Button>
          <Button type="primary" loading={save.isPending} onClick={doSave} data-testid="cfg-save">{t('Save')}</Button></Space>
      </div>
    </>
  )
}

type Rule = NonNullable<WorkflowConfig['alarms']>[number]

function AlarmRules({ rules, jobs, onChange }: { rules: Rule[]; jobs: { id: string; name: string }[]; onChange: (r: Rule[]) => void }) {
  const { t } = useI18n()
  const ch = useChannels()
  const w = useWord()
  const opts = useMemo(() => (ch.data?.items ?? []).map((c) => ({ value: c.id, label: c.name + ' (' + w('channel', c.type) + ')' })), [ch.data, w])
  const set = (i: number, p: Partial<Rule>) => onChange(rules.map((r, j) => (j === i ? { ...r, ...p } : r)))
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      {rules.map((r, i) => (
        <Card key={i} size="small" extra={<button type="button" className="jf-linkbtn jf-danger" onClick={() => onChange(rules.filter((_, j) => j !== i))}>{t('Delete')}</button>} title={t('Rules') + ' ' + (i + 1)}>
          <Space direction="vertical" style={{ width: '100%' }}>
            <Select mode="multiple" placeholder={t('Events')} value={r.events} onChange={(v) => set(i, { events: v })} style={{ width: '100%' }}
              options={events.map((e) => ({ value: e, label: e === 'APPROVAL_WAITING' ? w('event', e) + ' · ' + t('with a one-click approval link') : w('event', e) }))} data-testid={'alarm-events-' + i} />
            {(r.events ?? []).some((e) => jobEvents.has(e)) && (
              <Select mode="multiple" allowClear placeholder={t('Jobs (empty: every job)')} value={r.jobIds ?? []} style={{ width: '100%' }}
                onChange={(v) => set(i, { jobIds: v.length ? v : undefined })} optionFilterProp="label"
                options={jobs.map((j) => ({ value: j.id, label: j.name }))} data-testid={'alarm-jobs-' + i} />)}
            <Select mode="multiple" placeholder={t('Channels')} value={r.channelIds} onChange={(v) => set(i, { channelIds: v })} style={{ width: '100%' }}
              options={opts} data-testid={'alarm-channels-' + i} />
            <Space wrap>
              <span>{t('Silence (HH:MM, the workflow’s zone)')}</span>
              <Input style={{ width: 90 }} placeholder="22:00" value={r.silence?.from ?? ''} data-testid={'alarm-silence-from-' + i}
                onChange={(e) => set(i, { silence: e.target.value || r.silence?.to ? { from: e.target.value, to: r.silence?.to ?? '' } : undefined })} />
              <span>–</span>
              <Input style={{ width: 90 }} placeholder="07:00" value={r.silence?.to ?? ''} data-testid={'alarm-silence-to-' + i}
                onChange={(e) => set(i, { silence: e.target.value || r.silence?.from ? { from: r.silence?.from ?? '', to: e.target.value } : undefined })} />
            </Space>
            {(r.events ?? []).some((e) => lastingEvents.has(e)) && (
              <Space wrap>
                <span>{t('Repeat every (s, 0: never)')}</span>
                <InputNumber min={0} max={86400} value={r.repeatEverySeconds ?? 0} data-testid={'alarm-repeat-every-' + i}
                  onChange={(v) => set(i, { repeatEverySeconds: v || undefined, maxRepeats: v ? r.maxRepeats : undefined })} />
                <span>{t('at most (times)')}</span>
                <InputNumber min={1} max={100} value={r.maxRepeats ?? (r.repeatEverySeconds ? 3 : undefined)} disabled={!r.repeatEverySeconds}
                  data-testid={'alarm-max-repeats-' + i} onChange={(v) => set(i, { maxRepeats: v ?? undefined })} />
              </Space>)}
            <Input.TextArea rows={3} placeholder={t('Template')} value={r.template} onChange={(e) => set(i, { template: e.target.value })} />
          </Space>
        </Card>
      ))}
      <Typography.Text type="secondary" data-testid="help-alarms">{t(help.alarms)}</Typography.Text>
      <Button onClick={() => onChange([...rules, { events: ['RUN_FAIL'], channelIds: [], template: '' }])} data-testid="alarm-add">{t('Add rule')}</Button>
      <Typography.Text type="secondary">{t('Template variables')}: {templateVars.map((v) => <Typography.Text code key={v} style={{ whiteSpace: 'nowrap', display: 'inline-block' }}>{v}</Typography.Text>)}</Typography.Text>
    </Space>
  )
}

function Invoke({ wfId, enabled, onEnabled }: { wfId: string; enabled: boolean; onEnabled: (v: boolean) => void }) {
  const { t } = useI18n()
  const { message } = App.useApp()
  const tokens = useInvokeTokens(wfId)
  const create = useCreateToken(wfId)
  const revoke = useRevokeToken(wfId)
  const [curl, setCurl] = useState<string | null>(null)
  useEffect(() => setCurl(null), [wfId])
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Space><Switch checked={enabled} onChange={onEnabled} data-testid="invoke-enabled" />{t('Allow external invocation')}</Space>
      <Alert type="info" showIcon title={t('The workflow must be published again for invocation to take effect.')} />
      <Button onClick={() => create.mutateAsync().then((r) => setCurl(r.curl), (e) => message.error(e.message))} loading={create.isPending} data-testid="invoke-create">{t('Create token')}</Button>
      {curl && (
        <Alert type="warning" title={t('Shown once: copy it now.')} description={
          <Space direction="vertical" style={{ width: '100%' }}>
            <pre style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-all', margin: 0 }} data-testid="invoke-curl">{curl}</pre>
            <Button size="small" onClick={() => navigator.clipboard?.writeText(curl).then(() => message.success(t('Copied')))} data-testid="invoke-copy">{t('Copy curl')}</Button>
          </Space>} />
      )}
      <Table size="small" rowKey="jti" loading={tokens.isLoading} dataSource={tokens.data?.items} pagination={false} columns={[
        { title: 'jti', dataIndex: 'jti', ellipsis: true },
        { title: t('Created'), dataIndex: 'createdAt', render: (v) => time(v) },
        { title: t('Expires'), dataIndex: 'expiresAt', render: (v) => time(v) },
        { title: t('Actions'), render: (_, r) => r.revokedAt ? t('Revoked') : <button type="button" className="jf-linkbtn" onClick={() => revoke.mutate(r.jti)}>{t('Revoke')}</button> },
      ]} />
    </Space>
  )
}
