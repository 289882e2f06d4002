// 补数: a date range (read by the server in the schedule's zone) and the
// overlap policy → POST /workflows/{id}/backfill, one BACKFILL run per fire
// time. Each click sends a fresh Idempotency-Key and the button is disabled
// while the request is in flight, so a double click starts nothing twice.
import { useState } from 'react'
import { Alert, DatePicker, Modal, Select, Typography } from 'antd'
import type { Dayjs } from 'dayjs'
import { useMutation, useQueryClient } from '@tanstack/react-query'
import { idempotencyKey, post, type Workflow } from '../../api/client'
import { useI18n } from '../../lib/i18n'
import { navigate } from '../../lib/router'

export interface Backfilled { backfillId: string; runIds: string[]; count: number }

export function useBackfill(wfId: string) {
  const qc = useQueryClient()
  return useMutation({
    mutationFn: (b: { start: string; end: string; overlap: string }) =>
      post<Backfilled>('/workflows/' + wfId + '/backfill', b, { headers: idempotencyKey() }),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['runs'] }),
  })
}

export function BackfillDialog({ wf, open, onClose }: { wf: Workflow; open: boolean; onClose: () => void }) {
  const { t } = useI18n()
  const backfill = useBackfill(wf.id)
  const [range, setRange] = useState<[Dayjs | null, Dayjs | null] | null>(null)
  const [overlap, setOverlap] = useState('SKIP')
  const [error, setError] = useState<string | null>(null)
  const [done, setDone] = useState<Backfilled | null>(null)

  async function ok() {
    if (backfill.isPending || !range?.[0] || !range?.[1]) return
    setError(null)
    try {
      setDone(await backfill.mutateAsync({ start: range[0].format('YYYY-MM-DD'), end: range[1].format('YYYY-MM-DD'), overlap }))
    } catch (e) {
      setError((e as Error).message)
    }
  }

  return (
    <Modal open={open} title={t('Backfill') + ': ' + wf.name} onCancel={onClose} onOk={done ? onClose : ok} okText={done ? t('Close') : t('Backfill')}
      cancelText={t('Cancel')} confirmLoading={backfill.isPending}
      okButtonProps={{ disabled: backfill.isPending || (!done && !(range?.[0] && range?.[1])), ...({ 'data-testid': 'backfill-ok' } as object) }}>
      <Typography.Paragraph type="secondary">
        {t('Runs the published version once per fire time of its schedule in the range (dates in the schedule’s zone).')}
        {wf.config?.schedule?.timezone ? ' (' + wf.config.schedule.timezone + ')' : ''}
      </Typography.Paragraph>
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} data-testid="backfill-error" />}
      <div style={{ marginBottom: 4 }}>{t('Date range')}</div>
      <div data-testid="backfill-range">
        <DatePicker.RangePicker value={range} onChange={(v) => { setRange(v); setDone(null) }} style={{ width: '100%' }} />
      </div>
      <div style={{ margin: '12px 0 4px' }}>{t('Overlap')}</div>
      <Select value={overlap} onChange={setOverlap} style={{ width: '100%' }} data-testid="backfill-overlap"
        options={[{ value: 'SKIP', label: t('One after another') + ' (SKIP)' }, { value: 'ALLOW_ALL', label: t('All at once') + ' (ALLOW_ALL)' }]} />
      {done && (
        <div style={{ marginTop: 12 }} data-testid="backfill-result" data-count={done.count}>
          <Typography.Text type="success">{t('Backfill started: {n} runs', { n: done.count })}</Typography.Text>
          {done.runIds.slice(0, 10).map((id) => (
            <div key={id}><a onClick={() => { onClose(); navigate('/runs/' + id) }} data-testid="backfill-run">{id}</a></div>
          ))}
        </div>
      )}
    </Modal>
  )
}
