// JobPicker: one job of a workflow, or none (the whole run), for the
// DEPENDENT items and a baseline's targets.
import { Select } from 'antd'
import { useQuery } from '@tanstack/react-query'
import { answer, client } from '../../api/client'
import { useI18n } from '../../lib/i18n'

export function JobPicker({ workflowId, value, onChange, testid }: { workflowId?: string; value?: string; onChange?: (v?: string) => void; testid: string }) {
  const { t } = useI18n()
  const q = useQuery({
    queryKey: ['workflow-jobs', workflowId],
    queryFn: () => answer(client.GET('/workflows/{id}/jobs', { params: { path: { id: workflowId ?? '' }, query: { pageSize: 200 } } })),
    enabled: !!workflowId,
  })
  return (
    <Select allowClear showSearch={{ optionFilterProp: 'label' }} value={value} onChange={(v) => onChange?.(v || undefined)} loading={q.isFetching}
      options={(q.data?.items ?? []).map((j) => ({ value: j.id, label: j.name }))} placeholder={t('Whole run')} data-testid={testid} />
  )
}
