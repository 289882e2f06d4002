// The schedule's cron: a simple builder (every N minutes, hourly, daily,
// weekly, monthly) that writes a Quartz cron, or 高级定义 to type one; the
// next fire times come from the server (POST /cron/preview) as the user types.
import { useEffect, useState } from 'react'
import { Alert, Checkbox, Input, InputNumber, List, Radio, Select, Space, Tag, TimePicker } from 'antd'
import { useQuery } from '@tanstack/react-query'
import dayjs from 'dayjs'
import { answer, client, type Schemas } from '../../api/client'
import { useI18n } from '../../lib/i18n'
import { inZone, time } from '../../lib/format'

type Kind = 'minutes' | 'hourly' | 'daily' | 'weekly' | 'monthly'
interface Simple { kind: Kind; every: number; minute: number; hh: number; mm: number; days: string[]; dom: number }
const week = ['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN']
const weekLabel: Record<string, string> = { MON: 'Mon', TUE: 'Tue', WED: 'Wed', THU: 'Thu', FRI: 'Fri', SAT: 'Sat', SUN: 'Sun' }

export function buildCron(s: Simple): string {
  switch (s.kind) {
    case 'minutes': return `0 0/${s.every} * * * ?`
    case 'hourly': return `0 ${s.minute} * * * ?`
    case 'daily': return `0 ${s.mm} ${s.hh} * * ?`
    case 'weekly': return `0 ${s.mm} ${s.hh} ? * ${(s.days.length ? s.days : ['MON']).join(',')}`
    case 'monthly': return `0 ${s.mm} ${s.hh} ${s.dom} * ?`
  }
}

function useDebounced<T>(v: T, ms: number) {
  const [d, setD] = useState(v)
  useEffect(() => { const h = setTimeout(() => setD(v), ms); return () => clearTimeout(h) }, [v, ms])
  return d
}

export interface PreviewInput {
  cron: string
  crons?: string[]
  timezone: string
  startAt?: string | null
  endAt?: string | null
  calendar?: Schemas['ScheduleCalendar'] | null
  dst?: Schemas['DSTPolicy']
}

// CronPreview lists the next fires of the whole schedule as the server plans
// them (every cron, the zone, the calendar and the DST policy); a DRY_RUN
// calendar's off days are marked 空跑.
export function CronPreview({ cron, crons, timezone, startAt, endAt, calendar, dst }: PreviewInput) {
  const { t } = useI18n()
  const body = useDebounced<Schemas['CronPreviewInput']>({ cron, crons: (crons ?? []).map((c) => c.trim()).filter(Boolean), timezone, count: 5,
    startAt: startAt || undefined, endAt: endAt || undefined, ...(calendar?.id ? { calendar } : {}), ...(dst ? { dst } : {}) }, 300)
  const q = useQuery({
    queryKey: ['cron-preview', body],
    queryFn: () => answer(client.POST('/cron/preview', { body })),
    enabled: !!body.cron || !!body.crons?.length,
    retry: false,
  })
  const fires = q.data?.fires ?? q.data?.times.map((time) => ({ time, dryRun: false })) ?? []
  return (
    <div data-testid="cron-preview">
      <div style={{ fontWeight: 500, marginBottom: 4 }}>{t('Next fire times (server)')}</div>
      {q.error && <Alert type="error" showIcon title={q.error.message} data-testid="cron-preview-error" />}
      {q.data && (
        <List size="small" bordered dataSource={fires} renderItem={(x) => (
          <List.Item data-testid="cron-preview-time" data-time={x.time} data-dry-run={x.dryRun ? 'true' : 'false'}>
            <span>{time(x.time)}{x.dryRun && <Tag color="orange" style={{ marginLeft: 8 }} data-testid="cron-preview-dry-run">{t('Dry run')}</Tag>}</span>
            <span style={{ color: '#999' }}>{inZone(x.time, timezone)}</span></List.Item>)} />
      )}
    </div>
  )
}

export function CronBuilder({ value, onChange }: { value: string; onChange: (v: string) => void }) {
  const { t } = useI18n()
  const [mode, setMode] = useState<'simple' | 'advanced'>(value ? 'advanced' : 'simple')
  const [s, setS] = useState<Simple>({ kind: 'daily', every: 15, minute: 0, hh: 2, mm: 0, days: ['MON'], dom: 1 })
  // A new schedule starts from the builder's default (daily at 02:00).
  useEffect(() => {
    if (!value) onChange(buildCron(s))
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [])
  function upd(p: Partial<Simple>) {
    const n = { ...s, ...p }
    setS(n)
    onChange(buildCron(n))
  }
  const tp = (
    <TimePicker format="HH:mm" value={dayjs().hour(s.hh).minute(s.mm)} allowClear={false} data-testid="cron-time"
      onChange={(d) => d && upd({ hh: d.hour(), mm: d.minute() })} />
  )
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Radio.Group value={mode} onChange={(e) => { setMode(e.target.value); if (e.target.value === 'simple') onChange(buildCron(s)) }}
        optionType="button" size="small" data-testid="cron-mode"
        options={[{ value: 'simple', label: <span data-testid="cron-mode-simple">{t('Simple')}</span> }, { value: 'advanced', label: <span data-testid="cron-mode-advanced">{t('Advanced')}</span> }]} />
      {mode === 'simple' ? (
        <Space wrap>
          <Select value={s.kind} onChange={(k) => upd({ kind: k })} style={{ width: 140 }} data-testid="cron-kind" options={[
            { value: 'minutes', label: t('Every N minutes') }, { value: 'hourly', label: t('Hourly at') }, { value: 'daily', label: t('Daily at') },
            { value: 'weekly', label: t('Weekly on') }, { value: 'monthly', label: t('Monthly on') }]} />
          {s.kind === 'minutes' && <><InputNumber min={1} max={59} value={s.every} onChange={(v) => upd({ every: v ?? 1 })} data-testid="cron-every" />{t('minutes')}</>}
          {s.kind === 'hourly' && <><InputNumber min={0} max={59} value={s.minute} onChange={(v) => upd({ minute: v ?? 0 })} data-testid="cron-minute" />{t('minute')}</>}
          {s.kind === 'daily' && tp}
          {s.kind === 'weekly' && <><Checkbox.Group value={s.days} onChange={(d) => upd({ days: d as string[] })}
            options={week.map((d) => ({ value: d, label: t(weekLabel[d]) }))} />{tp}</>}
          {s.kind === 'monthly' && <><InputNumber min={1} max={31} value={s.dom} onChange={(v) => upd({ dom: v ?? 1 })} addonAfter={t('Day of month')} />{tp}</>}
        </Space>
      ) : null}
      <Input value={value} onChange={(e) => { setMode('advanced'); onChange(e.target.value) }} placeholder={t('Unix or Quartz cron')}
        readOnly={mode === 'simple'} data-testid="cron-input" addonBefore="cron" />
    </Space>
  )
}
