// The canvas node of one job: its name and type; in the run view also its
// status (colour, icon, spinner while RUNNING) and an attempt badge.
import { memo } from 'react'
import { Handle, Position, type NodeProps, type Node } from '@xyflow/react'
import { statusColor, statusIcon } from '../../lib/status'

export type JobNodeData = { name: string; type: string; status?: string; attempt?: number; cycle?: boolean; match?: boolean }
export type JobFlowNode = Node<JobNodeData, 'job'>
export const NODE_W = 180
export const NODE_H = 44

function JobNodeView({ data, selected }: NodeProps<JobFlowNode>) {
  const color = data.status ? statusColor[data.status] : '#1f6feb'
  const border = data.cycle ? '#f5222d' : color
  return (
    <div data-testid={'node-' + data.name} data-status={data.status ?? ''} data-cycle={data.cycle ? 'true' : 'false'}
      className={data.cycle ? 'jf-node jf-cycle' : 'jf-node'}
      style={{ width: NODE_W, height: NODE_H, borderRadius: 6, background: data.cycle ? '#fff1f0' : '#fff',
        border: `2px solid ${border}`, boxShadow: selected || data.match ? '0 0 0 3px rgba(31,111,235,.35)' : undefined,
        display: 'flex', alignItems: 'center', gap: 6, padding: '0 8px', fontSize: 12, position: 'relative' }}>
      <Handle type="target" position={Position.Left} />
      <span style={{ color, fontWeight: 700, width: 14, textAlign: 'center' }} className={data.status === 'RUNNING' ? 'jf-spin' : undefined}>
        {data.status ? statusIcon[data.status] : '◆'}
      </span>
      <span style={{ flex: 1, overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }} title={data.name}>{data.name}</span>
      <span style={{ color: '#999', fontSize: 10 }}>{data.type}</span>
      {data.attempt !== undefined && data.attempt > 1 && (
        <span data-testid={'attempt-' + data.name} style={{ position: 'absolute', top: -8, right: -8, background: '#fa8c16', color: '#fff',
          borderRadius: 8, fontSize: 10, padding: '0 5px' }}>×{data.attempt}</span>
      )}
      <Handle type="source" position={Position.Right} />
    </div>
  )
}

export const JobNode = memo(JobNodeView)
export const nodeTypes = { job: JobNode }
