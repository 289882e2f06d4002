import { useEffect, useState } from 'react'
import { Alert, Button, Card, Form, Input, Segmented } from 'antd'
import { ApiError, answer, client } from '../../api/client'
import { useI18n } from '../../lib/i18n'
import { session } from '../../lib/session'
import { useNavigate, useSearch } from '@tanstack/react-router'

export function LoginPage() {
  const { t, lang, setLang } = useI18n()
  // Not strict: a session that ends on another page shows this page there
  // until the navigation to /login lands.
  const search = useSearch({ strict: false })
  const navigate = useNavigate()
  const [error, setError] = useState<string | null>(search.expired ? t('Your session has ended, please log in again.') : null)
  const [busy, setBusy] = useState(false)
  useEffect(() => { document.title = t('Log in') + ' · jobflow' }, [t])

  async function submit(v: { account: string; password: string }) {
    setBusy(true)
    setError(null)
    try {
      const r = await answer(client.POST('/auth/login', { body: v }))
      session.set({ token: r.token, user: r.user, tenants: r.tenants, tenantId: r.tenants[0]?.id })
      // Back to the page that asked for the login, else the workflow list.
      void navigate({ href: returnTo(search.redirect), replace: true })
    } catch (e) {
      if (e instanceof ApiError && e.status === 429) setError(t('Too many attempts. Try again in {n} s.', { n: e.retryAfter ?? 60 }) + ' ' + e.message)
      else setError(e instanceof Error ? e.message : String(e))
    } finally {
      setBusy(false)
    }
  }

  return (
    <div style={{ minHeight: '100vh', display: 'grid', placeItems: 'center', background: '#f0f2f5' }}>
      <Card title="jobflow" style={{ width: 360 }}
        extra={<Segmented size="small" value={lang} onChange={(v) => setLang(v as 'zh' | 'en')} data-testid="lang-toggle"
          options={[{ label: '中文', value: 'zh' }, { label: 'EN', value: 'en' }]} />}>
        {error && <Alert type="error" title={error} showIcon style={{ marginBottom: 16 }} data-testid="login-error" />}
        <Form layout="vertical" onFinish={submit} requiredMark={false}>
          <Form.Item name="account" label={t('Account')} rules={[{ required: true, message: t('Required') }]}>
            <Input autoFocus autoComplete="username" data-testid="login-account" />
          </Form.Item>
          <Form.Item name="password" label={t('Password')} rules={[{ required: true, message: t('Required') }]}>
            <Input.Password autoComplete="current-password" data-testid="login-password" />
          </Form.Item>
          <Button type="primary" htmlType="submit" block loading={busy} data-testid="login-submit">{t('Log in')}</Button>
        </Form>
      </Card>
    </div>
  )
}

// returnTo is the redirect if it is a page of the console (a path, not
// another site's URL nor the login page itself).
function returnTo(redirect: string | undefined): string {
  return redirect && redirect.startsWith('/') && !redirect.startsWith('//') && !redirect.startsWith('/login') ? redirect : '/workflows'
}
