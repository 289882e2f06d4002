// Runs: the run polled with If-None-Match (the server answers 304 while it
// is unchanged), node actions, and the log followed by byte offset.
import { keepPreviousData, useMutation, useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query'
import { ApiError, answer, client, type Run } from '../../api/client'
import { finalRun } from '../../lib/status'
import { workflowQuery } from '../workflows/api'

const etags = new Map<string, { etag: string; run: Run }>()

async function fetchRun(id: string): Promise<Run> {
  const prev = etags.get(id)
  const r = await client.GET('/runs/{id}', { params: { path: { id } }, headers: prev ? { 'If-None-Match': prev.etag } : {} })
  if (r.response.status === 304 && prev) return prev.run
  const run = r.data
  if (!run) throw new ApiError(r.response.status, 'HTTP_' + r.response.status, 'no run in the answer', {})
  const etag = r.response.headers.get('ETag')
  if (etag) etags.set(id, { etag, run })
  return run
}

// runQuery is the run polled every 1.5 s until final. Its first answer
// starts the fetch of the workflow (the saved positions) at once, rather
// than after the run view's first render.
export const runQuery = (qc: QueryClient, id: string) => ({
  queryKey: ['run', id],
  meta: { page: true },
  queryFn: async () => {
    const run = await fetchRun(id)
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
