// Approvals (审批): what waits for the caller's decision, and the decision.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { answer, client, type Schemas } from '../../api/client'

export type PendingApproval = Schemas['PendingApproval']

export function useApprovals() {
  return useQuery({ queryKey: ['approvals'], meta: { page: true }, queryFn: () => answer(client.GET('/approvals')), refetchInterval: 5000 })
}

export interface Decision { runId: string; jobId: string; approve: boolean; comment: string }

// useDecide approves or rejects a WAITING APPROVAL node (docs/run-semantics.md#approval-jobs).
export function useDecide() {
  const qc = useQueryClient()
  return useMutation({
    mutationFn: (d: Decision) => {
      const opts = { params: { path: { id: d.runId, jobId: d.jobId } }, body: { comment: d.comment } }
      return answer(d.approve ? client.POST('/runs/{id}/nodes/{jobId}/approve', opts) : client.POST('/runs/{id}/nodes/{jobId}/reject', opts))
    },
    onSuccess: (_, d) => { qc.invalidateQueries({ queryKey: ['approvals'] }); qc.invalidateQueries({ queryKey: ['run', d.runId] }) },
  })
}
