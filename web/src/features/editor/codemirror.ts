// The CodeMirror 6 setup of the job dialog's code editor (docs/console.md#code-editor):
// what it does, its languages, the job-text variables marked in every
// language, and the Chinese of CodeMirror's own texts. Only the editor's
// chunk imports it, so none of it is in the initial load.
import { EditorState, type Extension } from '@codemirror/state'
import {
  Decoration, EditorView, MatchDecorator, ViewPlugin, crosshairCursor, drawSelection, dropCursor, highlightActiveLine,
  highlightActiveLineGutter, highlightSpecialChars, keymap, lineNumbers, rectangularSelection, type DecorationSet, type ViewUpdate,
} from '@codemirror/view'
import { defaultKeymap, history, historyKeymap, indentWithTab } from '@codemirror/commands'
import { StreamLanguage, bracketMatching, defaultHighlightStyle, indentOnInput, indentUnit, syntaxHighlighting } from '@codemirror/language'
import { highlightSelectionMatches, search, searchKeymap } from '@codemirror/search'
import { pythonLanguage } from '@codemirror/lang-python'
import { StandardSQL } from '@codemirror/lang-sql'
import { shell } from '@codemirror/legacy-modes/mode/shell'

// languageOf is the highlighting (and indentation) of a job type's text;
// anything else is plain text. The bare languages, not python() and sql():
// those add completion sources, which an editor without autocompletion
// never asks, and which would pull @codemirror/autocomplete in.
const languages: Record<string, Extension> = {
  shell: StreamLanguage.define(shell),
  python: pythonLanguage,
  sql: StandardSQL.language,
}
export function languageOf(lang: string): Extension {
  return languages[lang] ?? []
}

// Variables of job texts (${qing.*}, ${params.*}, $[yyyyMMdd]:
// docs/contract.md#23-variables) are replaced before the text runs, whatever its
// language, so they are marked in all of them.
const variable = new MatchDecorator({
  regexp: /\$\{[^}\n]*\}|\$\[[^\]\n]*\]/g,
  decoration: Decoration.mark({ class: 'cm-jf-var' }),
})
const variables = ViewPlugin.fromClass(class {
  marks: DecorationSet
  constructor(view: EditorView) { this.marks = variable.createDeco(view) }
  update(u: ViewUpdate) { this.marks = variable.updateDeco(u, this.marks) }
}, { decorations: (p) => p.marks })

// Looks like antd's inputs around it: the same border, radius and focus
// colour; grows with the text up to about 24 lines, then scrolls.
const theme = EditorView.theme({
  '&': { fontSize: '12px', border: '1px solid #d9d9d9', borderRadius: '4px', background: '#fff' },
  '&.cm-focused': { outline: 'none', borderColor: '#1677ff', boxShadow: '0 0 0 2px rgba(5,145,255,0.1)' },
  '.cm-scroller': { fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace', lineHeight: '18px', maxHeight: '440px', overflow: 'auto' },
  // At least the rows the form asks for (CodeEditor's --jf-code-rows).
  '.cm-content': { minHeight: 'calc(var(--jf-code-rows, 10) * 18px)' },
  '.cm-gutters': { background: '#fafafa', color: '#8c8c8c', borderRight: '1px solid #f0f0f0', borderRadius: '4px 0 0 4px' },
  // Over the language's own colour (a variable in a string or a comment
  // is replaced all the same).
  '.cm-jf-var, .cm-jf-var span': { color: '#8250df' },
  // The search panel at the size and look of the form's own fields
  // (CodeMirror draws it at 70–80 % of the editor's font).
  '.cm-panels': { backgroundColor: '#fafafa', color: '#262626', borderRadius: '4px 4px 0 0' },
  '.cm-panels.cm-panels-top': { borderBottom: '1px solid #f0f0f0' },
  '.cm-textfield': { fontSize: '12px', border: '1px solid #d9d9d9', borderRadius: '4px', padding: '2px 6px' },
  '.cm-button': { fontSize: '12px', backgroundImage: 'none', backgroundColor: '#fff', border: '1px solid #d9d9d9', borderRadius: '4px', padding: '1px 8px' },
  '.cm-panel.cm-search label': { fontSize: '12px' },
  // The current line is marked only while the editor has the focus.
  '&:not(.cm-focused) .cm-activeLine, &:not(.cm-focused) .cm-activeLineGutter': { backgroundColor: 'transparent' },
  '&.cm-jf-readonly': { background: '#fafafa' },
})

// basics is CodeMirror's basicSetup without what a script field does not
// want: no bracket auto-closing (typed text stays as typed), no
// autocompletion, no folding. Tab indents (indentWithTab); Esc then Tab
// leaves the editor, CodeMirror's way out for keyboard users.
export const basics: Extension = [
  lineNumbers(),
  highlightActiveLineGutter(),
  highlightSpecialChars(),
  history(),
  drawSelection(),
  dropCursor(),
  EditorState.allowMultipleSelections.of(true),
  indentOnInput(),
  indentUnit.of('    '),
  syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
  bracketMatching(),
  rectangularSelection(),
  crosshairCursor(),
  highlightActiveLine(),
  highlightSelectionMatches(),
  search({ top: true }),
  keymap.of([...defaultKeymap, ...searchKeymap, ...historyKeymap, indentWithTab]),
  EditorView.lineWrapping,
  variables,
  theme,
]

// zhPhrases is the Chinese of the texts CodeMirror shows or announces
// (the search panel, go to line, screen-reader messages); English is
// CodeMirror's own.
export const zhPhrases: Record<string, string> = {
  'Find': '查找',
  'Replace': '替换',
  'next': '下一个',
  'previous': '上一个',
  'all': '全部',
  'match case': '区分大小写',
  'regexp': '正则表达式',
  'by word': '全字匹配',
  'replace': '替换',
  'replace all': '全部替换',
  'close': '关闭',
  'current match': '当前匹配',
  'on line': '行',
  'replaced match on line $': '已替换第 $ 行的匹配',
  'replaced $ matches': '已替换 $ 处匹配',
  'Go to line': '跳转到行',
  'go': '跳转',
  'Control character': '控制字符',
  'Selection deleted': '已删除所选内容',
}
