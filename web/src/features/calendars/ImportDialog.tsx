// 导入: paste an ICS file or a yearly list into a calendar, merging or
// replacing its days; shows what the API answered (the new version and
// counts) or its error with details.
import { useState } from 'react'
import { Alert, Input, Modal, Radio, Space, Typography } from 'antd'
import { ApiError } from '../../api/client'
import { useI18n } from '../../lib/i18n'
import { useImportCalendar, type Calendar, type CalendarImport } from './api'

export function ImportDialog({ cal, onClose, onImported }: { cal: Calendar; onClose: () => void; onImported: (c: Calendar) => void }) {
  const { t } = useI18n()
  const imp = useImportCalendar(cal.id)
  const [format, setFormat] = useState<NonNullable<CalendarImport['format']>>('LIST')
  const [mode, setMode] = useState<CalendarImport['mode']>('MERGE')
  const [content, setContent] = useState('')
  const [result, setResult] = useState<Calendar | null>(null)
  const [error, setError] = useState<ApiError | Error | null>(null)

  async function ok() {
    if (result) return onClose()
    setError(null)
    try {
      const c = await imp.mutateAsync({ format, mode, content })
      setResult(c)
      onImported(c)
    } catch (e) {
      setError(e as Error)
    }
  }
  const details = error instanceof ApiError && Object.keys(error.details).length ? JSON.stringify(error.details, null, 1) : ''
  return (
    <Modal open title={t('Import') + ': ' + cal.name} onOk={ok} onCancel={onClose} okText={result ? t('Close') : t('Import')} cancelText={t('Cancel')}
      confirmLoading={imp.isPending} okButtonProps={{ disabled: !result && !content.trim(), ...({ 'data-testid': 'cal-import-ok' } as object) }} width={640}>
      <Space direction="vertical" style={{ width: '100%' }}>
        <Radio.Group value={format} onChange={(e) => { setFormat(e.target.value); setResult(null) }} optionType="button" size="small" options={[
          { value: 'LIST', label: <span data-testid="cal-import-format-LIST">{t('Yearly list')}</span> },
          { value: 'ICS', label: <span data-testid="cal-import-format-ICS">ICS</span> }]} />
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {format === 'LIST' ? t('One date a line: 2026-10-01 [HOLIDAY|WORKDAY]; # starts a comment.') : t('Every all-day VEVENT is a holiday; a SUMMARY with 班/补班/workday makes it a make-up workday.')}
        </Typography.Text>
        <Radio.Group value={mode} onChange={(e) => { setMode(e.target.value); setResult(null) }} options={[
          { value: 'MERGE', label: <span data-testid="cal-import-mode-MERGE">{t('Merge into the current days')}</span> },
          { value: 'REPLACE', label: <span data-testid="cal-import-mode-REPLACE">{t('Replace holidays and make-up workdays')}</span> }]} />
        <Input.TextArea rows={8} value={content} onChange={(e) => { setContent(e.target.value); setResult(null) }} data-testid="cal-import-content"
          placeholder={format === 'LIST' ? '2026-10-01\n2026-10-11 WORKDAY' : 'BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART;VALUE=DATE:20261001\nSUMMARY:国庆节\nEND:VEVENT\nEND:VCALENDAR'}
          style={{ fontFamily: 'monospace' }} />
        {error && <Alert type="error" showIcon data-testid="cal-import-error" title={error.message}
          description={details ? <pre style={{ margin: 0, whiteSpace: 'pre-wrap' }}>{details}</pre> : undefined} />}
        {result && <Alert type="success" showIcon data-testid="cal-import-result" data-version={result.version}
          title={t('Imported: version {v}, {h} holidays, {w} make-up workdays', { v: result.version, h: result.holidays.length, w: result.workdays.length })} />}
      </Space>
    </Modal>
  )
}
