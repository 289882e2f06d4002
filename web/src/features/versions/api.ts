// Typed hooks over the version routes (docs/lifecycle.md#versions).
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { answer, client } from '../../api/client'
import { workflowQuery } from '../workflows/api'

export const DRAFT = 'draft'

export function useVersions(id: string, page: number, pageSize: number) {
  return useQuery({
    queryKey: ['versions', id, page, pageSize],
    queryFn: () => answer(client.GET('/workflows/{id}/versions', { params: { path: { id }, query: { page, pageSize } } })),
    placeholderData: keepPreviousData,
  })
}

// useDraft is the workflow as it is now: fetched again on every visit, as
// another tab (or the editor's job dialogs) may have changed it.
export function useDraft(id: string) {
  return useQuery({ ...workflowQuery(id), refetchOnMount: 'always' })
}

export function useDiff(id: string, from?: string, to?: string) {
  return useQuery({
    queryKey: ['version-diff', id, from, to],
    queryFn: () => answer(client.GET('/workflows/{id}/versions/diff', { params: { path: { id }, query: { from, to } } })),
    enabled: !!from && !!to && from !== to,
  })
}

// useSide is one side of a diff as jobs, canvas and config: a version's
// snapshot, or the draft.
export function useSide(id: string, side?: string, enabled = true) {
  const qc = useQueryClient()
  return useQuery({
    queryKey: ['version-side', id, side],
    enabled: enabled && !!side,
    queryFn: async () => {
      if (side === DRAFT) {
        const w = await qc.fetchQuery({ ...workflowQuery(id), staleTime: 0 })
        return { jobs: w.jobs, canvas: w.canvas, config: w.config }
      }
      const v = await answer(client.GET('/workflows/{id}/versions/{n}', { params: { path: { id, n: side! } } }))
      return { jobs: v.snapshot.jobs, canvas: v.snapshot.canvas, config: v.snapshot.config }
    },
  })
}

function useInvalidate(id: string) {
  const qc = useQueryClient()
  return () => {
    qc.invalidateQueries({ queryKey: ['workflow', id] })
    qc.invalidateQueries({ queryKey: ['workflows'] })
    qc.invalidateQueries({ queryKey: ['versions', id] })
    qc.invalidateQueries({ queryKey: ['version-diff', id] })
    qc.invalidateQueries({ queryKey: ['version-side', id] })
  }
}

// useRestore copies version n into the draft; revision is the draft the
// user looked at (409 when it has changed since).
export function useRestore(id: string) {
  const inv = useInvalidate(id)
  return useMutation({
    mutationFn: (b: { n: number; revision?: number }) =>
      answer(client.POST('/workflows/{id}/versions/{n}/restore', { params: { path: { id, n: String(b.n) } }, body: { revision: b.revision } })),
    onSettled: inv,
  })
}

// useRollback publishes version n again: a restore, then a publish, so
// the rollback is a new version (numbers only rise).
export function useRollback(id: string) {
  const inv = useInvalidate(id)
  return useMutation({
    mutationFn: async (b: { n: number; revision?: number; note: string }) => {
      await answer(client.POST('/workflows/{id}/versions/{n}/restore', { params: { path: { id, n: String(b.n) } }, body: { revision: b.revision } }))
      return answer(client.POST('/workflows/{id}/publish', { params: { path: { id } }, body: { note: b.note } }))
    },
    onSettled: inv,
  })
}
