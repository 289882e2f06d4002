// CodeMirror 6 as an antd form control (docs/console.md#code-editor):
// value in and onChange out, as the textarea it replaced. Line numbers,
// search (Ctrl+F), undo/redo, Tab indents (Esc then Tab leaves the editor),
// highlighting per language, read-only on demand. Loaded on its own chunk
// by CodeEditor.tsx.
import { useLayoutEffect, useMemo, useRef, type CSSProperties } from 'react'
import { Annotation, Compartment, EditorState, Transaction } from '@codemirror/state'
import { EditorView } from '@codemirror/view'
import { useI18n } from '../../lib/i18n'
import { basics, languageOf, zhPhrases } from './codemirror'
import type { CodeEditorProps } from './CodeEditor'

// external marks the transactions that carry the form's value in.
const external = Annotation.define<boolean>()

// Layout effects: the editor has its text, language and words before the
// first paint, not an empty frame first.
export function CodeMirrorEditor({ value = '', onChange, lang, rows = 10, testid, readOnly = false, id, 'aria-label': ariaLabel }: CodeEditorProps) {
  const { lang: ui } = useI18n()
  const host = useRef<HTMLDivElement>(null)
  const view = useRef<EditorView | null>(null)
  const changed = useRef(onChange)
  useLayoutEffect(() => { changed.current = onChange })
  const slots = useMemo(() => ({ language: new Compartment(), phrases: new Compartment(), readOnly: new Compartment(), attrs: new Compartment() }), [])

  useLayoutEffect(() => {
    const v = new EditorView({
      parent: host.current!,
      state: EditorState.create({
        extensions: [
          basics, slots.language.of([]), slots.phrases.of([]), slots.readOnly.of([]), slots.attrs.of([]),
          EditorView.updateListener.of((u) => {
            // The form's own value coming back is not an edit to report.
            if (u.docChanged && !u.transactions.every((tr) => tr.annotation(external))) changed.current?.(u.state.doc.toString())
          }),
        ],
      }),
    })
    // Esc is the editor's (close the search panel; then Tab leaves the
    // editor), not the dialog's: antd closes a Modal on an Esc that reaches
    // the window, and would throw the typed script away.
    v.dom.addEventListener('keydown', (e) => { if (e.key === 'Escape') e.stopPropagation() })
    view.current = v
    return () => { v.destroy(); view.current = null }
  }, [slots])

  useLayoutEffect(() => {
    view.current?.dispatch({ effects: slots.language.reconfigure(languageOf(lang)) })
  }, [lang, slots])
  useLayoutEffect(() => {
    view.current?.dispatch({ effects: slots.phrases.reconfigure(ui === 'zh' ? EditorState.phrases.of(zhPhrases) : []) })
  }, [ui, slots])
  useLayoutEffect(() => {
    view.current?.dispatch({
      effects: slots.readOnly.reconfigure(readOnly
        ? [EditorState.readOnly.of(true), EditorView.editable.of(false), EditorView.editorAttributes.of({ class: 'cm-jf-readonly' })]
        : []),
    })
  }, [readOnly, slots])
  useLayoutEffect(() => {
    // The test id, the form's field id and the label go on the editable
    // element: what a click, a label and a screen reader reach.
    const attrs: Record<string, string> = {}
    if (testid) attrs['data-testid'] = testid
    if (id) attrs.id = id
    if (ariaLabel) attrs['aria-label'] = ariaLabel
    view.current?.dispatch({ effects: slots.attrs.reconfigure(EditorView.contentAttributes.of(attrs)) })
  }, [testid, id, ariaLabel, slots])
  useLayoutEffect(() => {
    // The form sets the value (a job loaded, a reset): replace the text,
    // outside the undo history, unless it is what the editor already has.
    const v = view.current
    if (!v || v.state.doc.toString() === value) return
    v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: value }, annotations: [external.of(true), Transaction.addToHistory.of(false)] })
  }, [value])

  return <div ref={host} className="jf-code" style={{ '--jf-code-rows': rows } as CSSProperties} data-testid={testid ? testid + '-editor' : undefined} data-lang={lang} />
}
