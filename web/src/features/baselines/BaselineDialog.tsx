// 新建/编辑基线: name, targets (workflows of the tenant, optionally one job
// of each), finishBy, zone, margin, alarm channels and priority. The API
// checks everything; its 400 is shown on the field it names
// (details.field, e.g. finishBy or targets[1].workflowId), anything else
// above the form.
import { useState } from 'react'
import { Alert, App, Button, Col, Form, Input, InputNumber, Modal, Row, Select } from 'antd'
import { ApiError } from '../../api/client'
import { useI18n } from '../../lib/i18n'
import { zones } from '../../lib/zones'
import { useChannels } from '../config/api'
import { JobPicker } from '../editor/JobPicker'
import { WorkflowPicker } from '../editor/WorkflowPicker'
import { useSaveBaseline, type Baseline, type BaselineInput } from './api'

interface Values {
  name: string
  targets: { workflowId?: string; jobId?: string }[]
  finishBy: string
  timezone: string
  marginMinutes: number | null
  priority: number
  channelIds: string[]
}

const toValues = (b?: Baseline): Values => ({
  name: b?.name ?? '', targets: b?.targets.map((x) => ({ ...x })) ?? [{}], finishBy: b?.finishBy ?? '', timezone: b?.timezone ?? 'Asia/Shanghai',
  marginMinutes: b?.marginMinutes ?? 30, priority: b?.priority ?? 1, channelIds: b?.channelIds ?? [],
})

const toInput = (v: Values): BaselineInput => ({
  name: v.name.trim(), finishBy: v.finishBy.trim(), timezone: v.timezone, marginMinutes: v.marginMinutes ?? 0, priority: v.priority,
  channelIds: v.channelIds, targets: v.targets.map((x) => ({ workflowId: x.workflowId ?? '', ...(x.jobId ? { jobId: x.jobId } : {}) })),
})

type TopField = 'name' | 'finishBy' | 'timezone' | 'marginMinutes' | 'priority'
const topFields = new Set<string>(['name', 'finishBy', 'timezone', 'marginMinutes', 'priority'] satisfies TopField[])

// fieldPath is the form field an API field names: targets[1] and
// targets[1].workflowId are the row's workflow, channelIds[0] the channels;
// 'targets' alone is the list's own error; null when the form has none.
type FieldPath = [TopField | 'channelIds'] | ['targets', number, 'workflowId' | 'jobId']
function fieldPath(field: string): FieldPath | 'targets' | null {
  if (topFields.has(field)) return [field as TopField]
  if (field === 'targets') return 'targets'
  if (field.startsWith('channelIds')) return ['channelIds']
  const m = /^targets\[(\d+)\](?:\.(workflowId|jobId))?$/.exec(field)
  return m ? ['targets', Number(m[1]), (m[2] ?? 'workflowId') as 'workflowId' | 'jobId'] : null
}

export function BaselineDialog({ baseline, names, onClose, onSaved }: { baseline?: Baseline; names: Map<string, string>; onClose: () => void; onSaved: (b: Baseline) => void }) {
  const { t } = useI18n()
  const { message } = App.useApp()
  const save = useSaveBaseline(baseline?.id)
  const channels = useChannels()
  const [form] = Form.useForm<Values>()
  const [error, setError] = useState<string | null>(null)
  const [targetsError, setTargetsError] = useState<string | null>(null)

  // An edit clears the API's error on the field edited (antd keeps errors
  // set by hand until the field is validated, and these fields have no rules).
  function clearEdited(changed: Partial<Values>) {
    const keys = Object.keys(changed)
    const stale = form.getFieldsError().filter((f) => f.errors.length && keys.includes(String(f.name[0])))
    if (stale.length) form.setFields(stale.map((f) => ({ name: f.name as FieldPath, errors: [] })))
    if (keys.includes('targets')) setTargetsError(null)
  }

  async function doSave() {
    setError(null)
    setTargetsError(null)
    try {
      const b = await save.mutateAsync(toInput(form.getFieldsValue(true) as Values))
      message.success(t('Saved'))
      onSaved(b)
      onClose()
    } catch (e) {
      const field = e instanceof ApiError && typeof e.details.field === 'string' ? fieldPath(e.details.field) : null
      const msg = (e as Error).message
      if (field === 'targets') setTargetsError(msg)
      else if (field) form.setFields([{ name: field, errors: [msg] }])
      else setError(msg)
    }
  }
  return (
    <Modal open width={760} title={baseline ? t('Edit baseline') + ': ' + baseline.name : t('Add baseline')} onCancel={onClose} onOk={doSave}
      confirmLoading={save.isPending} okText={t('Save')} cancelText={t('Cancel')} destroyOnHidden
      okButtonProps={{ 'data-testid': 'baseline-save' }} cancelButtonProps={{ 'data-testid': 'baseline-cancel' }}>
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 8 }} data-testid="baseline-form-error" />}
      <Form form={form} layout="vertical" initialValues={toValues(baseline)} onValuesChange={clearEdited} data-testid="baseline-form">
        <Form.Item name="name" label={t('Name')} required><Input maxLength={100} data-testid="baseline-name" /></Form.Item>
        <Form.Item label={t('Targets')} required tooltip={t('baseline.targets.help')} style={{ marginBottom: 0 }}
          validateStatus={targetsError ? 'error' : undefined} help={targetsError ?? undefined}>
          <Form.List name="targets">
            {(fields, { add, remove }) => (<>
              {fields.map((f, i) => <TargetRow key={f.key} name={f.name} i={i} names={names} onRemove={fields.length > 1 ? () => remove(f.name) : undefined} />)}
              <Button size="small" onClick={() => add({})} disabled={fields.length >= 50} data-testid="baseline-target-add" style={{ marginBottom: 12 }}>{t('Add target')}</Button>
            </>)}
          </Form.List>
        </Form.Item>
        <Row gutter={12}>
          <Col span={8}><Form.Item name="finishBy" label={t('Finish by')} required tooltip={t('finishBy.help')}>
            <Input placeholder="07:30 / +1d 02:00" data-testid="baseline-finish-by" />
          </Form.Item></Col>
          <Col span={8}><Form.Item name="timezone" label={t('Time zone')}>
            <Select showSearch options={zones.map((z) => ({ value: z, label: z }))} data-testid="baseline-timezone" />
          </Form.Item></Col>
          <Col span={8}><Form.Item name="marginMinutes" label={t('Margin (min)')} tooltip={t('margin.help')}>
            <InputNumber min={0} max={1440} style={{ width: '100%' }} data-testid="baseline-margin" />
          </Form.Item></Col>
        </Row>
        <Row gutter={12}>
          <Col span={16}><Form.Item name="channelIds" label={t('Alarm channels')} tooltip={t('baseline.channels.help')}>
            <Select mode="multiple" optionFilterProp="label" loading={channels.isLoading} data-testid="baseline-channels"
              options={(channels.data?.items ?? []).map((c) => ({ value: c.id, label: c.name + ' (' + c.type + ')' }))} />
          </Form.Item></Col>
          <Col span={8}><Form.Item name="priority" label={t('Priority')} tooltip={t('baseline.priority.help')}>
            <Select data-testid="baseline-priority" options={[1, 2, 3, 4, 5].map((n) => ({ value: n, label: String(n) + (n === 1 ? ' ↑' : n === 5 ? ' ↓' : '') }))} />
          </Form.Item></Col>
        </Row>
      </Form>
    </Modal>
  )
}

// TargetRow: a workflow and, optionally, one of its jobs; picking another
// workflow clears the job.
function TargetRow({ name, i, names, onRemove }: { name: number; i: number; names: Map<string, string>; onRemove?: () => void }) {
  const form = Form.useFormInstance()
  const wf = Form.useWatch(['targets', name, 'workflowId'], form) as string | undefined
  return (
    <Row gutter={8} align="top" data-testid={'baseline-target-' + i}>
      <Col span={13}><Form.Item name={[name, 'workflowId']} style={{ marginBottom: 8 }}>
        <WorkflowPicker testid={'baseline-target-workflow-' + i} name={wf ? names.get(wf) : undefined}
          onChange={() => form.setFieldValue(['targets', name, 'jobId'], undefined)} />
      </Form.Item></Col>
      <Col span={9}><Form.Item name={[name, 'jobId']} style={{ marginBottom: 8 }}>
        <JobPicker workflowId={wf} testid={'baseline-target-job-' + i} />
      </Form.Item></Col>
      <Col span={2}>{onRemove && <Button size="small" danger onClick={onRemove} data-testid={'baseline-target-remove-' + i}>✕</Button>}</Col>
    </Row>
  )
}
