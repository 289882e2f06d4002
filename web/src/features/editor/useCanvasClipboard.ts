// Copy and paste of jobs on the canvas (Ctrl+C / Ctrl+V). A canvas node is
// a job of the workflow, and a job is on the canvas once: a pasted node is
// a new job, created through the API (POST /workflows/{id}/jobs) with the
// original's settings and a new name (name_copy, name_copy2, …), placed
// offset from the original; the edges among the copied jobs come along.
// The clipboard is the editor's own (job ids, not the system clipboard).
import { useCallback, useRef } from 'react'
import type { Edge, ReactFlowInstance } from '@xyflow/react'
import type { Job, JobInput } from '../../api/client'
import { jobNode, type JobFlowNode } from './JobNode'

const OFFSET = 40

interface Clip { nodes: JobFlowNode[]; edges: Edge[]; pasted: number }

// toInput is a job's settings as a new job's body, under another name.
export function copyInput(j: Job, name: string): JobInput {
  return {
    name, type: j.type, config: j.config as JobInput['config'], remark: j.remark, timeoutSeconds: j.timeoutSeconds, timeoutAction: j.timeoutAction,
    retry: j.retry, workerGroup: j.workerGroup, cron: j.cron, pool: j.pool, poolSlots: j.poolSlots, priority: j.priority,
  }
}

// freeName is base, or base2, base3, … whichever no job has yet.
export function freeName(base: string, taken: Set<string>): string {
  let name = base
  for (let i = 2; taken.has(name); i++) name = base + i
  taken.add(name)
  return name
}

interface Args {
  rf: ReactFlowInstance<JobFlowNode, Edge>
  jobs: Job[]
  create: (b: JobInput) => Promise<Job>
  // apply adds the pasted nodes and edges as one canvas change (recorded).
  apply: (nodes: JobFlowNode[], edges: Edge[]) => void
}

export function useCanvasClipboard({ rf, jobs, create, apply }: Args) {
  const clip = useRef<Clip | null>(null)
  const busy = useRef(false)

  // copy keeps the selected nodes and the edges among them; it answers
  // how many were copied.
  const copy = useCallback(() => {
    const nodes = rf.getNodes().filter((n) => n.selected)
    if (!nodes.length) return 0
    const ids = new Set(nodes.map((n) => n.id))
    clip.current = { nodes, edges: rf.getEdges().filter((e) => ids.has(e.source) && ids.has(e.target)), pasted: 0 }
    return nodes.length
  }, [rf])

  // paste creates the copies one by one (names must not collide), then
  // puts them on the canvas together; it answers the jobs created.
  const paste = useCallback(async (): Promise<Job[]> => {
    const c = clip.current
    if (!c || busy.current) return []
    busy.current = true
    try {
      c.pasted++
      const byId = new Map(jobs.map((j) => [j.id, j]))
      const taken = new Set(jobs.map((j) => j.name))
      const made = new Map<string, Job>()
      for (const n of c.nodes) {
        const j = byId.get(n.id)
        if (!j) continue
        made.set(n.id, await create(copyInput(j, freeName(j.name + '_copy', taken))))
      }
      const d = OFFSET * c.pasted
      const nodes = c.nodes.filter((n) => made.has(n.id)).map((n) => {
        const j = made.get(n.id)!
        return jobNode(j.id, { x: n.position.x + d, y: n.position.y + d },
          { name: j.name, type: j.type, trigger: n.data.trigger, allowFailure: n.data.allowFailure, disabled: n.data.disabled }, { selected: true })
      })
      const edges = c.edges.filter((e) => made.has(e.source) && made.has(e.target)).map((e) => {
        const s = made.get(e.source)!.id
        const t = made.get(e.target)!.id
        return { id: s + '->' + t, source: s, target: t }
      })
      apply(nodes, edges)
      return [...made.values()]
    } finally {
      busy.current = false
    }
  }, [jobs, create, apply])

  return { copy, paste }
}
