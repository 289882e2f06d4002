// ms shows a duration in milliseconds as the run view does (lib/format's
// duration), for the APIs that answer durationMs.
export function ms(v?: number | null): string {
  if (v === undefined || v === null) return '-'
  if (v < 1000) return v + ' ms'
  const s = Math.round(v / 1000)
  if (s < 60) return s + ' s'
  const m = Math.floor(s / 60)
  if (m < 60) return m + ' min ' + (s % 60) + ' s'
  return Math.floor(m / 60) + ' h ' + (m % 60) + ' min'
}

// runMs is a run's duration: durationMs once ended, else the time so far.
export function runMs(r: { startedAt?: string | null; endedAt?: string | null; durationMs?: number | null }, now = Date.now()): number | null {
  if (r.durationMs !== undefined && r.durationMs !== null) return r.durationMs
  if (!r.startedAt) return null
  return (r.endedAt ? Date.parse(r.endedAt) : now) - Date.parse(r.startedAt)
}
