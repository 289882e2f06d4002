// The schedule's further parts: more crons (same zone, calendar and DST
// policy), the business calendar with its policy, and the DST policy, each
// option explained in place.
import type { ReactNode } from 'react'
import { Button, Input, Radio, Select, Space, Typography } from 'antd'
import type { Schemas } from '../../api/client'
import { useI18n } from '../../lib/i18n'
import { useCalendars } from '../calendars/api'
import { useWord } from '../enums/words'

type Cal = Schemas['ScheduleCalendar']

// lead puts an option's word in bold before its help, unless the help
// already starts with it (the Chinese does: 顺延：…).
function lead(word: string, help: string): ReactNode {
  return help.startsWith(word) ? help : <><b>{word}</b> {help}</>
}
type DST = Schemas['DSTPolicy']

export function ExtraCrons({ crons, onChange }: { crons: string[]; onChange: (c: string[]) => void }) {
  const { t } = useI18n()
  return (
    <Space direction="vertical" style={{ width: '100%' }} data-testid="cfg-crons">
      {crons.map((c, i) => (
        <Space.Compact key={i} style={{ width: '100%' }}>
          <Input value={c} onChange={(e) => onChange(crons.map((x, j) => (j === i ? e.target.value : x)))} addonBefore={'cron ' + (i + 2)}
            placeholder={t('Unix or Quartz cron')} data-testid={'cfg-cron-' + i} aria-label={'cron ' + (i + 2)} />
          <Button onClick={() => onChange(crons.filter((_, j) => j !== i))} data-testid={'cfg-cron-remove-' + i} aria-label={t('Remove') + ' cron ' + (i + 2)}>{t('Remove')}</Button>
        </Space.Compact>
      ))}
      <Button size="small" onClick={() => onChange([...crons, ''])} disabled={crons.length >= 9} data-testid="cfg-cron-add">{t('Add cron')}</Button>
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>{t('Fires at the union of all crons; a time two crons share fires once.')}</Typography.Text>
    </Space>
  )
}

export function CalendarPicker({ value, onChange }: { value?: Cal | null; onChange: (c: Cal | null) => void }) {
  const { t } = useI18n()
  const q = useCalendars()
  const w = useWord()
  const policy = value?.policy ?? 'SKIP'
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Select allowClear value={value?.id} onChange={(id) => onChange(id ? { id, policy } : null)} style={{ width: 320 }} loading={q.isLoading}
        placeholder={t('No calendar: every day')} data-testid="cfg-calendar"
        options={(q.data?.items ?? []).map((c) => ({ value: c.id, label: c.name + ' (' + c.timezone + ', v' + c.version + ')' }))} />
      {value && (
        <Radio.Group value={policy} onChange={(e) => onChange({ ...value, policy: e.target.value })} style={{ display: 'flex', flexDirection: 'column', gap: 2 }} options={[
          { value: 'SKIP', label: <span data-testid="cfg-calendar-policy-SKIP">{lead(w('calendar', 'SKIP'), t('calendar.SKIP.help'))}</span> },
          { value: 'DRY_RUN', label: <span data-testid="cfg-calendar-policy-DRY_RUN">{lead(w('calendar', 'DRY_RUN'), t('calendar.DRY_RUN.help'))}</span> }]} />
      )}
    </Space>
  )
}

export function DstPolicy({ value, onChange }: { value?: DST; onChange: (d: DST) => void }) {
  const { t } = useI18n()
  const w = useWord()
  const d: DST = { missing: value?.missing ?? 'SHIFT', repeated: value?.repeated ?? 'ONCE' }
  const col = { display: 'flex', flexDirection: 'column' as const, gap: 2 }
  return (
    <Space direction="vertical" style={{ width: '100%' }} data-testid="cfg-dst">
      <div>
        <Typography.Text type="secondary">{t('A time that does not exist (clocks spring forward)')}</Typography.Text>
        <Radio.Group value={d.missing} onChange={(e) => onChange({ ...d, missing: e.target.value })} style={col} options={[
          { value: 'SHIFT', label: <span data-testid="cfg-dst-missing-SHIFT">{lead(w('dst', 'SHIFT'), t('dst.SHIFT.help'))}</span> },
          { value: 'SKIP', label: <span data-testid="cfg-dst-missing-SKIP">{lead(w('dst', 'SKIP'), t('dst.SKIP.help'))}</span> }]} />
      </div>
      <div>
        <Typography.Text type="secondary">{t('A time that happens twice (clocks fall back)')}</Typography.Text>
        <Radio.Group value={d.repeated} onChange={(e) => onChange({ ...d, repeated: e.target.value })} style={col} options={[
          { value: 'ONCE', label: <span data-testid="cfg-dst-repeated-ONCE">{lead(w('dst', 'ONCE'), t('dst.ONCE.help'))}</span> },
          { value: 'TWICE', label: <span data-testid="cfg-dst-repeated-TWICE">{lead(w('dst', 'TWICE'), t('dst.TWICE.help'))}</span> }]} />
      </div>
    </Space>
  )
}
