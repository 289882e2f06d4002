// The FOREACH job form (docs/run-semantics.md#foreach-jobs): items as a
// JSON list or a ${…} text that gives one when the node starts (typically
// ${outputs.<job>.<key>}), the workflow each item runs, the param that
// holds the item, how many at once and the share of items that may fail.
import { Col, Form, Input, InputNumber, Row, Select, Typography } from 'antd'
import { useI18n } from '../../lib/i18n'
import { WorkflowPicker } from './WorkflowPicker'

type Cfg = Record<string, unknown>

export interface ForEachValues {
  feItems?: string
  feWorkflowId?: string
  feVersion?: string
  feParam?: string
  feMaxConcurrency?: number
  feTolerance?: number
}

export function forEachToForm(c: Cfg): ForEachValues {
  const items = c.items
  return {
    feItems: typeof items === 'string' ? items : items === undefined ? '[]' : JSON.stringify(items),
    feWorkflowId: c.workflowId as string | undefined,
    feVersion: c.version as string | undefined,
    feParam: (c.param as string) || 'item',
    feMaxConcurrency: c.maxConcurrency as number | undefined,
    feTolerance: c.failureTolerancePercent as number | undefined,
  }
}

// forEachConfig sends a text that reads as a JSON list as that list, and
// any other text as it is (the server resolves it, or says why not).
export function forEachConfig(v: ForEachValues): Cfg {
  const text = (v.feItems ?? '').trim()
  let items: unknown = text
  if (text.startsWith('[')) {
    try { items = JSON.parse(text) } catch { /* sent as text: the server names the error */ }
  }
  return { items, workflowId: v.feWorkflowId ?? '', version: v.feVersion || undefined, param: v.feParam || undefined,
    maxConcurrency: v.feMaxConcurrency || undefined, failureTolerancePercent: v.feTolerance ?? 0 }
}

export function ForEachFields({ wfId }: { wfId: string }) {
  const { t } = useI18n()
  return (<>
    <Typography.Paragraph type="secondary" style={{ fontSize: 12 }}>{t('foreach.help')}</Typography.Paragraph>
    <Form.Item name="feItems" label={t('Items')} rules={[{ required: true, message: t('Required') }]}
      extra={<span>{t('A JSON list, or a text that gives one:')} <code>{'${outputs.list.ids}'}</code></span>}>
      <Input.TextArea rows={2} placeholder='["2026-01-01", "2026-01-02"]' data-testid="fe-items" />
    </Form.Item>
    <Row gutter={12}>
      <Col span={12}><Form.Item name="feWorkflowId" label={t('Workflow per item')} rules={[{ required: true, message: t('Required') }]}>
        <WorkflowPicker testid="fe-workflow" exclude={wfId} />
      </Form.Item></Col>
      <Col span={6}><Form.Item name="feVersion" label={t('Version')}>
        <Select options={[{ value: 'PUBLISHED', label: t('Published version') }, { value: 'DRAFT', label: t('Draft') }]} data-testid="fe-version" />
      </Form.Item></Col>
      <Col span={6}><Form.Item name="feParam" label={t('Item param')} tooltip={t('The child reads the item as ${params.<name>}')}>
        <Input data-testid="fe-param" />
      </Form.Item></Col>
    </Row>
    <Row gutter={12}>
      <Col span={8}><Form.Item name="feMaxConcurrency" label={t('At most at once')}>
        <InputNumber min={1} max={500} style={{ width: '100%' }} data-testid="fe-concurrency" />
      </Form.Item></Col>
      <Col span={8}><Form.Item name="feTolerance" label={t('Failures tolerated (%)')}>
        <InputNumber min={0} max={100} style={{ width: '100%' }} data-testid="fe-tolerance" />
      </Form.Item></Col>
    </Row>
  </>)
}
