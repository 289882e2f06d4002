// The editor (click a workflow's name): jobs on the left, the canvas in the
// middle, the toolbar on top. Saved positions are used as they are; auto-
// layout (格式化) runs only on demand; off-screen nodes are not rendered.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react'
import {
  Background, Controls, MarkerType, MiniMap, ReactFlowProvider, addEdge, useEdgesState, useNodesState, useReactFlow,
  type Connection, type DefaultEdgeOptions, type Edge, type EdgeChange, type NodeChange, type XYPosition,
} from '@xyflow/react'
import '@xyflow/react/dist/style.css'
import { Alert, App, Space, Spin, Typography } from 'antd'
import { ApiError, type Job, type Workflow, type Schemas } from '../../api/client'
import { useI18n } from '../../lib/i18n'
import { useBlocker } from '@tanstack/react-router'
import { StatusTag } from '../../lib/status'
import { useWorkflow } from '../workflows/api'
import { useCreateJob, useSaveCanvas } from './api'
import { DRAG_TYPE, JobList } from './JobList'
import { NODE_H, NODE_W, jobNode, type JobFlowNode, type JobNodeData } from './JobNode'
import { NodePanel, NodeSearch } from './NodePanel'
import { layout } from './layout'
import { QuickSwitcher } from './QuickSwitcher'
import { LARGE, topLeft } from '../../lib/canvas'
import { Toolbar } from './Toolbar'
import { usePageTitle } from '../a11y/title'
import { DraftMarker } from '../draft/DraftMarker'
import { JobForm } from './JobForm'
import { preloadCodeEditor } from './CodeEditor'
import { Palette, TYPE_DRAG } from './Palette'
import { useCanvasClipboard } from './useCanvasClipboard'
import { useShiftClick } from './useShiftClick'
import { UndoRedo } from './UndoRedo'
import { useCanvasHistory, type Snapshot } from './useCanvasHistory'
import { useEditorKeys } from './useEditorKeys'
import { FitButton, HUGE, useFarActions } from './FarCanvas'
import { CanvasFlow } from './CanvasFlow'

// deleteKeys delete the selected jobs and edges.
const deleteKeys = ['Backspace', 'Delete']

type TriggerRule = NonNullable<Schemas['CanvasNode']['trigger']>

// Edges end in an arrowhead (one shared SVG marker, whatever the count).
const edgeOptions: DefaultEdgeOptions = { markerEnd: { type: MarkerType.ArrowClosed, width: 16, height: 16 } }
// Ctrl/⌘+click adds a node to the selection, and Shift+click too
// (useShiftClick); Shift+drag draws a selection box (xyflow's selectionKeyCode).
const multiKeys = ['Meta', 'Control']

// The job dialog opened on the canvas: a node's job (double-click), or a
// new job of a palette type to place at a point.
type FormState = { job?: Job; preset?: { type: string; name: string }; at?: XYPosition }

export default function EditorPage({ id }: { id: string }) {
  const { t } = useI18n()
  const wf = useWorkflow(id)
  usePageTitle(wf.data?.name)
  if (wf.isLoading) return <Spin style={{ margin: 48 }} />
  if (wf.error || !wf.data) return <Alert type="error" showIcon title={wf.error?.message ?? t('Not found')} data-testid="editor-error" />
  return (
    <ReactFlowProvider>
      <Editor wf={wf.data} at={wf.dataUpdatedAt} refetch={() => wf.refetch()} />
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

function Editor({ wf, at, refetch }: { wf: Workflow; at: number; refetch: () => Promise<unknown> }) {
  const { t } = useI18n()
  const { message, modal } = App.useApp()
  const flow = useReactFlow<JobFlowNode, Edge>()
  // The initial nodes and edges are built once, not on every render.
  const [initial] = useState(() => ({ nodes: toNodes(wf), edges: toEdges(wf) }))
  const [nodes, setNodes, onNodesChangeBase] = useNodesState<JobFlowNode>(initial.nodes)
  const [edges, setEdges, onEdgesChangeBase] = useEdgesState<Edge>(initial.edges)
  // The canvas is the state's nodes and edges, not React Flow's: with the
  // far layer on (FarCanvas) React Flow holds only the selected nodes, and
  // saving, undo, copy and the job list must see them all.
  const state = useRef({ nodes, edges })
  state.current = { nodes, edges }
  const rf = useMemo(() => ({
    ...flow,
    getNodes: () => state.current.nodes,
    getEdges: () => state.current.edges,
    getNode: (id: string) => state.current.nodes.find((n) => n.id === id),
    getEdge: (id: string) => state.current.edges.find((e) => e.id === id),
  }), [flow])
  const { fitAll, farClick } = useFarActions(nodes)
  // Fit: every node, computed here for a huge canvas (see fitAll).
  const fit = useCallback(() => { if (nodes.length > HUGE) fitAll(); else void flow.fitView({ duration: 200 }) }, [nodes.length, fitAll, flow])
  const [dirty, setDirty] = useState(false)
  const [cycle, setCycle] = useState<string[]>([])
  const save = useSaveCanvas(wf.id)
  const create = useCreateJob(wf.id)
  const [form, setForm] = useState<FormState | null>(null)
  const wrapper = useRef<HTMLDivElement>(null)
  const dirtyRef = useRef(false)
  dirtyRef.current = dirty
  // Undo/redo: the canvas before each change (useCanvasHistory).
  const current = useCallback((): Snapshot => ({ nodes: rf.getNodes(), edges: rf.getEdges() }), [rf])
  const restore = useCallback((s: Snapshot) => {
    setNodes(s.nodes)
    setEdges(s.edges)
    setDirty(true)
  }, [setNodes, setEdges])
  const hist = useCanvasHistory(current, restore)
  const { record, clear, startDrag, commitDrag, undo: histUndo, redo: histRedo } = hist
  // The job dialog's code editor comes on a chunk of its own, fetched once
  // the canvas is up so that neither waits for the other (CodeEditor.tsx).
  useEffect(() => {
    const timer = setTimeout(() => { preloadCodeEditor().catch(() => {}) }, 300)
    return () => clearTimeout(timer)
  }, [])
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
      clear()
    }
    lastRevision.current = wf.revision
  }, [wf, setNodes, setEdges, clear])

  // Leaving with unsaved changes asks first: a link or any other in-app
  // navigation, the browser's Back and forward (the router puts the page
  // back when the answer is to stay), and reload or closing the tab (the
  // browser's own beforeunload question).
  useBlocker({
    shouldBlockFn: useCallback(() => dirtyRef.current && !window.confirm(t('Unsaved changes will be lost. Leave?')), [t]),
    enableBeforeUnload: useCallback(() => dirtyRef.current, []),
  })

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
    if (ch.some((c) => c.type === 'remove')) record()
    if (ch.some((c) => c.type === 'remove' || (c.type === 'position' && c.dragging === false))) setDirty(true)
    onNodesChangeBase(ch)
  }, [onNodesChangeBase, record])
  const onEdgesChange = useCallback((ch: EdgeChange[]) => {
    if (ch.some((c) => c.type === 'remove')) {
      record()
      setDirty(true)
    }
    onEdgesChangeBase(ch)
  }, [onEdgesChangeBase, record])
  const onConnect = useCallback((c: Connection) => {
    if (c.source === c.target || rf.getEdge(c.source + '->' + c.target)) return
    record()
    setEdges((es) => addEdge({ ...c, id: c.source + '->' + c.target }, es))
    setDirty(true)
  }, [setEdges, record, rf])

  // A palette type dropped (or picked with Enter): the job dialog for a
  // new job of it, placed at the point when saved.
  const newOfType = useCallback((type: string, at: XYPosition) => {
    const taken = new Set(jobs.map((j) => j.name))
    let i = 1
    while (taken.has(type.toLowerCase() + '_' + i)) i++
    setForm({ preset: { type, name: type.toLowerCase() + '_' + i }, at })
  }, [jobs])
  const onDrop = useCallback((e: React.DragEvent) => {
    e.preventDefault()
    const type = e.dataTransfer.getData(TYPE_DRAG)
    if (type) {
      const p = rf.screenToFlowPosition({ x: e.clientX, y: e.clientY })
      newOfType(type, { x: Math.round(p.x - NODE_W / 2), y: Math.round(p.y - NODE_H / 2) })
      return
    }
    const jobId = e.dataTransfer.getData(DRAG_TYPE)
    const job = jobs.find((j) => j.id === jobId)
    if (!job) return
    if (rf.getNode(jobId)) {
      message.info(job.name)
      return
    }
    const p = rf.screenToFlowPosition({ x: e.clientX, y: e.clientY })
    record()
    setNodes((ns) => [...ns, jobNode(job.id, { x: Math.round(p.x - NODE_W / 2), y: Math.round(p.y - NODE_H / 2) }, { name: job.name, type: job.type })])
    setDirty(true)
  }, [jobs, rf, setNodes, message, record, newOfType])

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
    record()
    setNodes((cur) => cur.map((n) => (pos[n.id] ? { ...n, position: pos[n.id] } : n)))
    setDirty(true)
    requestAnimationFrame(fit)
  }

  const findNode = useCallback((id: string) => {
    const n = rf.getNode(id)
    if (!n) return
    // Only the nodes whose selection changes get new objects.
    setNodes((ns) => ns.map((x) => (!!x.selected !== (x.id === id) ? { ...x, selected: x.id === id } : x)))
    rf.setCenter(n.position.x + NODE_W / 2, n.position.y + NODE_H / 2, { zoom: Math.max(rf.getZoom(), 1), duration: 300 })
  }, [rf, setNodes])

  // placeJob puts a job on the canvas without a mouse (Enter on it in the
  // job list): in the middle of the view, moved down past the nodes there;
  // a job already on the canvas is shown instead.
  const placeJob = useCallback((jobId: string) => {
    const job = jobs.find((j) => j.id === jobId)
    if (!job) return
    if (rf.getNode(jobId)) {
      findNode(jobId)
      return
    }
    const box = wrapper.current?.getBoundingClientRect()
    const c = rf.screenToFlowPosition({ x: (box?.left ?? 0) + (box?.width ?? 0) / 2, y: (box?.top ?? 0) + (box?.height ?? 0) / 3 })
    const x = Math.round(c.x - NODE_W / 2)
    let y = Math.round(c.y - NODE_H / 2)
    const ns = rf.getNodes()
    const taken = (yy: number) => ns.some((n) => Math.abs(n.position.x - x) < NODE_W + 20 && Math.abs(n.position.y - yy) < NODE_H + 20)
    for (let i = 0; i < 200 && taken(y); i++) y += NODE_H + 24
    setNodes((cur) => [...cur.map((n) => (n.selected ? { ...n, selected: false } : n)),
      jobNode(job.id, { x, y }, { name: job.name, type: job.type }, { selected: true })])
    setDirty(true)
    message.success(t('Placed on the canvas: {name}', { name: job.name }))
  }, [jobs, rf, setNodes, message, t, findNode])

  // A node's trigger rule and allowFailure (the node panel).
  const setRule = useCallback((id: string, patch: Partial<JobNodeData>) => {
    record()
    setNodes((ns) => ns.map((n) => (n.id === id ? { ...n, data: { ...n.data, ...patch } } : n)))
    setDirty(true)
  }, [setNodes, record])

  // One history entry per drag (of a node or of a selection), not per frame.
  const dragStop = useCallback(() => { if (commitDrag()) setDirty(true) }, [commitDrag])
  const undo = useCallback(() => { if (!histUndo()) message.info(t('Nothing to undo')) }, [histUndo, message, t])
  const redo = useCallback(() => { if (!histRedo()) message.info(t('Nothing to redo')) }, [histRedo, message, t])

  // Copy/paste: the copies are new jobs (useCanvasClipboard), placed as one
  // change, selected instead of the originals.
  const createJob = create.mutateAsync
  const applyPaste = useCallback((ns: JobFlowNode[], es: Edge[]) => {
    if (!ns.length) return
    record()
    setNodes((cur) => [...cur.map((n) => (n.selected ? { ...n, selected: false } : n)), ...ns])
    setEdges((cur) => [...cur, ...es])
    setDirty(true)
  }, [record, setNodes, setEdges])
  const clipboard = useCanvasClipboard({ rf, jobs, create: createJob, apply: applyPaste })
  const copy = useCallback(() => {
    const n = clipboard.copy()
    if (n) message.success(t('Copied {n} jobs', { n }))
    else message.info(t('Select jobs on the canvas first (click, Shift+click or Shift+drag).'))
  }, [clipboard, message, t])
  const paste = useCallback(async () => {
    try {
      const made = await clipboard.paste()
      if (made.length) message.success(t('Pasted {n} jobs', { n: made.length }))
    } catch (e) {
      message.error((e as Error).message)
    }
  }, [clipboard, message, t])
  useEditorKeys({ undo, redo, copy, paste: () => { void paste() }, save: () => { void doSave() } })

  // A job saved from the canvas's dialog: a new one goes where it was dropped.
  const onFormSaved = useCallback((j: Job) => {
    const at = form?.at
    if (!at || rf.getNode(j.id)) return
    record()
    setNodes((ns) => [...ns, jobNode(j.id, at, { name: j.name, type: j.type })])
    setDirty(true)
  }, [form, rf, record, setNodes])
  const shiftClick = useShiftClick(rf, setNodes)
  const pickType = useCallback((type: string) => {
    const el = wrapper.current?.getBoundingClientRect()
    const p = rf.screenToFlowPosition(el ? { x: el.x + el.width / 2, y: el.y + el.height / 2 } : { x: 0, y: 0 })
    newOfType(type, { x: Math.round(p.x - NODE_W / 2), y: Math.round(p.y - NODE_H / 2) })
  }, [rf, newOfType])
  const onNodeDoubleClick = useCallback((_: React.MouseEvent, n: JobFlowNode) => {
    const j = jobs.find((x) => x.id === n.id)
    if (j) setForm({ job: j })
  }, [jobs])

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
        <DraftMarker id={wf.id} status={wf.status} at={at} testid="editor-draft-changed" />
        {dirty && <Typography.Text type="warning" data-testid="editor-dirty">● {t('Unsaved')}</Typography.Text>}
        <div style={{ flex: 1 }} />
        <UndoRedo canUndo={hist.canUndo} canRedo={hist.canRedo} onUndo={undo} onRedo={redo} />
        <Toolbar wf={wf} saving={save.isPending} onSave={doSave} onFormat={autoLayout} onFit={fit} dirty={dirty} />
      </div>
      <div style={{ display: 'flex', flex: 1, minHeight: 0 }}>
        <JobList wfId={wf.id} jobs={jobs} onCanvas={onCanvas} childrenOf={childrenOf} onPlace={placeJob} />
        <div style={{ flex: 1, position: 'relative' }} ref={wrapper} data-testid="canvas" {...shiftClick}
          onDragOver={(e) => { e.preventDefault(); e.dataTransfer.dropEffect = 'move' }} onDrop={onDrop}>
          <CanvasFlow nodes={nodes} edges={edges} farLabel={t('{n} jobs, zoom in to edit', { n: nodes.length.toLocaleString('en') })} onFarClick={farClick}
            onNodesChange={onNodesChange} onEdgesChange={onEdgesChange}
            onConnect={onConnect} onNodeDoubleClick={onNodeDoubleClick} zoomOnDoubleClick={false} defaultEdgeOptions={edgeOptions}
            multiSelectionKeyCode={multiKeys} onNodeDragStart={startDrag} onNodeDragStop={dragStop}
            onSelectionDragStart={startDrag} onSelectionDragStop={dragStop} deleteKeyCode={deleteKeys}
            fitView={fitOnOpen} fitViewOptions={{ maxZoom: 1 }} defaultViewport={viewport} minZoom={0.05} maxZoom={2} proOptions={{ hideAttribution: true }}>
            <Background gap={16} />
            <Controls data-testid="canvas-controls" showFitView={nodes.length <= HUGE}>
              {nodes.length > HUGE && <FitButton onFit={fitAll} />}
            </Controls>
            {nodes.length <= LARGE && <MiniMap pannable zoomable data-testid="minimap" />}
          </CanvasFlow>
          {nodes.length === 0 && (
            <Typography.Text type="secondary" style={{ position: 'absolute', top: 16, left: 120, right: 240 }}>
              {t('Drag a job from the list on the left onto the canvas; connect jobs by dragging from the right handle of one to another.')}
            </Typography.Text>
          )}
          <Space style={{ position: 'absolute', top: 8, right: 8, zIndex: 5 }} align="start">
            <NodeSearch jobs={jobs} onCanvas={onCanvas} onFind={findNode} />
          </Space>
          <Palette onPick={pickType} />
          {form && <JobForm wfId={wf.id} jobs={jobs} childrenOf={childrenOf} open job={form.job} preset={form.preset} onSaved={onFormSaved} onClose={() => setForm(null)} />}
          {panelNode && <NodePanel key={panelNode.id} node={panelNode} onChange={setRule} />}
        </div>
      </div>
    </div>
  )
}
