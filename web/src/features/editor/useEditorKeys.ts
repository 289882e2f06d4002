// The editor's keyboard shortcuts: Ctrl+Z undo, Ctrl+Shift+Z and Ctrl+Y
// redo, Ctrl+C / Ctrl+V copy and paste jobs, Ctrl+S save (⌘ on a Mac).
// Ctrl+S never reaches the browser (its Save Page dialog); the others are
// left to text fields and open dialogs, where they mean what they always do.
import { useEffect, useRef } from 'react'

export interface EditorKeys { undo: () => void; redo: () => void; copy: () => void; paste: () => void; save: () => void }

function typing(t: EventTarget | null): boolean {
  const e = t as HTMLElement | null
  if (!e || !e.closest) return false
  return e.isContentEditable || !!e.closest('input, textarea, select, [contenteditable="true"], .ant-modal, .ant-select-dropdown')
}

export function useEditorKeys(keys: EditorKeys) {
  // The latest handlers, without re-adding the listener on every render.
  const ref = useRef(keys)
  useEffect(() => { ref.current = keys })
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (!(e.ctrlKey || e.metaKey) || e.altKey) return
      const k = e.key.toLowerCase()
      if (k === 's') {
        e.preventDefault()
        // In the job dialog Ctrl+S is not the canvas's save.
        if (!document.querySelector('.ant-modal-wrap:not([style*="display: none"]) .ant-modal')) ref.current.save()
        return
      }
      if (typing(e.target) || document.querySelector('.ant-modal-wrap:not([style*="display: none"]) .ant-modal')) return
      const h = ref.current
      if (k === 'z' && !e.shiftKey) h.undo()
      else if ((k === 'z' && e.shiftKey) || k === 'y') h.redo()
      else if (k === 'c' && !e.shiftKey) {
        // Copying page text (selected outside the canvas) stays the browser's.
        const sel = window.getSelection()
        if (sel?.toString() && !sel.anchorNode?.parentElement?.closest('.react-flow')) return
        h.copy()
      } else if (k === 'v' && !e.shiftKey) h.paste()
      else return
      e.preventDefault()
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [])
}
