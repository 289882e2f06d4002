// The console's routes. Pages are loaded on demand, so the first screen
// only fetches the login page, the layout and the workflow list.
import { Suspense, useEffect, useSyncExternalStore, type ReactNode } from 'react'
import { ConfigProvider, Spin, App as AntApp } from 'antd'
import type { QueryClient } from '@tanstack/react-query'
import zhCN from 'antd/locale/zh_CN'
import enUS from 'antd/locale/en_US'
import dayjs from 'dayjs'
import 'dayjs/locale/zh-cn'
import { useI18n } from './lib/i18n'
import { match, navigate, useLocation } from './lib/router'
import { session } from './lib/session'
import { LoginPage } from './features/auth/LoginPage'
import { AppLayout } from './features/layout/AppLayout'
import { WorkflowList } from './features/workflows/WorkflowList'
import { workflowQuery } from './features/workflows/api'
import { runQuery } from './features/runs/api'
// lazy with a retry: a page whose code failed to load can load it again.
import { lazy } from './features/outage/lazy'
import { RouteBoundary } from './features/outage/RouteBoundary'
import { OfflineBanner } from './features/outage/OfflineBanner'

const loadEditor = () => import('./features/editor/EditorPage')
const loadRunView = () => import('./features/runs/RunView')
const EditorPage = lazy(loadEditor)
const RunView = lazy(loadRunView)

// prefetch starts a page's code and its data together on a deep link (or
// a reload), instead of one after the other (chunk, render, then fetch):
// the editor and the run view of a 2,000-job workflow open that much sooner.
export function prefetch(qc: QueryClient, path: string) {
  if (!session.get()?.token) return
  let m
  if ((m = match('/workflows/:id', path))) {
    void loadEditor()
    void qc.prefetchQuery(workflowQuery(m.id))
  } else if ((m = match('/runs/:id', path))) {
    void loadRunView()
    void qc.prefetchQuery(runQuery(qc, m.id))
  }
}
const RunList = lazy(() => import('./features/runs/RunList'))
const DatasourcesPage = lazy(() => import('./features/datasources/DatasourcesPage'))
const ChannelsPage = lazy(() => import('./features/alarms/ChannelsPage'))
const RecordsPage = lazy(() => import('./features/alarms/RecordsPage'))
const AdminPage = lazy(() => import('./features/admin/AdminPage'))
const CalendarsPage = lazy(() => import('./features/calendars/CalendarsPage'))
const PoolsPage = lazy(() => import('./features/pools/PoolsPage'))
const BaselinesPage = lazy(() => import('./features/baselines/BaselinesPage'))
const ApprovalsPage = lazy(() => import('./features/approvals/ApprovalsPage'))
const VersionsPage = lazy(() => import('./features/versions/VersionsPage'))
const VariablesPage = lazy(() => import('./features/variables/VariablesPage'))
const AuditPage = lazy(() => import('./features/audit/AuditPage'))
const AccountPage = lazy(() => import('./features/account/AccountPage'))
const RunGridPage = lazy(() => import('./features/history/RunGridPage'))
const NodeRunList = lazy(() => import('./features/history/NodeRunList'))
const HomePage = lazy(() => import('./features/history/HomePage'))

// Animations follow the user's reduced-motion preference (and the browser
// tests, which ask for reduced motion, click on settled positions).
const motion = !window.matchMedia?.('(prefers-reduced-motion: reduce)').matches

function useSession() {
  return useSyncExternalStore(session.subscribe, () => sessionStorage.getItem('jobflow.session'))
}

function page(path: string): ReactNode {
  let m
  if ((m = match('/workflows/:id/versions', path))) return <VersionsPage key={m.id} id={m.id} />
  if (match('/variables', path)) return <VariablesPage />
  if (match('/audit', path)) return <AuditPage />
  if (match('/account', path)) return <AccountPage />
  if ((m = match('/workflows/:id/history', path))) return <RunGridPage key={m.id} id={m.id} />
  if ((m = match('/workflows/:id', path))) return <EditorPage key={m.id} id={m.id} />
  if ((m = match('/runs/:id', path))) return <RunView key={m.id} id={m.id} />
  if (match('/runs', path)) return <RunList />
  if (match('/node-runs', path)) return <NodeRunList />
  if (path === '/' || match('/home', path)) return <HomePage />
  if (match('/datasources', path)) return <DatasourcesPage />
  if (match('/calendars', path)) return <CalendarsPage />
  if (match('/pools', path)) return <PoolsPage />
  if (match('/baselines', path)) return <BaselinesPage />
  if (match('/approvals', path)) return <ApprovalsPage />
  if (match('/alarm-channels', path)) return <ChannelsPage />
  if (match('/alarm-records', path)) return <RecordsPage />
  if (path.startsWith('/admin')) return <AdminPage />
  return <WorkflowList />
}

export function App() {
  const { lang, t } = useI18n()
  const { path } = useLocation()
  const raw = useSession()
  const login = !raw || path === '/login'
  useEffect(() => { if (login) document.title = t('Log in') + ' · jobflow' }, [login, t])
  dayjs.locale(lang === 'zh' ? 'zh-cn' : 'en')
  let body: ReactNode
  if (!raw || path === '/login') {
    if (raw && path === '/login') queueMicrotask(() => navigate('/workflows', true))
    body = <LoginPage />
  } else {
    body = (
      <AppLayout>
        <RouteBoundary resetKey={path}>
          <Suspense fallback={<Spin style={{ margin: 48 }} />}>{page(path)}</Suspense>
        </RouteBoundary>
      </AppLayout>
    )
  }
  return (
    <ConfigProvider locale={lang === 'zh' ? zhCN : enUS} theme={{ token: { colorPrimary: '#1f6feb', borderRadius: 4, motion } }}>
      <AntApp><OfflineBanner />{body}</AntApp>
    </ConfigProvider>
  )
}
