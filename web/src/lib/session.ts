// The login session: token, user and chosen tenant, kept in sessionStorage
// so it lasts for the browser tab's session only.
import type { LoginResponse } from '../api/client'

export interface Session {
  token: string
  user: LoginResponse['user']
  tenants: LoginResponse['tenants']
  tenantId?: string
}

const KEY = 'jobflow.session'
type Listener = () => void
const listeners = new Set<Listener>()

export const session = {
  get(): Session | null {
    const s = sessionStorage.getItem(KEY)
    return s ? (JSON.parse(s) as Session) : null
  },
  set(s: Session) {
    sessionStorage.setItem(KEY, JSON.stringify(s))
    listeners.forEach((l) => l())
  },
  clear() {
    sessionStorage.removeItem(KEY)
    listeners.forEach((l) => l())
  },
  subscribe(l: Listener) {
    listeners.add(l)
    return () => listeners.delete(l)
  },
}
