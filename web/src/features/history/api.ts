// Typed hooks over the run-history routes: the run grid of a workflow
// (GET /workflows/{id}/run-grid), task instances across runs
// (GET /node-runs), and the counts and lists of the home page (GET /runs
// and GET /workflows with filters).
import { keepPreviousData, useQueries, useQuery } from '@tanstack/react-query'
import { answer, client, type Schemas } from '../../api/client'
import { finalRun } from '../../lib/status'

export type RunGrid = Schemas['RunGrid']
export type GridRun = Schemas['GridRun']
export type GridJob = Schemas['GridJob']
export type GridCell = Schemas['GridCell']
export type NodeRunItem = Schemas['NodeRunItem']

// Run and node statuses in the order the filters offer them.
export const RUN_STATUSES = ['RUNNING', 'QUEUED', 'PAUSED', 'ABORTING', 'SUCCESS', 'FAIL', 'ABORTED', 'SKIPPED'] as const
export const TRIGGERS = ['MANUAL', 'SCHEDULE', 'INVOKE', 'RERUN', 'BACKFILL', 'SUBFLOW'] as const
export const NODE_STATUSES = ['PENDING', 'WAITING', 'RUNNING', 'SUCCESS', 'FAIL', 'UPSTREAM_FAILED', 'ABORTED', 'BREAK', 'SKIPPED',
  'NOT_SELECTED', 'DISABLED', 'FORCED_SUCCESS'] as const

// useRunGrid is polled every 5 s while a run in it goes on, then not at all.
export function useRunGrid(id: string, limit: number) {
  return useQuery({
    queryKey: ['run-grid', id, limit],
    queryFn: () => answer(client.GET('/workflows/{id}/run-grid', { params: { path: { id }, query: { limit } } })),
    placeholderData: keepPreviousData,
    refetchInterval: (q) => (q.state.data?.runs.some((r) => !finalRun(r.status)) ? 5000 : false),
  })
}

export interface NodeRunFilter { workflowId?: string; jobId?: string; status?: string; from?: string; to?: string; page: number; pageSize: number }

export function useNodeRuns(f: NodeRunFilter) {
  return useQuery({
    queryKey: ['node-runs', f],
    queryFn: () => answer(client.GET('/node-runs', { params: { query: f } })),
    placeholderData: keepPreviousData,
    refetchInterval: (q) => (q.state.data?.items.some((n) => !n.endedAt && n.status !== 'SKIPPED' && n.status !== 'NOT_SELECTED' && n.status !== 'DISABLED') ? 3000 : false),
  })
}

// useWorkflowOptions: the workflows whose name contains search, for the
// workflow filters (the first 50; typing narrows them).
export function useWorkflowOptions(search: string) {
  return useQuery({
    queryKey: ['workflows', { search, page: 1, pageSize: 50, options: true }],
    queryFn: () => answer(client.GET('/workflows', { params: { query: { search, page: 1, pageSize: 50 } } })),
    placeholderData: keepPreviousData,
    staleTime: 30_000,
  })
}

const HOME_POLL = 10_000

// useTodayCounts answers, per run status, how many runs started since
// from: one small page per status, whose total is the count.
export function useTodayCounts(from: string) {
  return useQueries({
    queries: RUN_STATUSES.map((status) => ({
      queryKey: ['runs', { from, status, page: 1, pageSize: 1 }],
      queryFn: () => answer(client.GET('/runs', { params: { query: { from, status, page: 1, pageSize: 1 } } })),
      refetchInterval: HOME_POLL,
    })),
  })
}

// useRecentRuns: the newest runs with a status (since from, when given).
export function useRecentRuns(status: string, from?: string, pageSize = 10) {
  return useQuery({
    queryKey: ['runs', { from, status, page: 1, pageSize }],
    queryFn: () => answer(client.GET('/runs', { params: { query: { from, status, page: 1, pageSize } } })),
    refetchInterval: HOME_POLL,
  })
}

// usePublished: published workflows with their next fire times (the list
// carries nextRunTime), soonest first. The first 200 published workflows
// are read; a tenant with more sees the soonest of those.
export function usePublished() {
  return useQuery({
    queryKey: ['workflows', { status: 'PUBLISHED', page: 1, pageSize: 200 }],
    queryFn: () => answer(client.GET('/workflows', { params: { query: { status: 'PUBLISHED', page: 1, pageSize: 200 } } })),
    refetchInterval: 60_000,
    select: (d) => d.items.filter((w) => w.nextRunTime).sort((a, b) => Date.parse(a.nextRunTime!) - Date.parse(b.nextRunTime!)),
  })
}
