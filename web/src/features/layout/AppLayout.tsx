import type { ReactNode } from 'react'
import { Button, ConfigProvider, Layout, Menu, Segmented, Select, Space, Tag, Typography } from 'antd'
import { useQueryClient } from '@tanstack/react-query'
import { client, done } from '../../api/client'
import { useI18n } from '../../lib/i18n'
import { Link, useMatches, useNavigate } from '@tanstack/react-router'
import { useDocumentTitle } from '../a11y/title'
import { useWord } from '../enums/words'
import { session } from '../../lib/session'

type NavKey = '/home' | '/workflows' | '/runs' | '/node-runs' | '/datasources' | '/calendars' | '/pools' | '/baselines' | '/approvals' | '/alarm-channels' | '/alarm-records' | '/variables' | '/audit'
type NavItem = { key: NavKey; label: string }
type NavGroup = { key: string; label: string; children: NavItem[] }

// The daily pages are in the bar; the rest sit in two groups, as Airflow's
// Browse and Admin menus and DolphinScheduler's Resources and Monitor do,
// so that the whole bar fits in 1280 px in English as in Chinese.
const items: (NavItem | NavGroup)[] = [
  { key: '/home', label: 'Overview' },
  { key: '/workflows', label: 'Workflows' },
  { key: '/runs', label: 'Runs' },
  { key: '/node-runs', label: 'Task instances' },
  { key: '/approvals', label: 'Approvals' },
  { key: 'monitoring', label: 'Monitoring', children: [
    { key: '/alarm-records', label: 'Alarm records' },
    { key: '/alarm-channels', label: 'Alarm channels' },
    { key: '/baselines', label: 'Baselines' },
    { key: '/audit', label: 'Audit log' },
  ] },
  { key: 'resources', label: 'Resources', children: [
    { key: '/datasources', label: 'Datasources' },
    { key: '/variables', label: 'Variables' },
    { key: '/calendars', label: 'Calendars' },
    { key: '/pools', label: 'Pools' },
  ] },
]

// groupOf is the key of the group holding the page key, so the group's
// title is marked while one of its pages is open.
function groupOf(key: string): string[] {
  const g = items.find((m) => 'children' in m && m.children.some((c) => c.key === key))
  return g ? [g.key] : []
}

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

  function entry(m: NavItem) {
    return { key: m.key, label: <Link to={m.key} data-testid={'nav-' + m.key.slice(1)}>{t(m.label)}</Link> }
  }

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
        {/* Narrower items than antd's 20 px a side. A group opens on click
            (not only on hover), and its entries are in the page while it
            is closed, so that they can be found by their test ids. */}
        <ConfigProvider theme={{ components: { Menu: { itemPaddingInline: 12 } } }}>
          <Menu theme="dark" mode="horizontal" selectedKeys={[selected, ...groupOf(selected)]} style={{ flex: 1, minWidth: 0 }}
            triggerSubMenuAction="click" forceSubMenuRender
            items={menu.map((m) => 'children' in m
              ? { key: m.key, label: <span data-testid={'nav-group-' + m.key}>{t(m.label)} ▾</span>,
                  children: m.children.map(entry) }
              : entry(m))} />
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
