// Shift+click adds a node to the selection (or takes it out). xyflow's
// Shift is its selection-box key: a Shift+press on a node starts an empty
// box (capturing the pointer) whose end clears the selection, so the
// selection before the press is kept here and, once xyflow is done with
// the click, set again with the clicked node added (Ctrl/⌘+click is xyflow's).
import { useCallback, useRef } from 'react'
import type { Edge, ReactFlowInstance } from '@xyflow/react'
import type { JobFlowNode } from './JobNode'

interface Press { id: string; before: Set<string>; x: number; y: number }

export function useShiftClick(rf: ReactFlowInstance<JobFlowNode, Edge>, setNodes: (f: (ns: JobFlowNode[]) => JobFlowNode[]) => void) {
  const press = useRef<Press | null>(null)

  const onPointerDownCapture = useCallback((e: React.PointerEvent) => {
    const id = e.shiftKey && e.button === 0 ? (e.target as HTMLElement).closest?.('.react-flow__node')?.getAttribute('data-id') : null
    press.current = id ? { id, before: new Set(rf.getNodes().filter((n) => n.selected).map((n) => n.id)), x: e.clientX, y: e.clientY } : null
  }, [rf])

  const onPointerUpCapture = useCallback((e: React.PointerEvent) => {
    const p = press.current
    press.current = null
    // A press that moved is a box or a drag, not a click.
    if (!p || Math.abs(e.clientX - p.x) > 4 || Math.abs(e.clientY - p.y) > 4) return
    const sel = new Set(p.before)
    if (sel.has(p.id)) sel.delete(p.id)
    else sel.add(p.id)
    // After xyflow's own pointerup and click (same input task). Only the
    // nodes whose selection changes get new objects.
    setTimeout(() => setNodes((ns) => ns.map((n) => (!!n.selected !== sel.has(n.id) ? { ...n, selected: sel.has(n.id) } : n))), 0)
  }, [setNodes])

  return { onPointerDownCapture, onPointerUpCapture }
}
