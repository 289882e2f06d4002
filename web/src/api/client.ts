// The REST client: every call of the console goes through api(), which adds
// the login token and tenant, turns the error envelope into an ApiError and
// sends the user back to the login page on any 401.
import type { components } from './schema'
import { session } from '../lib/session'
import { navigate } from '../lib/router'
import { apiLanguage } from '../lib/i18n'

export type Schemas = components['schemas']
export type Workflow = Schemas['Workflow']
export type WorkflowItem = Schemas['WorkflowItem']
export type Job = Schemas['Job']
export type JobInput = Schemas['JobInput']
export type Run = Schemas['Run']
export type NodeRun = Schemas['NodeRun']
export type WorkflowConfig = Schemas['WorkflowConfig']
export type Canvas = Schemas['Canvas']
export type Datasource = Schemas['Datasource']
export type AlarmChannel = Schemas['AlarmChannel']
export type AlarmRecord = Schemas['AlarmRecord']
export type InvokeToken = Schemas['InvokeToken']
export type Tenant = Schemas['Tenant']
export type User = Schemas['User']
export type Me = Schemas['Me']
export type LoginResponse = Schemas['LoginResponse']
export interface Page<T> { items: T[]; total: number; page: number; pageSize: number }

export class ApiError extends Error {
  status: number
  code: string
  details: Record<string, unknown>
  retryAfter?: number
  constructor(status: number, code: string, message: string, details: Record<string, unknown>, retryAfter?: number) {
    super(message)
    this.status = status
    this.code = code
    this.details = details
    this.retryAfter = retryAfter
  }
}

export interface CallOptions {
  body?: unknown
  headers?: Record<string, string>
  noTenant?: boolean
  raw?: boolean // answer the Response itself (text bodies, headers)
}

export async function api<T>(method: string, path: string, opts: CallOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json', 'Accept-Language': apiLanguage(), ...opts.headers }
  const s = session.get()
  if (s?.token) headers.Authorization = 'Bearer ' + s.token
  if (s?.tenantId && !opts.noTenant) headers['X-Tenant-ID'] = s.tenantId
  let body: string | undefined
  if (opts.body !== undefined) {
    headers['Content-Type'] = 'application/json'
    body = JSON.stringify(opts.body)
  }
  const res = await fetch('/api/v1' + path, { method, headers, body })
  if (res.status === 401 && !path.startsWith('/auth/login')) {
    session.clear()
    navigate('/login?expired=1')
  }
  if (!res.ok && res.status !== 304) {
    let code = 'HTTP_' + res.status
    let message = res.statusText
    let details: Record<string, unknown> = {}
    try {
      const e = (await res.json()).error
      code = e.code
      message = e.message
      details = e.details ?? {}
    } catch {
      /* not the envelope */
    }
    const ra = res.headers.get('Retry-After')
    throw new ApiError(res.status, code, message, details, ra ? Number(ra) : undefined)
  }
  if (opts.raw) return res as unknown as T
  if (res.status === 204) return undefined as T
  return (await res.json()) as T
}

export const get = <T>(path: string, opts?: CallOptions) => api<T>('GET', path, opts)
export const post = <T>(path: string, body?: unknown, opts?: CallOptions) => api<T>('POST', path, { ...opts, body })
export const put = <T>(path: string, body?: unknown) => api<T>('PUT', path, { body })
export const patch = <T>(path: string, body?: unknown) => api<T>('PATCH', path, { body })
export const del = <T>(path: string) => api<T>('DELETE', path)

// qs builds a query string, leaving out empty values.
export function qs(p: Record<string, string | number | undefined | null>): string {
  const u = new URLSearchParams()
  for (const [k, v] of Object.entries(p)) if (v !== undefined && v !== null && v !== '') u.set(k, String(v))
  const s = u.toString()
  return s ? '?' + s : ''
}

// idempotencyKey is a fresh key per click that starts something, so a
// retried request never starts it twice once the API honours the header.
export function idempotencyKey(): Record<string, string> {
  return { 'Idempotency-Key': crypto.randomUUID() }
}
