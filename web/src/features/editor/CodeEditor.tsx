// The code editor of the job dialog (scripts, SQL): CodeMirror 6
// (docs/console.md#code-editor) on a chunk of its own, which the editor page
// fetches once it has shown the canvas (preloadCodeEditor), so neither the
// initial load nor the canvas waits for it. Until it is there the field
// says it is loading; should it fail to load (the server gone), a plain
// textarea keeps the script editable rather than failing the dialog.
import { useEffect, useState, type ComponentType } from 'react'
import { Input } from 'antd'
import { useI18n } from '../../lib/i18n'

export interface CodeEditorProps {
  value?: string
  onChange?: (v: string) => void
  lang: string
  rows?: number
  testid?: string
  readOnly?: boolean
  id?: string
  'aria-label'?: string
}

let loaded: ComponentType<CodeEditorProps> | null = null
let loading: Promise<ComponentType<CodeEditorProps>> | null = null

// preloadCodeEditor starts (once) fetching the editor's chunk.
export function preloadCodeEditor(): Promise<ComponentType<CodeEditorProps>> {
  loading ??= import('./CodeMirrorEditor').then((m) => (loaded = m.CodeMirrorEditor)).catch((e: unknown) => {
    loading = null // the next dialog tries again
    throw e
  })
  return loading
}

export function CodeEditor(props: CodeEditorProps) {
  const { t } = useI18n()
  const [Editor, setEditor] = useState(() => loaded)
  const [failed, setFailed] = useState(false)
  useEffect(() => {
    if (Editor) return
    let live = true
    preloadCodeEditor().then((c) => { if (live) setEditor(() => c) }, () => { if (live) setFailed(true) })
    return () => { live = false }
  }, [Editor])
  if (Editor) return <Editor {...props} />
  const { value, onChange, rows = 10, testid, readOnly, id } = props
  if (failed) {
    return <Input.TextArea id={id} value={value} onChange={(e) => onChange?.(e.target.value)} rows={rows} readOnly={readOnly} spellCheck={false}
      aria-label={props['aria-label']} data-testid={testid} style={{ fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace', fontSize: 12 }} />
  }
  return <div aria-busy="true" style={{ height: rows * 18 + 10, border: '1px solid #d9d9d9', borderRadius: 4, padding: '4px 8px', color: '#595959', fontSize: 12 }}
    data-testid={testid ? testid + '-loading' : undefined}>{t('Loading')}…</div>
}
