// Typed hooks for the editor: jobs, canvas save, runs of the workflow.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { del, get, idempotencyKey, patch, post, put, qs, type Canvas, type Job, type JobInput, type Page, type Run, type Workflow, type Schemas } from '../../api/client'

export function useCreateJob(wfId: string) {
  const qc = useQueryClient()
  return useMutation({
    mutationFn: (b: JobInput) => post<Job>('/workflows/' + wfId + '/jobs', b),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['workflow', wfId] }),
  })
}

export function useUpdateJob(wfId: string) {
  const qc = useQueryClient()
  return useMutation({
    mutationFn: (b: JobInput & { id: string }) => {
      const { id, ...rest } = b
      return patch<Job>('/jobs/' + id, rest)
    },
    onSuccess: () => qc.invalidateQueries({ queryKey: ['workflow', wfId] }),
  })
}

export function useDeleteJob(wfId: string) {
  const qc = useQueryClient()
  return useMutation({ mutationFn: (id: string) => del('/jobs/' + id), onSuccess: () => qc.invalidateQueries({ queryKey: ['workflow', wfId] }) })
}

export function useSaveCanvas(wfId: string) {
  const qc = useQueryClient()
  return useMutation({
    mutationFn: (b: Canvas & { revision: number }) => put<Workflow>('/workflows/' + wfId + '/canvas', b),
    onSuccess: (w) => qc.setQueryData(['workflow', wfId], w),
  })
}

export function useLatestRun(wfId: string) {
  return useQuery({
    queryKey: ['runs', { workflowId: wfId, latest: true }],
    queryFn: () => get<Page<Run>>('/runs' + qs({ workflowId: wfId, page: 1, pageSize: 1 })),
    select: (p) => p.items[0] as Run | undefined,
    refetchInterval: (q) => (q.state.data?.items[0]?.status === 'RUNNING' || q.state.data?.items[0]?.status === 'ABORTING' ? 1500 : false),
  })
}

export function useStartRun(wfId: string) {
  const qc = useQueryClient()
  return useMutation({
    mutationFn: (params: Record<string, string>) => post<Schemas['RunStarted']>('/workflows/' + wfId + '/runs', { params }, { headers: idempotencyKey() }),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['runs'] }),
  })
}

export function useAbortRun() {
  const qc = useQueryClient()
  return useMutation({
    mutationFn: (runId: string) => post<Schemas['RunStarted']>('/runs/' + runId + '/abort'),
    onSuccess: (_d, id) => { qc.invalidateQueries({ queryKey: ['runs'] }); qc.invalidateQueries({ queryKey: ['run', id] }) },
  })
}

export function useRerun() {
  const qc = useQueryClient()
  return useMutation({
    mutationFn: (b: { runId: string; mode: 'ALL' | 'FAILED' | 'FROM_NODE' | 'NODE'; nodeId?: string }) =>
      post<Schemas['RunStarted']>('/runs/' + b.runId + '/rerun', { mode: b.mode, nodeId: b.nodeId }, { headers: idempotencyKey() }),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['runs'] }),
  })
}

export function useDatasourceOptions() {
  return useQuery({
    queryKey: ['datasources', 'options'],
    queryFn: () => get<Page<Schemas['Datasource']>>('/datasources?pageSize=200'),
    select: (p) => p.items.map((d) => ({ value: d.id, label: d.name + ' (' + d.type + ')' })),
  })
}

// useJobTypes is the server's job-type registry (GET /job-types): the types,
// whether FlowRun runs them itself (CONTROL), and the config a new job of
// each starts from, so that the forms do not re-declare the server's defaults.
export function useJobTypes() {
  return useQuery({ queryKey: ['job-types'], queryFn: () => get<Schemas['JobTypeList']>('/job-types'), staleTime: Infinity })
}
