// The route's error boundary: a page whose code or data could not be
// loaded shows what happened in words with a Retry button (重试) that
// loads that code and refetches that data, instead of a blank app. It
// resets on navigation, and retries by itself when the server answers
// again after an outage. Above the page it says when the data shown is
// not current (a refetch failed, or the server cannot be reached).
import { Component, useEffect, type ErrorInfo, type ReactNode } from 'react'
import { Button, Result } from 'antd'
import { QueryErrorResetBoundary, useQueryClient } from '@tanstack/react-query'
import { useI18n } from '../../lib/i18n'
import { connectivity } from './connectivity'
import { isOutage } from './errors'
import { retryChunks } from './lazy'
import { StaleNotice } from './StaleNotice'
import '../a11y/a11y.css'

interface Props { resetKey: string; children: ReactNode; onReset: () => void }
interface State { error: unknown }

class Boundary extends Component<Props, State> {
  state: State = { error: null }
  static getDerivedStateFromError(error: unknown): State {
    return { error }
  }
  componentDidCatch(error: unknown, info: ErrorInfo) {
    console.error('page failed', error, info.componentStack)
  }
  componentDidUpdate(prev: Props) {
    if (prev.resetKey !== this.props.resetKey && this.state.error) this.setState({ error: null })
  }
  retry = () => {
    retryChunks()
    this.props.onReset()
    this.setState({ error: null })
  }
  render() {
    if (this.state.error) return <Fallback error={this.state.error} onRetry={this.retry} />
    return this.props.children
  }
}

function Fallback({ error, onRetry }: { error: unknown; onRetry: () => void }) {
  const { t } = useI18n()
  const outage = isOutage(error)
  // Back from an outage: load again by itself; Retry stays for the rest.
  useEffect(() => {
    if (!outage) return
    let was = connectivity.get().offline
    return connectivity.subscribe(() => {
      const now = connectivity.get().offline
      if (was && !now) onRetry()
      was = now
    })
  }, [outage, onRetry])
  return (
    <Result status="warning" data-testid="route-error" data-outage={outage ? 'true' : 'false'}
      title={outage ? t('This page could not be loaded: cannot reach the server') : t('This page could not be shown')}
      subTitle={outage ? t('It loads again by itself once the server answers, or press Retry.') : error instanceof Error ? error.message : String(error)}
      extra={<Button type="primary" onClick={onRetry} data-testid="route-retry">{t('Retry')}</Button>} />
  )
}

export function RouteBoundary({ resetKey, children }: { resetKey: string; children: ReactNode }) {
  const qc = useQueryClient()
  return (
    <QueryErrorResetBoundary>
      {({ reset }) => (
        <Boundary resetKey={resetKey} onReset={() => { reset(); void qc.refetchQueries({ type: 'active', predicate: (q) => q.state.status === 'error' }) }}>
          <StaleNotice />
          {children}
        </Boundary>
      )}
    </QueryErrorResetBoundary>
  )
}
