// Canvas sizes and viewports shared by the editor and the run view.
import { createContext } from 'react'

// LARGE is the canvas size from which off-screen nodes are not rendered,
// the view opens at 100 % instead of fitting, and the minimap is left out
// (2,000 minimap nodes cost more than the canvas itself).
export const LARGE = 200

// FAR is the zoom below which nodes are drawn as plain boxes and edges as
// straight lines (FastEdge): 12 px text is under 6 px there.
export const FAR = 0.5

// farZoom is the store selector of "zoomed out below FAR": one boolean, so
// its subscribers re-render only when the zoom crosses FAR.
export const farZoom = (s: { transform: [number, number, number] }) => s.transform[2] < FAR

// topLeft is the viewport at 100 % that shows the canvas's top-left corner.
export function topLeft(nodes: { x: number; y: number }[]) {
  if (!nodes.length) return { x: 0, y: 0, zoom: 1 }
  let x = Infinity
  let y = Infinity
  for (const n of nodes) {
    x = Math.min(x, n.x)
    y = Math.min(y, n.y)
  }
  return { x: 40 - x, y: 40 - y, zoom: 1 }
}

// HugeCanvas is true around a canvas that has a far layer (more than
// FarCanvas's HUGE jobs). Its nodes and edges never take their own far
// form: below FAR the far layer draws them and React Flow unmounts them, so
// re-rendering a few hundred of them into plain boxes first, on the very
// frame the zoom crosses FAR, would be work thrown away.
export const HugeCanvas = createContext(false)

// nearAlways is the farZoom of a node or edge in a HugeCanvas.
export const nearAlways = () => false
