// Failures in words: a request that never reached the server, a proxy's
// 502/503/504 and a page's code that did not load all read as "Cannot
// reach the server" (无法连接服务器) instead of the browser's raw
// "Failed to fetch"; the API's own errors keep their (localized) message.
import { ApiError } from '../../api/client'

// ChunkError is a page whose code could not be loaded.
export class ChunkError extends Error {
  constructor(cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause))
    this.name = 'ChunkError'
  }
}

// isOutage: the server could not be reached (no answer, or a gateway's).
export function isOutage(e: unknown): boolean {
  return e instanceof ChunkError || (e instanceof ApiError && (e.code === 'NETWORK' || e.code === 'UNAVAILABLE'))
}
