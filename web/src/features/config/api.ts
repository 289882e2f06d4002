import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { answer, client, done, type WorkflowConfig } from '../../api/client'

export function useConfig(wfId: string) {
  return useQuery({ queryKey: ['config', wfId], queryFn: () => answer(client.GET('/workflows/{id}/config', { params: { path: { id: wfId } } })) })
}

export function useSaveConfig(wfId: string) {
  const qc = useQueryClient()
  return useMutation({
    mutationFn: (c: WorkflowConfig) => answer(client.PUT('/workflows/{id}/config', { params: { path: { id: wfId } }, body: c })),
    onSuccess: (c) => { qc.setQueryData(['config', wfId], c); qc.invalidateQueries({ queryKey: ['workflow', wfId] }) },
  })
}

export function useChannels() {
  return useQuery({ queryKey: ['alarm-channels', 'all'], queryFn: () => answer(client.GET('/alarm-channels', { params: { query: { pageSize: 200 } } })) })
}

export function useInvokeTokens(wfId: string) {
  return useQuery({ queryKey: ['invoke-tokens', wfId], queryFn: () => answer(client.GET('/workflows/{id}/invoke-tokens', { params: { path: { id: wfId }, query: { pageSize: 200 } } })) })
}

export function useCreateToken(wfId: string) {
  const qc = useQueryClient()
  return useMutation({
    mutationFn: () => answer(client.POST('/workflows/{id}/invoke-tokens', { params: { path: { id: wfId } } })),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['invoke-tokens', wfId] }),
  })
}

export function useRevokeToken(wfId: string) {
  const qc = useQueryClient()
  return useMutation({
    mutationFn: (jti: string) => done(client.DELETE('/workflows/{id}/invoke-tokens/{jti}', { params: { path: { id: wfId, jti } } })),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['invoke-tokens', wfId] }),
  })
}
