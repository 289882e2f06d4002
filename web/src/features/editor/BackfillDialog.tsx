// 补数: a date range (read by the server in the schedule's zone), the
// overlap policy, which fire times to reprocess, their order and how many
// run at once → POST /workflows/{id}/backfill, one BACKFILL run per fire
// time. 预览 sends the same with dryRun and lists the logical times (and how
// many reprocess left out) without starting anything. Each 开始 sends a fresh
// Idempotency-Key and the button is disabled while the request is in flight,
// so a double click starts nothing twice.
import { useState } from 'react'
import { Alert, Button, DatePicker, InputNumber, List, Modal, Radio, Select, Space, Typography } from 'antd'
import type { Dayjs } from 'dayjs'
import { useMutation, useQueryClient } from '@tanstack/react-query'
import { answer, client, idempotencyKey, type Schemas, type Workflow } from '../../api/client'
import { useI18n } from '../../lib/i18n'
import { inZone, time } from '../../lib/format'
import { Link } from '@tanstack/react-router'

export type Backfilled = Schemas['Backfilled']
type Input = Schemas['BackfillInput']

export function useBackfill(wfId: string) {
  const qc = useQueryClient()
  return useMutation({
    mutationFn: (b: Input) =>
      answer(client.POST('/workflows/{id}/backfill', { params: { path: { id: wfId }, header: b.dryRun ? {} : idempotencyKey() }, body: b })),
    onSuccess: (r) => { if (!r.dryRun) qc.invalidateQueries({ queryKey: ['runs'] }) },
  })
}

export function BackfillDialog({ wf, open, onClose }: { wf: Workflow; open: boolean; onClose: () => void }) {
  const { t } = useI18n()
  const backfill = useBackfill(wf.id)
  const preview = useBackfill(wf.id)
  const [range, setRange] = useState<[Dayjs | null, Dayjs | null] | null>(null)
  const [overlap, setOverlap] = useState<NonNullable<Input['overlap']>>('SKIP')
  const [reprocess, setReprocess] = useState<Input['reprocess']>('ALL')
  const [order, setOrder] = useState<Input['order']>('ASC')
  const [maxConcurrent, setMaxConcurrent] = useState<number | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [done, setDone] = useState<Backfilled | null>(null)
  const [planned, setPlanned] = useState<Backfilled | null>(null)
  const zone = wf.config?.schedule?.timezone || 'Asia/Shanghai'
  const ready = !!(range?.[0] && range?.[1])

  // Any change of the request makes the shown preview and result stale.
  function changed<T>(set: (v: T) => void) {
    return (v: T) => { set(v); setDone(null); setPlanned(null) }
  }
  function input(dryRun: boolean): Input {
    return { start: range![0]!.format('YYYY-MM-DD'), end: range![1]!.format('YYYY-MM-DD'), overlap, reprocess, order,
      ...(maxConcurrent ? { maxConcurrent } : {}), ...(dryRun ? { dryRun } : {}) }
  }
  async function doPreview() {
    if (!ready || preview.isPending) return
    setError(null)
    try { setPlanned(await preview.mutateAsync(input(true))) } catch (e) { setError((e as Error).message) }
  }
  async function ok() {
    if (backfill.isPending || !ready) return
    setError(null)
    try { setDone(await backfill.mutateAsync(input(false))) } catch (e) { setError((e as Error).message) }
  }

  const label = { marginTop: 12, marginBottom: 4 }
  return (
    <Modal open={open} width={620} title={t('Backfill') + ': ' + wf.name} onCancel={onClose} onOk={done ? onClose : ok} okText={done ? t('Close') : t('Start')}
      cancelText={t('Cancel')} confirmLoading={backfill.isPending}
      okButtonProps={{ disabled: backfill.isPending || (!done && !ready), ...({ 'data-testid': 'backfill-ok' } as object) }}>
      <Typography.Paragraph type="secondary">
        {t('Runs the published version once per fire time of its schedule in the range (dates in the schedule’s zone).')} ({zone})
      </Typography.Paragraph>
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} data-testid="backfill-error" />}
      <div style={{ marginBottom: 4 }}>{t('Date range')}</div>
      <div data-testid="backfill-range">
        <DatePicker.RangePicker value={range} onChange={changed(setRange)} style={{ width: '100%' }} />
      </div>
      <div style={{ display: 'flex', gap: 16, flexWrap: 'wrap' }}>
        <div style={{ flex: 1, minWidth: 240 }}>
          <div style={label}>{t('Overlap')}</div>
          <Select value={overlap} onChange={changed(setOverlap)} style={{ width: '100%' }} data-testid="backfill-overlap"
            options={[{ value: 'SKIP', label: t('One after another') }, { value: 'ALLOW_ALL', label: t('All at once') }]} />
        </div>
        <div style={{ flex: 1, minWidth: 240 }}>
          <div style={label}>{t('Reprocess')}</div>
          <Select value={reprocess} onChange={changed(setReprocess)} style={{ width: '100%' }} data-testid="backfill-reprocess" options={[
            { value: 'ALL', label: t('reprocess.ALL') }, { value: 'NONE', label: t('reprocess.NONE') }, { value: 'FAILED', label: t('reprocess.FAILED') }]} />
        </div>
      </div>
      <div style={{ display: 'flex', gap: 16, flexWrap: 'wrap' }}>
        <div style={{ flex: 1, minWidth: 240 }}>
          <div style={label}>{t('Order')}</div>
          <Radio.Group value={order} onChange={(e) => changed(setOrder)(e.target.value)} optionType="button" size="small" options={[
            { value: 'ASC', label: <span data-testid="backfill-order-ASC">{t('Oldest first')}</span> },
            { value: 'DESC', label: <span data-testid="backfill-order-DESC">{t('Newest first')}</span> }]} />
        </div>
        <div style={{ flex: 1, minWidth: 240 }}>
          <div style={label}>{t('Max concurrent runs')}</div>
          <InputNumber min={1} max={100} value={maxConcurrent} onChange={changed(setMaxConcurrent)} placeholder={overlap === 'ALLOW_ALL' ? t('All') : '1'}
            style={{ width: 120 }} data-testid="backfill-max" />
        </div>
      </div>
      <Space style={{ marginTop: 12 }}>
        <Button onClick={doPreview} disabled={!ready} loading={preview.isPending} data-testid="backfill-preview">{t('Preview')}</Button>
        <Typography.Text type="secondary">{t('Lists the logical times without starting anything.')}</Typography.Text>
      </Space>
      {planned && (
        <div style={{ marginTop: 8 }} data-testid="backfill-preview-result" data-count={planned.count} data-skipped={planned.skipped}>
          <Typography.Text>{t('{n} runs would start', { n: planned.count })}</Typography.Text>
          {planned.skipped > 0 && <Typography.Text type="warning" data-testid="backfill-preview-skipped">{' · ' + t('{n} fire times left out by reprocess', { n: planned.skipped })}</Typography.Text>}
          <List size="small" bordered style={{ maxHeight: 220, overflow: 'auto', marginTop: 4 }} dataSource={planned.logicalTimes} renderItem={(x, i) => (
            <List.Item data-testid="backfill-preview-time" data-time={x}><span>{i + 1}. {inZone(x, zone)}</span><span style={{ color: '#999' }}>{time(x)}</span></List.Item>)} />
        </div>
      )}
      {done && (
        <div style={{ marginTop: 12 }} data-testid="backfill-result" data-count={done.count}>
          <Typography.Text type="success">{t('Backfill started: {n} runs', { n: done.count })}</Typography.Text>
          {done.runIds.slice(0, 10).map((id) => (
            <div key={id}><Link to="/runs/$id" params={{ id: id }} onClick={() => onClose()} data-testid="backfill-run">{id}</Link></div>
          ))}
        </div>
      )}
    </Modal>
  )
}
