// Baselines (基线): typed calls and their query keys, and the names the
// page shows for the workflow and job ids a baseline and its instances hold.
import { useMemo } from 'react'
import { useMutation, useQueries, useQuery, useQueryClient } from '@tanstack/react-query'
import { answer, client, done, type Schemas } from '../../api/client'

export type Baseline = Schemas['Baseline']
export type BaselineInput = Schemas['BaselineUpdate']
export type BaselineInstance = Schemas['BaselineInstance']

export function useBaselines() {
  return useQuery({
    queryKey: ['baselines'],
    queryFn: () => answer(client.GET('/baselines', { params: { query: { pageSize: 200 } } })),
  })
}

// useInstances polls a baseline's instances (newest date first), or one
// date's, every 10 s: the baseline's workflow re-judges them as runs go on.
export function useInstances(id: string, date?: string) {
  return useQuery({
    queryKey: ['baselines', id, 'instances', date ?? ''],
    queryFn: () => answer(client.GET('/baselines/{id}/instances', { params: { path: { id }, query: date ? { date } : {} } })),
    refetchInterval: 10_000,
  })
}

export function useSaveBaseline(id?: string) {
  const qc = useQueryClient()
  return useMutation({
    mutationFn: (b: BaselineInput) =>
      answer(id ? client.PATCH('/baselines/{id}', { params: { path: { id } }, body: b }) : client.POST('/baselines', { body: b })),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['baselines'] }),
  })
}

export function useDeleteBaseline() {
  const qc = useQueryClient()
  return useMutation({
    mutationFn: (id: string) => done(client.DELETE('/baselines/{id}', { params: { path: { id } } })),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['baselines'] }),
  })
}

// useWorkflowNames maps the tenant's workflow ids to names (the first 200
// workflows; an id not among them shows as itself).
export function useWorkflowNames(): Map<string, string> {
  const q = useQuery({
    queryKey: ['workflows', 'names'],
    queryFn: () => answer(client.GET('/workflows', { params: { query: { pageSize: 200 } } })),
    staleTime: 30_000,
  })
  return useMemo(() => new Map((q.data?.items ?? []).map((w) => [w.id, w.name])), [q.data])
}

// jobsQuery is a workflow's jobs, shared with the job pickers.
export const jobsQuery = (workflowId: string) => ({
  queryKey: ['workflow-jobs', workflowId],
  queryFn: () => answer(client.GET('/workflows/{id}/jobs', { params: { path: { id: workflowId }, query: { pageSize: 200 } } })),
  staleTime: 30_000,
})

// useJobNames maps job ids to names over the jobs of the given workflows.
export function useJobNames(workflowIds: string[]): Map<string, string> {
  const ids = [...new Set(workflowIds)].sort()
  const qs = useQueries({ queries: ids.map(jobsQuery) })
  const stamp = qs.map((q) => q.dataUpdatedAt).join(',')
  return useMemo(() => {
    const m = new Map<string, string>()
    for (const q of qs) for (const j of q.data?.items ?? []) m.set(j.id, j.name)
    return m
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [stamp])
}
