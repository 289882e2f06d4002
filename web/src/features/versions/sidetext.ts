// The text of one side of a diff (a version's snapshot or the draft) for
// the side-by-side view: YAML-like, jobs by name in canvas order, edges by
// job names, no ids, times or authors (they differ on every side), and the
// values of secret-looking fields shown as ****** as the API's diff does.
import type { Schemas } from '../../api/client'

type Side = { jobs: Schemas['Job'][]; canvas: Schemas['Canvas']; config: Schemas['WorkflowConfig'] }

const secret = /(password|passwd|secret|token|authorization|cookie|api[-_]?key|access[-_]?key|private[-_]?key|credential)/i
const noise = new Set(['id', 'workflowId', 'tenantId', 'createdAt', 'updatedAt', 'createdBy', 'updatedBy', 'versionId'])

// clean drops the noise, puts job names for job ids and hides secrets.
function clean(v: unknown, names: Map<string, string>, key = ''): unknown {
  if (typeof v === 'string') {
    if (key && secret.test(key) && v !== '') return '******'
    return names.get(v) ?? v
  }
  if (Array.isArray(v)) return v.map((x) => clean(x, names))
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {}
    for (const k of Object.keys(v).sort()) {
      if (noise.has(k)) continue
      const x = (v as Record<string, unknown>)[k]
      if (x === null || x === undefined || x === '' || (Array.isArray(x) && x.length === 0)) continue
      out[k] = clean(x, names, k)
    }
    return out
  }
  return v
}

function scalar(v: unknown): string {
  if (typeof v === 'string') return /^[\w./:@${}-][\w ./:@${}()-]*$/.test(v) && v.trim() === v ? v : JSON.stringify(v)
  return JSON.stringify(v)
}

// yaml writes a value as indented YAML lines; a multi-line string (a
// script) becomes a block, so the diff shows its lines one by one.
function yaml(v: unknown, ind: string, out: string[]) {
  if (Array.isArray(v)) {
    for (const x of v) {
      if (x && typeof x === 'object') {
        const sub: string[] = []
        yaml(x, ind + '  ', sub)
        out.push(ind + '- ' + (sub[0] ?? '').trimStart(), ...sub.slice(1))
      } else out.push(ind + '- ' + scalar(x))
    }
    return
  }
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    if (typeof x === 'string' && x.includes('\n')) {
      out.push(ind + k + ': |')
      for (const l of x.replace(/\n$/, '').split('\n')) out.push(ind + '  ' + l)
    } else if (x && typeof x === 'object') {
      if (Object.keys(x).length === 0) out.push(ind + k + ': ' + (Array.isArray(x) ? '[]' : '{}'))
      else { out.push(ind + k + ':'); yaml(x, ind + '  ', out) }
    } else out.push(ind + k + ': ' + scalar(x))
  }
}

// sideText: only the jobs on the canvas, as a publish snapshots them.
export function sideText(s: Side): string[] {
  const names = new Map(s.jobs.map((j) => [j.id, j.name]))
  const nodes = new Map((s.canvas?.nodes ?? []).map((n) => [n.jobId, n]))
  const jobs = (s.canvas?.nodes ?? []).map((n) => s.jobs.find((j) => j.id === n.jobId)).filter((j) => !!j)
  const doc = {
    jobs: jobs.map((j) => {
      const n = nodes.get(j.id)!
      const { name, type, ...rest } = j as Record<string, unknown> & { name: string; type: string }
      return { name, type, ...(clean(rest, names) as object), position: { x: n.x, y: n.y },
        ...(n.trigger && n.trigger !== 'ALL_SUCCESS' ? { trigger: n.trigger } : {}), ...(n.allowFailure ? { allowFailure: true } : {}), ...(n.disabled ? { disabled: true } : {}) }
    }),
    edges: (s.canvas?.edges ?? []).map((e) => (names.get(e.from) ?? e.from) + ' -> ' + (names.get(e.to) ?? e.to)).sort(),
    config: clean(s.config ?? {}, names),
  }
  const out: string[] = []
  yaml(doc, '', out)
  return out
}
