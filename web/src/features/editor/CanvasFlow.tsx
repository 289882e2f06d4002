// CanvasFlow is React Flow with a huge canvas's far layer (FarCanvas) and
// its nodes handed over by useShownNodes, for the editor and the run view.
// The far-layer state lives here, not in the page around the canvas: the
// handover renders once per frame while the nodes come back, and each of
// those renders must cost the canvas only, not the page's toolbar, job
// list and dialogs (re-rendering the editor page cost 30–60 ms a frame).
import type { ReactNode } from 'react'
import { ReactFlow, type Edge, type ReactFlowProps } from '@xyflow/react'
import { HugeCanvas, LARGE } from '../../lib/canvas'
import { FarClass, edgeTypes } from './FastEdge'
import { FarCanvas, HUGE, useFarLayer } from './FarCanvas'
import { nodeTypes, type JobFlowNode } from './JobNode'
import { useShownNodes } from './useShownNodes'

const noEdges: Edge[] = []

type Props = Omit<ReactFlowProps<JobFlowNode, Edge>, 'nodes' | 'edges' | 'onPaneClick'> & {
  nodes: JobFlowNode[]
  edges: Edge[]
  farLabel: string // the far layer's text for screen readers
  onFarClick: (e: React.MouseEvent) => void // a click on the pane while the far layer is on
  children?: ReactNode
}

export function CanvasFlow({ nodes, edges, farLabel, onFarClick, children, ...rest }: Props) {
  const huge = nodes.length > HUGE
  const far = useFarLayer(nodes.length)
  const { shown, handing } = useShownNodes(nodes, far, huge)
  return (
    <HugeCanvas.Provider value={huge}>
      <ReactFlow<JobFlowNode, Edge> nodes={shown} edges={far ? noEdges : edges} nodeTypes={nodeTypes} edgeTypes={edgeTypes}
        onlyRenderVisibleElements={nodes.length > LARGE} onPaneClick={far ? onFarClick : undefined} {...rest}>
        {children}
        <FarClass />
        <FarCanvas on={far || handing} nodes={nodes} edges={edges} label={farLabel} />
      </ReactFlow>
    </HugeCanvas.Provider>
  )
}
