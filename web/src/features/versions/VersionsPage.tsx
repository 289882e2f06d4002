// 版本历史 (/workflows/:id/versions): the published versions, newest first,
// with the draft on top; a diff between any two (structured, or the text
// side by side); restore a version into the draft, and roll back (publish
// an older version again, a new version number).
import { useEffect, useState } from 'react'
import { Alert, App, Button, Card, Input, Select, Space, Table, Tabs, Tag, Typography } from 'antd'
import type { ButtonProps } from 'antd'
import type { Schemas } from '../../api/client'
import { useI18n } from '../../lib/i18n'
import { Link } from '@tanstack/react-router'
import { StatusTag } from '../../lib/status'
import { time } from '../../lib/format'
import { useUserName } from '../audit/users'
import { DRAFT, useDiff, useDraft, useRestore, useRollback, useVersions } from './api'
import { DiffView } from './DiffView'
import { TextDiff } from './TextDiff'
import './versions.css'

type Version = Schemas['VersionSummary']
type Row = Version | { number: 0; draft: true }

export default function VersionsPage({ id }: { id: string }) {
  const { t } = useI18n()
  const { message, modal } = App.useApp()
  const who = useUserName()
  const [page, setPage] = useState(1)
  const [pageSize, setPageSize] = useState(20)
  const draft = useDraft(id)
  const q = useVersions(id, page, pageSize)
  const restore = useRestore(id)
  const rollback = useRollback(id)
  const [from, setFrom] = useState<string>()
  const [to, setTo] = useState<string>()
  const versions = q.data?.items ?? []
  // The default pair: the two newest versions, or the only one against the draft.
  useEffect(() => {
    if (from || !q.data || page !== 1) return
    const v = q.data.items
    if (v.length >= 2) { setFrom(String(v[1].number)); setTo(String(v[0].number)) } else if (v.length === 1) { setFrom(String(v[0].number)); setTo(DRAFT) }
  }, [q.data, from, page])
  const diff = useDiff(id, from, to)
  const wf = draft.data
  const label = (s?: string) => (s === DRAFT ? t('Draft') : s ? t('Version {n}', { n: s }) : '')

  function doRestore(v: Version) {
    modal.confirm({
      title: t('Restore version {n} into the draft?', { n: v.number }),
      content: t('The draft’s jobs, canvas and config become those of the version; jobs not in the version are deleted from the draft. What is published does not change.'),
      okText: t('Restore'), cancelText: t('Cancel'), okButtonProps: { 'data-testid': 'restore-ok' } as ButtonProps,
      onOk: async () => {
        try {
          await restore.mutateAsync({ n: v.number, revision: wf?.revision })
          message.success({ content: t('Version {n} restored into the draft', { n: v.number }), className: 'jf-restored' })
          setFrom(String(v.number)); setTo(DRAFT)
        } catch (e) {
          message.error((e as Error).message)
        }
      },
    })
  }
  function doRollback(v: Version) {
    let note = t('Rollback to version {n}', { n: v.number })
    modal.confirm({
      title: t('Roll back to version {n}?', { n: v.number }),
      width: 520,
      content: (
        <Space direction="vertical" style={{ width: '100%' }}>
          <span>{t('The version is restored into the draft and published as a new version: schedules and runs use it from now on.')}</span>
          <Input defaultValue={note} onChange={(e) => { note = e.target.value }} addonBefore={t('Note')} data-testid="rollback-note" />
        </Space>
      ),
      okText: t('Roll back'), cancelText: t('Cancel'), okButtonProps: { danger: true, 'data-testid': 'rollback-ok' } as ButtonProps,
      onOk: async () => {
        try {
          const r = await rollback.mutateAsync({ n: v.number, revision: wf?.revision, note })
          message.success({ content: t('Published as version {n}', { n: r.version?.number ?? '?' }), className: 'jf-rolled-back' })
        } catch (e) {
          message.error((e as Error).message)
        }
      },
    })
  }

  const sides = [{ value: DRAFT, label: t('Draft') }, ...versions.map((v) => ({ value: String(v.number), label: t('Version {n}', { n: v.number }) }))]
  const rows: Row[] = page === 1 ? [{ number: 0, draft: true }, ...versions] : versions
  return (
    <Space direction="vertical" style={{ width: '100%' }} size={16}>
      <Card data-testid="versions-page" title={
        <Space>
          <span>{t('Version history')}</span>
          {wf && <Link to="/workflows/$id" params={{ id: id }} data-testid="versions-back">{wf.name}</Link>}
          {wf && <StatusTag status={wf.status} testid="versions-wf-status" />}
        </Space>}>
        {(q.error || draft.error) && <Alert type="error" showIcon title={(q.error ?? draft.error)!.message} data-testid="versions-error" />}
        <Table<Row> size="small" rowKey={(r) => ('draft' in r ? 'draft' : r.id)} loading={q.isFetching && !q.data} dataSource={rows} data-testid="versions-table"
          onRow={(r) => ({ 'data-testid': 'version-row-' + ('draft' in r ? 'draft' : r.number) } as object)}
          pagination={{ current: page, pageSize, total: q.data?.total, showSizeChanger: true, onChange: (p, s) => { setPage(p); setPageSize(s) } }}
          columns={[
            { title: t('Version'), width: 150, render: (_, r) => 'draft' in r ? <Tag data-testid="version-draft">{t('Draft')}</Tag> : (
              <Space size={4}><b>v{r.number}</b>{r.current && <Tag color="green" data-testid={'version-current-' + r.number}>{t('Published version')}</Tag>}</Space>) },
            { title: t('Published by'), width: 180, render: (_, r) => 'draft' in r ? who(wf?.updatedBy) : who(r.publishedBy) },
            { title: t('Time'), width: 180, render: (_, r) => 'draft' in r ? time(wf?.updatedAt) : time(r.publishedAt) },
            { title: t('Jobs'), width: 70, render: (_, r) => 'draft' in r ? (wf ? wf.canvas.nodes.length : '') : r.jobCount },
            { title: t('Note'), render: (_, r) => 'draft' in r ? <Typography.Text type="secondary">{t('Unpublished changes are compared here')}</Typography.Text> : r.note || '-' },
            { title: t('Actions'), width: 300, render: (_, r) => {
              const key = 'draft' in r ? DRAFT : String(r.number)
              return (
                <Space size={4}>
                  <Button size="small" type={from === key ? 'primary' : 'default'} onClick={() => setFrom(key)} data-testid={'diff-from-' + key}>{t('From')}</Button>
                  <Button size="small" type={to === key ? 'primary' : 'default'} onClick={() => setTo(key)} data-testid={'diff-to-' + key}>{t('To')}</Button>
                  {!('draft' in r) && <Button size="small" type="link" onClick={() => doRestore(r)} data-testid={'version-restore-' + r.number}>{t('Restore')}</Button>}
                  {!('draft' in r) && !r.current && <Button size="small" type="link" danger onClick={() => doRollback(r)} data-testid={'version-rollback-' + r.number}>{t('Roll back')}</Button>}
                </Space>
              )
            } },
          ]} />
        {q.data && q.data.total === 0 && <Alert type="info" showIcon title={t('No version yet: every publish makes one.')} data-testid="versions-none" />}
      </Card>
      <Card data-testid="versions-diff" title={
        <Space wrap>
          <span>{t('Compare')}</span>
          <Select size="small" value={from} onChange={setFrom} options={sides} style={{ width: 130 }} data-testid="diff-from" placeholder={t('From')} />
          <span>→</span>
          <Select size="small" value={to} onChange={setTo} options={sides} style={{ width: 130 }} data-testid="diff-to" placeholder={t('To')} />
        </Space>}>
        {!from || !to ? <Typography.Text type="secondary">{t('Pick two sides to compare: From and To in the table.')}</Typography.Text>
          : from === to ? <Typography.Text type="secondary">{t('The same side on both ends.')}</Typography.Text>
          : (
            <Tabs items={[
              { key: 'structured', label: <span data-testid="diff-tab-structured">{t('Changes')}</span>, children: diff.error ? <Alert type="error" showIcon title={diff.error.message} />
                : diff.data ? <><Typography.Paragraph type="secondary">{label(from)} → {label(to)}</Typography.Paragraph><DiffView diff={diff.data} /></> : <Typography.Text>…</Typography.Text> },
              { key: 'text', label: <span data-testid="diff-tab-text">{t('Side by side')}</span>, children: <TextDiff wfId={id} from={from} to={to} /> },
            ]} />
          )}
      </Card>
    </Space>
  )
}
