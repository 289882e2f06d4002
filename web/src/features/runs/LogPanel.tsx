// The node log: follows a running node by asking only for what came after
// the last offset and appending it; follow on/off, wrap, search, download.
import { useEffect, useMemo, useRef, useState } from 'react'
import { Alert, Button, Input, Space, Switch, Typography } from 'antd'
import { useI18n } from '../../lib/i18n'
import { fetchLog } from './api'

function escape(s: string) {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

export function LogPanel({ runId, jobId, jobName, live }: { runId: string; jobId: string; jobName: string; live: boolean }) {
  const { t } = useI18n()
  const [text, setText] = useState('')
  const [follow, setFollow] = useState(true)
  const [wrap, setWrap] = useState(true)
  const [search, setSearch] = useState('')
  const [error, setError] = useState<string | null>(null)
  const offset = useRef(0)
  const pre = useRef<HTMLPreElement>(null)

  useEffect(() => {
    let stop = false
    offset.current = 0
    setText('')
    setError(null)
    async function poll() {
      try {
        const r = await fetchLog(runId, jobId, offset.current)
        if (stop) return
        offset.current = r.next
        setError(null)
        if (r.reset) setText(r.text)
        else if (r.text) setText((x) => x + r.text)
      } catch (e) {
        if (!stop) setError((e as Error).message)
      }
    }
    poll()
    if (!live || !follow) return () => { stop = true }
    const h = setInterval(poll, 1000)
    return () => { stop = true; clearInterval(h) }
  }, [runId, jobId, live, follow])

  useEffect(() => {
    if (follow && pre.current) pre.current.scrollTop = pre.current.scrollHeight
  }, [text, follow])

  const html = useMemo(() => {
    if (!search) return escape(text)
    const lower = text.toLowerCase()
    const s = search.toLowerCase()
    let out = ''
    let i = 0
    for (let j = lower.indexOf(s); j >= 0; j = lower.indexOf(s, i)) {
      out += escape(text.slice(i, j)) + '<mark>' + escape(text.slice(j, j + s.length)) + '</mark>'
      i = j + s.length
    }
    return out + escape(text.slice(i))
  }, [text, search])

  function download() {
    const url = URL.createObjectURL(new Blob([text], { type: 'text/plain' }))
    const a = document.createElement('a')
    a.href = url
    a.download = `${runId}-${jobName}.log`
    a.click()
    setTimeout(() => URL.revokeObjectURL(url), 1000)
  }

  return (
    <div style={{ display: 'flex', flexDirection: 'column', height: 320 }} data-testid="log-panel">
      <Space style={{ marginBottom: 6 }} wrap>
        <Typography.Text strong data-testid="log-job">{t('Log')}: {jobName}</Typography.Text>
        <Switch size="small" checked={follow} onChange={setFollow} data-testid="log-follow" /> {t('Follow')}
        <Switch size="small" checked={wrap} onChange={setWrap} data-testid="log-wrap" /> {t('Wrap')}
        <Input size="small" allowClear placeholder={t('Search log')} value={search} onChange={(e) => setSearch(e.target.value)} style={{ width: 180 }} data-testid="log-search" />
        <Button size="small" onClick={download} data-testid="log-download">{t('Download')}</Button>
      </Space>
      {error && <Alert type="error" showIcon title={error} />}
      <pre ref={pre} className="jf-log" style={{ whiteSpace: wrap ? 'pre-wrap' : 'pre', flex: 1 }} data-testid="log-text"
        dangerouslySetInnerHTML={{ __html: html }} />
    </div>
  )
}
