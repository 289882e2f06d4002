// Auto-layout (格式化): dagre, left to right. Large graphs are laid out in
// a Web Worker so the page stays responsive; small ones in place.
import dagre from '@dagrejs/dagre'

export interface LayoutInput { nodes: { id: string; width: number; height: number }[]; edges: { from: string; to: string }[] }
export type Positions = Record<string, { x: number; y: number }>

export function layoutSync(g: LayoutInput): Positions {
  const d = new dagre.graphlib.Graph()
  d.setGraph({ rankdir: 'LR', nodesep: 30, ranksep: 70, marginx: 20, marginy: 20 })
  d.setDefaultEdgeLabel(() => ({}))
  for (const n of g.nodes) d.setNode(n.id, { width: n.width, height: n.height })
  for (const e of g.edges) d.setEdge(e.from, e.to)
  dagre.layout(d)
  const out: Positions = {}
  for (const n of g.nodes) {
    const p = d.node(n.id)
    out[n.id] = { x: Math.round(p.x - n.width / 2), y: Math.round(p.y - n.height / 2) }
  }
  return out
}

export function layout(g: LayoutInput): Promise<Positions> {
  if (g.nodes.length < 200) return Promise.resolve(layoutSync(g))
  return new Promise((resolve, reject) => {
    const w = new Worker(new URL('./layout.worker.ts', import.meta.url), { type: 'module', name: 'layout' })
    w.onmessage = (e: MessageEvent<Positions>) => { resolve(e.data); w.terminate() }
    w.onerror = (e) => { reject(new Error(e.message)); w.terminate() }
    w.postMessage(g)
  })
}
