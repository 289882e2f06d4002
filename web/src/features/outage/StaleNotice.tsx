// "Not current": shown above a page whose data could not be refreshed (a
// refetch failed because the server cannot be reached, or the console is
// offline), with the time the shown data was loaded, so a list that keeps
// its last answer during an outage says so instead of passing for live.
import { useSyncExternalStore } from 'react'
import { Alert, Button } from 'antd'
import { useQueryClient } from '@tanstack/react-query'
import { useI18n } from '../../lib/i18n'
import { time } from '../../lib/format'
import { connectivity } from './connectivity'
import { isOutage } from './errors'

export function StaleNotice() {
  const { t } = useI18n()
  const qc = useQueryClient()
  const cache = qc.getQueryCache()
  const offline = useSyncExternalStore(connectivity.subscribe, () => connectivity.get().offline)
  // The oldest load time among the data on screen that is not current (0: none).
  const since = useSyncExternalStore(cache.subscribe.bind(cache), () => {
    let oldest = 0
    for (const q of cache.getAll()) {
      if (q.state.data === undefined || q.getObserversCount() === 0) continue
      if (!(offline || (q.state.status === 'error' && isOutage(q.state.error)))) continue
      if (!oldest || q.state.dataUpdatedAt < oldest) oldest = q.state.dataUpdatedAt
    }
    return oldest
  })
  if (!since) return null
  return (
    <Alert type="warning" showIcon style={{ marginBottom: 8 }} data-testid="stale-notice"
      title={t('Not current: the data shown was loaded at {time} and could not be refreshed.', { time: time(new Date(since).toISOString()) })}
      action={<Button size="small" onClick={() => { connectivity.check(); void qc.refetchQueries({ type: 'active' }) }} data-testid="stale-refresh">{t('Refresh')}</Button>} />
  )
}
