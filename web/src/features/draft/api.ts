// Whether a published workflow's saved draft differs from the version it
// runs: the versions API names the current version, and its diff to the
// draft says whether they are identical (the same comparison a publish
// would make). Asked only for PUBLISHED workflows.
import { useQuery } from '@tanstack/react-query'
import { answer, client } from '../../api/client'

export interface DraftState { changed: boolean; version?: number }

async function draftState(id: string): Promise<DraftState> {
  const list = await answer(client.GET('/workflows/{id}/versions', { params: { path: { id }, query: { page: 1, pageSize: 5 } } }))
  const cur = list.items.find((v) => v.current) ?? list.items[0]
  if (!cur) return { changed: false }
  const d = await answer(client.GET('/workflows/{id}/versions/diff', { params: { path: { id }, query: { from: String(cur.number), to: 'draft' } } }))
  return { changed: !d.identical, version: cur.number }
}

// useDraftState: asked again whenever `at` changes (the time the
// workflow or the list was last read: a save or a publish moves it).
export function useDraftState(id: string, published: boolean, at: number | string) {
  return useQuery({
    queryKey: ['draft-changed', id, at],
    queryFn: () => draftState(id),
    enabled: published,
    staleTime: 30_000,
  })
}
