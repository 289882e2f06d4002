// Whether the console can reach the server. The API client reports every
// answer and every failed request here; while the server cannot be
// reached, /healthz is probed every few seconds so the offline banner goes
// away on its own when the server answers again (no click needed), and the
// browser's own offline/online events count too.
type State = { offline: boolean; since: number }

const PROBE_MS = 3000

let state: State = { offline: typeof navigator !== 'undefined' && navigator.onLine === false, since: Date.now() }
const listeners = new Set<() => void>()
let probe: ReturnType<typeof setTimeout> | null = null

function set(offline: boolean) {
  if (offline === state.offline) return
  state = { offline, since: Date.now() }
  listeners.forEach((l) => l())
}

async function probeOnce() {
  probe = null
  try {
    const r = await fetch('/healthz', { cache: 'no-store' })
    if (!unavailable(r.status)) {
      set(false)
      return
    }
  } catch {
    /* still down */
  }
  schedule()
}

function schedule() {
  if (!probe && state.offline) probe = setTimeout(probeOnce, PROBE_MS)
}

// unavailable: an answer that means the server itself is not there (a
// proxy in front of it answers 502/503/504 for it).
export function unavailable(status: number): boolean {
  return status === 502 || status === 503 || status === 504
}

export const connectivity = {
  get: (): State => state,
  subscribe(l: () => void): () => void {
    listeners.add(l)
    return () => listeners.delete(l)
  },
  // down: a request could not reach the server.
  down() {
    set(true)
    schedule()
  },
  // up: the server answered.
  up() {
    set(false)
  },
  // check probes now (a Retry click, the browser coming back online).
  check() {
    if (probe) clearTimeout(probe)
    probe = null
    void probeOnce()
  },
}

if (typeof window !== 'undefined') {
  window.addEventListener('offline', () => connectivity.down())
  window.addEventListener('online', () => connectivity.check())
  if (state.offline) schedule()
}
