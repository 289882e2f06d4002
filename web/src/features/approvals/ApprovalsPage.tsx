// 待我审批: the WAITING approvals the user may decide, oldest first, polled.
import { useState } from 'react'
import { Alert, Button, Card, Space, Table, Tag } from 'antd'
import { useI18n } from '../../lib/i18n'
import { Link } from '@tanstack/react-router'
import { time } from '../../lib/format'
import { useApprovals, type PendingApproval } from './api'
import { DecideDialog, type Deciding } from './DecideDialog'

export default function ApprovalsPage() {
  const { t } = useI18n()
  const q = useApprovals()
  const [deciding, setDeciding] = useState<Deciding | null>(null)
  return (
    <Card title={t('Awaiting my approval')}>
      {q.error && <Alert type="error" showIcon title={q.error.message} />}
      <Table<PendingApproval> rowKey={(a) => a.runId + a.jobId} size="small" dataSource={q.data?.items ?? []} loading={q.isLoading} pagination={false}
        data-testid="approvals-table" onRow={(a) => ({ 'data-testid': 'approval-row-' + a.jobName } as object)} columns={[
          { title: t('Workflow'), dataIndex: 'workflowName' },
          { title: t('Job'), dataIndex: 'jobName' },
          { title: t('Message'), dataIndex: 'message', ellipsis: true },
          { title: t('Run ID'), dataIndex: 'runId', render: (v: string) => <Link to="/runs/$id" params={{ id: v }}>{v}</Link> },
          { title: t('Waiting since'), dataIndex: 'since', render: (v: string) => time(v) },
          { title: t('Deadline'), dataIndex: 'deadline', render: (v: string, a) => <>{time(v)} <Tag>{a.onTimeout === 'APPROVE' ? t('then approved') : t('then rejected')}</Tag></> },
          { title: t('Actions'), width: 170, render: (_, a) => (
            <Space size={4}>
              <Button size="small" type="primary" onClick={() => setDeciding({ runId: a.runId, jobId: a.jobId, jobName: a.jobName, approve: true })} data-testid={'approval-approve-' + a.jobName}>{t('Approve')}</Button>
              <Button size="small" danger onClick={() => setDeciding({ runId: a.runId, jobId: a.jobId, jobName: a.jobName, approve: false })} data-testid={'approval-reject-' + a.jobName}>{t('Reject')}</Button>
            </Space>) },
        ]} />
      <DecideDialog deciding={deciding} onClose={() => setDeciding(null)} />
    </Card>
  )
}
