// Typed hooks over the tenant variables (docs/run-semantics.md#tenant-variables-and-secrets).
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { answer, client, done, type Schemas } from '../../api/client'

export type Variable = Schemas['Variable']
export type VariableInput = Schemas['VariableInput']

export function useVariables(f: { search: string; page: number; pageSize: number }) {
  return useQuery({
    queryKey: ['variables', f],
    queryFn: () => answer(client.GET('/variables', { params: { query: f } })),
    placeholderData: keepPreviousData,
  })
}

export function useSaveVariable(name?: string) {
  const qc = useQueryClient()
  return useMutation({
    mutationFn: (b: VariableInput) =>
      answer(name ? client.PATCH('/variables/{name}', { params: { path: { name } }, body: b }) : client.POST('/variables', { body: b })),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['variables'] }),
  })
}

export function useDeleteVariable() {
  const qc = useQueryClient()
  return useMutation({
    mutationFn: (name: string) => done(client.DELETE('/variables/{name}', { params: { path: { name } } })),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['variables'] }),
  })
}
