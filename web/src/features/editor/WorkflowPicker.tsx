// WorkflowPicker: a searchable select of the tenant's workflows, for the
// control jobs that name another workflow (and a baseline's targets).
// name labels a chosen workflow that is not among the ones listed.
import { useState } from 'react'
import { Select } from 'antd'
import { useQuery } from '@tanstack/react-query'
import { answer, client } from '../../api/client'
import { useI18n } from '../../lib/i18n'

export function WorkflowPicker({ value, onChange, testid, exclude, name }: { value?: string; onChange?: (v: string) => void; testid: string; exclude?: string; name?: string }) {
  const { t } = useI18n()
  const [search, setSearch] = useState('')
  const q = useQuery({
    queryKey: ['workflows', 'picker', search],
    queryFn: () => answer(client.GET('/workflows', { params: { query: { search, pageSize: 50 } } })),
  })
  const options = (q.data?.items ?? []).filter((w) => w.id !== exclude).map((w) => ({ value: w.id, label: w.name }))
  if (value && !options.some((o) => o.value === value)) options.unshift({ value, label: name ?? value })
  return (
    <Select showSearch={{ filterOption: false, onSearch: setSearch }} value={value} onChange={onChange} loading={q.isFetching}
      options={options} placeholder={t('Pick a workflow')} data-testid={testid} />
  )
}

