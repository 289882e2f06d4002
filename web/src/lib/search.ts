// The URL query as the router reads and writes it: plain key=value pairs
// (URLSearchParams), every value a string, empty ones left out, so the
// links people share and reload read as before (?status=FAIL&page=2).
// Each route's validateSearch turns the strings into its typed search
// (docs/console.md#routing).

export function parseSearch(s: string): Record<string, string> {
  return Object.fromEntries(new URLSearchParams(s))
}

export function stringifySearch(search: Record<string, unknown>): string {
  const q = new URLSearchParams()
  for (const [k, v] of Object.entries(search)) {
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v))
  }
  const s = q.toString()
  return s ? '?' + s : ''
}

// str is a non-empty string or nothing.
export function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : undefined
}

// posInt is a positive integer or nothing.
export function posInt(v: unknown): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v !== '' ? Number(v) : NaN
  return Number.isInteger(n) && n > 0 ? n : undefined
}

// patchSearch applies a filter change: empty values drop out, and any
// change but a page change goes back to page 1.
export function patchSearch<T extends { page?: number }>(prev: T, patch: Partial<T>): T {
  const next: Record<string, unknown> = { ...prev, ...patch }
  if (!('page' in patch)) delete next.page
  for (const [k, v] of Object.entries(next)) if (v === undefined || v === '') delete next[k]
  return next as T
}
