// A line diff (Myers' O(ND) algorithm) for the side-by-side text view of two
// versions: small enough to keep instead of a diff library. The common head
// and tail are cut first, so a few edits in a large workflow stay cheap; a
// diff of more than MAX_D edits gives up (null) rather than hang the tab.
export type Row = { kind: 'same' | 'changed' | 'del' | 'add'; left?: string; right?: string; ln?: number; rn?: number }

const MAX_D = 3000

// script returns the edit script of a → b as ('=' | '-' | '+', index) pairs.
function script(a: string[], b: string[]): ['=' | '-' | '+', number, number][] | null {
  const n = a.length, m = b.length
  const max = n + m
  const off = max + 1
  const v = new Int32Array(2 * max + 3)
  const trace: Int32Array[] = []
  let found = -1
  for (let d = 0; d <= Math.min(max, MAX_D); d++) {
    // v before step d, for k in [-(d+1), d+1]
    trace.push(v.slice(off - d - 1, off + d + 2))
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && v[off + k - 1] < v[off + k + 1]) ? v[off + k + 1] : v[off + k - 1] + 1
      let y = x - k
      while (x < n && y < m && a[x] === b[y]) { x++; y++ }
      v[off + k] = x
      if (x >= n && y >= m) { found = d; break }
    }
    if (found >= 0) break
  }
  if (found < 0) return null
  const out: ['=' | '-' | '+', number, number][] = []
  let x = n, y = m
  for (let d = found; d >= 0; d--) {
    const t = trace[d]
    const at = (k: number) => t[k + d + 1]
    const k = x - y
    const pk = k === -d || (k !== d && at(k - 1) < at(k + 1)) ? k + 1 : k - 1
    const px = d === 0 ? 0 : at(pk)
    const py = d === 0 ? 0 : px - pk
    while (x > px && y > py) { out.push(['=', x - 1, y - 1]); x--; y-- }
    if (d > 0) {
      if (x === px) { out.push(['+', x, y - 1]); y-- } else { out.push(['-', x - 1, y]); x-- }
    }
  }
  return out.reverse()
}

// sideBySide pairs the lines of a and b into rows: unchanged lines on both
// sides, a run of removed lines next to the run of added lines that
// replaces it. null: too different to diff.
export function sideBySide(a: string[], b: string[]): Row[] | null {
  let head = 0
  while (head < a.length && head < b.length && a[head] === b[head]) head++
  let tail = 0
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++
  const mid = script(a.slice(head, a.length - tail), b.slice(head, b.length - tail))
  if (!mid) return null
  const rows: Row[] = []
  for (let i = 0; i < head; i++) rows.push({ kind: 'same', left: a[i], right: b[i], ln: i + 1, rn: i + 1 })
  let dels: number[] = [], adds: number[] = []
  const flush = () => {
    for (let i = 0; i < Math.max(dels.length, adds.length); i++) {
      const l = dels[i], r = adds[i]
      rows.push({ kind: l !== undefined && r !== undefined ? 'changed' : l !== undefined ? 'del' : 'add',
        left: l !== undefined ? a[l] : undefined, right: r !== undefined ? b[r] : undefined,
        ln: l !== undefined ? l + 1 : undefined, rn: r !== undefined ? r + 1 : undefined })
    }
    dels = []; adds = []
  }
  for (const [op, i, j] of mid) {
    if (op === '-') dels.push(head + i)
    else if (op === '+') adds.push(head + j)
    else { flush(); rows.push({ kind: 'same', left: a[head + i], right: b[head + j], ln: head + i + 1, rn: head + j + 1 }) }
  }
  flush()
  for (let i = tail; i > 0; i--) rows.push({ kind: 'same', left: a[a.length - i], right: b[b.length - i], ln: a.length - i + 1, rn: b.length - i + 1 })
  return rows
}
