// 导入: paste or upload jobflow/v1 YAML (or JSON), check it with a dry run
// (each workflow's action and diff against its draft, every problem), then
// import. Nothing is written until 导入 after a dry run without problems;
// a changed text or mode asks for a new dry run.
import { useState } from 'react'
import { Alert, App, Button, Collapse, Input, Modal, Radio, Space, Table, Tag, Typography, Upload } from 'antd'
import type { Schemas } from '../../api/client'
import { useI18n } from '../../lib/i18n'
import { Link } from '@tanstack/react-router'
import { DiffView } from '../versions/DiffView'
import '../versions/versions.css'
import { useImport, type ImportMode, type ImportResult } from './api'

type Problem = Schemas['ImportProblem']

const actionColor: Record<string, string> = { CREATE: 'green', OVERWRITE: 'blue', UNCHANGED: 'default' }
const actionWord: Record<string, string> = { CREATE: 'New workflow', OVERWRITE: 'Draft updated', UNCHANGED: 'Unchanged' }

export default function ImportDialog({ onClose }: { onClose: () => void }) {
  const { t } = useI18n()
  const { message } = App.useApp()
  const [text, setText] = useState('')
  const [mode, setMode] = useState<ImportMode>('OVERWRITE')
  const [checked, setChecked] = useState<ImportResult | null>(null)
  const [done, setDone] = useState<ImportResult | null>(null)
  const [error, setError] = useState<string | null>(null)
  const imp = useImport()

  function edit(v: string, m: ImportMode = mode) {
    setText(v); setMode(m); setChecked(null); setDone(null); setError(null)
  }
  async function run(dryRun: boolean) {
    setError(null)
    try {
      const r = await imp.mutateAsync({ document: text, mode, dryRun })
      if (dryRun) setChecked(r)
      else { setDone(r); setChecked(null); message.success(t('Imported {n} workflow(s)', { n: r.items.length })) }
    } catch (e) {
      setError((e as Error).message)
    }
  }
  const canImport = !!checked && checked.problems.length === 0 && checked.items.some((i) => i.action !== 'UNCHANGED')
  const result = done ?? checked
  return (
    <Modal open width={960} title={t('Import workflows')} onCancel={onClose} data-testid="import-dialog" footer={[
      <Button key="close" onClick={onClose} data-testid="import-close">{done ? t('Close') : t('Cancel')}</Button>,
      <Button key="dry" onClick={() => run(true)} disabled={!text.trim() || !!done} loading={imp.isPending && imp.variables?.dryRun} data-testid="import-dry-run">{t('Dry run')}</Button>,
      <Button key="ok" type="primary" onClick={() => run(false)} disabled={!canImport} loading={imp.isPending && !imp.variables?.dryRun} data-testid="import-ok">{t('Import')}</Button>,
    ]}>
      <Space direction="vertical" style={{ width: '100%' }}>
        <Typography.Text type="secondary">{t('Paste jobflow/v1 documents (YAML or JSON, several separated by ---) or choose a file. A dry run shows what would change and every problem; nothing is written before Import.')}</Typography.Text>
        <Space wrap>
          <Upload accept=".yaml,.yml,.json" showUploadList={false} beforeUpload={(f) => { f.text().then((v) => edit(v)); return false }}>
            <Button data-testid="import-upload">{t('Choose a file')}</Button>
          </Upload>
          <Radio.Group value={mode} onChange={(e) => edit(text, e.target.value)} data-testid="import-mode" optionType="button" options={[
            { value: 'OVERWRITE', label: <span data-testid="import-mode-overwrite">{t('Update existing drafts')}</span> },
            { value: 'CREATE', label: <span data-testid="import-mode-create">{t('Only new workflows')}</span> },
          ]} />
        </Space>
        <Typography.Text type="secondary">{mode === 'OVERWRITE' ? t('A workflow of the same name gets the document as its draft (jobs matched by name); what is published does not change.') : t('Every workflow must be new: a taken name is a problem.')}</Typography.Text>
        <Input.TextArea rows={10} value={text} onChange={(e) => edit(e.target.value)} placeholder={'apiVersion: jobflow/v1\nkind: Workflow\nmetadata:\n  name: …'}
          style={{ fontFamily: 'ui-monospace, Menlo, Consolas, monospace', fontSize: 12 }} data-testid="import-text" />
        {error && <Alert type="error" showIcon title={t('The server refused the document')} description={error} data-testid="import-error" />}
        {result && <Result r={result} imported={!!done} />}
      </Space>
    </Modal>
  )
}

function Result({ r, imported }: { r: ImportResult; imported: boolean }) {
  const { t } = useI18n()
  return (
    <Space direction="vertical" style={{ width: '100%' }} data-testid={imported ? 'import-done' : 'import-checked'}>
      {r.problems.length > 0 ? (
        <Alert type="error" showIcon title={t('{n} problem(s): nothing can be imported until they are fixed', { n: r.problems.length })} description={
          <Table<Problem> size="small" pagination={false} rowKey={(p) => p.workflow + p.path + p.message} dataSource={r.problems} data-testid="import-problems"
            columns={[
              { title: t('Workflow'), dataIndex: 'workflow', width: 160 },
              { title: t('Where'), dataIndex: 'path', width: 200, render: (v) => <code>{v || '-'}</code> },
              { title: t('Problem'), dataIndex: 'message' },
            ]} />} />
      ) : !imported && <Alert type="success" showIcon title={t('No problems: ready to import')} data-testid="import-ready" />}
      {r.warnings.length > 0 && <Alert type="warning" showIcon title={t('Warnings')} description={<ul style={{ margin: 0 }}>{r.warnings.map((w) => <li key={w}>{w}</li>)}</ul>} data-testid="import-warnings" />}
      <Collapse size="small" defaultActiveKey={r.items.length <= 3 ? r.items.map((i) => i.name) : []} items={r.items.map((i) => ({
        key: i.name,
        label: (
          <Space data-testid={'import-item-' + i.name}>
            <Tag color={actionColor[i.action] ?? 'default'}>{t(actionWord[i.action] ?? i.action)}</Tag>
            {imported && i.workflowId ? <Link to="/workflows/$id" params={{ id: i.workflowId }} data-testid={'import-open-' + i.name}>{i.name}</Link> : <b>{i.name}</b>}
          </Space>),
        children: i.diff ? <DiffView diff={i.diff} testid={'import-diff-' + i.name} /> : <Typography.Text type="secondary">{t('A new workflow')}</Typography.Text>,
      }))} />
    </Space>
  )
}
