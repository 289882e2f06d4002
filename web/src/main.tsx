import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { QueryClient, QueryClientProvider } from '@tanstack/react-query'
import { I18nProvider } from './lib/i18n'
import { App } from './App'
import { createAppRouter } from './router'
import { onUnauthorized } from './api/client'
import { connectivity } from './features/outage/connectivity'
import { isOutage } from './features/outage/errors'
import './styles.css'

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      // 4xx is an answer, not a blip; while the server is known to be
      // unreachable the page shows so at once rather than after retries.
      retry: (n, err) => n < 2 && !connectivity.get().offline &&
        !(err instanceof Error && 'status' in err && (err as { status: number }).status >= 400 && (err as { status: number }).status < 500),
      // A page's own data (meta.page) that cannot be loaded at all goes to
      // the route's error boundary (message and Retry); data already shown
      // stays, marked not current.
      throwOnError: (err, q) => q.meta?.page === true && q.state.data === undefined && isOutage(err),
      refetchOnWindowFocus: false,
      staleTime: 5_000,
    },
  },
})

const router = createAppRouter(queryClient)
// A 401 ends the session: the login page says so, and leads back here.
onUnauthorized(() => {
  const here = router.latestLocation
  if (here.pathname === '/login') return // several requests answer 401 at once
  void router.navigate({ to: '/login', search: { expired: '1', redirect: here.href } })
})

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <I18nProvider>
        <App router={router} />
      </I18nProvider>
    </QueryClientProvider>
  </StrictMode>,
)
