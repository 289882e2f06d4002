// Copy, export and import of workflows (docs/lifecycle.md#documents).
import { useMutation, useQueryClient } from '@tanstack/react-query'
import { answer, client, type Schemas } from '../../api/client'

export type ImportResult = Schemas['ImportResult']
export type ImportMode = 'CREATE' | 'OVERWRITE'

export function useCopyWorkflow() {
  const qc = useQueryClient()
  return useMutation({
    mutationFn: (b: { id: string; name: string }) => answer(client.POST('/workflows/{id}/copy', { params: { path: { id: b.id } }, body: { name: b.name } })),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['workflows'] }),
  })
}

// exportYAML fetches the documents as text: one workflow by id, or several
// by name (none: every workflow of the tenant).
export async function exportYAML(w: { id: string } | { names: string[] }): Promise<string> {
  const r = 'id' in w
    ? await client.GET('/workflows/{id}/export', { params: { path: { id: w.id } }, parseAs: 'text' })
    : await client.GET('/workflows/export', { params: { query: { name: w.names as unknown as string } }, parseAs: 'text', querySerializer: names })
  return (r.data as unknown as string) ?? ''
}

// names repeats name=… for each name, as the route takes them.
function names(q: Record<string, unknown>): string {
  const u = new URLSearchParams()
  for (const n of (q.name as string[] | undefined) ?? []) u.append('name', n)
  return u.toString()
}

// download saves text as a file through a temporary object URL.
export function download(filename: string, text: string) {
  const url = URL.createObjectURL(new Blob([text], { type: 'application/yaml' }))
  const a = document.createElement('a')
  a.href = url
  a.download = filename
  document.body.appendChild(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(url), 10_000)
}

export function useImport() {
  const qc = useQueryClient()
  return useMutation({
    mutationFn: (b: { document: string; mode: ImportMode; dryRun: boolean }) => answer(client.POST('/workflows/import', { body: b })),
    onSuccess: (r) => { if (!r.dryRun) qc.invalidateQueries({ queryKey: ['workflows'] }) },
  })
}
