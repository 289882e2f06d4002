// A minimal client-side router over the History API: the server answers
// index.html for every non-API path, so any of these URLs can be reloaded.
import { createElement, useSyncExternalStore, type AnchorHTMLAttributes, type MouseEvent } from 'react'

const listeners = new Set<() => void>()
function notify() {
  here = location.pathname + location.search + location.hash
  listeners.forEach((l) => l())
}

// here is the location the page shows. Back and forward (popstate) have
// already moved the URL when the blocker is asked: a refusal puts the
// page's location back (one new history entry), and the page stays.
let here = location.pathname + location.search + location.hash
window.addEventListener('popstate', () => {
  if (blocker && !blocker()) {
    history.pushState(null, '', here)
    return
  }
  notify()
})

// blocker, when set, is asked before leaving the page (unsaved changes).
let blocker: (() => boolean) | null = null
export function setNavigationBlocker(b: (() => boolean) | null) {
  blocker = b
}

export function navigate(to: string, replace = false) {
  if (blocker && !blocker()) return
  if (replace) history.replaceState(null, '', to)
  else history.pushState(null, '', to)
  notify()
}

function subscribe(l: () => void) {
  listeners.add(l)
  return () => listeners.delete(l)
}

export function useLocation(): { path: string; query: URLSearchParams } {
  const href = useSyncExternalStore(subscribe, () => location.pathname + location.search)
  const u = new URL(href, location.origin)
  return { path: u.pathname, query: u.searchParams }
}

// match returns the parameters of pattern (/runs/:id) in path, or null.
export function match(pattern: string, path: string): Record<string, string> | null {
  const a = pattern.split('/')
  const b = path.replace(/\/$/, '').split('/')
  if (a.length !== b.length) return null
  const out: Record<string, string> = {}
  for (let i = 0; i < a.length; i++) {
    if (a[i].startsWith(':')) out[a[i].slice(1)] = decodeURIComponent(b[i])
    else if (a[i] !== b[i]) return null
  }
  return out
}

// Link is a real anchor (reachable by Tab, opens in a new tab with a
// middle click or Ctrl+click) that navigates in place on a plain click.
export function Link({ to, onClick, ...rest }: { to: string } & AnchorHTMLAttributes<HTMLAnchorElement>) {
  return createElement('a', {
    ...rest,
    href: to,
    onClick: (e: MouseEvent<HTMLAnchorElement>) => {
      onClick?.(e)
      if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return
      e.preventDefault()
      navigate(to)
    },
  })
}
