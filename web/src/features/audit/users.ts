// useUserName names a user id with the tenant's members (account and
// name), for the version history and the audit log. Only a TENANT_ADMIN
// (or SYS_ADMIN) may list members: for anyone else the id stays, except
// the user's own.
import { useQuery } from '@tanstack/react-query'
import { answer, client } from '../../api/client'
import { session } from '../../lib/session'

export function useMembers() {
  const s = session.get()
  const tid = s?.tenantId ?? ''
  return useQuery({
    queryKey: ['members', tid],
    enabled: !!tid,
    retry: false,
    staleTime: 60_000,
    queryFn: () => answer(client.GET('/tenants/{id}/members', { params: { path: { id: tid }, query: { pageSize: 200 } } })),
  })
}

export function useUserName(): (id?: string) => string {
  const m = useMembers()
  const me = session.get()?.user
  const names = new Map((m.data?.items ?? []).map((x) => [x.userId, x.name ? `${x.name} (${x.account})` : x.account]))
  return (id) => {
    if (!id) return '-'
    if (me && id === me.id) return me.name || me.account
    return names.get(id) ?? id
  }
}
