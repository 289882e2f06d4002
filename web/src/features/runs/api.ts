// Runs: the run polled with If-None-Match (the server answers 304 while it
// is unchanged), node actions, and the log followed by byte offset.
import { keepPreviousData, useMutation, useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query'
import { api, get, post, qs, type Page, type Run } from '../../api/client'
import { finalRun } from '../../lib/status'
import { workflowQuery } from '../workflows/api'

const etags = new Map<string, { etag: string; run: Run }>()

async function fetchRun(id: string): Promise<Run> {
  const prev = etags.get(id)
  const res = await api<Response>('GET', '/runs/' + id, { raw: true, headers: prev ? { 'If-None-Match': prev.etag } : {} })
  if (res.status === 304 && prev) return prev.run
  const run = (await res.json()) as Run
  const etag = res.headers.get('ETag')
  if (etag) etags.set(id, { etag, run })
  return run
}

// runQuery is the run polled every 1.5 s until final. Its first answer
// starts the fetch of the workflow (the saved positions) at once, rather
// than after the run view's first render.
export const runQuery = (qc: QueryClient, id: string) => ({
  queryKey: ['run', id],
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

export interface RunFilter { workflowId?: string; status?: string; trigger?: string; page: number; pageSize: number }

export function useRuns(f: RunFilter) {
  return useQuery({
    queryKey: ['runs', f],
    queryFn: () => get<Page<Run>>('/runs' + qs({ ...f })),
    placeholderData: keepPreviousData,
    refetchInterval: (q) => (q.state.data?.items.some((r) => !finalRun(r.status)) ? 3000 : false),
  })
}

export function useBreak(runId: string) {
  const qc = useQueryClient()
  return useMutation({
    mutationFn: (jobId: string) => post('/runs/' + runId + '/nodes/' + jobId + '/break'),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['run', runId] }),
  })
}

// fetchLog answers the log after offset and the offset to ask for next;
// reset says the server answered from the start (offset no longer valid).
export async function fetchLog(runId: string, jobId: string, offset: number): Promise<{ text: string; next: number; reset: boolean }> {
  const res = await api<Response>('GET', '/runs/' + runId + '/nodes/' + jobId + '/log' + qs({ offset }), { raw: true, headers: { Accept: 'text/plain' } })
  const text = await res.text()
  const next = Number(res.headers.get('X-Log-Offset') ?? offset + new TextEncoder().encode(text).length)
  return { text, next, reset: res.headers.get('X-Log-Reset') === 'true' }
}
