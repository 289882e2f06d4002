// The REST client: every call of the console goes through `client`, an
// openapi-fetch client over the types openapi-typescript generates from
// openapi.json, so paths, path and query parameters, bodies and answers are
// checked by the compiler. Its middleware adds the login token, the tenant
// and the console's language, turns the error envelope into an ApiError and
// sends the user back to the login page on a 401.
import createClient, { type Middleware } from 'openapi-fetch'
import type { components, paths } from './schema'
import { session } from '../lib/session'
import { apiLanguage, tr } from '../lib/i18n'
import { connectivity, unavailable } from '../features/outage/connectivity'

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

// The operations as the console calls them: every tenant-scoped operation
// requires the X-Tenant-ID header, which the middleware sends, so call sites
// leave it out; the other headers (Idempotency-Key) stay typed.
type WithoutTenant<P> = P extends { header: { 'X-Tenant-ID': string } }
  ? Omit<P, 'header'> & { header?: Omit<P['header'], 'X-Tenant-ID'> }
  : P
type ConsoleOperation<O> = { [K in keyof O]: K extends 'parameters' ? WithoutTenant<O[K]> : O[K] }

// ConsolePaths are the API's paths under /api/v1 (the client's base URL).
export type ConsolePaths = {
  [P in keyof paths as P extends `/api/v1${infer R}` ? R : never]: { [M in keyof paths[P]]: ConsoleOperation<paths[P][M]> }
}

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

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

// apiError reads the error envelope {error: {code, message, details}} of an
// answer that is not OK; a body that is not the envelope (a proxy's page)
// keeps the HTTP status as the code.
async function apiError(res: Response): Promise<ApiError> {
  let code = 'HTTP_' + res.status
  let message = res.statusText
  let details: Record<string, unknown> = {}
  try {
    const body: unknown = await res.clone().json()
    const e = isRecord(body) ? body.error : undefined
    if (isRecord(e)) {
      if (typeof e.code === 'string') code = e.code
      if (typeof e.message === 'string') message = e.message
      if (isRecord(e.details)) details = e.details
    }
  } catch {
    /* not JSON */
  }
  // A gateway's 502/503/504 page (no envelope): the server is not there.
  if (unavailable(res.status) && code === 'HTTP_' + res.status) {
    code = 'UNAVAILABLE'
    message = tr('The server is unavailable ({status}).', { status: res.status })
  }
  const ra = res.headers.get('Retry-After')
  return new ApiError(res.status, code, message, details, ra ? Number(ra) : undefined)
}

const LOGIN = '/auth/login'

// toLogin opens the login page after a 401; the router sets it (main.tsx),
// so the client does not import the pages the router imports.
let toLogin = () => {}
export function onUnauthorized(f: () => void) {
  toLogin = f
}

const auth: Middleware = {
  onRequest({ request }) {
    const s = session.get()
    if (s?.token) request.headers.set('Authorization', 'Bearer ' + s.token)
    if (s?.tenantId) request.headers.set('X-Tenant-ID', s.tenantId)
    request.headers.set('Accept-Language', apiLanguage())
    return request
  },
  // A request that never reached the server is an ApiError in words, not
  // the browser's "Failed to fetch"; a cancelled one stays as it is.
  onError({ request, error }) {
    if (request.signal?.aborted || (error instanceof DOMException && error.name === 'AbortError')) return error instanceof Error ? error : undefined
    connectivity.down()
    return new ApiError(0, 'NETWORK', tr('Cannot reach the server'), {})
  },
  async onResponse({ response, schemaPath }) {
    if (unavailable(response.status) && !(response.headers.get('Content-Type') ?? '').includes('json')) connectivity.down()
    else connectivity.up()
    if (response.status === 401 && schemaPath !== LOGIN) {
      session.clear()
      toLogin()
    }
    // 304 is the answer to If-None-Match (the run poll): the caller keeps
    // what it has.
    if (!response.ok && response.status !== 304) throw await apiError(response)
    return response
  },
}

// noTenant is the per-call middleware of a call that must not name the
// tenant, e.g. a SYS_ADMIN's audit log across tenants:
// client.GET('/audit-logs', {middleware: [noTenant]}).
export const noTenant: Middleware = {
  onRequest({ request }) {
    request.headers.delete('X-Tenant-ID')
    return request
  },
}

// query leaves out empty values, so a cleared search box is no filter.
function query(q: Record<string, unknown>): string {
  const u = new URLSearchParams()
  for (const [k, v] of Object.entries(q)) {
    if (v === undefined || v === null || v === '') continue
    u.set(k, String(v))
  }
  return u.toString()
}

// fetch is looked up on each call (openapi-fetch keeps the one it finds at
// creation), so a page script that wraps window.fetch, as the browser tests
// do to see what the console sends, sees every call.
export const client = createClient<ConsolePaths>({
  baseUrl: '/api/v1',
  headers: { Accept: 'application/json' },
  querySerializer: query,
  fetch: (r) => globalThis.fetch(r),
})
client.use(auth)

interface Answer {
  data?: unknown
  response: Response
}

// answer is the body of a call that answers one: the middleware has thrown
// an ApiError for every error status already, so no body here is a 2xx
// without the body the schema promises.
export async function answer<T extends Answer>(call: Promise<T>): Promise<NonNullable<T['data']>> {
  const r = await call
  const d = r.data
  if (d === undefined || d === null) throw new ApiError(r.response.status, 'HTTP_' + r.response.status, 'empty answer', {})
  return d
}

// done waits for a call whose answer has no body the console reads (204).
export async function done(call: Promise<Answer>): Promise<void> {
  await call
}

// idempotencyKey is a fresh key per click that starts something, so a
// retried request never starts it twice.
export function idempotencyKey(): { 'Idempotency-Key': string } {
  return { 'Idempotency-Key': crypto.randomUUID() }
}
