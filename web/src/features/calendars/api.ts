// Business calendars (业务日历): typed calls and their query keys.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { answer, client, done, type Schemas } from '../../api/client'

export type Calendar = Schemas['Calendar']
export type CalendarInput = Schemas['CalendarInput']
export type CalendarImport = Schemas['CalendarImport']

export function useCalendars() {
  return useQuery({ queryKey: ['calendars'], queryFn: () => answer(client.GET('/calendars', { params: { query: { pageSize: 200 } } })) })
}

export function useSaveCalendar(id?: string) {
  const qc = useQueryClient()
  return useMutation({
    mutationFn: (c: CalendarInput) =>
      answer(id ? client.PATCH('/calendars/{id}', { params: { path: { id } }, body: c }) : client.POST('/calendars', { body: c })),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['calendars'] }),
  })
}

export function useDeleteCalendar() {
  const qc = useQueryClient()
  return useMutation({
    mutationFn: (id: string) => done(client.DELETE('/calendars/{id}', { params: { path: { id } } })),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['calendars'] }),
  })
}

export function useImportCalendar(id: string) {
  const qc = useQueryClient()
  return useMutation({
    mutationFn: (b: CalendarImport) => answer(client.POST('/calendars/{id}/import', { params: { path: { id } }, body: b })),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['calendars'] }),
  })
}

// dayKind says what a date (YYYY-MM-DD) is in a calendar, as the server
// reads it: a make-up workday, else a holiday, else by its weekday.
export type DayKind = 'workday' | 'holiday' | 'on' | 'off'
export function dayKind(c: Pick<Calendar, 'weekdays' | 'holidays' | 'workdays'>, date: string, isoWeekday: number): DayKind {
  if (c.workdays.includes(date)) return 'workday'
  if (c.holidays.includes(date)) return 'holiday'
  return c.weekdays.includes(isoWeekday) ? 'on' : 'off'
}
