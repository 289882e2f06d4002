// 日历: the tenant's business calendars (and the shared ones): list, create,
// edit (form and year view on one draft), import, delete.
import { useState } from 'react'
import { Alert, App, Button, Card, Popconfirm, Space, Table, Tag } from 'antd'
import { useI18n } from '../../lib/i18n'
import { session } from '../../lib/session'
import { useCalendars, useDeleteCalendar, useSaveCalendar, type Calendar } from './api'
import { CalendarForm, emptyDraft, type Draft } from './CalendarForm'
import { ImportDialog } from './ImportDialog'
import { YearView } from './YearView'

const toDraft = (c: Calendar): Draft => ({ name: c.name, timezone: c.timezone, weekdays: c.weekdays, holidays: c.holidays ?? [], workdays: c.workdays ?? [],
  remark: c.remark ?? '', shared: !!c.shared })

export default function CalendarsPage() {
  const { t } = useI18n()
  const { message } = App.useApp()
  const q = useCalendars()
  const remove = useDeleteCalendar()
  const [sel, setSel] = useState<Calendar | 'new' | null>(null)
  const [draft, setDraft] = useState<Draft | null>(null)
  const [importing, setImporting] = useState<Calendar | null>(null)
  const items = q.data?.items ?? []
  const selId = sel === 'new' ? 'new' : sel?.id
  const listed = sel && sel !== 'new' ? items.find((c) => c.id === sel.id) : undefined
  const current = sel && sel !== 'new' ? (listed && listed.version > sel.version ? listed : sel) : undefined

  function pick(c: Calendar | 'new') {
    setSel(c)
    setDraft(c === 'new' ? emptyDraft() : toDraft(c))
  }

  return (
    <Space direction="vertical" style={{ width: '100%' }} size={16}>
      <Card title={t('Calendars')} extra={<Button type="primary" onClick={() => pick('new')} data-testid="cal-add">{t('Add calendar')}</Button>}>
        {q.error && <Alert type="error" showIcon title={q.error.message} />}
        <Table<Calendar> rowKey="id" size="small" dataSource={items} loading={q.isLoading} pagination={false} data-testid="cal-table"
          rowClassName={(c) => (c.id === selId ? 'ant-table-row-selected' : '')}
          onRow={(c) => ({ 'data-testid': 'cal-row-' + c.name } as object)} columns={[
            { title: t('Name'), dataIndex: 'name', render: (v, c) => <Button type="link" size="small" style={{ padding: 0 }} onClick={() => pick(c)} data-testid={'cal-open-' + c.name}>{v}</Button> },
            { title: t('Time zone'), dataIndex: 'timezone' },
            { title: t('Version'), dataIndex: 'version', width: 80 },
            { title: t('Shared'), dataIndex: 'shared', width: 90, render: (v) => (v ? <Tag color="purple">{t('Shared')}</Tag> : '-') },
            { title: t('Remark'), dataIndex: 'remark', ellipsis: true },
            { title: t('Actions'), width: 220, render: (_, c) => (
              <Space size={4}>
                <Button size="small" type="link" onClick={() => pick(c)} data-testid={'cal-edit-' + c.name}>{t('Edit')}</Button>
                <Button size="small" type="link" onClick={() => setImporting(c)} data-testid={'cal-import-' + c.name}>{t('Import')}</Button>
                <Popconfirm title={t('Delete this calendar?')} okText={t('OK')} cancelText={t('Cancel')} okButtonProps={{ 'data-testid': 'cal-delete-ok' }}
                  onConfirm={() => remove.mutateAsync(c.id).then(() => { if (selId === c.id) { setSel(null); setDraft(null) } message.success(t('Deleted')) }, (e) => message.error(e.message))}>
                  <Button size="small" type="link" danger data-testid={'cal-delete-' + c.name}>{t('Delete')}</Button>
                </Popconfirm>
              </Space>) },
          ]} />
      </Card>
      {sel && draft && <Editor key={selId} current={current} draft={draft} setDraft={setDraft} onSaved={(c) => pick(c)} onCancel={() => { setSel(null); setDraft(null) }} />}
      {importing && <ImportDialog cal={importing} onClose={() => setImporting(null)} onImported={(c) => { if (c.id === selId) { setSel(c); setDraft(toDraft(c)) } }} />}
    </Space>
  )
}

function Editor({ current, draft, setDraft, onSaved, onCancel }: { current?: Calendar; draft: Draft; setDraft: (d: Draft) => void; onSaved: (c: Calendar) => void; onCancel: () => void }) {
  const { t } = useI18n()
  const { message } = App.useApp()
  const save = useSaveCalendar(current?.id)
  const [error, setError] = useState<string | null>(null)
  const [year, setYear] = useState(() => new Date().getFullYear())
  const sysAdmin = !!session.get()?.user.sysAdmin

  async function doSave() {
    setError(null)
    const { shared, ...rest } = draft
    try {
      const c = await save.mutateAsync(current ? rest : { ...rest, ...(shared ? { shared } : {}) })
      message.success(t('Saved'))
      onSaved(c)
    } catch (e) {
      setError((e as Error).message)
    }
  }
  // A click on a day: a day of the weekdays toggles as a holiday, another as a make-up workday.
  function toggle(date: string, _kind: string, weekdayOn: boolean) {
    const flip = (l: string[]) => (l.includes(date) ? l.filter((x) => x !== date) : [...l, date].sort())
    if (weekdayOn) setDraft({ ...draft, holidays: flip(draft.holidays), workdays: draft.workdays.filter((x) => x !== date) })
    else setDraft({ ...draft, workdays: flip(draft.workdays), holidays: draft.holidays.filter((x) => x !== date) })
  }
  return (
    <Card title={current ? t('Edit calendar') + ': ' + current.name + ' (v' + current.version + ')' : t('Add calendar')} data-testid="cal-editor"
      extra={<Space><Button onClick={onCancel} data-testid="cal-form-cancel">{t('Cancel')}</Button>
        <Button type="primary" loading={save.isPending} onClick={doSave} data-testid="cal-form-save">{t('Save')}</Button></Space>}>
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 8 }} data-testid="cal-form-error" />}
      <CalendarForm draft={draft} onChange={setDraft} canShare={sysAdmin && !current} />
      <Space style={{ margin: '8px 0' }}>
        <strong>{t('Year view')}</strong>
        <Button size="small" onClick={() => setYear(year - 1)} data-testid="cal-year-prev" aria-label={t('Previous year')}>‹</Button>
        <span data-testid="cal-year" data-year={year} style={{ minWidth: 40, textAlign: 'center', display: 'inline-block' }}>{year}</span>
        <Button size="small" onClick={() => setYear(year + 1)} data-testid="cal-year-next" aria-label={t('Next year')}>›</Button>
      </Space>
      <YearView cal={draft} year={year} onToggle={toggle} />
    </Card>
  )
}
