// Typed hooks over the workflow routes.
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { answer, client, done } from '../../api/client'

export interface WorkflowFilter { search?: string; status?: string; page: number; pageSize: number }

export function useWorkflows(f: WorkflowFilter) {
  return useQuery({
    queryKey: ['workflows', f],
    meta: { page: true }, // an outage with nothing to show goes to the route's error boundary
    queryFn: () => answer(client.GET('/workflows', { params: { query: f } })),
    placeholderData: keepPreviousData,
  })
}

// workflowQuery is the workflow with canvas and jobs; prefetched by the
// editor route's loader (router.tsx) and by the run view as soon as its run arrives.
export const workflowQuery = (id: string) => ({ queryKey: ['workflow', id], meta: { page: true }, queryFn: () => answer(client.GET('/workflows/{id}', { params: { path: { id } } })), staleTime: Infinity })

export function useWorkflow(id: string) {
  return useQuery(workflowQuery(id))
}

function useInvalidate() {
  const qc = useQueryClient()
  return (id?: string) => {
    qc.invalidateQueries({ queryKey: ['workflows'] })
    if (id) qc.invalidateQueries({ queryKey: ['workflow', id] })
  }
}

export function useCreateWorkflow() {
  const inv = useInvalidate()
  return useMutation({ mutationFn: (b: { name: string; remark?: string }) => answer(client.POST('/workflows', { body: b })), onSuccess: () => inv() })
}

export function useUpdateWorkflow() {
  const inv = useInvalidate()
  return useMutation({
    mutationFn: (b: { id: string; name: string; remark?: string }) =>
      answer(client.PATCH('/workflows/{id}', { params: { path: { id: b.id } }, body: { name: b.name, remark: b.remark ?? '' } })),
    onSuccess: (_d, b) => inv(b.id),
  })
}

export function useDeleteWorkflow() {
  const inv = useInvalidate()
  return useMutation({ mutationFn: (id: string) => done(client.DELETE('/workflows/{id}', { params: { path: { id } } })), onSuccess: () => inv() })
}

export function usePublish() {
  const inv = useInvalidate()
  return useMutation({ mutationFn: (id: string) => answer(client.POST('/workflows/{id}/publish', { params: { path: { id } }, body: {} })), onSuccess: (_d, id) => inv(id) })
}

export function useOffline() {
  const inv = useInvalidate()
  return useMutation({ mutationFn: (id: string) => answer(client.POST('/workflows/{id}/offline', { params: { path: { id } } })), onSuccess: (_d, id) => inv(id) })
}
