// A path the console has no page for (a mistyped or outdated link) says
// so, with the way back, instead of showing some other page.
import { Result, Space } from 'antd'
import { Link, useLocation } from '@tanstack/react-router'
import { useI18n } from '../../lib/i18n'

export function NotFoundPage() {
  const { t } = useI18n()
  const path = useLocation({ select: (l) => l.pathname })
  return (
    <Result status="404" title={t('Page not found')} data-testid="not-found"
      subTitle={<span data-testid="not-found-path">{t('The console has no page at {path}.', { path })}</span>}
      extra={<Space size={16}>
        <Link to="/home" data-testid="not-found-home">{t('Overview')}</Link>
        <Link to="/workflows" data-testid="not-found-workflows">{t('Workflows')}</Link>
      </Space>} />
  )
}
