// The run view's canvas: read-only, coloured by node status. A huge run
// (more than HUGE jobs) zoomed out below FAR is drawn by the far layer
// (editor/FarCanvas): React Flow then holds only the selected node.
import { Background, Controls, MiniMap, ReactFlow, type Edge, type Node, type Viewport } from '@xyflow/react'
import { useI18n } from '../../lib/i18n'
import { nodeTypes, type JobFlowNode } from '../editor/JobNode'
import { FarClass, edgeTypes } from '../editor/FastEdge'
import { FarCanvas, FitButton, HUGE, useFarActions, useFarLayer } from '../editor/FarCanvas'
import { useShownNodes } from '../editor/useShownNodes'
import { HugeCanvas, LARGE } from '../../lib/canvas'

const noEdges: Edge[] = []

type Props = {
  nodes: JobFlowNode[]; edges: Edge[]; viewport?: Viewport
  onNodeClick: (e: React.MouseEvent, n: Node) => void
  onNodeContextMenu: (e: React.MouseEvent, n: Node) => void
}

// RunCanvas goes inside a ReactFlowProvider (the far layer reads its store).
export function RunCanvas({ nodes, edges, viewport, onNodeClick, onNodeContextMenu }: Props) {
  const { t } = useI18n()
  const farLayer = useFarLayer(nodes.length)
  const { fitAll, farClick } = useFarActions(nodes)
  const { shown, handing } = useShownNodes(nodes, farLayer, nodes.length > HUGE)
  return (
    <HugeCanvas.Provider value={nodes.length > HUGE}>
      <ReactFlow nodes={shown} edges={farLayer ? noEdges : edges} nodeTypes={nodeTypes} edgeTypes={edgeTypes} nodesDraggable={false} nodesConnectable={false} elementsSelectable
        onlyRenderVisibleElements={nodes.length > LARGE} fitView={nodes.length <= LARGE} fitViewOptions={{ maxZoom: 1 }}
        defaultViewport={viewport} minZoom={0.05} proOptions={{ hideAttribution: true }}
        onNodeClick={onNodeClick} onNodeContextMenu={onNodeContextMenu} onPaneClick={farLayer ? farClick : undefined}>
        <Background gap={16} />
        <FarClass />
        <FarCanvas on={farLayer || handing} nodes={nodes} edges={edges} label={t('{n} jobs, zoom in for details', { n: nodes.length.toLocaleString('en') })} />
        <Controls showInteractive={false} showFitView={nodes.length <= HUGE}>
          {nodes.length > HUGE && <FitButton onFit={fitAll} />}
        </Controls>
        {nodes.length <= LARGE && <MiniMap pannable zoomable nodeColor={(n) => (n.data as { status?: string }).status === 'SUCCESS' ? '#52c41a' : '#bbb'} />}
      </ReactFlow>
    </HugeCanvas.Provider>
  )
}
