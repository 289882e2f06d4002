// 作业流快速切换: a searchable dropdown of the tenant's workflows.
import { useState } from 'react'
import { Select } from 'antd'
import { useQuery } from '@tanstack/react-query'
import { answer, client } from '../../api/client'
import { useI18n } from '../../lib/i18n'
import { useNavigate } from '@tanstack/react-router'

export function QuickSwitcher({ current, name }: { current: string; name: string }) {
  const { t } = useI18n()
  const navigate = useNavigate()
  const [search, setSearch] = useState('')
  const q = useQuery({
    queryKey: ['workflows', 'switcher', search],
    queryFn: () => answer(client.GET('/workflows', { params: { query: { search, pageSize: 50 } } })),
  })
  const options = (q.data?.items ?? []).map((w) => ({ value: w.id, label: w.name }))
  if (!options.some((o) => o.value === current)) options.unshift({ value: current, label: name })
  return (
    <Select showSearch={{ filterOption: false, onSearch: setSearch }} value={current} style={{ width: 240 }} title={t('Switch workflow')}
      loading={q.isFetching} options={options} onChange={(id) => void navigate({ to: '/workflows/$id', params: { id } })} data-testid="quick-switcher"
      popupRender={(menu) => <div data-testid="quick-switcher-menu">{menu}</div>} />
  )
}
