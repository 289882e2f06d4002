// The run view's canvas: read-only, coloured by node status. A huge run
// (more than HUGE jobs) zoomed out below FAR is drawn by the far layer
// (editor/FarCanvas): React Flow then holds only the selected node.
import { Background, Controls, MiniMap, type Edge, type Node, type Viewport } from '@xyflow/react'
import { useI18n } from '../../lib/i18n'
import { type JobFlowNode } from '../editor/JobNode'
import { FitButton, HUGE, useFarActions } from '../editor/FarCanvas'
import { CanvasFlow } from '../editor/CanvasFlow'
import { LARGE } from '../../lib/canvas'

type Props = {
  nodes: JobFlowNode[]; edges: Edge[]; viewport?: Viewport
  onNodeClick: (e: React.MouseEvent, n: Node) => void
  onNodeContextMenu: (e: React.MouseEvent, n: Node) => void
}

// RunCanvas goes inside a ReactFlowProvider (the far layer reads its store).
export function RunCanvas({ nodes, edges, viewport, onNodeClick, onNodeContextMenu }: Props) {
  const { t } = useI18n()
  const { fitAll, farClick } = useFarActions(nodes)
  return (
    <CanvasFlow nodes={nodes} edges={edges} farLabel={t('{n} jobs, zoom in for details', { n: nodes.length.toLocaleString('en') })} onFarClick={farClick}
      nodesDraggable={false} nodesConnectable={false} elementsSelectable fitView={nodes.length <= LARGE} fitViewOptions={{ maxZoom: 1 }}
      defaultViewport={viewport} minZoom={0.05} proOptions={{ hideAttribution: true }} onNodeClick={onNodeClick} onNodeContextMenu={onNodeContextMenu}>
      <Background gap={16} />
      <Controls showInteractive={false} showFitView={nodes.length <= HUGE}>
        {nodes.length > HUGE && <FitButton onFit={fitAll} />}
      </Controls>
      {nodes.length <= LARGE && <MiniMap pannable zoomable nodeColor={(n) => (n.data as { status?: string }).status === 'SUCCESS' ? '#52c41a' : '#bbb'} />}
    </CanvasFlow>
  )
}
