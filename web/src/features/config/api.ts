import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { del, get, post, put, type InvokeToken, type Page, type Schemas, type WorkflowConfig, type AlarmChannel } from '../../api/client'

export function useConfig(wfId: string) {
  return useQuery({ queryKey: ['config', wfId], queryFn: () => get<WorkflowConfig>('/workflows/' + wfId + '/config') })
}

export function useSaveConfig(wfId: string) {
  const qc = useQueryClient()
  return useMutation({
    mutationFn: (c: WorkflowConfig) => put<WorkflowConfig>('/workflows/' + wfId + '/config', c),
    onSuccess: (c) => { qc.setQueryData(['config', wfId], c); qc.invalidateQueries({ queryKey: ['workflow', wfId] }) },
  })
}

export function useChannels() {
  return useQuery({ queryKey: ['alarm-channels', 'all'], queryFn: () => get<Page<AlarmChannel>>('/alarm-channels?pageSize=200') })
}

export function useInvokeTokens(wfId: string) {
  return useQuery({ queryKey: ['invoke-tokens', wfId], queryFn: () => get<Page<InvokeToken>>('/workflows/' + wfId + '/invoke-tokens?pageSize=200') })
}

export function useCreateToken(wfId: string) {
  const qc = useQueryClient()
  return useMutation({
    mutationFn: () => post<Schemas['InvokeTokenIssued']>('/workflows/' + wfId + '/invoke-tokens'),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['invoke-tokens', wfId] }),
  })
}

export function useRevokeToken(wfId: string) {
  const qc = useQueryClient()
  return useMutation({
    mutationFn: (jti: string) => del('/workflows/' + wfId + '/invoke-tokens/' + jti),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['invoke-tokens', wfId] }),
  })
}
