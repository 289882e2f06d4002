// The workflow list's lifecycle actions: per row 复制 / 导出 / 版本历史 in a
// 更多 menu; over the list 导入 and 导出 (the selected workflows, or all).
import { lazy, Suspense, useState } from 'react'
import { Alert, App, Button, Dropdown, Form, Input, Modal } from 'antd'
import type { WorkflowItem } from '../../api/client'
import { useI18n } from '../../lib/i18n'
import { useNavigate } from '@tanstack/react-router'
import { download, exportYAML, useCopyWorkflow } from './api'

// The import dialog (with the diff view) loads when it is opened, not with the list.
const ImportDialog = lazy(() => import('./ImportDialog'))

export function WorkflowMore({ w }: { w: WorkflowItem }) {
  const { t } = useI18n()
  const { message } = App.useApp()
  const [copy, setCopy] = useState(false)
  const navigate = useNavigate()
  async function doExport() {
    try {
      download(w.name + '.yaml', await exportYAML({ id: w.id }))
    } catch (e) {
      message.error((e as Error).message)
    }
  }
  return (
    <>
      <Dropdown trigger={['click']} menu={{
        items: [
          { key: 'copy', label: <span data-testid={'workflow-copy-' + w.name}>{t('Copy workflow')}</span> },
          { key: 'export', label: <span data-testid={'workflow-export-' + w.name}>{t('Export YAML')}</span> },
          { key: 'versions', label: <span data-testid={'workflow-versions-' + w.name}>{t('Version history')}</span> },
        ],
        onClick: (e) => (e.key === 'copy' ? setCopy(true) : e.key === 'export' ? doExport() : void navigate({ to: '/workflows/$id/versions', params: { id: w.id } })),
      }}>
        <Button size="small" type="link" data-testid={'workflow-more-' + w.name}>{t('More')}</Button>
      </Dropdown>
      {copy && <CopyDialog w={w} onClose={() => setCopy(false)} />}
    </>
  )
}

function CopyDialog({ w, onClose }: { w: WorkflowItem; onClose: () => void }) {
  const { t } = useI18n()
  const { message } = App.useApp()
  const [name, setName] = useState(w.name + '-copy')
  const [error, setError] = useState<string | null>(null)
  const copy = useCopyWorkflow()
  async function ok() {
    setError(null)
    try {
      const c = await copy.mutateAsync({ id: w.id, name })
      message.success(t('Copied to {name}', { name: c.name }))
      onClose()
    } catch (e) {
      setError((e as Error).message)
    }
  }
  return (
    <Modal open title={t('Copy workflow') + ': ' + w.name} onOk={ok} onCancel={onClose} confirmLoading={copy.isPending} okText={t('Copy')} cancelText={t('Cancel')}
      okButtonProps={{ 'data-testid': 'copy-ok' }}>
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 8 }} data-testid="copy-error" />}
      <Form layout="vertical">
        <Form.Item label={t('Name of the copy')} extra={t('The copy is a new draft with the same jobs, canvas and config; it is not published.')}>
          <Input value={name} onChange={(e) => setName(e.target.value)} onPressEnter={ok} data-testid="copy-name" />
        </Form.Item>
      </Form>
    </Modal>
  )
}

// TransferButtons: 导入, and 导出 of the selected workflows (all when none is selected).
export function TransferButtons({ selected }: { selected: WorkflowItem[] }) {
  const { t } = useI18n()
  const { message } = App.useApp()
  const [importing, setImporting] = useState(false)
  const [busy, setBusy] = useState(false)
  async function doExport() {
    setBusy(true)
    try {
      const text = await exportYAML({ names: selected.map((w) => w.name) })
      download(selected.length === 1 ? selected[0].name + '.yaml' : selected.length ? `workflows-${selected.length}.yaml` : 'workflows-all.yaml', text)
    } catch (e) {
      message.error((e as Error).message)
    } finally {
      setBusy(false)
    }
  }
  return (
    <>
      <Button onClick={() => setImporting(true)} data-testid="workflow-import">{t('Import')}</Button>
      <Button onClick={doExport} loading={busy} data-testid="workflow-export">
        {selected.length ? t('Export {n} selected', { n: selected.length }) : t('Export all')}</Button>
      {importing && <Suspense fallback={null}><ImportDialog onClose={() => setImporting(false)} /></Suspense>}
    </>
  )
}
