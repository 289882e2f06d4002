import { useEffect, useState } from 'react'
import { Alert, Form, Input, Modal } from 'antd'
import type { WorkflowItem } from '../../api/client'
import { useI18n } from '../../lib/i18n'
import { useCreateWorkflow, useUpdateWorkflow } from './api'

// WorkflowFormModal adds (添加作业流) or edits (编辑) a workflow's name and
// remark; the API's message (duplicate name 409, license × tenant limit
// 403) is shown in the dialog.
export function WorkflowFormModal({ open, editing, onClose }: { open: boolean; editing?: WorkflowItem; onClose: () => void }) {
  const { t } = useI18n()
  const [form] = Form.useForm()
  const create = useCreateWorkflow()
  const update = useUpdateWorkflow()
  const [error, setError] = useState<string | null>(null)
  useEffect(() => {
    if (open) {
      form.setFieldsValue({ name: editing?.name ?? '', remark: editing?.remark ?? '' })
      setError(null)
    }
  }, [open, editing, form])
  const busy = create.isPending || update.isPending

  async function ok() {
    const v = await form.validateFields()
    setError(null)
    try {
      if (editing) await update.mutateAsync({ id: editing.id, ...v })
      else await create.mutateAsync(v)
      onClose()
    } catch (e) {
      setError((e as Error).message)
    }
  }

  return (
    <Modal open={open} title={t(editing ? 'Edit workflow' : 'Add workflow')} onOk={ok} onCancel={onClose} confirmLoading={busy}
      okText={t('Save')} cancelText={t('Cancel')} okButtonProps={{ 'data-testid': 'workflow-form-ok' }} cancelButtonProps={{ 'data-testid': 'workflow-form-cancel' }} destroyOnHidden>
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} data-testid="workflow-form-error" />}
      <Form form={form} layout="vertical">
        <Form.Item name="name" label={t('Name')} rules={[{ required: true, message: t('Required') }, { max: 100 }]}>
          <Input data-testid="workflow-form-name" />
        </Form.Item>
        <Form.Item name="remark" label={t('Remark')}>
          <Input.TextArea rows={2} data-testid="workflow-form-remark" />
        </Form.Item>
      </Form>
    </Modal>
  )
}
