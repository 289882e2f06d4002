// The palette: one entry per job type (GET /job-types), dragged straight
// onto the canvas to add a new job of that type where it is dropped. The
// API creates a job only with its type's required settings (a script, a
// datasource, a URL…), so the drop opens the job dialog for the type; its
// save creates the job and places it at the drop point.
import { memo } from 'react'
import { Typography } from 'antd'
import { useI18n } from '../../lib/i18n'
import { useJobTypes } from './api'

export const TYPE_DRAG = 'application/x-jobflow-type'

// onPick adds a job of the type at the middle of the view (Enter on an
// entry: the keyboard's way onto the canvas).
export const Palette = memo(function Palette({ onPick }: { onPick: (type: string) => void }) {
  const { t } = useI18n()
  const types = useJobTypes()
  return (
    <div style={{ position: 'absolute', top: 8, left: 8, zIndex: 5, background: '#fff', border: '1px solid #f0f0f0', borderRadius: 6,
      padding: '4px 6px', display: 'flex', flexDirection: 'column', gap: 4, boxShadow: '0 1px 4px rgba(0,0,0,.06)' }} data-testid="palette"
      title={t('Drag a type onto the canvas to add a new job of it.')}>
      <Typography.Text type="secondary" style={{ fontSize: 11 }}>{t('Job types')}</Typography.Text>
      {(types.data ?? []).map((x) => (
        <div key={x.type} draggable tabIndex={0} role="button" onKeyDown={(e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); onPick(x.type) } }}
          className="jf-palette-item" data-testid={'palette-' + x.type} data-kind={x.kind}
          onDragStart={(e) => { e.dataTransfer.setData(TYPE_DRAG, x.type); e.dataTransfer.effectAllowed = 'copy' }}
          style={{ cursor: 'grab', fontSize: 11, padding: '2px 6px', borderRadius: 4, userSelect: 'none',
            border: '1px solid ' + (x.kind === 'CONTROL' ? '#d3adf7' : '#adc6ff'), background: x.kind === 'CONTROL' ? '#f9f0ff' : '#f0f5ff' }}>
          {x.type}
        </div>
      ))}
    </div>
  )
})
