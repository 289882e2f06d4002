// The console's routes (TanStack Router, a code-based route tree): every
// page's path, its typed params and search (validateSearch), its menu
// entry and title (staticData), and the loaders that start a deep link's
// code and data together. The server answers index.html for every non-API
// path, so each URL here can be reloaded (docs/console.md#routing).
import { useSyncExternalStore } from 'react'
import { Spin } from 'antd'
import type { QueryClient } from '@tanstack/react-query'
import { Outlet, type RouteComponent, type SearchSchemaInput, createRootRouteWithContext, createRoute, createRouter, redirect, useMatches } from '@tanstack/react-router'
import { session } from './lib/session'
import { parseSearch, posInt, str, stringifySearch } from './lib/search'
import { LoginPage } from './features/auth/LoginPage'
import { AppLayout } from './features/layout/AppLayout'
import { NotFoundPage } from './features/layout/NotFoundPage'
import { WorkflowList } from './features/workflows/WorkflowList'
import { workflowQuery } from './features/workflows/api'
import { runQuery } from './features/runs/api'
// lazy with a retry: a page whose code failed to load can load it again.
import { lazy } from './features/outage/lazy'
import { RouteBoundary } from './features/outage/RouteBoundary'

declare module '@tanstack/react-router' {
  interface Register {
    router: ReturnType<typeof createAppRouter>
  }
  // nav is the menu entry a page sits under, title the page's name in
  // document.title ("运行记录 · jobflow"); both English keys for t().
  interface StaticDataRouteOption {
    nav?: string
    title?: string
  }
}

const loadEditor = () => import('./features/editor/EditorPage')
const loadRunView = () => import('./features/runs/RunView')
const EditorPage = lazy(loadEditor)
const RunView = lazy(loadRunView)
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

function useSession() {
  return useSyncExternalStore(session.subscribe, () => sessionStorage.getItem('jobflow.session'))
}

// Root: the login page alone, or the layout with the page in its error
// boundary. A session that ends on a page (logout, a 401) shows the login
// at once, before the navigation to /login lands.
function Root() {
  const raw = useSession()
  // The page shown is the last match rendered, not the location, which
  // moves first while a navigation loads: the boundary resets when the
  // page changes (under the new location's key, the failed page would be
  // rendered, and fail, once more).
  const shown = useMatches({ select: (ms) => ms[ms.length - 1] })
  if (shown?.routeId === '/login') return <Outlet />
  if (!raw) return <LoginPage />
  return (
    <AppLayout>
      <RouteBoundary resetKey={shown?.id ?? ''}><Outlet /></RouteBoundary>
    </AppLayout>
  )
}

// Pending is shown while a page's code loads (the router's Suspense).
function Pending() {
  return <Spin style={{ margin: 48 }} />
}

const rootRoute = createRootRouteWithContext<{ queryClient: QueryClient }>()({
  // Logged out, any page is the login page (and back there after it);
  // /login while logged in is the workflow list.
  beforeLoad: ({ location }) => {
    const inSession = !!session.get()?.token
    if (location.pathname === '/login') {
      if (inSession) throw redirect({ to: '/workflows' })
    } else if (!inSession) {
      throw redirect({ to: '/login', search: { redirect: location.href } })
    }
  },
  component: Root,
  notFoundComponent: NotFoundPage,
})

const page = { getParentRoute: () => rootRoute }

// The typed search params. What a link may set is typed; what comes from
// the address bar is checked value by value (a wrong type is dropped).
interface LoginSearch { expired?: string; redirect?: string }
interface GridSearch { limit?: number; job?: string }
interface RunsSearch { workflowId?: string; status?: string; trigger?: string; from?: string; to?: string; q?: string; page?: number; pageSize?: number }
interface RunSearch { node?: string }
interface NodeRunsSearch { workflowId?: string; jobId?: string; status?: string; from?: string; to?: string; page?: number; pageSize?: number }
interface BaselinesSearch { id?: string }

// The login page: ?expired=1 after a 401, ?redirect= the page to return to.
const loginRoute = createRoute({
  ...page,
  path: '/login',
  staticData: { title: 'Log in' },
  validateSearch: (s: LoginSearch & SearchSchemaInput): LoginSearch => ({ expired: str(s.expired), redirect: str(s.redirect) }),
  component: LoginPage,
})

// The overview is at / and /home.
const indexRoute = createRoute({ ...page, path: '/', staticData: { nav: '/home', title: 'Overview' }, component: HomePage })
const homeRoute = createRoute({ ...page, path: '/home', staticData: { nav: '/home', title: 'Overview' }, component: HomePage })

const workflowsRoute = createRoute({ ...page, path: '/workflows', staticData: { nav: '/workflows', title: 'Workflows' }, component: WorkflowList })

// The editor: its code and the workflow are fetched together, not one
// after the other (chunk, render, then fetch), so a 2,000-job workflow
// opens that much sooner. Another workflow's id is a new editor (remountDeps).
const editorRoute = createRoute({
  ...page,
  path: '/workflows/$id',
  staticData: { nav: '/workflows', title: 'Workflows' },
  loader: ({ context, params }) => {
    loadEditor().catch(() => {}) // the page's own load reports a failure
    void context.queryClient.prefetchQuery(workflowQuery(params.id))
  },
  remountDeps: ({ params }) => params,
  component: function Editor() {
    return <EditorPage id={editorRoute.useParams().id} />
  },
})

// 运行历史: ?limit= runs across, ?job= the job whose trend is shown.
const gridRoute = createRoute({
  ...page,
  path: '/workflows/$id/history',
  staticData: { nav: '/workflows', title: 'Workflows' },
  validateSearch: (s: GridSearch & SearchSchemaInput): GridSearch => ({ limit: posInt(s.limit), job: str(s.job) }),
  remountDeps: ({ params }) => params,
  component: function Grid() {
    return <RunGridPage id={gridRoute.useParams().id} />
  },
})

const versionsRoute = createRoute({
  ...page,
  path: '/workflows/$id/versions',
  staticData: { nav: '/workflows', title: 'Workflows' },
  remountDeps: ({ params }) => params,
  component: function Versions() {
    return <VersionsPage id={versionsRoute.useParams().id} />
  },
})

// The run list's filters and page: a reload, a shared link or Back keeps them.
const runsRoute = createRoute({
  ...page,
  path: '/runs',
  staticData: { nav: '/runs', title: 'Runs' },
  validateSearch: (s: RunsSearch & SearchSchemaInput): RunsSearch => ({
    workflowId: str(s.workflowId), status: str(s.status), trigger: str(s.trigger), from: str(s.from), to: str(s.to), q: str(s.q),
    page: posInt(s.page), pageSize: posInt(s.pageSize),
  }),
  component: RunList,
})

// A run; ?node= opens it with that node's log.
const runRoute = createRoute({
  ...page,
  path: '/runs/$id',
  staticData: { nav: '/runs', title: 'Runs' },
  validateSearch: (s: RunSearch & SearchSchemaInput): RunSearch => ({ node: str(s.node) }),
  loader: ({ context, params }) => {
    loadRunView().catch(() => {})
    void context.queryClient.prefetchQuery(runQuery(context.queryClient, params.id))
  },
  remountDeps: ({ params }) => params,
  component: function Run() {
    return <RunView id={runRoute.useParams().id} />
  },
})

// 任务实例: node runs across runs, filtered in the URL like the run list.
const nodeRunsRoute = createRoute({
  ...page,
  path: '/node-runs',
  staticData: { nav: '/node-runs', title: 'Task instances' },
  validateSearch: (s: NodeRunsSearch & SearchSchemaInput): NodeRunsSearch => ({
    workflowId: str(s.workflowId), jobId: str(s.jobId), status: str(s.status), from: str(s.from), to: str(s.to),
    page: posInt(s.page), pageSize: posInt(s.pageSize),
  }),
  component: NodeRunList,
})

// 基线: ?id= the baseline whose daily instances are shown.
const baselinesRoute = createRoute({
  ...page,
  path: '/baselines',
  staticData: { nav: '/baselines', title: 'Baselines' },
  validateSearch: (s: BaselinesSearch & SearchSchemaInput): BaselinesSearch => ({ id: str(s.id) }),
  component: BaselinesPage,
})

// 系统管理 and its tabs; an unknown tab is the first.
export const ADMIN_TABS = ['tenants', 'users', 'license'] as const
export type AdminTab = (typeof ADMIN_TABS)[number]
const adminRoute = createRoute({ ...page, path: '/admin', staticData: { title: 'Admin' }, component: AdminPage })
const adminTabRoute = createRoute({
  ...page,
  path: '/admin/$tab',
  staticData: { title: 'Admin' },
  params: {
    parse: (p: { tab: string }): { tab: AdminTab } => ({ tab: ADMIN_TABS.find((x) => x === p.tab) ?? 'tenants' }),
    stringify: (p: { tab: AdminTab }) => ({ tab: p.tab }),
  },
  component: AdminPage,
})

// A page of the menu with nothing but its path.
function menuPage<P extends string>(path: P, title: string, component: RouteComponent) {
  return createRoute({ ...page, path, staticData: { nav: path, title }, component })
}

const routeTree = rootRoute.addChildren([
  loginRoute,
  indexRoute,
  homeRoute,
  workflowsRoute,
  editorRoute,
  gridRoute,
  versionsRoute,
  runsRoute,
  runRoute,
  nodeRunsRoute,
  baselinesRoute,
  menuPage('/datasources', 'Datasources', DatasourcesPage),
  menuPage('/calendars', 'Calendars', CalendarsPage),
  menuPage('/pools', 'Pools', PoolsPage),
  menuPage('/approvals', 'Awaiting my approval', ApprovalsPage),
  menuPage('/alarm-channels', 'Alarm channels', ChannelsPage),
  menuPage('/alarm-records', 'Alarm records', RecordsPage),
  menuPage('/variables', 'Variables', VariablesPage),
  menuPage('/audit', 'Audit log', AuditPage),
  createRoute({ ...page, path: '/account', staticData: { title: 'My account' }, component: AccountPage }),
  adminRoute,
  adminTabRoute,
])

export function createAppRouter(queryClient: QueryClient) {
  return createRouter({
    routeTree,
    context: { queryClient },
    parseSearch,
    stringifySearch,
    defaultPendingComponent: Pending,
  })
}
