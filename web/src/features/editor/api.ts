// Typed hooks for the editor: jobs, canvas save, runs of the workflow.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { answer, client, done, idempotencyKey, type Canvas, type JobInput } from '../../api/client'
import { liveRun } from '../../lib/status'

export function useCreateJob(wfId: string) {
  const qc = useQueryClient()
  return useMutation({
    mutationFn: (b: JobInput) => answer(client.POST('/workflows/{id}/jobs', { params: { path: { id: wfId } }, body: b })),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['workflow', wfId] }),
  })
}

export function useUpdateJob(wfId: string) {
  const qc = useQueryClient()
  return useMutation({
    mutationFn: (b: JobInput & { id: string }) => {
      const { id, ...rest } = b
      return answer(client.PATCH('/jobs/{id}', { params: { path: { id } }, body: rest }))
    },
    onSuccess: () => qc.invalidateQueries({ queryKey: ['workflow', wfId] }),
  })
}

export function useDeleteJob(wfId: string) {
  const qc = useQueryClient()
  return useMutation({
    mutationFn: (id: string) => done(client.DELETE('/jobs/{id}', { params: { path: { id } } })),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['workflow', wfId] }),
  })
}

export function useSaveCanvas(wfId: string) {
  const qc = useQueryClient()
  return useMutation({
    mutationFn: (b: Canvas & { revision: number }) => answer(client.PUT('/workflows/{id}/canvas', { params: { path: { id: wfId } }, body: b })),
    onSuccess: (w) => qc.setQueryData(['workflow', wfId], w),
  })
}

export function useLatestRun(wfId: string) {
  return useQuery({
    queryKey: ['runs', { workflowId: wfId, latest: true }],
    queryFn: () => answer(client.GET('/runs', { params: { query: { workflowId: wfId, page: 1, pageSize: 1 } } })),
    select: (p) => p.items.at(0),
    refetchInterval: (q) => (liveRun(q.state.data?.items[0]?.status) || q.state.data?.items[0]?.status === 'ABORTING' ? 1500 : false),
  })
}

export function useStartRun(wfId: string) {
  const qc = useQueryClient()
  return useMutation({
    mutationFn: (params: Record<string, string>) =>
      answer(client.POST('/workflows/{id}/runs', { params: { path: { id: wfId }, header: idempotencyKey() }, body: { params } })),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['runs'] }),
  })
}

export function useAbortRun() {
  const qc = useQueryClient()
  return useMutation({
    mutationFn: (runId: string) => answer(client.POST('/runs/{id}/abort', { params: { path: { id: runId } } })),
    onSuccess: (_d, id) => { qc.invalidateQueries({ queryKey: ['runs'] }); qc.invalidateQueries({ queryKey: ['run', id] }) },
  })
}

// usePauseRun pauses (暂停) or resumes (恢复) a run
// (docs/run-semantics.md#pause-and-resume).
export function usePauseRun() {
  const qc = useQueryClient()
  return useMutation({
    mutationFn: (b: { runId: string; resume: boolean }) => b.resume
      ? answer(client.POST('/runs/{id}/resume', { params: { path: { id: b.runId } } }))
      : answer(client.POST('/runs/{id}/pause', { params: { path: { id: b.runId } } })),
    onSuccess: (_d, b) => { qc.invalidateQueries({ queryKey: ['runs'] }); qc.invalidateQueries({ queryKey: ['run', b.runId] }) },
  })
}

export function useRerun() {
  const qc = useQueryClient()
  return useMutation({
    mutationFn: (b: { runId: string; mode: 'ALL' | 'FAILED' | 'FROM_NODE' | 'NODE'; nodeId?: string }) =>
      answer(client.POST('/runs/{id}/rerun', { params: { path: { id: b.runId }, header: idempotencyKey() }, body: { mode: b.mode, nodeId: b.nodeId } })),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['runs'] }),
  })
}

export function useDatasourceOptions() {
  return useQuery({
    queryKey: ['datasources', 'options'],
    queryFn: () => answer(client.GET('/datasources', { params: { query: { pageSize: 200 } } })),
    select: (p) => p.items.map((d) => ({ value: d.id, label: d.name + ' (' + (d.type === 'MYSQL' ? 'MySQL' : d.type === 'POSTGRES' ? 'PostgreSQL' : d.type) + ')' })),
  })
}

// useJobTypes is the server's job-type registry (GET /job-types): the types,
// whether FlowRun runs them itself (CONTROL), and the config a new job of
// each starts from, so that the forms do not re-declare the server's defaults.
export function useJobTypes() {
  return useQuery({ queryKey: ['job-types'], queryFn: () => answer(client.GET('/job-types')), staleTime: Infinity })
}
