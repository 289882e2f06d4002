// The canvas node of one job: its name and type; in the run view also its
// status (colour, icon, spinner while RUNNING), an attempt badge and, while
// the run is live, an orange outline on the predicted critical path; in the
// editor a mark when its trigger rule is not the default or it may fail.
//
// Plain elements only (no antd component per node), memoized, and built
// by jobNode() with its size and handle boxes given up front: xyflow then
// treats it as measured, so with onlyRenderVisibleElements it renders only
// the nodes on screen from the first frame instead of mounting every node
// once to measure it (a 2,000-node canvas took seconds that way).
//
// Zoomed out below FAR (text under 6 px, unreadable anyway) a node is one
// plain box in its status colour, without handles or text. That is for
// canvases of up to HUGE jobs; a larger one has the far layer instead
// (FarCanvas, HugeCanvas in lib/canvas).
// Handles are drawn only on connectable nodes (the editor, zoomed in);
// elsewhere invisible anchors stand in their place (see anchors).
import { memo, useContext } from 'react'
import { Handle, Position, useStore, type NodeProps, type Node, type XYPosition } from '@xyflow/react'
import { statusColor, statusIcon } from '../../lib/status'
import { useWord } from '../enums/words'
import { HugeCanvas, farZoom, nearAlways } from '../../lib/canvas'

export type JobNodeData = {
  name: string; type: string; status?: string; attempt?: number; cycle?: boolean; match?: boolean
  trigger?: string; allowFailure?: boolean; disabled?: boolean
  note?: string // why a WAITING node waits (a pool), shown on hover
  critical?: boolean // on a live run's predicted critical path
}
export type JobFlowNode = Node<JobNodeData, 'job'>
export const NODE_W = 180
export const NODE_H = 44
// The node's border (box-sizing: border-box) and xyflow's handle: 6 px
// plus a 1 px border, centred on the left and right edges of the padding box.
const BORDER = 2
const HANDLE = 8
const HANDLE_Y = NODE_H / 2 - HANDLE / 2
const handles = [
  { type: 'target' as const, position: Position.Left, x: BORDER - HANDLE / 2, y: HANDLE_Y, width: HANDLE, height: HANDLE },
  { type: 'source' as const, position: Position.Right, x: NODE_W - BORDER - HANDLE / 2, y: HANDLE_Y, width: HANDLE, height: HANDLE },
]

// anchors stand where the handles are, as plain invisible elements: xyflow
// measures every node it mounts and takes the edges' ends from its
// elements of class source and target, so a node without them has no
// edges. The Handle component (store subscriptions, connection events)
// is drawn only where edges are drawn by hand (the editor, zoomed in).
// inset is the node's border (positions are inside it).
function anchors(inset: number) {
  return handles.map((h) => (
    <div key={h.type} className={h.type} data-handlepos={h.position}
      style={{ position: 'absolute', left: h.x - inset, top: h.y - inset, width: h.width, height: h.height, visibility: 'hidden', pointerEvents: 'none' }} />
  ))
}

// jobNode builds a canvas node already measured (see above).
export function jobNode(id: string, position: XYPosition, data: JobNodeData, extra?: Partial<JobFlowNode>): JobFlowNode {
  return { id, type: 'job', position, data, width: NODE_W, height: NODE_H, measured: { width: NODE_W, height: NODE_H }, handles, ...extra }
}

// Short marks of the non-default trigger rules.
const ruleMark: Record<string, string> = { ALL_DONE: '∀', ONE_SUCCESS: '1✓', ONE_FAILED: '1✕', NONE_FAILED: '¬✕' }

// renders counts node renders for the LargeDAG benchmark, which checks that
// a poll re-renders only the nodes whose status changed.
const w = window as unknown as { __jfNodeRenders?: number }

function JobNodeView({ data, selected, isConnectable }: NodeProps<JobFlowNode>) {
  w.__jfNodeRenders = (w.__jfNodeRenders ?? 0) + 1
  const word = useWord()
  // One boolean per node: a zoom step re-renders a node only when it
  // crosses FAR, not on every change of the viewport.
  const far = useStore(useContext(HugeCanvas) ? nearAlways : farZoom)
  const color = data.status ? statusColor[data.status] : '#1f6feb'
  const border = data.cycle ? '#f5222d' : color
  // Disabled on the canvas (editor) or DISABLED in a run: greyed, dashed.
  const off = data.disabled || data.status === 'DISABLED'
  if (far) {
    return (
      <div data-testid={'node-' + data.name} data-status={data.status ?? ''} data-cycle={data.cycle ? 'true' : 'false'} data-disabled={off ? 'true' : 'false'}
        data-critical={data.critical ? 'true' : 'false'} className="jf-node jf-node-far"
        style={{ width: NODE_W, height: NODE_H, boxSizing: 'border-box', background: data.cycle ? '#f5222d' : off ? '#d9d9d9' : data.status ? color : '#adc6ff',
          outline: selected || data.match ? '12px solid rgba(31,111,235,.6)' : data.critical ? '12px solid #fa8c16' : undefined, position: 'relative' }}>
        {anchors(0)}
      </div>
    )
  }
  return (
    <div data-testid={'node-' + data.name} data-status={data.status ?? ''} title={data.note} data-cycle={data.cycle ? 'true' : 'false'}
      data-trigger={data.trigger ?? 'ALL_SUCCESS'} data-allow-failure={data.allowFailure ? 'true' : 'false'}
      data-disabled={off ? 'true' : 'false'} data-critical={data.critical ? 'true' : 'false'}
      className={data.cycle ? 'jf-node jf-cycle' : 'jf-node'}
      style={{ width: NODE_W, height: NODE_H, boxSizing: 'border-box', borderRadius: 6, background: data.cycle ? '#fff1f0' : off ? '#f5f5f5' : '#fff',
        border: `${BORDER}px solid ${off ? '#bfbfbf' : border}`, borderStyle: data.status === 'NOT_SELECTED' || off ? 'dashed' : 'solid',
        boxShadow: selected || data.match ? '0 0 0 3px rgba(31,111,235,.35)' : undefined, outline: data.critical ? '3px solid #fa8c16' : undefined, outlineOffset: 2, opacity: data.status === 'NOT_SELECTED' ? 0.7 : off ? 0.55 : 1,
        display: 'flex', alignItems: 'center', gap: 6, padding: '0 8px', fontSize: 12, position: 'relative' }}>
      {isConnectable ? <Handle type="target" position={Position.Left} /> : anchors(BORDER)}
      <span style={{ color, fontWeight: 700, width: 14, textAlign: 'center' }} className={data.status === 'RUNNING' ? 'jf-spin' : undefined}>
        {data.status ? statusIcon[data.status] : '◆'}
      </span>
      <span style={{ flex: 1, overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap', textDecoration: off ? 'line-through' : undefined }} title={data.name}>{data.name}</span>
      {(data.trigger && data.trigger !== 'ALL_SUCCESS') || data.allowFailure ? (
        <span data-testid={'node-rule-' + data.name} title={word('rule', data.trigger ?? 'ALL_SUCCESS') + (data.allowFailure ? ' · ' + word('rule', 'allowFailure') : '')}
          style={{ color: '#722ed1', fontSize: 10 }}>{ruleMark[data.trigger ?? ''] ?? ''}{data.allowFailure ? '⚑' : ''}</span>
      ) : null}
      <span style={{ color: '#595959', fontSize: 10 }} title={data.type}>{word('jobType', data.type)}</span>
      {data.attempt !== undefined && data.attempt > 1 && (
        <span data-testid={'attempt-' + data.name} style={{ position: 'absolute', top: -8, right: -8, background: '#fa8c16', color: '#fff',
          borderRadius: 8, fontSize: 10, padding: '0 5px' }}>×{data.attempt}</span>
      )}
      {isConnectable && <Handle type="source" position={Position.Right} />}
    </div>
  )
}

export const JobNode = memo(JobNodeView)
export const nodeTypes = { job: JobNode }
