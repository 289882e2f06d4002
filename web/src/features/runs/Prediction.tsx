// 预计完成: a live run's predicted finish (p50, and p90) in the browser's
// zone, the critical path (the chain of jobs left that decides it) and
// what the prediction is based on; or why there is none (a job left to
// run has no successful run yet). The API computes it on each read
// (docs/baselines.md#prediction).
import type { Schemas } from '../../api/client'
import { useI18n, type T } from '../../lib/i18n'
import { duration, time } from '../../lib/format'

export type Prediction = Schemas['Prediction']

// basisText translates the server's basis (prediction.go), job ids named
// by their jobs; a basis of another shape is shown as it is.
export function basisText(t: T, basis: string, names: Map<string, string>): string {
  let m = /^p50 and p90 of up to (\d+) recent successful runs of each job left to run \((\d+)\)$/.exec(basis)
  if (m) return t('prediction.basis', { n: m[1], m: m[2] })
  m = /^no prediction: (\d+) job\(s\) left to run have no successful run yet \((.*)\)$/.exec(basis)
  if (m) {
    // fmt's list of ids: "[a b c]", or "[a b c d e] and 3 more"
    const l = /^\[(.*)\](.*)$/.exec(m[2])
    const more = l ? /^ and (\d+) more$/.exec(l[2]) : null
    const jobs = l ? l[1].split(' ').map((id) => names.get(id) ?? id).join(', ') + (more ? t(' and {n} more', { n: more[1] }) : l[2]) : m[2]
    return t('prediction.none', { n: m[1], jobs })
  }
  return basis
}

export function RunPrediction({ p, names }: { p: Prediction; names: Map<string, string> }) {
  const { t } = useI18n()
  const left = p.finishAt ? Date.parse(p.finishAt) - Date.now() : 0
  return (
    <div data-testid="run-prediction" data-finish-at={p.finishAt ?? ''} data-finish-at-p90={p.finishAtP90 ?? ''} data-basis={p.basis}
      style={{ background: '#fff', border: '1px solid #f0f0f0', borderLeft: '3px solid ' + (p.finishAt ? '#fa8c16' : '#d9d9d9'), padding: '6px 12px',
        display: 'flex', flexWrap: 'wrap', alignItems: 'baseline', columnGap: 16, rowGap: 2 }}>
      {p.finishAt ? (<>
        <span>{t('Predicted finish')}: <strong data-testid="run-prediction-finish">{time(p.finishAt)}</strong>
          {left > 0 && <span style={{ color: '#8c8c8c' }}> ({t('in about {d}', { d: duration(new Date().toISOString(), p.finishAt) })})</span>}</span>
        {p.finishAtP90 && <span>P90: <span data-testid="run-prediction-p90">{time(p.finishAtP90)}</span></span>}
        {p.criticalPath.length > 0 && <span data-testid="run-prediction-path">{t('Critical path')}: {p.criticalPath.map((id, i) => (
          <span key={id}>{i > 0 && ' → '}<span style={{ color: '#d46b08', fontWeight: 600 }}>{names.get(id) ?? id}</span></span>))}</span>}
      </>) : <strong>{t('No prediction')}</strong>}
      <span style={{ color: '#8c8c8c', fontSize: 12 }} data-testid="run-prediction-basis" title={p.basis}>{basisText(t, p.basis, names)}</span>
    </div>
  )
}
