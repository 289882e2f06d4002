// The nodes React Flow gets on a huge canvas (docs/console.md "Huge
// canvases"). Below FAR the far layer draws every job and React Flow holds
// only the selected ones. Zooming back in past FAR used to hand React Flow
// all of them in one render, and it mounted the few hundred on screen in
// one frame (130–150 ms on this machine: React's commit of the nodes and
// edges, then the browser's style and layout of their elements). Instead
// the nodes on screen come back a batch per frame, nearest the centre
// first, while the far layer stays drawn under them; then the others, off
// screen, in larger batches, until React Flow holds every node and culls
// them itself (onlyRenderVisibleElements) as before.
import { useEffect, useMemo, useState } from 'react'
import { useStoreApi } from '@xyflow/react'
import { NODE_H, NODE_W, type JobFlowNode } from './JobNode'

// STEP is how many nodes on screen come back per frame (each costs React
// Flow a mount, its edges and a measurement); REST is how many of the
// others, off screen, follow per frame after them: those cost React Flow
// only its bookkeeping, but two thousand of them at once cost a frame too.
const STEP = 25
const REST = 400

// onScreen is the ids of the nodes inside the viewport [tx, ty, z] of a
// w × h pane, nearest its centre first.
function onScreen(nodes: JobFlowNode[], [tx, ty, z]: [number, number, number], w: number, h: number) {
  const x0 = -tx / z, y0 = -ty / z, x1 = x0 + w / z, y1 = y0 + h / z
  const cx = (x0 + x1) / 2, cy = (y0 + y1) / 2
  const seen: { id: string; d: number }[] = []
  for (const n of nodes) {
    const { x, y } = n.position
    if (x + NODE_W < x0 || x > x1 || y + NODE_H < y0 || y > y1) continue
    seen.push({ id: n.id, d: Math.hypot(x + NODE_W / 2 - cx, y + NODE_H / 2 - cy) })
  }
  seen.sort((a, b) => a.d - b.d)
  return seen.map((s) => s.id)
}

// Handover is the nodes' order of return (on screen first, nearest the
// centre first, then the rest), how many of them are back (k) and how
// many of them are on screen.
type Handover = { order: string[]; k: number; screen: number }

// hiddenOnScreen is the nodes on screen, hidden. Zooming out past FAR,
// React Flow keeps them, hidden, instead of losing them: a node taken out
// of its store while its element is still mounted makes that element's
// store selector throw, once per node per store update, before React
// unmounts it (a few hundred exceptions on the frame the zoom crosses FAR);
// a hidden node is simply unmounted. They are all hidden at once: hiding
// them a batch per frame, as they come back, made the frame of the
// crossing no shorter in the LargeDAG benchmark (docs/benchmarks.md).
function hiddenOnScreen(nodes: JobFlowNode[], s: { transform: [number, number, number]; width: number; height: number }) {
  const ids = new Set(onScreen(nodes, s.transform, s.width, s.height))
  return nodes.filter((n) => ids.has(n.id) && !n.selected).map((n) => ({ ...n, hidden: true }))
}

// useShownNodes answers what React Flow gets (shown) and whether the far
// layer must stay drawn (handing: nodes on screen still to come back).
// far is useFarLayer's answer; huge says the canvas has a far layer.
export function useShownNodes(nodes: JobFlowNode[], far: boolean, huge: boolean) {
  const store = useStoreApi()
  const [prevFar, setPrevFar] = useState(far)
  const [hand, setHand] = useState<Handover | null>(null)
  const [hidden, setHidden] = useState<JobFlowNode[]>([])
  // The crossing is seen in the render it happens in (React's "state from
  // the previous render" pattern), so that render already holds the
  // first batch only, never every node.
  if (prevFar !== far) {
    setPrevFar(far)
    const s = store.getState()
    if (far || !huge) setHand(null)
    else {
      const screen = onScreen(nodes, s.transform, s.width, s.height)
      const seen = new Set(screen)
      setHand({ order: [...screen, ...nodes.filter((n) => !seen.has(n.id)).map((n) => n.id)], k: Math.min(STEP, screen.length), screen: screen.length })
    }
    setHidden(far && huge ? hiddenOnScreen(nodes, s) : [])
  }
  useEffect(() => {
    if (!hand) return
    const next = hand.k < hand.screen ? Math.min(hand.k + STEP, hand.screen) : hand.k + REST
    const f = requestAnimationFrame(() => setHand(hand.k >= hand.order.length ? null : { ...hand, k: next }))
    return () => cancelAnimationFrame(f)
  }, [hand])
  const shown = useMemo(() => {
    if (!huge) return nodes
    if (far) {
      const picked = nodes.filter((n) => n.selected)
      const ids = new Set(picked.map((n) => n.id))
      return [...picked, ...hidden.filter((n) => !ids.has(n.id))]
    }
    if (!hand) return nodes
    const back = new Set(hand.order.slice(0, hand.k))
    return nodes.filter((n) => n.selected || back.has(n.id))
  }, [nodes, far, huge, hand, hidden])
  return { shown, handing: huge && !!hand && hand.k < hand.screen }
}
