// The calendar's fields: name, zone, weekdays (一…日), holidays, make-up
// workdays (调休), remark, and shared (SYS_ADMIN, on create). The page holds
// the draft, so the year view next to it edits the same days.
import { Checkbox, Form, Input, Select } from 'antd'
import { useI18n } from '../../lib/i18n'
import { zones } from '../../lib/zones'
import type { CalendarInput } from './api'

export type Draft = Required<Pick<CalendarInput, 'name' | 'timezone' | 'weekdays' | 'holidays' | 'workdays' | 'remark'>> & { shared: boolean }

export const emptyDraft = (): Draft => ({ name: '', timezone: 'Asia/Shanghai', weekdays: [1, 2, 3, 4, 5], holidays: [], workdays: [], remark: '', shared: false })

const weekdayKeys = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun']
const sortDates = (v: string[]) => [...new Set(v.map((x) => x.trim()).filter(Boolean))].sort()

export function CalendarForm({ draft, onChange, canShare }: { draft: Draft; onChange: (d: Draft) => void; canShare: boolean }) {
  const { t } = useI18n()
  const set = (p: Partial<Draft>) => onChange({ ...draft, ...p })
  return (
    <Form layout="vertical" size="small" data-testid="cal-form">
      <div style={{ display: 'flex', gap: 12, flexWrap: 'wrap' }}>
        <Form.Item label={t('Name')} required style={{ minWidth: 220 }}>
          <Input value={draft.name} onChange={(e) => set({ name: e.target.value })} data-testid="cal-form-name" />
        </Form.Item>
        <Form.Item label={t('Time zone')} style={{ minWidth: 220 }}>
          <Select showSearch value={draft.timezone} onChange={(v) => set({ timezone: v })} data-testid="cal-form-timezone"
            options={zones.map((z) => ({ value: z, label: z }))} />
        </Form.Item>
        {canShare && (
          <Form.Item label={t('Shared')}>
            <Checkbox checked={draft.shared} onChange={(e) => set({ shared: e.target.checked })} data-testid="cal-form-shared">{t('Every tenant sees it')}</Checkbox>
          </Form.Item>
        )}
      </div>
      <Form.Item label={t('Weekdays')} help={t('Days of these weekdays are calendar days, unless holidays.')}>
        <Checkbox.Group value={draft.weekdays} onChange={(v) => set({ weekdays: (v as number[]).slice().sort() })}
          options={weekdayKeys.map((k, i) => ({ value: i + 1, label: <span data-testid={'cal-form-weekday-' + (i + 1)}>{t(k)}</span> }))} />
      </Form.Item>
      <Form.Item label={t('Holidays') + ' (' + draft.holidays.length + ')'}>
        <Select mode="tags" value={draft.holidays} onChange={(v) => set({ holidays: sortDates(v) })} tokenSeparators={[',', ' ', '\n']}
          placeholder="YYYY-MM-DD" maxTagCount={40} notFoundContent={null} suffixIcon={null} data-testid="cal-form-holidays" />
      </Form.Item>
      <Form.Item label={t('Make-up workdays (调休)') + ' (' + draft.workdays.length + ')'}>
        <Select mode="tags" value={draft.workdays} onChange={(v) => set({ workdays: sortDates(v) })} tokenSeparators={[',', ' ', '\n']}
          placeholder="YYYY-MM-DD" maxTagCount={40} notFoundContent={null} suffixIcon={null} data-testid="cal-form-workdays" />
      </Form.Item>
      <Form.Item label={t('Remark')}>
        <Input value={draft.remark} onChange={(e) => set({ remark: e.target.value })} data-testid="cal-form-remark" />
      </Form.Item>
    </Form>
  )
}
