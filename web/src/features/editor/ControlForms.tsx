// The job forms of the control types (docs/run-semantics.md), written
// against their configs (package jobtypes): CONDITION {cases: [{when, to}],
// default}, SUBFLOW {workflowId, version, params, wait}, DEPENDENT {items:
// [{workflowId, jobId?, window}], relation, timeoutSeconds, onUpstreamFail},
// APPROVAL {approvers: {roles, users}, timeoutSeconds, onTimeout, message};
// FOREACH's form is ForEachForm.tsx.
// Defaults come from the server's registry (useJobTypes): a field left
// empty is left out, and the server fills its default.
import { Button, Col, Form, Input, InputNumber, Row, Select, Space, Switch, Typography } from 'antd'
import type { Job } from '../../api/client'
import { useI18n } from '../../lib/i18n'
import { formatParams, parseParams } from '../../lib/format'
import { ForEachFields, forEachConfig, forEachToForm, type ForEachValues } from './ForEachForm'
import { JobPicker } from './JobPicker'
import { WorkflowPicker } from './WorkflowPicker'
import { useWord } from '../enums/words'

export const WINDOWS = ['today', 'yesterday', 'thisHour', 'lastHour', 'lastNHours', 'thisWeek', 'lastWeek', 'thisMonth', 'lastMonth', 'lastNDays']
const withN = new Set(['lastNHours', 'lastNDays'])

type Cfg = Record<string, unknown>
export interface ControlValues extends ForEachValues {
  cases: { when: string; to: string[] }[]
  defaultTo: string[]
  subWorkflowId?: string
  subVersion?: string
  subParams: string
  subWait?: boolean
  depItems: { workflowId?: string; jobId?: string; window: string; n?: number }[]
  depRelation?: string
  depTimeout?: number
  depOnFail?: string
  depInterval?: number
  apRoles: string[]
  apUsers: string[]
  apTimeout?: number
  apOnTimeout?: string
  apMessage?: string
}

// controlToForm reads a control job's config into the form's fields.
export function controlToForm(c: Cfg): ControlValues {
  const items = (c.items as { workflowId: string; jobId?: string; window: string }[]) ?? []
  return {
    cases: ((c.cases as { when: string; to: string[] }[]) ?? []).map((x) => ({ when: x.when, to: x.to ?? [] })),
    defaultTo: (c.default as string[]) ?? [],
    subWorkflowId: c.workflowId as string | undefined,
    subVersion: c.version as string | undefined,
    subParams: formatParams(c.params as Record<string, string>),
    subWait: c.wait as boolean | undefined,
    depItems: items.map((it) => {
      const [w, n] = (it.window ?? 'today').split(':')
      return { workflowId: it.workflowId, jobId: it.jobId || undefined, window: w, n: n ? Number(n) : undefined }
    }),
    depRelation: c.relation as string | undefined,
    depTimeout: c.timeoutSeconds as number | undefined,
    depOnFail: c.onUpstreamFail as string | undefined,
    depInterval: (c.checkIntervalSeconds as number) || undefined,
    apRoles: ((c.approvers as { roles?: string[] })?.roles) ?? ['TENANT_ADMIN'],
    apUsers: ((c.approvers as { users?: string[] })?.users) ?? [],
    apTimeout: c.timeoutSeconds as number | undefined,
    apOnTimeout: c.onTimeout as string | undefined,
    apMessage: (c.message as string) ?? '',
    ...forEachToForm(c),
  }
}

// controlConfig is the config the API takes for a control job.
export function controlConfig(type: string, v: ControlValues): Cfg {
  switch (type) {
    case 'CONDITION':
      return { cases: (v.cases ?? []).map((c) => ({ when: c.when ?? '', to: c.to ?? [] })), default: v.defaultTo ?? [] }
    case 'APPROVAL':
      return { approvers: { roles: v.apRoles ?? [], users: v.apUsers ?? [] }, timeoutSeconds: v.apTimeout ?? 0, onTimeout: v.apOnTimeout || undefined, message: v.apMessage ?? '' }
    case 'FOREACH':
      return forEachConfig(v)
    case 'SUBFLOW':
      return { workflowId: v.subWorkflowId ?? '', version: v.subVersion || undefined, ...(v.subParams?.trim() ? { params: parseParams(v.subParams) } : {}), wait: v.subWait }
    default:
      return {
        items: (v.depItems ?? []).map((it) => ({ workflowId: it.workflowId ?? '', ...(it.jobId ? { jobId: it.jobId } : {}),
          window: withN.has(it.window) ? it.window + ':' + (it.n ?? 1) : it.window })),
        relation: v.depRelation || undefined, timeoutSeconds: v.depTimeout, onUpstreamFail: v.depOnFail || undefined,
        ...(v.depInterval ? { checkIntervalSeconds: v.depInterval } : {}),
      }
  }
}

interface Props { type: string; jobId?: string; wfId: string; jobs: Job[]; childrenOf: Map<string, string[]> }

export function ControlFields({ type, jobId, wfId, jobs, childrenOf }: Props) {
  const { t } = useI18n()
  const word = useWord()
  const kids = new Set(jobId ? childrenOf.get(jobId) ?? [] : [])
  // The case targets must be the node's children on the canvas (checked on
  // save); the children come first, the other jobs follow.
  const targets = [...jobs].filter((j) => j.id !== jobId).sort((a, b) => Number(kids.has(b.id)) - Number(kids.has(a.id)))
    .map((j) => ({ value: j.id, label: j.name + (kids.has(j.id) ? '' : ' (' + t('not a child') + ')') }))
  if (type === 'CONDITION') {
    return (<>
      <Typography.Paragraph type="secondary" style={{ fontSize: 12 }}>
        {t('The first case whose expression is true chooses its children; none true chooses the default. Children not chosen are NOT_SELECTED.')}
        {' '}<code>outputs.check.rowCount &gt; 0 &amp;&amp; params.mode == &quot;full&quot;</code>
      </Typography.Paragraph>
      <Form.List name="cases">
        {(fields, { add, remove }) => (<>
          {fields.map((f, i) => (
            <Row gutter={8} key={f.key} align="top">
              <Col span={13}><Form.Item name={[f.name, 'when']} label={i === 0 ? t('When') : undefined} rules={[{ required: true, message: t('Required') }]}>
                <Input placeholder="params.mode == 'full'" data-testid={'cond-when-' + i} />
              </Form.Item></Col>
              <Col span={9}><Form.Item name={[f.name, 'to']} label={i === 0 ? t('Run children') : undefined}>
                <Select mode="multiple" options={targets} optionFilterProp="label" data-testid={'cond-to-' + i} />
              </Form.Item></Col>
              <Col span={2}><Button size="small" danger style={{ marginTop: i === 0 ? 30 : 0 }} onClick={() => remove(f.name)} data-testid={'cond-remove-' + i}>✕</Button></Col>
            </Row>
          ))}
          <Button size="small" onClick={() => add({ when: '', to: [] })} data-testid="cond-add" style={{ marginBottom: 12 }}>{t('Add case')}</Button>
        </>)}
      </Form.List>
      <Form.Item name="defaultTo" label={t('Default (no case true)')}>
        <Select mode="multiple" options={targets} optionFilterProp="label" data-testid="cond-default" />
      </Form.Item>
    </>)
  }
  if (type === 'APPROVAL') {
    return (<>
      <Typography.Paragraph type="secondary" style={{ fontSize: 12 }}>{t('approval.help')}</Typography.Paragraph>
      <Row gutter={12}>
        <Col span={10}><Form.Item name="apRoles" label={t('Approver roles')}>
          <Select mode="multiple" options={['TENANT_ADMIN', 'MEMBER'].map((r) => ({ value: r, label: word('role', r), title: r }))} data-testid="ap-roles" />
        </Form.Item></Col>
        <Col span={14}><Form.Item name="apUsers" label={t('Approver users (user ids)')}>
          <Select mode="tags" tokenSeparators={[',', ' ']} open={false} data-testid="ap-users" />
        </Form.Item></Col>
      </Row>
      <Row gutter={12}>
        <Col span={8}><Form.Item name="apTimeout" label={t('Wait timeout (s)')} tooltip={t('0: 24 h')}>
          <InputNumber min={0} style={{ width: '100%' }} data-testid="ap-timeout" />
        </Form.Item></Col>
        <Col span={8}><Form.Item name="apOnTimeout" label={t('On timeout')}>
          <Select options={[{ value: 'REJECT', label: t('Reject') }, { value: 'APPROVE', label: t('Approve') }]} data-testid="ap-ontimeout" />
        </Form.Item></Col>
      </Row>
      <Form.Item name="apMessage" label={t('Message to the approvers')}><Input.TextArea rows={2} data-testid="ap-message" /></Form.Item>
    </>)
  }
  if (type === 'FOREACH') return <ForEachFields wfId={wfId} />
  if (type === 'SUBFLOW') {
    return (<>
      <Row gutter={12}>
        <Col span={12}><Form.Item name="subWorkflowId" label={t('Workflow')} rules={[{ required: true, message: t('Required') }]}>
          <WorkflowPicker testid="sub-workflow" exclude={wfId} />
        </Form.Item></Col>
        <Col span={6}><Form.Item name="subVersion" label={t('Version')}>
          <Select options={[{ value: 'PUBLISHED', label: t('Published version') }, { value: 'DRAFT', label: t('Draft') }]} data-testid="sub-version" />
        </Form.Item></Col>
        <Col span={6}><Form.Item name="subWait" label={t('Wait for it')} valuePropName="checked"><Switch data-testid="sub-wait" /></Form.Item></Col>
      </Row>
      <Form.Item name="subParams" label={t('Params (KEY=value per line)')} extra={t('Values may use ${…}: params, variables, outputs of ancestors.')}>
        <Input.TextArea rows={3} data-testid="sub-params" />
      </Form.Item>
    </>)
  }
  return (<>
    <Typography.Paragraph type="secondary" style={{ fontSize: 12 }}>
      {t('Waits (WAITING, holding no parallelism slot) until the named workflows or jobs have a SUCCESS run whose logical time is in the window of this run’s logical time.')}
    </Typography.Paragraph>
    <Form.List name="depItems">
      {(fields, { add, remove }) => (<>
        {fields.map((f, i) => <DependentItemRow key={f.key} name={f.name} i={i} onRemove={() => remove(f.name)} />)}
        <Button size="small" onClick={() => add({ window: 'today' })} data-testid="dep-add" style={{ marginBottom: 12 }}>{t('Add dependency')}</Button>
      </>)}
    </Form.List>
    <Row gutter={12}>
      <Col span={6}><Form.Item name="depRelation" label={t('Relation')}>
        <Select options={[{ value: 'AND', label: t('Every item (AND)'), title: 'AND' }, { value: 'OR', label: t('Any item (OR)'), title: 'OR' }]} data-testid="dep-relation" />
      </Form.Item></Col>
      <Col span={6}><Form.Item name="depTimeout" label={t('Wait timeout (s)')} tooltip={t('0: the job’s timeout, else 24 h')}>
        <InputNumber min={0} style={{ width: '100%' }} data-testid="dep-timeout" />
      </Form.Item></Col>
      <Col span={6}><Form.Item name="depOnFail" label={t('Upstream failed')}>
        <Select options={[{ value: 'FAIL', label: t('Fail') }, { value: 'WAIT', label: t('Keep waiting') }]} data-testid="dep-onfail" />
      </Form.Item></Col>
      <Col span={6}><Form.Item name="depInterval" label={t('Check every (s)')}>
        <InputNumber min={1} style={{ width: '100%' }} />
      </Form.Item></Col>
    </Row>
  </>)
}

function DependentItemRow({ name, i, onRemove }: { name: number; i: number; onRemove: () => void }) {
  const { t } = useI18n()
  const form = Form.useFormInstance()
  const wf = Form.useWatch(['depItems', name, 'workflowId'], form) as string | undefined
  const win = Form.useWatch(['depItems', name, 'window'], form) as string | undefined
  return (
    <Space align="start" style={{ display: 'flex' }} data-testid={'dep-item-' + i}>
      <Form.Item name={[name, 'workflowId']} label={i === 0 ? t('Workflow') : undefined} rules={[{ required: true, message: t('Required') }]} style={{ width: 200 }}>
        <WorkflowPicker testid={'dep-workflow-' + i} />
      </Form.Item>
      <Form.Item name={[name, 'jobId']} label={i === 0 ? t('Job (optional)') : undefined} style={{ width: 170 }}>
        <JobPicker workflowId={wf} testid={'dep-job-' + i} />
      </Form.Item>
      <Form.Item name={[name, 'window']} label={i === 0 ? t('Window') : undefined} style={{ width: 150 }}>
        <Select options={WINDOWS.map((w) => ({ value: w, label: t('window.' + w) }))} data-testid={'dep-window-' + i} />
      </Form.Item>
      {withN.has(win ?? '') && (
        <Form.Item name={[name, 'n']} label={i === 0 ? 'N' : undefined} initialValue={1} style={{ width: 70 }}>
          <InputNumber min={1} max={win === 'lastNHours' ? 720 : 366} data-testid={'dep-n-' + i} />
        </Form.Item>
      )}
      <Button size="small" danger style={{ marginTop: i === 0 ? 30 : 0 }} onClick={onRemove}>✕</Button>
    </Space>
  )
}
