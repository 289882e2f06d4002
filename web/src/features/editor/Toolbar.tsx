// The editor toolbar: 运行 中止 重跑 保存 配置 发布 下线 格式化 fit, and the
// latest run with its link into the Temporal Web UI (when the API gives one).
import { useState } from 'react'
import { App, Button, Dropdown, Input, Modal, Space } from 'antd'
import type { Workflow } from '../../api/client'
import { useI18n } from '../../lib/i18n'
import { Link, createLink, useNavigate } from '@tanstack/react-router'
import { StatusTag, liveRun } from '../../lib/status'
import { formatParams, parseParams, time } from '../../lib/format'
import { useOffline, usePublish } from '../workflows/api'
import { ConfigDialog } from '../config/ConfigDialog'
import { useAbortRun, useLatestRun, useRerun, useStartRun } from './api'
import { BackfillDialog } from './BackfillDialog'

// ButtonLink is a router Link drawn as a button (antd's Button with an
// href is an anchor).
const ButtonLink = createLink(Button)

interface Props { wf: Workflow; saving: boolean; dirty: boolean; onSave: () => Promise<boolean>; onFormat: () => void; onFit: () => void }

export function Toolbar({ wf, saving, dirty, onSave, onFormat, onFit }: Props) {
  const { t } = useI18n()
  const { message, modal } = App.useApp()
  const navigate = useNavigate()
  const latest = useLatestRun(wf.id)
  const start = useStartRun(wf.id)
  const abort = useAbortRun()
  const rerun = useRerun()
  const publish = usePublish()
  const offline = useOffline()
  const [runDialog, setRunDialog] = useState(false)
  const [params, setParams] = useState('')
  const [config, setConfig] = useState(false)
  const [backfill, setBackfill] = useState(false)
  const run = latest.data
  // A paused run is still going on: it can be aborted, not rerun.
  const running = liveRun(run?.status)

  async function doRun() {
    if (dirty && !(await onSave())) return
    try {
      const r = await start.mutateAsync(parseParams(params))
      setRunDialog(false)
      if (r.status === 'SKIPPED') message.warning(t('Run skipped: the workflow concurrency limit is reached'))
      else if (r.status === 'QUEUED') message.info(t('Run queued: the workflow concurrency limit is reached'))
      else message.success(t('Run started'))
      void navigate({ to: '/runs/$id', params: { id: r.runId } })
    } catch (e) {
      message.error((e as Error).message)
    }
  }
  async function doRerun(mode: 'ALL' | 'FAILED') {
    if (!run || rerun.isPending) return
    try {
      const r = await rerun.mutateAsync({ runId: run.id, mode })
      message.success(t('Rerun started'))
      void navigate({ to: '/runs/$id', params: { id: r.runId } })
    } catch (e) {
      message.error((e as Error).message)
    }
  }
  // Publish publishes the saved draft: with unsaved edits it asks to save
  // first (保存并发布) rather than publish the older saved version.
  function askPublish() {
    if (!dirty) {
      void doPublish()
      return
    }
    modal.confirm({
      title: t('Save the changes before publishing?'),
      content: t('The canvas has unsaved changes. Publish publishes the saved draft: save first, then publish, or cancel.'),
      okText: t('Save and publish'), cancelText: t('Cancel'),
      okButtonProps: { 'data-testid': 'publish-save-ok' }, cancelButtonProps: { 'data-testid': 'publish-save-cancel' },
      onOk: async () => { if (await onSave()) await doPublish() },
    })
  }
  async function doPublish() {
    try {
      const r = await publish.mutateAsync(wf.id)
      modal.success({ title: t('Published'), content: (
        <div data-testid="publish-result">{t('Next run times')}:{(r.nextRunTimes ?? []).map((x) => <div key={x}>{time(x)}</div>)}</div>) })
    } catch (e) {
      message.error((e as Error).message)
    }
  }

  return (
    <Space wrap size={4}>
      <Button type="primary" size="small" onClick={() => { setParams(formatParams(wf.config?.params)); setRunDialog(true) }} data-testid="tb-run">{t('Run')}</Button>
      <Button size="small" danger disabled={!running} loading={abort.isPending}
        onClick={() => run && abort.mutateAsync(run.id).then(() => message.success(t('Run aborted')), (e) => message.error(e.message))} data-testid="tb-abort">{t('Abort')}</Button>
      <Dropdown disabled={!run || running || rerun.isPending} menu={{ items: [
        { key: 'ALL', label: <span data-testid="tb-rerun-all">{t('Rerun all')}</span> },
        { key: 'FAILED', label: <span data-testid="tb-rerun-failed">{t('Rerun failed')}</span> },
      ], onClick: (e) => doRerun(e.key as 'ALL' | 'FAILED') }}>
        <Button size="small" loading={rerun.isPending} data-testid="tb-rerun">{t('Rerun')}</Button>
      </Dropdown>
      <Button size="small" type={dirty ? 'primary' : 'default'} loading={saving} onClick={onSave} data-testid="tb-save">{t('Save')}</Button>
      <Button size="small" onClick={() => setConfig(true)} data-testid="tb-config">{t('Config')}</Button>
      <Button size="small" loading={publish.isPending} onClick={askPublish} data-testid="tb-publish">{t('Publish')}</Button>
      <Button size="small" disabled={wf.status !== 'PUBLISHED'} loading={offline.isPending}
        onClick={() => offline.mutateAsync(wf.id).then(() => message.success(t('Taken offline')), (e) => message.error(e.message))} data-testid="tb-offline">{t('Offline')}</Button>
      <Button size="small" disabled={wf.status !== 'PUBLISHED'} onClick={() => setBackfill(true)} data-testid="tb-backfill">{t('Backfill')}</Button>
      <ButtonLink size="small" to="/workflows/$id/versions" params={{ id: wf.id }} data-testid="tb-versions">{t('Version history')}</ButtonLink>
      <Button size="small" onClick={onFormat} data-testid="tb-format">{t('Format')}</Button>
      <Button size="small" onClick={onFit} data-testid="tb-fit">{t('Fit')}</Button>
      <Link to="/workflows/$id/history" params={{ id: wf.id }} data-testid="tb-history">{t('Run history')}</Link>
      {run && (
        <Space size={4} data-testid="tb-latest-run">
          <Link to="/runs/$id" params={{ id: run.id }} data-testid="tb-latest-run-link">{t('Latest run')}</Link>
          <StatusTag status={run.status} testid="tb-latest-run-status" />
          {run.temporalUrl && <a href={run.temporalUrl} target="_blank" rel="noreferrer" data-testid="tb-temporal">{t('Temporal Web UI')}</a>}
        </Space>
      )}
      <Modal open={runDialog} title={t('Run') + ': ' + wf.name} onCancel={() => setRunDialog(false)} onOk={doRun} okText={t('Run')} cancelText={t('Cancel')}
        confirmLoading={start.isPending} okButtonProps={{ 'data-testid': 'run-ok', disabled: start.isPending }}>
        <div>{t('Params (KEY=value per line)')}</div>
        <Input.TextArea rows={4} value={params} onChange={(e) => setParams(e.target.value)} data-testid="run-params" />
      </Modal>
      {backfill && <BackfillDialog wf={wf} open onClose={() => setBackfill(false)} />}
      {config && <ConfigDialog wf={wf} open={config} onClose={() => setConfig(false)} />}
    </Space>
  )
}
