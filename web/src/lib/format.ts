import dayjs from 'dayjs'

// time shows an instant in the browser's zone.
export function time(v?: string | null): string {
  return v ? dayjs(v).format('YYYY-MM-DD HH:mm:ss') : '-'
}

// inZone shows an instant in a named IANA zone (for the schedule's zone).
export function inZone(v: string, zone: string): string {
  try {
    return new Intl.DateTimeFormat('sv-SE', { timeZone: zone, dateStyle: 'short', timeStyle: 'medium' }).format(new Date(v)) + ' ' + zone
  } catch {
    return v
  }
}

export function duration(start?: string | null, end?: string | null): string {
  if (!start) return '-'
  // A running job started by a worker whose clock is ahead of the browser's
  // would show a negative time: it has run for 0 ms as far as we can tell.
  const ms = Math.max(0, (end ? Date.parse(end) : Date.now()) - Date.parse(start))
  if (ms < 1000) return ms + ' ms'
  const s = Math.round(ms / 1000)
  if (s < 60) return s + ' s'
  const m = Math.floor(s / 60)
  if (m < 60) return m + ' min ' + (s % 60) + ' s'
  return Math.floor(m / 60) + ' h ' + (m % 60) + ' min'
}

// parseParams reads KEY=value lines.
export function parseParams(text: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const line of text.split('\n')) {
    const i = line.indexOf('=')
    if (i > 0) out[line.slice(0, i).trim()] = line.slice(i + 1).trim()
  }
  return out
}

export function formatParams(p?: Record<string, string> | null): string {
  return Object.entries(p ?? {}).map(([k, v]) => k + '=' + v).join('\n')
}
