// lazy is React's lazy() for the route pages, with a retry: React keeps a
// page whose code failed to load as failed for good, so each failure
// replaces the page by a fresh lazy one, and the route's Retry button
// (retryChunks) loads the code again instead of showing the same error.
import { createElement, lazy as reactLazy, type ComponentType, type ReactElement } from 'react'
import { ChunkError } from './errors'
import { connectivity } from './connectivity'

const failed = new Set<() => void>()

// retryChunks lets every page whose code failed load it again on its next render.
export function retryChunks() {
  failed.forEach((f) => f())
  failed.clear()
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function lazy<P extends Record<string, any>>(load: () => Promise<{ default: ComponentType<P> }>): (props: P) => ReactElement {
  const attempt = () => load().catch((e: unknown) => {
    failed.add(() => { inner = reactLazy(attempt) })
    connectivity.down()
    throw new ChunkError(e)
  })
  let inner = reactLazy(attempt)
  return function Page(props: P) {
    return createElement(inner, props as never)
  }
}
