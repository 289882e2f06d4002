// The editor (click a workflow's name): jobs on the left, the canvas in the
// middle, the toolbar on top. Saved positions are used as they are; auto-
// layout (格式化) runs only on demand; off-screen nodes are not rendered.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react'
import {
  Background, Controls, MiniMap, ReactFlow, ReactFlowProvider, addEdge, useEdgesState, useNodesState, useReactFlow,
  type Connection, type Edge, type EdgeChange, type NodeChange,
} from '@xyflow/react'
import '@xyflow/react/dist/style.css'
import { Alert, App, Space, Spin, Typography } from 'antd'
import { ApiError, type Workflow, type Schemas } from '../../api/client'
import { useI18n } from '../../lib/i18n'
import { setNavigationBlocker } from '../../lib/router'
import { StatusTag } from '../../lib/status'
import { useWorkflow } from '../workflows/api'
import { useSaveCanvas } from './api'
import { DRAG_TYPE, JobList } from './JobList'
import { NODE_H, NODE_W, jobNode, nodeTypes, type JobFlowNode, type JobNodeData } from './JobNode'
import { NodePanel, NodeSearch } from './NodePanel'
import { layout } from './layout'
import { QuickSwitcher } from './QuickSwitcher'
import { LARGE, topLeft } from '../../lib/canvas'
import { Toolbar } from './Toolbar'
import { FarClass, edgeTypes } from './FastEdge'

type TriggerRule = NonNullable<Schemas['CanvasNode']['trigger']>

export default function EditorPage({ id }: { id: string }) {
  const { t } = useI18n()
  const wf = useWorkflow(id)
  if (wf.isLoading) return <Spin style={{ margin: 48 }} />
  if (wf.error || !wf.data) return <Alert type="error" showIcon title={wf.error?.message ?? t('Not found')} data-testid="editor-error" />
  return (
    <ReactFlowProvider>
      <Editor wf={wf.data} refetch={() => wf.refetch()} />
    </ReactFlowProvider>
  )
}

function toNodes(wf: Workflow): JobFlowNode[] {
  const jobs = new Map((wf.jobs ?? []).map((j) => [j.id, j]))
  return (wf.canvas?.nodes ?? []).map((n) => {
    const j = jobs.get(n.jobId)
    return jobNode(n.jobId, { x: n.x, y: n.y }, { name: j?.name ?? n.jobId, type: j?.type ?? '?', trigger: n.trigger, allowFailure: n.allowFailure, disabled: n.disabled })
  })
}

// same answers prev when next holds the same objects (no state change).
function same<T>(prev: T[], next: T[]): T[] {
  return next.length === prev.length && next.every((x, i) => x === prev[i]) ? prev : next
}

function toEdges(wf: Workflow): Edge[] {
  return (wf.canvas?.edges ?? []).map((e) => ({ id: e.from + '->' + e.to, source: e.from, target: e.to }))
}

// toCanvas is the canvas to save: positions, edges and each node's trigger
// rule, allowFailure and disabled (left out at their defaults).
export function toCanvas(nodes: JobFlowNode[], edges: Edge[]) {
  return {
    nodes: nodes.map((n) => ({ jobId: n.id, x: Math.round(n.position.x), y: Math.round(n.position.y),
      ...(n.data.trigger && n.data.trigger !== 'ALL_SUCCESS' ? { trigger: n.data.trigger as TriggerRule } : {}),
      ...(n.data.allowFailure ? { allowFailure: true } : {}),
      ...(n.data.disabled ? { disabled: true } : {}) })),
    edges: edges.map((e) => ({ from: e.source, to: e.target })),
  }
}

function Editor({ wf, refetch }: { wf: Workflow; refetch: () => Promise<unknown> }) {
  const { t } = useI18n()
  const { message, modal } = App.useApp()
  const rf = useReactFlow<JobFlowNode, Edge>()
  // The initial nodes and edges are built once, not on every render.
  const [initial] = useState(() => ({ nodes: toNodes(wf), edges: toEdges(wf) }))
  const [nodes, setNodes, onNodesChangeBase] = useNodesState<JobFlowNode>(initial.nodes)
  const [edges, setEdges, onEdgesChangeBase] = useEdgesState<Edge>(initial.edges)
  const [dirty, setDirty] = useState(false)
  const [cycle, setCycle] = useState<string[]>([])
  const save = useSaveCanvas(wf.id)
  const wrapper = useRef<HTMLDivElement>(null)
  const dirtyRef = useRef(false)
  dirtyRef.current = dirty
  // Fit the view to the saved canvas once, on open; later drops keep the
  // viewport where the user has it.
  // A large canvas opens at 100 % on its top-left corner instead, so only
  // the nodes on screen are rendered (fitting 2,000 nodes shows them all).
  const [fitOnOpen] = useState(() => (wf.canvas?.nodes ?? []).length > 0 && (wf.canvas?.nodes ?? []).length <= LARGE)
  const [viewport] = useState(() => topLeft(wf.canvas?.nodes ?? []))

  // Job renames reach the nodes; a new canvas from the server (reload)
  // replaces them when there is nothing unsaved.
  const jobs = useMemo(() => wf.jobs ?? [], [wf.jobs])
  useEffect(() => {
    const byId = new Map(jobs.map((j) => [j.id, j]))
    // Unchanged nodes keep their objects and an unchanged list its array,
    // so opening the editor does not re-render the canvas for nothing.
    setNodes((ns) => same(ns, ns.map((n) => {
      const j = byId.get(n.id)
      return j && (j.name !== n.data.name || j.type !== n.data.type) ? { ...n, data: { ...n.data, name: j.name, type: j.type } } : n
    })))
  }, [jobs, setNodes])
  const lastRevision = useRef(wf.revision)
  useEffect(() => {
    if (wf.revision !== lastRevision.current && !dirtyRef.current) {
      setNodes(toNodes(wf))
      setEdges(toEdges(wf))
    }
    lastRevision.current = wf.revision
  }, [wf, setNodes, setEdges])

  // Leaving with unsaved changes asks first.
  useEffect(() => {
    const before = (e: BeforeUnloadEvent) => { if (dirtyRef.current) e.preventDefault() }
    window.addEventListener('beforeunload', before)
    setNavigationBlocker(() => !dirtyRef.current || window.confirm(t('Unsaved changes will be lost. Leave?')))
    return () => { window.removeEventListener('beforeunload', before); setNavigationBlocker(null) }
  }, [t])

  // The cycle the API named is highlighted on its nodes.
  useEffect(() => {
    const c = new Set(cycle)
    setNodes((ns) => same(ns, ns.map((n) => (!!n.data.cycle !== c.has(n.id) ? { ...n, data: { ...n.data, cycle: c.has(n.id) } } : n))))
    setEdges((es) => same(es, es.map((e) => {
      const on = c.has(e.source) && c.has(e.target)
      return !!e.animated !== on ? { ...e, animated: on, style: on ? { stroke: '#f5222d', strokeWidth: 2 } : undefined } : e
    })))
  }, [cycle, setNodes, setEdges])

  const onNodesChange = useCallback((ch: NodeChange<JobFlowNode>[]) => {
    if (ch.some((c) => c.type === 'remove' || (c.type === 'position' && c.dragging === false))) setDirty(true)
    onNodesChangeBase(ch)
  }, [onNodesChangeBase])
  const onEdgesChange = useCallback((ch: EdgeChange[]) => {
    if (ch.some((c) => c.type === 'remove')) setDirty(true)
    onEdgesChangeBase(ch)
  }, [onEdgesChangeBase])
  const onConnect = useCallback((c: Connection) => {
    if (c.source === c.target) return
    setEdges((es) => addEdge({ ...c, id: c.source + '->' + c.target }, es))
    setDirty(true)
  }, [setEdges])

  const onDrop = useCallback((e: React.DragEvent) => {
    e.preventDefault()
    const jobId = e.dataTransfer.getData(DRAG_TYPE)
    const job = jobs.find((j) => j.id === jobId)
    if (!job) return
    if (rf.getNode(jobId)) {
      message.info(job.name)
      return
    }
    const p = rf.screenToFlowPosition({ x: e.clientX, y: e.clientY })
    setNodes((ns) => [...ns, jobNode(job.id, { x: Math.round(p.x - NODE_W / 2), y: Math.round(p.y - NODE_H / 2) }, { name: job.name, type: job.type })])
    setDirty(true)
  }, [jobs, rf, setNodes, message])

  async function doSave(): Promise<boolean> {
    const body = { ...toCanvas(rf.getNodes(), rf.getEdges()), revision: wf.revision }
    try {
      await save.mutateAsync(body)
      setDirty(false)
      setCycle([])
      message.success(t('Saved'))
      return true
    } catch (e) {
      if (e instanceof ApiError && e.status === 409) {
        modal.confirm({
          title: t('The canvas changed elsewhere. Reload it?'), content: e.message, okText: t('Reload'), cancelText: t('Cancel'),
          okButtonProps: { 'data-testid': 'reload-ok' },
          onOk: async () => { setDirty(false); dirtyRef.current = false; lastRevision.current = -1; await refetch() },
        })
      } else if (e instanceof ApiError && Array.isArray(e.details.cycle)) {
        setCycle(e.details.cycle as string[])
        message.error({ content: e.message, className: 'jf-cycle-error' })
      } else {
        message.error((e as Error).message)
      }
      return false
    }
  }

  async function autoLayout() {
    const ns = rf.getNodes()
    const pos = await layout({ nodes: ns.map((n) => ({ id: n.id, width: NODE_W, height: NODE_H })), edges: rf.getEdges().map((e) => ({ from: e.source, to: e.target })) })
    setNodes((cur) => cur.map((n) => (pos[n.id] ? { ...n, position: pos[n.id] } : n)))
    setDirty(true)
    requestAnimationFrame(() => rf.fitView({ duration: 200 }))
  }

  const findNode = useCallback((id: string) => {
    const n = rf.getNode(id)
    if (!n) return
    // Only the nodes whose selection changes get new objects.
    setNodes((ns) => ns.map((x) => (!!x.selected !== (x.id === id) ? { ...x, selected: x.id === id } : x)))
    rf.setCenter(n.position.x + NODE_W / 2, n.position.y + NODE_H / 2, { zoom: Math.max(rf.getZoom(), 1), duration: 300 })
  }, [rf, setNodes])

  // A node's trigger rule and allowFailure (the node panel).
  const setRule = useCallback((id: string, patch: Partial<JobNodeData>) => {
    setNodes((ns) => ns.map((n) => (n.id === id ? { ...n, data: { ...n.data, ...patch } } : n)))
    setDirty(true)
  }, [setNodes])

  // Derived from the node ids only: dragging a node (new positions on
  // every frame) leaves the job list and the node search alone.
  const idsKey = nodes.map((n) => n.id).join(',')
  const onCanvas = useMemo(() => new Set(idsKey ? idsKey.split(',') : []), [idsKey])
  const selectedNodes = nodes.filter((n) => n.selected)
  const panelNode = selectedNodes.length === 1 ? selectedNodes[0] : undefined
  const childrenOf = useMemo(() => {
    const m = new Map<string, string[]>()
    for (const e of edges) m.set(e.source, [...(m.get(e.source) ?? []), e.target])
    return m
  }, [edges])
  return (
    <div style={{ display: 'flex', flexDirection: 'column', height: 'calc(100vh - 96px)', background: '#fff', border: '1px solid #f0f0f0' }}>
      <div style={{ display: 'flex', alignItems: 'center', gap: 12, padding: '8px 12px', borderBottom: '1px solid #f0f0f0', flexWrap: 'wrap' }}>
        <Typography.Title level={5} style={{ margin: 0 }} data-testid="editor-title">{wf.name}</Typography.Title>
        <QuickSwitcher current={wf.id} name={wf.name} />
        <StatusTag status={wf.status} testid="editor-status" />
        {dirty && <Typography.Text type="warning" data-testid="editor-dirty">● {t('Unsaved')}</Typography.Text>}
        <div style={{ flex: 1 }} />
        <Toolbar wf={wf} saving={save.isPending} onSave={doSave} onFormat={autoLayout} onFit={() => rf.fitView({ duration: 200 })} dirty={dirty} />
      </div>
      <div style={{ display: 'flex', flex: 1, minHeight: 0 }}>
        <JobList wfId={wf.id} jobs={jobs} onCanvas={onCanvas} childrenOf={childrenOf} />
        <div style={{ flex: 1, position: 'relative' }} ref={wrapper} data-testid="canvas"
          onDragOver={(e) => { e.preventDefault(); e.dataTransfer.dropEffect = 'move' }} onDrop={onDrop}>
          <ReactFlow<JobFlowNode, Edge> nodes={nodes} edges={edges} nodeTypes={nodeTypes} edgeTypes={edgeTypes} onNodesChange={onNodesChange} onEdgesChange={onEdgesChange}
            onConnect={onConnect} deleteKeyCode={['Backspace', 'Delete']} onlyRenderVisibleElements={nodes.length > LARGE}
            fitView={fitOnOpen} fitViewOptions={{ maxZoom: 1 }} defaultViewport={viewport} minZoom={0.05} maxZoom={2} proOptions={{ hideAttribution: true }}>
            <Background gap={16} />
            <FarClass />
            <Controls data-testid="canvas-controls" />
            {nodes.length <= LARGE && <MiniMap pannable zoomable data-testid="minimap" />}
          </ReactFlow>
          {nodes.length === 0 && (
            <Typography.Text type="secondary" style={{ position: 'absolute', top: 16, left: 16 }}>
              {t('Drag a job from the list on the left onto the canvas; connect jobs by dragging from the right handle of one to another.')}
            </Typography.Text>
          )}
          <Space style={{ position: 'absolute', top: 8, right: 8, zIndex: 5 }} align="start">
            <NodeSearch jobs={jobs} onCanvas={onCanvas} onFind={findNode} />
          </Space>
          {panelNode && <NodePanel key={panelNode.id} node={panelNode} onChange={setRule} />}
        </div>
      </div>
    </div>
  )
}
