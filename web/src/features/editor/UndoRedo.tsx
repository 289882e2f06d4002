// The undo and redo buttons beside the toolbar (Ctrl+Z, Ctrl+Shift+Z).
import { Button, Space, Tooltip } from 'antd'
import { useI18n } from '../../lib/i18n'

const mac = /Mac|iPhone|iPad/.test(navigator.platform)
const mod = mac ? '⌘' : 'Ctrl+'

export function UndoRedo({ canUndo, canRedo, onUndo, onRedo }: { canUndo: boolean; canRedo: boolean; onUndo: () => void; onRedo: () => void }) {
  const { t } = useI18n()
  return (
    <Space.Compact size="small">
      <Tooltip title={t('Undo') + ' (' + mod + 'Z)'}>
        <Button size="small" disabled={!canUndo} onClick={onUndo} aria-label={t('Undo')} data-testid="tb-undo">↶ {t('Undo')}</Button>
      </Tooltip>
      <Tooltip title={t('Redo') + ' (' + mod + (mac ? '⇧Z' : 'Shift+Z') + ')'}>
        <Button size="small" disabled={!canRedo} onClick={onRedo} aria-label={t('Redo')} data-testid="tb-redo">↷ {t('Redo')}</Button>
      </Tooltip>
    </Space.Compact>
  )
}
