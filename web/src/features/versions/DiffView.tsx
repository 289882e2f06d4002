// DiffView shows the API's structured diff (versions, the draft, an import's
// dry run): jobs added, removed and changed field by field, edges, config.
import { Empty, Space, Table, Tag, Typography } from 'antd'
import type { Schemas } from '../../api/client'
import { useI18n } from '../../lib/i18n'

type Diff = Schemas['VersionDiff']
type Change = Schemas['Change']

// value shows an old or new value: text as it is (a script keeps its
// lines), anything else as JSON; an absent side as a dash.
function Value({ v }: { v: unknown }) {
  if (v === undefined || v === null) return <Typography.Text type="secondary">—</Typography.Text>
  const s = typeof v === 'string' ? v : JSON.stringify(v, null, 1)
  return <pre className="jf-diff-value">{s}</pre>
}

function Changes({ items, testid }: { items: Change[]; testid: string }) {
  const { t } = useI18n()
  return (
    <Table<Change> size="small" pagination={false} rowKey="path" dataSource={items} data-testid={testid}
      columns={[
        { title: t('Field'), dataIndex: 'path', width: 220, render: (v) => <code>{v || '-'}</code> },
        { title: t('Old'), dataIndex: 'old', render: (v) => <div className="jf-diff-old"><Value v={v} /></div> },
        { title: t('New'), dataIndex: 'new', render: (v) => <div className="jf-diff-new"><Value v={v} /></div> },
      ]} />
  )
}

export function DiffView({ diff, testid = 'diff' }: { diff: Diff; testid?: string }) {
  const { t } = useI18n()
  if (diff.identical) return <Empty description={t('No differences')} data-testid={testid + '-identical'} />
  const { jobs, edges, config } = diff
  return (
    <Space direction="vertical" style={{ width: '100%' }} data-testid={testid}>
      {(jobs.added.length > 0 || jobs.removed.length > 0) && (
        <div>
          <Typography.Title level={5}>{t('Jobs')}</Typography.Title>
          <Space wrap>
            {jobs.added.map((j) => <Tag key={'a' + j.name} color="green" data-testid={testid + '-job-added-' + j.name}>+ {j.name} ({t(j.type)})</Tag>)}
            {jobs.removed.map((j) => <Tag key={'r' + j.name} color="red" data-testid={testid + '-job-removed-' + j.name}>− {j.name} ({t(j.type)})</Tag>)}
          </Space>
        </div>
      )}
      {jobs.changed.map((j) => (
        <div key={j.id ?? j.name} data-testid={testid + '-job-changed-' + j.name}>
          <Typography.Text strong>~ {t('Job')} {j.name}</Typography.Text> <Tag>{t(j.type)}</Tag>
          <Changes items={j.changes} testid={testid + '-job-changes-' + j.name} />
        </div>
      ))}
      {(edges.added.length > 0 || edges.removed.length > 0) && (
        <div data-testid={testid + '-edges'}>
          <Typography.Title level={5}>{t('Edges')}</Typography.Title>
          <Space wrap>
            {edges.added.map((e) => <Tag key={'a' + e.from + e.to} color="green">+ {e.from} → {e.to}</Tag>)}
            {edges.removed.map((e) => <Tag key={'r' + e.from + e.to} color="red">− {e.from} → {e.to}</Tag>)}
          </Space>
        </div>
      )}
      {config.length > 0 && (
        <div data-testid={testid + '-config'}>
          <Typography.Title level={5}>{t('Config')}</Typography.Title>
          <Changes items={config} testid={testid + '-config-changes'} />
        </div>
      )}
    </Space>
  )
}
