// Beside the canvas: the node search that pans to a node, and the panel of
// the selected node with its trigger rule, allowFailure and disabled (saved
// with the canvas, docs/run-semantics.md#trigger-rules, #disabled-nodes).
import { memo, useMemo, useState } from 'react'
import { Card, Select, Switch, Typography } from 'antd'
import type { Job } from '../../api/client'
import { useI18n } from '../../lib/i18n'
import type { JobFlowNode, JobNodeData } from './JobNode'

export const TRIGGER_RULES = ['ALL_SUCCESS', 'ALL_DONE', 'ONE_SUCCESS', 'ONE_FAILED', 'NONE_FAILED'] as const

// NodeSearch depends on the jobs and the set of node ids only, so moving
// nodes does not rebuild its (up to 2,000) options.
// It offers the first matches of what is typed, not every node.
export const NodeSearch = memo(function NodeSearch({ jobs, onCanvas, onFind }: { jobs: Job[]; onCanvas: Set<string>; onFind: (id: string) => void }) {
  const { t } = useI18n()
  const [q, setQ] = useState('')
  const options = useMemo(() => {
    const lq = q.toLowerCase()
    const out: { value: string; label: string }[] = []
    for (const j of jobs) {
      if (out.length >= 50) break
      if (onCanvas.has(j.id) && j.name.toLowerCase().includes(lq)) out.push({ value: j.id, label: j.name })
    }
    return out
  }, [jobs, onCanvas, q])
  return (
    <Select size="small" showSearch={{ filterOption: false, onSearch: setQ }} placeholder={t('Find node')} style={{ width: 180 }} data-testid="node-search"
      value={null as string | null} onChange={(id) => { setQ(''); if (id) onFind(id) }} options={options} />
  )
})

export function NodePanel({ node, onChange }: { node: JobFlowNode; onChange: (id: string, patch: Partial<JobNodeData>) => void }) {
  const { t } = useI18n()
  const rule = node.data.trigger ?? 'ALL_SUCCESS'
  return (
    <Card size="small" title={node.data.name} style={{ position: 'absolute', top: 44, right: 8, zIndex: 5, width: 260 }} data-testid="node-panel"
      onKeyDown={(e) => e.stopPropagation()}>
      <div style={{ marginBottom: 4 }}>{t('Trigger rule')}</div>
      <Select size="small" style={{ width: '100%' }} value={rule} data-testid="node-trigger"
        onChange={(v) => onChange(node.id, { trigger: v === 'ALL_SUCCESS' ? undefined : v })}
        options={TRIGGER_RULES.map((r) => ({ value: r, label: t('rule.' + r) }))} />
      <Typography.Paragraph type="secondary" style={{ fontSize: 11, margin: '4px 0 8px' }}>{t('rule.' + rule + '.help')}</Typography.Paragraph>
      <label style={{ display: 'flex', alignItems: 'center', gap: 8 }}>
        <Switch size="small" checked={!!node.data.allowFailure} data-testid="node-allow-failure"
          onChange={(v) => onChange(node.id, { allowFailure: v || undefined })} />
        {t('Allow failure')}
      </label>
      <Typography.Paragraph type="secondary" style={{ fontSize: 11, margin: '4px 0 8px' }}>{t('Its failure does not fail the run; trigger rules still see it as failed.')}</Typography.Paragraph>
      <label style={{ display: 'flex', alignItems: 'center', gap: 8 }}>
        <Switch size="small" checked={!!node.data.disabled} data-testid="node-disabled"
          onChange={(v) => onChange(node.id, { disabled: v || undefined })} />
        {t('Disabled')}
      </label>
      <Typography.Paragraph type="secondary" style={{ fontSize: 11, margin: '4px 0 0' }}>{t('Never executed: its status is DISABLED, trigger rules count it as succeeded, its edges stay.')}</Typography.Paragraph>
    </Card>
  )
}
