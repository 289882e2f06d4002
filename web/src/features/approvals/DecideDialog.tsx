// The approve/reject dialog: a comment (optional) and the decision.
import { useState } from 'react'
import { App, Input, Modal } from 'antd'
import { useI18n } from '../../lib/i18n'
import { useDecide } from './api'

export interface Deciding { runId: string; jobId: string; jobName: string; approve: boolean }

export function DecideDialog({ deciding, onClose }: { deciding: Deciding | null; onClose: () => void }) {
  const { t } = useI18n()
  const { message } = App.useApp()
  const decide = useDecide()
  const [comment, setComment] = useState('')
  async function doDecide() {
    if (!deciding) return
    try {
      await decide.mutateAsync({ ...deciding, comment })
      message.success(deciding.approve ? t('Approved') : t('Rejected'))
      setComment('')
      onClose()
    } catch (e) {
      message.error((e as Error).message)
    }
  }
  return (
    <Modal open={!!deciding} destroyOnHidden onCancel={onClose} onOk={doDecide} okText={deciding?.approve ? t('Approve') : t('Reject')}
      okButtonProps={{ danger: !deciding?.approve, loading: decide.isPending, 'data-testid': 'decide-ok' }} cancelText={t('Cancel')}
      title={(deciding?.approve ? t('Approve') : t('Reject')) + (deciding ? ': ' + deciding.jobName : '')}>
      <Input.TextArea rows={3} maxLength={2000} value={comment} onChange={(e) => setComment(e.target.value)} placeholder={t('Comment')} data-testid="decide-comment" />
    </Modal>
  )
}
