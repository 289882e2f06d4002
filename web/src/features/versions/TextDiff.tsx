// TextDiff is the side-by-side line diff of two sides' text (sidetext.ts):
// unchanged runs longer than a few lines fold to one "n unchanged lines" row.
import { useMemo, useState } from 'react'
import { Alert, Button, Spin } from 'antd'
import { useI18n } from '../../lib/i18n'
import { useSide } from './api'
import { sideBySide, type Row } from './linediff'
import { sideText } from './sidetext'

const CONTEXT = 3

type Shown = Row | { kind: 'fold'; n: number; at: number }

function fold(rows: Row[], open: Set<number>): Shown[] {
  const out: Shown[] = []
  let i = 0
  while (i < rows.length) {
    if (rows[i].kind !== 'same') { out.push(rows[i++]); continue }
    let j = i
    while (j < rows.length && rows[j].kind === 'same') j++
    const lead = i === 0 ? 0 : CONTEXT, trail = j === rows.length ? 0 : CONTEXT
    if (j - i > lead + trail + 1 && !open.has(i)) {
      out.push(...rows.slice(i, i + lead), { kind: 'fold', n: j - i - lead - trail, at: i }, ...rows.slice(j - trail, j))
    } else out.push(...rows.slice(i, j))
    i = j
  }
  return out
}

export function TextDiff({ wfId, from, to }: { wfId: string; from: string; to: string }) {
  const { t } = useI18n()
  const a = useSide(wfId, from)
  const b = useSide(wfId, to)
  const [open, setOpen] = useState<Set<number>>(new Set())
  const rows = useMemo(() => (a.data && b.data ? sideBySide(sideText(a.data), sideText(b.data)) : undefined), [a.data, b.data])
  if (a.error || b.error) return <Alert type="error" showIcon title={(a.error ?? b.error)!.message} />
  if (!rows) return rows === null ? <Alert type="warning" showIcon title={t('Too many differences to show line by line')} /> : <Spin />
  const shown = fold(rows, open)
  return (
    <div className="jf-textdiff" data-testid="text-diff">
      <table>
        <tbody>
          {shown.map((r, i) => r.kind === 'fold' ? (
            <tr key={'f' + r.at} className="jf-td-fold"><td colSpan={4}>
              <Button size="small" type="link" onClick={() => setOpen(new Set(open).add(r.at))} data-testid="text-diff-unfold">
                {t('{n} unchanged lines', { n: r.n })}</Button></td></tr>
          ) : (
            <tr key={i} className={'jf-td-' + r.kind}>
              <td className="jf-td-n">{r.ln}</td><td className="jf-td-l">{r.left}</td>
              <td className="jf-td-n">{r.rn}</td><td className="jf-td-r">{r.right}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}
