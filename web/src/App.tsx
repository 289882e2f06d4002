// The console's frame: antd's theme and locale, the outage banner, and the
// router (routes in router.tsx). Pages are loaded on demand, so the first
// screen only fetches the login page, the layout and the workflow list.
import { ConfigProvider, App as AntApp } from 'antd'
import { RouterProvider } from '@tanstack/react-router'
import zhCN from 'antd/locale/zh_CN'
import enUS from 'antd/locale/en_US'
import dayjs from 'dayjs'
import 'dayjs/locale/zh-cn'
import { useI18n } from './lib/i18n'
import type { createAppRouter } from './router'
import { OfflineBanner } from './features/outage/OfflineBanner'

// Animations follow the user's reduced-motion preference (and the browser
// tests, which ask for reduced motion, click on settled positions).
const motion = !window.matchMedia?.('(prefers-reduced-motion: reduce)').matches

export function App({ router }: { router: ReturnType<typeof createAppRouter> }) {
  const { lang } = useI18n()
  dayjs.locale(lang === 'zh' ? 'zh-cn' : 'en')
  return (
    <ConfigProvider locale={lang === 'zh' ? zhCN : enUS} theme={{ token: { colorPrimary: '#1f6feb', borderRadius: 4, motion } }}>
      <AntApp><OfflineBanner /><RouterProvider router={router} /></AntApp>
    </ConfigProvider>
  )
}
