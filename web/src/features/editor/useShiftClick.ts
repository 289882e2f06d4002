// Shift+click adds a node to the selection (or takes it out). xyflow's
// Shift is its selection-box key: a Shift+press on a node would start an
// empty box that clears the selection, so the press on a node is taken
// here, before xyflow sees it (Ctrl/⌘+click is xyflow's own).
import { useCallback } from 'react'
import type { Edge, ReactFlowInstance } from '@xyflow/react'
import type { JobFlowNode } from './JobNode'

export function useShiftClick(rf: ReactFlowInstance<JobFlowNode, Edge>, setNodes: (f: (ns: JobFlowNode[]) => JobFlowNode[]) => void) {
  const onPointerDownCapture = useCallback((e: React.PointerEvent) => {
    const id = e.shiftKey && e.button === 0 ? (e.target as HTMLElement).closest?.('.react-flow__node')?.getAttribute('data-id') : null
    if (!id) return
    e.stopPropagation()
    const on = !rf.getNode(id)?.selected
    // Only the clicked node gets a new object.
    setNodes((ns) => ns.map((n) => (n.id === id ? { ...n, selected: on } : n)))
  }, [rf, setNodes])
  // The mouse events of the same press (xyflow's node drag starts on
  // mousedown, its click handler selects the node alone) stop here too.
  const stop = useCallback((e: React.MouseEvent) => {
    if (e.shiftKey && e.button === 0 && (e.target as HTMLElement).closest?.('.react-flow__node')) e.stopPropagation()
  }, [])
  return { onPointerDownCapture, onMouseDownCapture: stop, onClickCapture: stop }
}
