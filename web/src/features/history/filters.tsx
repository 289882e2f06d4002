// The filter controls the lists share: workflow, status, time range and
// text. The lists keep the values in their typed search params
// (router.tsx), so a reload, a shared link or Back after opening a run
// keeps them.
import { useEffect, useState } from 'react'
import { DatePicker, Input, Select } from 'antd'
import { useQuery } from '@tanstack/react-query'
import dayjs, { type Dayjs } from 'dayjs'
import { useWord } from '../enums/words'
import { useI18n } from '../../lib/i18n'
import { workflowQuery } from '../workflows/api'
import { useWorkflowOptions } from './api'

export function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value)
  useEffect(() => {
    const h = setTimeout(() => setV(value), ms)
    return () => clearTimeout(h)
  }, [value, ms])
  return v
}

// WorkflowFilter picks one workflow by name (searched on the server as
// you type); a workflow from the URL that is not among the options is
// named from its own record.
export function WorkflowFilter({ value, onChange, testid }: { value: string; onChange: (id: string) => void; testid: string }) {
  const { t } = useI18n()
  const [text, setText] = useState('')
  const search = useDebounced(text, 250)
  const opts = useWorkflowOptions(search)
  const items = opts.data?.items ?? []
  const known = !value || items.some((w) => w.id === value)
  const one = useQuery({ ...workflowQuery(value), enabled: !known })
  const options = items.map((w) => ({ value: w.id, label: w.name }))
  if (!known && one.data) options.unshift({ value, label: one.data.name })
  return (
    <Select showSearch={{ filterOption: false, onSearch: setText }} allowClear value={value || undefined} placeholder={t('Workflow') + ': ' + t('All')}
      onChange={(v) => { setText(''); onChange(v ?? '') }} options={options} style={{ width: 200 }} data-testid={testid}
      loading={opts.isFetching} notFoundContent={opts.isFetching ? '…' : t('None')} />
  )
}

// StatusFilter offers each status in words; '' is every status.
export function StatusFilter({ value, onChange, statuses, label, testid, kind = 'status' }:
  { value: string; onChange: (v: string) => void; statuses: readonly string[]; label: string; testid: string; kind?: 'status' | 'trigger' }) {
  const { t } = useI18n()
  const w = useWord()
  return (
    <Select value={value} onChange={onChange} style={{ width: 150 }} data-testid={testid}
      options={[{ value: '', label: label + ': ' + t('All') }, ...statuses.map((s) => ({ value: s, label: w(kind, s) }))]} />
  )
}

// TimeRange bounds the start time; the URL keeps RFC 3339 times with the
// browser's offset, which the API takes as they are.
export function TimeRange({ from, to, onChange, testid }: { from: string; to: string; onChange: (from: string, to: string) => void; testid: string }) {
  const { t } = useI18n()
  const value: [Dayjs | null, Dayjs | null] | null = from || to ? [from ? dayjs(from) : null, to ? dayjs(to) : null] : null
  const now = dayjs()
  return (
    <span data-testid={testid}><DatePicker.RangePicker showTime={{ format: 'HH:mm' }} format="YYYY-MM-DD HH:mm" allowEmpty={[true, true]} value={value}
      placeholder={[t('Started from'), t('Started until')]} style={{ width: 330 }}
      presets={[
        { label: t('Today'), value: [now.startOf('day'), now.endOf('day')] },
        { label: t('Last 24 hours'), value: [now.subtract(24, 'hour'), now] },
        { label: t('Last 7 days'), value: [now.subtract(7, 'day').startOf('day'), now.endOf('day')] },
      ]}
      onChange={(v) => onChange(v?.[0]?.format() ?? '', v?.[1]?.format() ?? '')} /></span>
  )
}

// TextFilter is a search box written to the URL once typing pauses.
export function TextFilter({ value, onChange, placeholder, testid }: { value: string; onChange: (v: string) => void; placeholder: string; testid: string }) {
  const [text, setText] = useState(value)
  const debounced = useDebounced(text, 300)
  useEffect(() => {
    if (debounced !== value) onChange(debounced)
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [debounced])
  return <Input.Search allowClear value={text} onChange={(e) => setText(e.target.value)} onSearch={(v) => onChange(v)} placeholder={placeholder}
    style={{ width: 220 }} data-testid={testid} />
}
