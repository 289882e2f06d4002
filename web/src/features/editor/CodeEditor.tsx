// A small code editor with syntax highlighting: a transparent textarea over
// a highlighted <pre> of the same text. Enough for job scripts without a
// heavy editor dependency.
import { useMemo } from 'react'

const keywords: Record<string, string[]> = {
  shell: ['if', 'then', 'else', 'elif', 'fi', 'for', 'while', 'do', 'done', 'case', 'esac', 'in', 'function', 'return', 'exit', 'export', 'local', 'echo', 'set'],
  python: ['def', 'class', 'import', 'from', 'as', 'if', 'elif', 'else', 'for', 'while', 'in', 'return', 'with', 'try', 'except', 'finally', 'raise', 'print', 'None', 'True', 'False', 'and', 'or', 'not', 'lambda', 'pass'],
  sql: ['select', 'from', 'where', 'insert', 'into', 'values', 'update', 'set', 'delete', 'create', 'table', 'drop', 'alter', 'join', 'left', 'right', 'inner', 'on', 'group', 'by', 'order', 'limit', 'and', 'or', 'not', 'null', 'as', 'with', 'union', 'having', 'count'],
  text: [],
}

function escape(s: string) {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

// highlight turns source into HTML spans; only our own escaped text goes in.
export function highlight(src: string, lang: string): string {
  const kw = new Set(keywords[lang] ?? [])
  const comment = lang === 'sql' ? /--[^\n]*/y : /#[^\n]*/y
  const re = /("(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')|(\$\{[^}\n]*\}|\$\[[^\]\n]*\]|\$[A-Za-z_][A-Za-z0-9_]*)|(\b\d+(?:\.\d+)?\b)|([A-Za-z_][A-Za-z0-9_]*)/y
  let out = ''
  let i = 0
  while (i < src.length) {
    comment.lastIndex = i
    const c = comment.exec(src)
    if (c && (lang !== 'shell' || i === 0 || /\s/.test(src[i - 1]))) {
      out += '<span class="jf-c">' + escape(c[0]) + '</span>'
      i += c[0].length
      continue
    }
    re.lastIndex = i
    const m = re.exec(src)
    if (!m) {
      out += escape(src[i])
      i++
      continue
    }
    const [all, str, v, num, word] = m
    if (str) out += '<span class="jf-s">' + escape(str) + '</span>'
    else if (v) out += '<span class="jf-v">' + escape(v) + '</span>'
    else if (num) out += '<span class="jf-n">' + num + '</span>'
    else if (word && kw.has(lang === 'sql' ? word.toLowerCase() : word)) out += '<span class="jf-k">' + word + '</span>'
    else out += escape(all)
    i += all.length
  }
  return out + '\n'
}

export function CodeEditor({ value = '', onChange, lang, rows = 10, testid }: { value?: string; onChange?: (v: string) => void; lang: string; rows?: number; testid?: string }) {
  const html = useMemo(() => highlight(value, lang), [value, lang])
  return (
    <div className="jf-code" style={{ minHeight: rows * 18 + 16 }}>
      <pre aria-hidden dangerouslySetInnerHTML={{ __html: html }} />
      <textarea spellCheck={false} value={value} data-testid={testid}
        onChange={(e) => onChange?.(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Tab') {
            e.preventDefault()
            const t = e.currentTarget
            const s = t.selectionStart
            const v = t.value.slice(0, s) + '    ' + t.value.slice(t.selectionEnd)
            onChange?.(v)
            requestAnimationFrame(() => { t.selectionStart = t.selectionEnd = s + 4 })
          }
        }} />
    </div>
  )
}
