// Zoomed out below FAR (lib/canvas), where a 2,000-job canvas shows all
// its edges at once: each edge is one straight line (no curve, no wide
// invisible click path) and the canvas carries the class jf-far, under
// which CSS stops the edge animations and hides the dotted background.
// Above FAR edges are xyflow's bezier edges as before.
import { memo, useContext, useEffect } from 'react'
import { BezierEdge, useStore, type EdgeProps } from '@xyflow/react'
import { HugeCanvas, farZoom, nearAlways } from '../../lib/canvas'

function FastEdgeView(props: EdgeProps) {
  const far = useStore(useContext(HugeCanvas) ? nearAlways : farZoom)
  if (!far) return <BezierEdge {...props} />
  const { sourceX, sourceY, targetX, targetY, style, markerEnd } = props
  return <path d={`M${sourceX},${sourceY}L${targetX},${targetY}`} className="react-flow__edge-path" style={style} markerEnd={markerEnd} />
}

export const FastEdge = memo(FastEdgeView)
export const edgeTypes = { default: FastEdge }

// FarClass, inside a ReactFlow, keeps jf-far on the canvas element while
// zoomed out below FAR: one class change when the zoom crosses FAR, no
// re-render of the page around the canvas.
export function FarClass() {
  const far = useStore(farZoom)
  const dom = useStore((s) => s.domNode)
  useEffect(() => { dom?.classList.toggle('jf-far', far) }, [dom, far])
  return null
}
