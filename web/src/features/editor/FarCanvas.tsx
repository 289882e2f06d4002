// The far layer of a huge canvas (docs/console.md, docs/benchmarks.md
// "Fit, zoom and polling"): zoomed out below FAR, a canvas of more than
// HUGE jobs is drawn as one <canvas> element (a rectangle per job in its
// status colour, a line per edge, transformed by the viewport) and React
// Flow gets no node or edge components: mounting 2,000 plain-box nodes and
// 1,950 edges took seconds per Fit or zoom step, drawing them takes a few
// milliseconds. The nodes stay in the page's state, untouched, so saving,
// undo and the dirty mark do not see the mode change.
import { useCallback, useEffect, useRef } from 'react'
import { ControlButton, getViewportForBounds, useStore, useReactFlow, type Edge, type ReactFlowState } from '@xyflow/react'
import { statusColor } from '../../lib/status'
import { farZoom } from '../../lib/canvas'
import { NODE_H, NODE_W, type JobFlowNode } from './JobNode'

// HUGE is the job count from which the far layer replaces React Flow's
// nodes and edges below FAR.
export const HUGE = 300

// useFarLayer answers whether the far layer is on: zoomed out below FAR on
// a canvas of more than HUGE jobs. One boolean: the page re-renders only
// when the zoom crosses FAR.
export function useFarLayer(count: number) {
  const far = useStore(farZoom)
  return far && count > HUGE
}

// farColor is a job's box colour, the same as JobNode's plain box.
export function farColor(d: JobFlowNode['data']) {
  if (d.cycle) return '#f5222d'
  if (d.disabled || d.status === 'DISABLED') return '#d9d9d9'
  return d.status ? statusColor[d.status] ?? '#adc6ff' : '#adc6ff'
}

const transformOf = (s: ReactFlowState) => s.transform
const sizeOf = (s: ReactFlowState) => s.width + 'x' + s.height

// draw paints the nodes and edges in the canvas at the viewport [x, y, zoom].
function draw(cv: HTMLCanvasElement, nodes: JobFlowNode[], edges: Edge[], [tx, ty, z]: [number, number, number]) {
  const dpr = window.devicePixelRatio || 1
  const w = Math.round(cv.clientWidth * dpr)
  const h = Math.round(cv.clientHeight * dpr)
  if (cv.width !== w || cv.height !== h) {
    cv.width = w
    cv.height = h
  }
  const ctx = cv.getContext('2d')
  if (!ctx) return
  ctx.setTransform(1, 0, 0, 1, 0, 0)
  ctx.clearRect(0, 0, w, h)
  ctx.setTransform(dpr * z, 0, 0, dpr * z, dpr * tx, dpr * ty)
  const at = new Map<string, JobFlowNode>()
  for (const n of nodes) at.set(n.id, n)
  // Edges first, under the boxes: from the right middle of the source to
  // the left middle of the target, one path, 1 screen pixel wide.
  ctx.beginPath()
  for (const e of edges) {
    const s = at.get(e.source)
    const t = at.get(e.target)
    if (!s || !t) continue
    ctx.moveTo(s.position.x + NODE_W, s.position.y + NODE_H / 2)
    ctx.lineTo(t.position.x, t.position.y + NODE_H / 2)
  }
  ctx.lineWidth = 1 / z
  ctx.strokeStyle = '#b1b1b7'
  ctx.stroke()
  // Boxes grouped by colour: one fill per colour.
  const byColor = new Map<string, JobFlowNode[]>()
  for (const n of nodes) {
    const c = farColor(n.data)
    const list = byColor.get(c)
    if (list) list.push(n)
    else byColor.set(c, [n])
  }
  for (const [c, list] of byColor) {
    ctx.fillStyle = c
    ctx.beginPath()
    for (const n of list) ctx.rect(n.position.x, n.position.y, NODE_W, NODE_H)
    ctx.fill()
  }
  // The critical path of a live run and the search matches, outlined as
  // JobNode outlines them.
  ctx.lineWidth = 12
  for (const [c, pick] of [['#fa8c16', (n: JobFlowNode) => !!n.data.critical], ['rgba(31,111,235,.6)', (n: JobFlowNode) => !!n.data.match]] as const) {
    ctx.strokeStyle = c
    ctx.beginPath()
    for (const n of nodes) if (pick(n)) ctx.rect(n.position.x - 6, n.position.y - 6, NODE_W + 12, NODE_H + 12)
    ctx.stroke()
  }
}

// FarCanvas, a child of ReactFlow, draws nodes and edges while on (see
// useFarLayer); it repaints once per frame at most when the viewport,
// the canvas's size or the nodes change. It takes no pointer events: the
// pane under it pans and zooms as before, and a click on it is farClick.
// label is its text for screen readers (the canvas is one image).
export function FarCanvas({ on, nodes, edges, label }: { on: boolean; nodes: JobFlowNode[]; edges: Edge[]; label: string }) {
  const ref = useRef<HTMLCanvasElement>(null)
  const transform = useStore(transformOf)
  const size = useStore(sizeOf)
  const frame = useRef(0)
  const latest = useRef({ nodes, edges, transform })
  latest.current = { nodes, edges, transform }
  useEffect(() => {
    if (!on) return
    cancelAnimationFrame(frame.current)
    frame.current = requestAnimationFrame(() => {
      const cv = ref.current
      if (!cv) return
      const l = latest.current
      draw(cv, l.nodes, l.edges, l.transform)
    })
  }, [on, nodes, edges, transform, size])
  useEffect(() => () => cancelAnimationFrame(frame.current), [])
  if (!on) return null
  return (
    <canvas ref={ref} data-testid="far-canvas" className="jf-far-canvas" role="img"
      aria-label={label}
      style={{ position: 'absolute', inset: 0, width: '100%', height: '100%', pointerEvents: 'none', zIndex: 0 }} />
  )
}

// useFarActions: fitAll fits every job of the state (React Flow's fitView
// sees only the nodes it was given, none while the far layer is on) and
// farClick, the pane's click while the far layer is on, zooms to 100 %
// centred on the job clicked, if any.
export function useFarActions(nodes: JobFlowNode[]) {
  const rf = useReactFlow()
  const width = useStore((s) => s.width)
  const height = useStore((s) => s.height)
  const latest = useRef(nodes)
  latest.current = nodes
  const fitAll = useCallback(() => {
    const ns = latest.current
    if (!ns.length) return
    let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity
    for (const n of ns) {
      x0 = Math.min(x0, n.position.x)
      y0 = Math.min(y0, n.position.y)
      x1 = Math.max(x1, n.position.x + NODE_W)
      y1 = Math.max(y1, n.position.y + NODE_H)
    }
    const vp = getViewportForBounds({ x: x0, y: y0, width: x1 - x0, height: y1 - y0 }, width, height, 0.05, 1, 0.1)
    void rf.setViewport(vp, { duration: 200 })
  }, [rf, width, height])
  const farClick = useCallback((e: React.MouseEvent) => {
    const p = rf.screenToFlowPosition({ x: e.clientX, y: e.clientY })
    const hit = latest.current.find((n) => p.x >= n.position.x && p.x <= n.position.x + NODE_W && p.y >= n.position.y && p.y <= n.position.y + NODE_H)
    if (hit) void rf.setCenter(hit.position.x + NODE_W / 2, hit.position.y + NODE_H / 2, { zoom: 1, duration: 200 })
  }, [rf])
  return { fitAll, farClick }
}

// FitButton stands for the Controls' own Fit View button on a huge canvas
// (which would fit only the nodes React Flow holds): the same place, icon,
// class and label, fitting every job.
export function FitButton({ onFit }: { onFit: () => void }) {
  return (
    <ControlButton className="react-flow__controls-fitview" onClick={onFit} title="Fit View" aria-label="Fit View" data-testid="canvas-fit">
      <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 30"><path d="M3.692 4.63c0-.53.4-.938.939-.938h5.215V0H4.708C2.13 0 0 2.054 0 4.63v5.216h3.692V4.631zM27.354 0h-5.2v3.692h5.17c.53 0 .984.4.984.939v5.215H32V4.631A4.624 4.624 0 0027.354 0zm.954 24.83c0 .532-.4.94-.939.94h-5.215v3.768h5.215c2.577 0 4.631-2.13 4.631-4.707v-5.139h-3.692v5.139zm-23.677.94c-.531 0-.939-.4-.939-.94v-5.138H0v5.139c0 2.577 2.13 4.707 4.708 4.707h5.138V25.77H4.631z" /></svg>
    </ControlButton>
  )
}
