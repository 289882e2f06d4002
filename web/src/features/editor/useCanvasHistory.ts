// Undo/redo of the canvas (撤销/重做). An entry is the canvas as it was
// before a change: the node and edge arrays themselves. xyflow's state is
// immutable, so keeping the arrays costs no copy, even for 2,000 jobs, and
// restoring them hands xyflow the same node objects it already rendered
// (memoized nodes whose object did not change do not re-render).
//
// record() is called just before every change (add, delete, connect, drop,
// paste, format, a node's rule); a drag records once, at its start, and
// only if the nodes really moved (commitDrag). Changes of one gesture (a
// Delete key removes nodes and then their edges in two calls) make one
// entry: records in the same task are merged.
import { useCallback, useRef, useState } from 'react'
import type { Edge } from '@xyflow/react'
import type { JobFlowNode } from './JobNode'

export interface Snapshot { nodes: JobFlowNode[]; edges: Edge[] }

// LIMIT bounds the stack: the oldest entries go first.
export const LIMIT = 100

export function useCanvasHistory(current: () => Snapshot, restore: (s: Snapshot) => void) {
  const past = useRef<Snapshot[]>([])
  const future = useRef<Snapshot[]>([])
  // The buttons' enabled state; the stacks themselves live in refs so that
  // recording does not re-render the editor.
  const [sizes, setSizes] = useState({ undo: 0, redo: 0 })
  const batching = useRef(false)
  const drag = useRef<Snapshot | null>(null)
  const sync = useCallback(() => setSizes((s) => (s.undo === past.current.length && s.redo === future.current.length ? s
    : { undo: past.current.length, redo: future.current.length })), [])

  const push = useCallback((s: Snapshot) => {
    past.current.push(s)
    if (past.current.length > LIMIT) past.current.splice(0, past.current.length - LIMIT)
    future.current = []
    sync()
  }, [sync])

  const record = useCallback(() => {
    if (batching.current) return
    batching.current = true
    setTimeout(() => { batching.current = false }, 0)
    push(current())
  }, [current, push])

  // A drag: the canvas at its start is kept, and becomes an entry at its
  // end when a node moved (a click on a node is no change).
  const startDrag = useCallback(() => { drag.current = current() }, [current])
  const commitDrag = useCallback(() => {
    const before = drag.current
    drag.current = null
    if (!before) return
    const pos = new Map(before.nodes.map((n) => [n.id, n.position]))
    const moved = current().nodes.some((n) => {
      const p = pos.get(n.id)
      return p && (p.x !== n.position.x || p.y !== n.position.y)
    })
    if (moved) push(before)
    return moved
  }, [current, push])

  const undo = useCallback(() => {
    const s = past.current.pop()
    if (!s) return false
    future.current.push(current())
    restore(s)
    sync()
    return true
  }, [current, restore, sync])

  const redo = useCallback(() => {
    const s = future.current.pop()
    if (!s) return false
    past.current.push(current())
    restore(s)
    sync()
    return true
  }, [current, restore, sync])

  // clear forgets everything (a canvas reloaded from the server).
  const clear = useCallback(() => { past.current = []; future.current = []; sync() }, [sync])

  return { record, startDrag, commitDrag, undo, redo, clear, canUndo: sizes.undo > 0, canRedo: sizes.redo > 0 }
}
