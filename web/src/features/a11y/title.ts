// document.title names the page ("运行记录 · jobflow"): the layout sets the
// menu entry's name, and a page may add its own detail in front (the
// workflow's name in the editor, the run's id in the run view) with
// usePageTitle.
import { useEffect, useSyncExternalStore } from 'react'

let detail = ''
const listeners = new Set<() => void>()

function setDetail(d: string) {
  if (d === detail) return
  detail = d
  listeners.forEach((l) => l())
}

// usePageTitle puts d in front of the page's title while the page is shown.
export function usePageTitle(d: string | undefined) {
  useEffect(() => {
    setDetail(d ?? '')
    return () => setDetail('')
  }, [d])
}

// useDocumentTitle sets document.title from the page's name and detail.
export function useDocumentTitle(page: string) {
  const d = useSyncExternalStore((l) => { listeners.add(l); return () => listeners.delete(l) }, () => detail)
  useEffect(() => {
    document.title = [d, page, 'jobflow'].filter(Boolean).join(' · ')
  }, [d, page])
}
