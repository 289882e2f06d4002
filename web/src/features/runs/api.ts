// Runs: the run polled by version (only the nodes changed since the last
// answer travel, merged into the cached run), node actions, and the log
// followed by byte offset.
import { keepPreviousData, useMutation, useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query'
import { ApiError, client, answer, type NodeRun, type Run } from '../../api/client'
import { finalRun, liveRun } from '../../lib/status'
import { workflowQuery } from '../workflows/api'

// The ETag of the last answer per run: an unchanged delta answers 304.
const etags = new Map<string, string>()

// byStart is the server's node order (started first, by start, then by
// name): a merged run lists its nodes as a whole answer would.
function byStart(a: NodeRun, b: NodeRun): number {
  const sa = a.startedAt ? Date.parse(a.startedAt) : Infinity
  const sb = b.startedAt ? Date.parse(b.startedAt) : Infinity
  if (sa !== sb) return sa < sb ? -1 : 1
  if (a.jobName !== b.jobName) return a.jobName < b.jobName ? -1 : 1
  return a.jobId < b.jobId ? -1 : a.jobId > b.jobId ? 1 : 0
}

// mergeRun applies a delta (the run's fields and the nodes written after
// prev.version) to the cached run. Unchanged nodes keep their objects, so
// the view re-renders only what changed; the edges never change.
export function mergeRun(prev: Run, delta: Run): Run {
  const changed = delta.nodes ?? []
  if (!changed.length) return { ...delta, nodes: prev.nodes, edges: prev.edges }
  const byId = new Map(changed.map((n) => [n.jobId, n]))
  const nodes = (prev.nodes ?? []).map((n) => {
    const c = byId.get(n.jobId)
    if (c) byId.delete(n.jobId)
    return c ?? n
  })
  nodes.push(...byId.values()) // rows first written since
  nodes.sort(byStart)
  return { ...delta, nodes, edges: prev.edges }
}

// fetchRun reads the whole run once, then only what changed since the
// version of the cached one (GET /runs/{id}?since=): a poll of a running
// 2,000-job run carries its few changed nodes, not all 2,000.
async function fetchRun(qc: QueryClient, id: string): Promise<Run> {
  const prev = qc.getQueryData<Run>(['run', id])
  const etag = prev ? etags.get(id) : undefined
  const r = await client.GET('/runs/{id}', {
    params: { path: { id }, query: prev ? { since: prev.version } : {} },
    headers: etag ? { 'If-None-Match': etag } : {},
  })
  if (r.response.status === 304 && prev) return prev
  const run = r.data
  if (!run) throw new ApiError(r.response.status, 'HTTP_' + r.response.status, 'no run in the answer', {})
  const tag = r.response.headers.get('ETag')
  if (tag) etags.set(id, tag)
  else etags.delete(id)
  return prev ? mergeRun(prev, run) : run
}

// runQuery is the run polled every 1.5 s until final. Its first answer
// starts the fetch of the workflow (the saved positions) at once, rather
// than after the run view's first render.
export const runQuery = (qc: QueryClient, id: string) => ({
  queryKey: ['run', id],
  meta: { page: true },
  queryFn: async () => {
    const run = await fetchRun(qc, id)
    void qc.prefetchQuery(workflowQuery(run.workflowId))
    return run
  },
  refetchInterval: (q: { state: { data?: Run } }) => (q.state.data && finalRun(q.state.data.status) ? false : 1500),
  refetchIntervalInBackground: false,
})

export function useRun(id: string) {
  const qc = useQueryClient()
  return useQuery(runQuery(qc, id))
}

// usePredictedJobs polls a live run's predicted bars (prediction.jobs, one
// per job not yet ended) while the Gantt shows them: the run's own polls
// leave them out, 2,000 of them being ~280 KB.
export function usePredictedJobs(run: Run, on: boolean) {
  return useQuery({
    queryKey: ['run-predicted', run.id],
    queryFn: async () => (await answer(client.GET('/runs/{id}', { params: { path: { id: run.id }, query: { since: run.version, predictedJobs: true } } }))).prediction?.jobs ?? [],
    enabled: on && liveRun(run.status),
    refetchInterval: 1500,
    refetchIntervalInBackground: false,
  })
}

export interface RunFilter { workflowId?: string; status?: string; trigger?: string; from?: string; to?: string; q?: string; page: number; pageSize: number }

export function useRuns(f: RunFilter) {
  return useQuery({
    queryKey: ['runs', f],
    meta: { page: true },
    queryFn: () => answer(client.GET('/runs', { params: { query: f } })),
    placeholderData: keepPreviousData,
    refetchInterval: (q) => (q.state.data?.items.some((r) => !finalRun(r.status)) ? 3000 : false),
  })
}

export function useBreak(runId: string) {
  const qc = useQueryClient()
  return useMutation({
    mutationFn: (jobId: string) => answer(client.POST('/runs/{id}/nodes/{jobId}/break', { params: { path: { id: runId, jobId } } })),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['run', runId] }),
  })
}

// useMarkSuccess marks a FAIL or UPSTREAM_FAILED node succeeded
// (docs/run-semantics.md#mark-success); the answer names the run it took
// effect in (a rerun for a finished run).
export function useMarkSuccess(runId: string) {
  const qc = useQueryClient()
  return useMutation({
    mutationFn: (b: { jobId: string; reason: string }) =>
      answer(client.POST('/runs/{id}/nodes/{jobId}/mark-success', { params: { path: { id: runId, jobId: b.jobId } }, body: { reason: b.reason } })),
    onSuccess: () => { qc.invalidateQueries({ queryKey: ['run', runId] }); qc.invalidateQueries({ queryKey: ['runs'] }) },
  })
}

// fetchLog answers the log after offset and the offset to ask for next;
// reset says the server answered from the start (offset no longer valid).
export async function fetchLog(runId: string, jobId: string, offset: number): Promise<{ text: string; next: number; reset: boolean }> {
  const r = await client.GET('/runs/{id}/nodes/{jobId}/log', {
    params: { path: { id: runId, jobId }, query: { offset } },
    headers: { Accept: 'text/plain' },
    parseAs: 'text',
  })
  const text = r.data ?? '' // an empty log has no body at all
  const next = Number(r.response.headers.get('X-Log-Offset') ?? offset + new TextEncoder().encode(text).length)
  return { text, next, reset: r.response.headers.get('X-Log-Reset') === 'true' }
}
