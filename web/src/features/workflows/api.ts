// Typed hooks over the workflow routes.
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { del, get, patch, post, qs, type Page, type Workflow, type WorkflowItem, type Schemas } from '../../api/client'

export interface WorkflowFilter { search?: string; status?: string; page: number; pageSize: number }

export function useWorkflows(f: WorkflowFilter) {
  return useQuery({
    queryKey: ['workflows', f],
    queryFn: () => get<Page<WorkflowItem>>('/workflows' + qs({ ...f })),
    placeholderData: keepPreviousData,
  })
}

// workflowQuery is the workflow with canvas and jobs; prefetched by the
// router on a deep link and by the run view as soon as its run arrives.
export const workflowQuery = (id: string) => ({ queryKey: ['workflow', id], queryFn: () => get<Workflow>('/workflows/' + id), staleTime: Infinity })

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
  return useMutation({ mutationFn: (b: { name: string; remark?: string }) => post<Workflow>('/workflows', b), onSuccess: () => inv() })
}

export function useUpdateWorkflow() {
  const inv = useInvalidate()
  return useMutation({
    mutationFn: (b: { id: string; name: string; remark?: string }) => patch<Workflow>('/workflows/' + b.id, { name: b.name, remark: b.remark ?? '' }),
    onSuccess: (_d, b) => inv(b.id),
  })
}

export function useDeleteWorkflow() {
  const inv = useInvalidate()
  return useMutation({ mutationFn: (id: string) => del('/workflows/' + id), onSuccess: () => inv() })
}

export function usePublish() {
  const inv = useInvalidate()
  return useMutation({ mutationFn: (id: string) => post<Schemas['Published']>('/workflows/' + id + '/publish'), onSuccess: (_d, id) => inv(id) })
}

export function useOffline() {
  const inv = useInvalidate()
  return useMutation({ mutationFn: (id: string) => post<Workflow>('/workflows/' + id + '/offline'), onSuccess: (_d, id) => inv(id) })
}
