// The offline banner: while the server cannot be reached (a request failed
// to connect, a gateway answered 502/503/504, or the browser is offline),
// a bar at the top says so; it goes away when the server answers again
// (connectivity probes /healthz), and the data on screen is then refetched.
import { useEffect, useRef, useSyncExternalStore } from 'react'
import { Alert, Button } from 'antd'
import { useQueryClient } from '@tanstack/react-query'
import { useI18n } from '../../lib/i18n'
import { time } from '../../lib/format'
import { connectivity } from './connectivity'

export function OfflineBanner() {
  const { t } = useI18n()
  const qc = useQueryClient()
  const s = useSyncExternalStore(connectivity.subscribe, connectivity.get)
  const was = useRef(s.offline)
  useEffect(() => {
    // Back online: what is on screen is refetched.
    if (was.current && !s.offline) void qc.invalidateQueries({ type: 'active' })
    was.current = s.offline
  }, [s.offline, qc])
  if (!s.offline) return null
  return (
    <Alert banner type="error" showIcon data-testid="offline-banner" role="alert"
      title={t('Cannot reach the server') + ' · ' + t('since {time}; retrying every few seconds. Changes are not saved until it answers.', { time: time(new Date(s.since).toISOString()) })}
      action={<Button size="small" onClick={() => connectivity.check()} data-testid="offline-retry">{t('Retry')}</Button>} />
  )
}
