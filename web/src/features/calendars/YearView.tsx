// 年视图: the 12 months of a year as grids (Monday first). Calendar days and
// other days are coloured apart; holidays and make-up workdays (调休) are
// marked. With onToggle, each day is a button: a day of the calendar's
// weekdays toggles as a holiday, another day as a make-up workday.
import { useI18n } from '../../lib/i18n'
import { dayKind, type Calendar, type DayKind } from './api'

type Days = Pick<Calendar, 'weekdays' | 'holidays' | 'workdays'>

const colors: Record<DayKind, { bg: string; fg: string; border: string }> = {
  on: { bg: '#e6f4ff', fg: '#1f1f1f', border: '#e6f4ff' },
  off: { bg: '#f5f5f5', fg: '#8c8c8c', border: '#f5f5f5' },
  holiday: { bg: '#fff1f0', fg: '#cf1322', border: '#ff7875' },
  workday: { bg: '#f6ffed', fg: '#389e0d', border: '#73d13d' },
}
const mark: Record<DayKind, string> = { on: '', off: '', holiday: '休', workday: '班' }
export const kindLabel: Record<DayKind, string> = { on: 'Calendar day', off: 'Non-calendar day', holiday: 'Holiday', workday: 'Make-up workday' }

const pad = (n: number) => String(n).padStart(2, '0')

export function YearView({ cal, year, onToggle }: { cal: Days; year: number; onToggle?: (date: string, kind: DayKind, weekdayOn: boolean) => void }) {
  const { t, lang } = useI18n()
  const heads = lang === 'zh' ? ['一', '二', '三', '四', '五', '六', '日'] : ['M', 'T', 'W', 'T', 'F', 'S', 'S']
  let count = 0
  const months = Array.from({ length: 12 }, (_, m) => {
    const first = new Date(Date.UTC(year, m, 1))
    const lead = (first.getUTCDay() + 6) % 7
    const n = new Date(Date.UTC(year, m + 1, 0)).getUTCDate()
    const cells = []
    for (let i = 0; i < lead; i++) cells.push(<span key={'x' + i} />)
    for (let d = 1; d <= n; d++) {
      const date = `${year}-${pad(m + 1)}-${pad(d)}`
      const wd = ((lead + d - 1) % 7) + 1
      const kind = dayKind(cal, date, wd)
      if (kind === 'on' || kind === 'workday') count++
      const c = colors[kind]
      const style = { background: c.bg, color: c.fg, border: '1px solid ' + c.border, borderRadius: 3, fontSize: 12, lineHeight: '20px', height: 22,
        padding: 0, textAlign: 'center' as const, position: 'relative' as const, cursor: onToggle ? 'pointer' : 'default', fontWeight: kind === 'holiday' || kind === 'workday' ? 600 : 400 }
      const label = date + ' ' + t(kindLabel[kind])
      const body = <>{d}{mark[kind] && <sup style={{ fontSize: 8, lineHeight: 1, position: 'absolute', top: 0, right: 1 }}>{lang === 'zh' ? mark[kind] : kind === 'holiday' ? 'H' : 'W'}</sup>}</>
      cells.push(onToggle ? (
        <button type="button" key={date} style={style} title={label} aria-label={label} data-testid={'cal-day-' + date} data-kind={kind}
          onClick={() => onToggle(date, kind, cal.weekdays.includes(wd))}>{body}</button>
      ) : (
        <span key={date} style={style} title={label} data-testid={'cal-day-' + date} data-kind={kind}>{body}</span>
      ))
    }
    return (
      <div key={m} data-testid={'cal-month-' + (m + 1)} style={{ border: '1px solid #f0f0f0', borderRadius: 4, padding: 6 }}>
        <div style={{ fontWeight: 600, marginBottom: 4 }}>{lang === 'zh' ? m + 1 + ' 月' : first.toLocaleString('en', { month: 'long', timeZone: 'UTC' })}</div>
        <div style={{ display: 'grid', gridTemplateColumns: 'repeat(7, 1fr)', gap: 2 }}>
          {heads.map((h, i) => <span key={'h' + i} style={{ fontSize: 11, color: '#8c8c8c', textAlign: 'center' }}>{h}</span>)}
          {cells}
        </div>
      </div>
    )
  })
  return (
    <div data-testid="cal-year-view" data-year={year}>
      <div style={{ display: 'flex', gap: 16, flexWrap: 'wrap', marginBottom: 8, alignItems: 'center' }} data-testid="cal-legend">
        {(['on', 'off', 'holiday', 'workday'] as DayKind[]).map((k) => (
          <span key={k} style={{ display: 'inline-flex', alignItems: 'center', gap: 4 }}>
            <span style={{ display: 'inline-block', width: 14, height: 14, background: colors[k].bg, border: '1px solid ' + (k === 'on' ? '#91caff' : k === 'off' ? '#d9d9d9' : colors[k].border), borderRadius: 3 }} />
            {t(kindLabel[k])}{mark[k] && lang === 'zh' ? '（' + mark[k] + '）' : ''}
          </span>
        ))}
        <span style={{ color: '#8c8c8c' }} data-testid="cal-day-count" data-count={count}>{t('{n} calendar days in {y}', { n: count, y: year })}</span>
        {onToggle && <span style={{ color: '#8c8c8c' }}>{t('Click a day to toggle it as a holiday or make-up workday.')}</span>}
      </div>
      <div style={{ display: 'grid', gridTemplateColumns: 'repeat(auto-fill, minmax(210px, 1fr))', gap: 8 }}>{months}</div>
    </div>
  )
}
