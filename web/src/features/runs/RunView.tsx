// The run view (运行 / 重跑 open it; /runs/:id from anywhere): the canvas
// read-only and coloured by node status, polled about every 1.5 s until the
// run is final; node table, Gantt and the node log; node menu 日志 重跑下游
// 重跑当前 中断 强制成功, and a FOREACH node's items; pause/resume (暂停/恢复); abort; the link into the Temporal Web UI when given.
// While the run is live: its predicted finish, the critical path outlined
// on the canvas and the predicted bars on the Gantt.
import { useEffect, useMemo, useRef, useState } from 'react'
import { ReactFlowProvider, type Edge } from '@xyflow/react'
import '@xyflow/react/dist/style.css'
import { Alert, App, Button, Descriptions, Dropdown, Input, Menu, Modal, Space, Spin, Table, Tabs, Typography } from 'antd'
import type { NodeRun, Run, Workflow } from '../../api/client'
import { useI18n } from '../../lib/i18n'
import { Link, getRouteApi, useNavigate } from '@tanstack/react-router'
import { useWord } from '../enums/words'
import { usePageTitle } from '../a11y/title'
import { StatusTag, finalRun, liveRun } from '../../lib/status'
import { DecideDialog, type Deciding } from '../approvals/DecideDialog'
import { duration, time } from '../../lib/format'
import { useWorkflow } from '../workflows/api'
import { useAbortRun, usePauseRun, useRerun } from '../editor/api'
import { NODE_H, NODE_W, jobNode, type JobFlowNode } from '../editor/JobNode'
import { layout } from '../editor/layout'
import { topLeft } from '../../lib/canvas'
import { RunCanvas } from './RunCanvas'
import { useBreak, useMarkSuccess, usePredictedJobs, useRun } from './api'
import { Gantt } from './Gantt'
import { RunPrediction } from './Prediction'
import { LogPanel } from './LogPanel'
import { ForEachItems } from './ForEachItems'

// readable shows output values that hold JSON (a DEPENDENT node's items,
// an HTTP body) as JSON rather than as one escaped string.
function readable(o?: Record<string, string> | null): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(o ?? {})) {
    try {
      out[k] = /^\s*[[{]/.test(v) ? JSON.parse(v) : v
    } catch {
      out[k] = v
    }
  }
  return out
}

export default function RunView({ id }: { id: string }) {
  const { t } = useI18n()
  const q = useRun(id)
  usePageTitle(q.data ? q.data.workflowName + ' · ' + t('Run') + ' ' + id.slice(0, 8) : undefined)
  if (q.isLoading) return <Spin style={{ margin: 48 }} />
  if (q.error || !q.data) return <Alert type="error" showIcon title={q.error?.message ?? t('Not found')} data-testid="run-error" />
  return <RunPage run={q.data} at={q.dataUpdatedAt} />
}

// usePositions: the workflow's saved canvas positions, else a dagre layout.
function usePositions(run: Run, wf: Workflow | undefined, wfPending: boolean) {
  const [pos, setPos] = useState<Record<string, { x: number; y: number }> | null>(null)
  const ids = (run.nodes ?? []).map((n) => n.jobId).join(',')
  useEffect(() => {
    if (wfPending) return // the saved positions are on their way
    const saved = new Map((wf?.canvas?.nodes ?? []).map((n) => [n.jobId, { x: n.x, y: n.y }]))
    const nodes = run.nodes ?? []
    if (nodes.every((n) => saved.has(n.jobId))) {
      setPos(Object.fromEntries(nodes.map((n) => [n.jobId, saved.get(n.jobId)!])))
      return
    }
    layout({ nodes: nodes.map((n) => ({ id: n.jobId, width: NODE_W, height: NODE_H })), edges: run.edges ?? [] }).then(setPos)
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [ids, wf?.revision, wfPending])
  return pos
}

const route = getRouteApi('/runs/$id')

// at is when the run was read: the Gantt draws running bars and the
// prediction as of then, so the two agree.
function RunPage({ run, at }: { run: Run; at: number }) {
  const { t } = useI18n()
  const w = useWord()
  const { message } = App.useApp()
  const wf = useWorkflow(run.workflowId)
  const pos = usePositions(run, wf.data, wf.isPending)
  const abort = useAbortRun()
  const pause = usePauseRun()
  const rerun = useRerun()
  const brk = useBreak(run.id)
  const mark = useMarkSuccess(run.id)
  const [marking, setMarking] = useState<NodeRun | null>(null)
  const [deciding, setDeciding] = useState<Deciding | null>(null)
  const [reason, setReason] = useState('')
  // ?node= (a cell of the run grid, a task instance) opens with that node's log.
  const node = route.useSearch({ select: (s) => s.node })
  const navigate = useNavigate()
  const [selected, setSelected] = useState<string | null>(node ?? null)
  const [tab, setTab] = useState(node ? 'log' : 'nodes')
  const [menu, setMenu] = useState<{ x: number; y: number; node: NodeRun } | null>(null)
  const nodes = useMemo(() => run.nodes ?? [], [run.nodes])
  const byId = useMemo(() => new Map(nodes.map((n) => [n.jobId, n])), [nodes])
  const names = useMemo(() => new Map(nodes.map((n) => [n.jobId, n.jobName])), [nodes])
  const prediction = liveRun(run.status) ? run.prediction : undefined
  // The Gantt's predicted bars: in the first (whole) answer, then polled
  // apart while the Gantt is shown (the run's polls leave them out).
  const predictedJobs = usePredictedJobs(run, tab === 'gantt').data
  const ganttPrediction = useMemo(() => (prediction && predictedJobs ? { ...prediction, jobs: predictedJobs } : prediction), [prediction, predictedJobs])
  const pathKey = (prediction?.criticalPath ?? []).join(',')
  const critical = useMemo(() => new Set(pathKey ? pathKey.split(',') : []), [pathKey])
  // Edges along the critical path, from each job to the next.
  const criticalEdges = useMemo(() => {
    const p = pathKey ? pathKey.split(',') : []
    return new Set(p.slice(1).map((id, i) => p[i] + '->' + id))
  }, [pathKey])

  // Node objects are kept while their status and attempt stay the same, so
  // a poll re-renders only the nodes that changed.
  // Node and edge objects are kept while what they show stays the same,
  // so a poll re-renders only the nodes and edges that changed (xyflow
  // skips unchanged objects; JobNode is memoized).
  const cache = useRef(new Map<string, JobFlowNode>())
  const flowNodes = useMemo(() => {
    if (!pos) return []
    const next = new Map<string, JobFlowNode>()
    const out = nodes.map((n) => {
      const old = cache.current.get(n.jobId)
      const p = pos[n.jobId] ?? { x: 0, y: 0 }
      const crit = critical.has(n.jobId)
      const keep = old && old.data.status === n.status && old.data.attempt === n.attempt && old.data.note === n.waitReason && old.selected === (selected === n.jobId) &&
        old.position.x === p.x && old.position.y === p.y && !!old.data.critical === crit
      const node: JobFlowNode = keep ? old : jobNode(n.jobId, p, { name: n.jobName, type: n.jobType ?? '', status: n.status, attempt: n.attempt, note: n.waitReason, critical: crit },
        { draggable: false, connectable: false, selected: selected === n.jobId })
      next.set(n.jobId, node)
      return node
    })
    cache.current = next
    return out
  }, [nodes, pos, selected, critical])
  const edgeCache = useRef(new Map<string, Edge>())
  const edges = useMemo<Edge[]>(() => {
    const next = new Map<string, Edge>()
    const out = (run.edges ?? []).map((e) => {
      const id = e.from + '->' + e.to
      const animated = byId.get(e.to)?.status === 'RUNNING'
      const crit = criticalEdges.has(id)
      const old = edgeCache.current.get(id)
      const edge = old && old.animated === animated && !!old.style === crit ? old
        : { id, source: e.from, target: e.to, animated, ...(crit ? { style: { stroke: '#fa8c16', strokeWidth: 2 } } : {}) }
      next.set(id, edge)
      return edge
    })
    edgeCache.current = next
    return out
  }, [run.edges, byId, criticalEdges])
  const [outputsOf, setOutputsOf] = useState<NodeRun | null>(null)
  const viewport = useMemo(() => (pos ? topLeft(Object.values(pos)) : undefined), [pos])

  const isFinal = finalRun(run.status)
  async function doRerun(mode: 'ALL' | 'FAILED' | 'FROM_NODE' | 'NODE', nodeId?: string) {
    if (rerun.isPending) return
    try {
      const r = await rerun.mutateAsync({ runId: run.id, mode, nodeId })
      message.success(t('Rerun started'))
      void navigate({ to: '/runs/$id', params: { id: r.runId } })
    } catch (e) {
      message.error((e as Error).message)
    }
  }
  async function doBreak(jobId: string) {
    try {
      await brk.mutateAsync(jobId)
    } catch (e) {
      message.error((e as Error).message)
    }
  }
  async function doMark() {
    if (!marking) return
    try {
      const r = await mark.mutateAsync({ jobId: marking.jobId, reason })
      setMarking(null)
      setReason('')
      message.success(t('Marked succeeded'))
      if (r.runId !== run.id) void navigate({ to: '/runs/$id', params: { id: r.runId } }) // a finished run goes on in a rerun
    } catch (e) {
      message.error((e as Error).message)
    }
  }
  function nodeMenu(n: NodeRun) {
    const canBreak = !isFinal && (n.status === 'PENDING' || n.status === 'WAITING')
    return [
      { key: 'log', label: <span data-testid="menu-log">{t('Log')}</span>, onClick: () => { setSelected(n.jobId); setTab('log') } },
      ...(n.jobType === 'FOREACH' ? [{ key: 'items', label: <span data-testid="menu-items">{t('Items')}</span>, onClick: () => { setSelected(n.jobId); setTab('items') } }] : []),
      { key: 'from', label: <span data-testid="menu-rerun-from">{t('Rerun downstream')}</span>, disabled: !isFinal, onClick: () => doRerun('FROM_NODE', n.jobId) },
      { key: 'node', label: <span data-testid="menu-rerun-node">{t('Rerun this node')}</span>, disabled: !isFinal, onClick: () => doRerun('NODE', n.jobId) },
      { key: 'break', label: <span data-testid="menu-break">{t('Break')}</span>, disabled: !canBreak, onClick: () => doBreak(n.jobId) },
      ...(n.jobType === 'APPROVAL' ? [
        { key: 'approve', label: <span data-testid="menu-approve">{t('Approve')}</span>, disabled: n.status !== 'WAITING' || isFinal,
          onClick: () => setDeciding({ runId: run.id, jobId: n.jobId, jobName: n.jobName, approve: true }) },
        { key: 'reject', label: <span data-testid="menu-reject">{t('Reject')}</span>, disabled: n.status !== 'WAITING' || isFinal,
          onClick: () => setDeciding({ runId: run.id, jobId: n.jobId, jobName: n.jobName, approve: false }) }] : []),
      { key: 'mark', label: <span data-testid="menu-mark-success">{t('Mark succeeded')}</span>,
        disabled: n.status !== 'FAIL' && n.status !== 'UPSTREAM_FAILED', onClick: () => { setReason(''); setMarking(n) } },
    ]
  }

  const sel = selected ? byId.get(selected) : undefined
  return (
    <div style={{ display: 'flex', flexDirection: 'column', gap: 8 }} onClick={() => setMenu(null)}>
      <Space wrap style={{ background: '#fff', padding: '8px 12px', border: '1px solid #f0f0f0' }}>
        <Link to="/workflows/$id" params={{ id: run.workflowId }} data-testid="run-workflow">{run.workflowName}</Link>
        <Typography.Text type="secondary" copyable={{ text: run.id }}>{run.id}</Typography.Text>
        <StatusTag status={run.status} testid="run-status" />
        <span data-testid="run-trigger" data-code={run.trigger}>{w('trigger', run.trigger)}</span>
        {run.status === 'PAUSED'
          ? <Button size="small" type="primary" loading={pause.isPending} data-testid="run-resume"
              onClick={() => pause.mutateAsync({ runId: run.id, resume: true }).then(() => message.success(t('Run resumed')), (e) => message.error(e.message))}>{t('Resume')}</Button>
          : <Button size="small" disabled={run.status !== 'RUNNING'} loading={pause.isPending} data-testid="run-pause"
              onClick={() => pause.mutateAsync({ runId: run.id, resume: false }).then(() => message.success(t('Run paused')), (e) => message.error(e.message))}>{t('Pause')}</Button>}
        <Button size="small" danger disabled={!liveRun(run.status)} loading={abort.isPending}
          onClick={() => abort.mutateAsync(run.id).then(() => message.success(t('Run aborted')), (e) => message.error(e.message))} data-testid="run-abort">{t('Abort')}</Button>
        <Dropdown disabled={!isFinal || rerun.isPending} menu={{ items: [
          { key: 'ALL', label: <span data-testid="run-rerun-all">{t('Rerun all')}</span> },
          { key: 'FAILED', label: <span data-testid="run-rerun-failed">{t('Rerun failed')}</span> }],
          onClick: (e) => doRerun(e.key as 'ALL' | 'FAILED') }}>
          <Button size="small" loading={rerun.isPending} data-testid="run-rerun">{t('Rerun')}</Button>
        </Dropdown>
        {run.temporalUrl && <a href={run.temporalUrl} target="_blank" rel="noreferrer" data-testid="run-temporal">{t('Temporal Web UI')}</a>}
      </Space>
      {run.status === 'QUEUED' && <Alert type="info" showIcon data-testid="run-queued"
        title={t('Queued: waiting for a slot under the workflow concurrency limit') + (run.queuePosition ? ' · ' + t('position') + ' ' + run.queuePosition : '')} />}
      <Descriptions size="small" column={4} bordered style={{ background: '#fff' }} items={[
        { label: t('Logical time'), children: time(run.logicalTime) },
        { label: t('Started'), children: time(run.startedAt) },
        { label: t('Ended'), children: time(run.endedAt) },
        { label: t('Duration'), children: duration(run.startedAt, run.endedAt) },
        ...(run.rerunOf ? [{ label: t('Rerun'), children: <Link to="/runs/$id" params={{ id: run.rerunOf }}>{run.rerunOf}</Link> }] : []),
        ...(run.error ? [{ label: t('Error'), children: run.error }] : []),
      ]} />
      {prediction && <RunPrediction p={prediction} names={names} />}
      <div style={{ height: 380, background: '#fff', border: '1px solid #f0f0f0', position: 'relative' }} data-testid="run-canvas">
        {!pos ? <Spin style={{ margin: 48 }} /> : (
          <ReactFlowProvider>
            <RunCanvas nodes={flowNodes} edges={edges} viewport={viewport} onNodeClick={(_, n) => setSelected(n.id)}
              onNodeContextMenu={(e, n) => { e.preventDefault(); const nr = byId.get(n.id); if (nr) setMenu({ x: e.clientX, y: e.clientY, node: nr }) }} />
          </ReactFlowProvider>
        )}
      </div>
      <Modal open={!!outputsOf} title={t('Outputs') + ': ' + (outputsOf?.jobName ?? '')} footer={null} onCancel={() => setOutputsOf(null)} width={720}>
        <pre className="jf-log" style={{ maxHeight: 480 }} data-testid="node-outputs-json">{JSON.stringify(readable(outputsOf?.outputs), null, 2)}</pre>
      </Modal>
      {menu && (
        // Kept inside the window: a row near the bottom opens it upwards.
        <div style={{ position: 'fixed', left: Math.min(menu.x, window.innerWidth - 200), top: Math.min(menu.y, window.innerHeight - 250), zIndex: 1000,
          boxShadow: '0 3px 12px rgba(0,0,0,.2)' }} data-testid="node-menu">
          <Menu selectable={false} items={nodeMenu(menu.node)} onClick={() => setMenu(null)} />
        </div>
      )}
      <div style={{ background: '#fff', padding: '0 12px', border: '1px solid #f0f0f0' }}>
        <Tabs activeKey={tab} onChange={setTab} items={[
          { key: 'nodes', label: <span data-testid="tab-nodes">{t('Nodes')}</span>, children: (
            <Table<NodeRun> size="small" rowKey="jobId" dataSource={nodes} pagination={nodes.length > 50 ? { pageSize: 50 } : false} data-testid="node-table"
              onRow={(r) => ({ 'data-testid': 'node-row-' + r.jobName, onClick: () => setSelected(r.jobId) } as object)}
              rowClassName={(r) => (r.jobId === selected ? 'ant-table-row-selected' : '')}
              columns={[
                { title: t('Job'), dataIndex: 'jobName' },
                { title: t('Status'), dataIndex: 'status', render: (v, n) => (<>
                  <StatusTag status={v} testid="node-status" />
                  {n.waitReason && <div style={{ fontSize: 12, color: '#595959' }} title={t('Why waiting')} data-testid={'node-wait-' + n.jobName}>{n.waitReason}</div>}
                </>) },
                { title: t('Attempt'), dataIndex: 'attempt', width: 70 },
                { title: t('Started'), dataIndex: 'startedAt', render: (v) => time(v) },
                { title: t('Ended'), dataIndex: 'endedAt', render: (v) => time(v) },
                { title: t('Duration'), render: (_, r) => duration(r.startedAt, r.endedAt) },
                { title: t('Exit code'), dataIndex: 'exitCode', width: 80, render: (v) => v ?? '-' },
                { title: t('Outputs'), dataIndex: 'outputs', ellipsis: true, render: (v: NodeRun['outputs'], r) => {
                  // A DEPENDENT node's "met" (k/n) first: which items are met.
                  const entries = Object.entries(v ?? {}).sort(([a], [b]) => Number(b === 'met') - Number(a === 'met'))
                  if (!entries.length) return '-'
                  return <button type="button" className="jf-linkbtn" onClick={(e) => { e.stopPropagation(); setOutputsOf(r) }} data-testid={'node-outputs-' + r.jobName}>
                    {entries.map(([k, x]) => k + '=' + (x.length > 40 ? x.slice(0, 40) + '…' : x)).join('; ')}</button>
                } },
                { title: t('Error'), dataIndex: 'error', ellipsis: true },
                // One shared menu (the node menu), not a dropdown per row.
                { title: t('Actions'), width: 90, render: (_, r) => (
                  <button type="button" className="jf-linkbtn" aria-haspopup="menu" data-testid={'node-actions-' + r.jobName} onClick={(e) => {
                    // From the keyboard there is no pointer: open the menu at the button.
                    e.stopPropagation(); const b = e.currentTarget.getBoundingClientRect()
                    setMenu({ x: e.clientX || b.left, y: e.clientY || b.bottom, node: r }) }}>{t('Actions')} ▾</button>) },
              ]} />) },
          { key: 'gantt', label: <span data-testid="tab-gantt">{t('Gantt')}</span>, children: <Gantt nodes={nodes} prediction={ganttPrediction} now={at} onSelect={(id) => { setSelected(id); setTab('log') }} /> },
          { key: 'log', label: <span data-testid="tab-log">{t('Log')}</span>, children: sel
            ? <LogPanel key={sel.jobId} runId={run.id} jobId={sel.jobId} jobName={sel.jobName} live={!isFinal && (sel.status === 'RUNNING' || sel.status === 'PENDING' || sel.status === 'WAITING')} />
            : <Typography.Text type="secondary">{t('Node')}: -</Typography.Text> },
          ...(sel?.jobType === 'FOREACH' ? [{ key: 'items', label: <span data-testid="tab-items">{t('Items')} · {sel.jobName}</span>,
            children: <ForEachItems key={sel.jobId} runId={run.id} jobId={sel.jobId} live={!isFinal} /> }] : []),
        ]} />
      </div>
      <DecideDialog deciding={deciding} onClose={() => setDeciding(null)} />
      <Modal open={!!marking} title={t('Mark succeeded') + (marking ? ': ' + marking.jobName : '')} okText={t('Confirm')} destroyOnHidden
        okButtonProps={{ disabled: !reason.trim(), loading: mark.isPending, 'data-testid': 'mark-ok' }}
        onOk={doMark} onCancel={() => setMarking(null)}>
        <Typography.Paragraph type="secondary">{t('The node becomes FORCED_SUCCESS and its downstream jobs run; a finished run goes on in a rerun.')}</Typography.Paragraph>
        <Input.TextArea rows={3} maxLength={500} value={reason} onChange={(e) => setReason(e.target.value)} placeholder={t('Why it counts as succeeded')} data-testid="mark-reason" />
      </Modal>
    </div>
  )
}
