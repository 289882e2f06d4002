// Pools (资源池): typed calls and their query keys.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { answer, client, done, type Schemas } from '../../api/client'

export type Pool = Schemas['Pool']
export type PoolLease = Schemas['PoolLease']
export type PoolInput = Schemas['PoolUpdate']

export function usePools() {
  return useQuery({
    queryKey: ['pools'],
    queryFn: () => answer(client.GET('/pools', { params: { query: { pageSize: 200 } } })),
    refetchInterval: 5000, // slots used and waiters change as jobs run
  })
}

// usePool polls one pool with its holders and waiters.
export function usePool(id: string | null) {
  return useQuery({
    queryKey: ['pools', id],
    enabled: !!id,
    queryFn: () => answer(client.GET('/pools/{id}', { params: { path: { id: id! } } })),
    refetchInterval: 3000,
  })
}

export function useSavePool(id?: string) {
  const qc = useQueryClient()
  return useMutation({
    mutationFn: (p: PoolInput) =>
      answer(id ? client.PATCH('/pools/{id}', { params: { path: { id } }, body: p }) : client.POST('/pools', { body: p })),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['pools'] }),
  })
}

export function useDeletePool() {
  const qc = useQueryClient()
  return useMutation({
    mutationFn: (id: string) => done(client.DELETE('/pools/{id}', { params: { path: { id } } })),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['pools'] }),
  })
}
