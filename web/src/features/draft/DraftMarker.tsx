// The "Changed since publish" (需要重新发布) marker next to a published
// workflow's status: scheduled and invoked runs still run the published
// version until it is published again.
import { Tag, Tooltip } from 'antd'
import { useI18n } from '../../lib/i18n'
import { useDraftState } from './api'

export function DraftMarker({ id, status, at, testid }: { id: string; status: string; at: number | string; testid: string }) {
  const { t } = useI18n()
  const q = useDraftState(id, status === 'PUBLISHED', at)
  if (status !== 'PUBLISHED' || !q.data?.changed) return null
  return (
    <Tooltip title={t('The saved draft differs from published version {n}: scheduled and invoked runs use the published one until you publish again.', { n: q.data.version ?? '?' })}>
      <Tag color="orange" data-testid={testid} tabIndex={0} style={{ color: '#873800' }}>{t('Changed since publish')}</Tag>
    </Tooltip>
  )
}
