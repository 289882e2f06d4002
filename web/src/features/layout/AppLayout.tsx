import type { ReactNode } from 'react'
import { Button, ConfigProvider, Layout, Menu, Segmented, Select, Space, Tag, Typography } from 'antd'
import { useQueryClient } from '@tanstack/react-query'
import { client, done } from '../../api/client'
import { useI18n } from '../../lib/i18n'
import { Link, useMatches, useNavigate } from '@tanstack/react-router'
import { useDocumentTitle } from '../a11y/title'
import { useWord } from '../enums/words'
import { session } from '../../lib/session'

const items: { key: '/home' | '/workflows' | '/runs' | '/node-runs' | '/datasources' | '/calendars' | '/pools' | '/baselines' | '/approvals' | '/alarm-channels' | '/alarm-records' | '/variables' | '/audit'; label: string }[] = [
  { key: '/home', label: 'Overview' },
  { key: '/workflows', label: 'Workflows' },
  { key: '/runs', label: 'Runs' },
  { key: '/node-runs', label: 'Task instances' },
  { key: '/datasources', label: 'Datasources' },
  { key: '/calendars', label: 'Calendars' },
  { key: '/pools', label: 'Pools' },
  { key: '/baselines', label: 'Baselines' },
  { key: '/approvals', label: 'Awaiting my approval' },
  { key: '/alarm-channels', label: 'Alarm channels' },
  { key: '/alarm-records', label: 'Alarm records' },
  { key: '/variables', label: 'Variables' },
  { key: '/audit', label: 'Audit log' },
]

export function AppLayout({ children }: { children: ReactNode }) {
  const { t, lang, setLang } = useI18n()
  // The page's menu entry and name come from its route (router.tsx); the
  // not-found page has neither.
  const leaf = useMatches({ select: (ms) => ms[ms.length - 1] })
  const navigate = useNavigate()
  const qc = useQueryClient()
  const s = session.get()!
  const tenant = s.tenants.find((x) => x.id === s.tenantId)
  const role = s.user.sysAdmin ? 'SYS_ADMIN' : tenant?.role
  const menu = items
  // 系统管理 sits in the header beside the account, not in the menu: a
  // system administrator's page, not a daily one, and always in sight
  // however many daily pages the menu holds.
  const atAdmin = leaf.routeId.startsWith('/admin')
  const selected = leaf.staticData.nav ?? ''
  const w = useWord()
  useDocumentTitle(t(leaf.staticData.title ?? 'Page not found'))

  async function logout() {
    try {
      await done(client.POST('/auth/logout')) // revokes the token (where the server has the route)
    } catch {
      /* the session ends here either way */
    }
    session.clear()
    qc.clear()
    void navigate({ to: '/login' })
  }

  function switchTenant(id: string) {
    session.set({ ...s, tenantId: id })
    qc.clear()
    void navigate({ to: '/workflows' })
  }

  return (
    <Layout style={{ minHeight: '100vh' }}>
      <Layout.Header style={{ display: 'flex', alignItems: 'center', gap: 16, padding: '0 16px', background: '#001529' }}>
        <Link to="/workflows" style={{ color: '#fff', fontSize: 18, fontWeight: 600 }} data-testid="home-link">jobflow</Link>
        {/* Narrower items than antd's 20 px a side, so the whole menu fits in 1440 px. */}
        <ConfigProvider theme={{ components: { Menu: { itemPaddingInline: 12 } } }}>
          <Menu theme="dark" mode="horizontal" selectedKeys={[selected]} style={{ flex: 1, minWidth: 0 }}
            items={menu.map((m) => ({ key: m.key, label: <Link to={m.key} data-testid={'nav-' + m.key.slice(1)}>{t(m.label)}</Link> }))} />
        </ConfigProvider>
        <Space>
          {s.tenants.length > 1 ? (
            <Select size="small" value={s.tenantId} onChange={switchTenant} style={{ width: 160 }} data-testid="tenant-switcher"
              options={s.tenants.map((x) => ({ value: x.id, label: x.name }))} />
          ) : (
            <Tag data-testid="tenant-name">{tenant?.name}</Tag>
          )}
          <Link to="/account" title={t('My account')} data-testid="nav-account"><Typography.Text style={{ color: '#fff' }} data-testid="user-name">{s.user.name || s.user.account}</Typography.Text></Link>
          {role && <Tag color="blue" data-testid="user-role" data-code={role} style={{ color: '#003eb3' }}>{w('role', role)}</Tag>}
          {s.user.sysAdmin && <Link to="/admin" style={{ color: '#fff', fontWeight: atAdmin ? 600 : 400 }} data-testid="nav-admin">{t('Admin')}</Link>}
          <Segmented size="small" value={lang} onChange={(v) => setLang(v as 'zh' | 'en')} data-testid="lang-toggle"
            options={[{ label: '中文', value: 'zh' }, { label: 'EN', value: 'en' }]} />
          <Button size="small" onClick={logout} data-testid="logout">{t('Log out')}</Button>
        </Space>
      </Layout.Header>
      <Layout.Content style={{ padding: 16 }}>{children}</Layout.Content>
    </Layout>
  )
}
