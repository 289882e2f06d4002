// The job dialog: one form per job type (SHELL and PYTHON with a code
// editor, SQL with a datasource and EXECUTE/QUERY, HTTP with method, URL,
// headers, body and success codes) plus timeout, retry, worker group and
// the job's own cron for discrete scheduling; the control types' forms are
// in ControlForms.tsx.
import { useEffect, useMemo, useState } from 'react'
import { Alert, Col, Form, Input, InputNumber, Modal, Row, Select } from 'antd'
import type { Job, JobInput } from '../../api/client'
import { useI18n } from '../../lib/i18n'
import { formatParams, parseParams } from '../../lib/format'
import { CodeEditor } from './CodeEditor'
import { ControlFields, controlConfig, controlToForm } from './ControlForms'
import { useCreateJob, useDatasourceOptions, useJobTypes, useUpdateJob } from './api'
import { usePools } from '../pools/api'
import { useWord } from '../enums/words'

type Cfg = Record<string, unknown>
type JobType = NonNullable<JobInput['type']>
const apiTypes: JobType[] = ['SHELL', 'PYTHON', 'SQL', 'HTTP', 'CONDITION', 'SUBFLOW', 'DEPENDENT', 'APPROVAL', 'FOREACH']
const isJobType = (s: string): s is JobType => apiTypes.some((x) => x === s)

// jobConfig hands the form's config to JobInput, whose config openapi.json
// declares as a bare object (openapi-typescript: Record<string, never>);
// once the document declares each type's config, this cast goes.
const jobConfig = (c: Cfg) => c as JobInput['config']

// toForm reads a job into the form's fields; defaults are every type's
// default config from the server's registry (their field names do not
// collide), under the job's own config.
function toForm(j?: Partial<Job>, defaults: Cfg = {}) {
  const c: Cfg = { ...defaults, ...(j?.config ?? {}) }
  const headers = Object.entries((c.headers as Record<string, string>) ?? {}).map(([k, v]) => k + ': ' + v).join('\n')
  return {
    name: j?.name ?? '', type: j?.type ?? 'SHELL', remark: j?.remark ?? '', timeoutSeconds: j?.timeoutSeconds ?? 0, timeoutAction: j?.timeoutAction || 'FAIL',
    maxAttempts: j?.retry?.maxAttempts ?? 1, intervalSeconds: j?.retry?.intervalSeconds ?? 0, backoff: j?.retry?.backoff ?? 1,
    workerGroup: j?.workerGroup ?? '', cron: j?.cron ?? '', pool: j?.pool ?? '', poolSlots: j?.poolSlots || 1, priority: j?.priority || 3,
    script: (c.script as string) ?? '', env: formatParams(c.env as Record<string, string>),
    datasourceId: c.datasourceId, sql: (c.sql as string) ?? '', mode: c.mode as string,
    method: c.method as string, url: (c.url as string) ?? '', headers, body: (c.body as string) ?? '',
    successCodes: ((c.successCodes as number[]) ?? []).join(','),
    ...controlToForm(c),
  }
}

type FormValues = ReturnType<typeof toForm>

function fromForm(v: FormValues): JobInput {
  let config: Cfg
  switch (v.type) {
    case 'SQL': config = { datasourceId: v.datasourceId, sql: v.sql, mode: v.mode }; break
    case 'HTTP': {
      const headers: Record<string, string> = {}
      for (const l of v.headers.split('\n')) {
        const i = l.indexOf(':')
        if (i > 0) headers[l.slice(0, i).trim()] = l.slice(i + 1).trim()
      }
      const codes = v.successCodes.split(/[,\s]+/).filter(Boolean).map(Number)
      config = { method: v.method, url: v.url, headers, body: v.body, ...(codes.length ? { successCodes: codes } : {}) }
      break
    }
    case 'CONDITION': case 'SUBFLOW': case 'DEPENDENT': case 'APPROVAL': case 'FOREACH': config = controlConfig(v.type, v); break
    default: config = { script: v.script, ...(v.env.trim() ? { env: parseParams(v.env) } : {}) }
  }
  return {
    name: v.name, type: isJobType(v.type) ? v.type : undefined, remark: v.remark, config: jobConfig(config), timeoutSeconds: v.timeoutSeconds ?? 0,
    timeoutAction: v.timeoutSeconds ? v.timeoutAction : 'FAIL',
    retry: { maxAttempts: v.maxAttempts ?? 1, intervalSeconds: v.intervalSeconds ?? 0, backoff: v.backoff ?? 1 },
    workerGroup: v.workerGroup, cron: v.cron,
    pool: v.pool ?? '', poolSlots: v.pool ? v.poolSlots ?? 1 : 0, priority: v.priority ?? 3,
  }
}

// preset starts a new job of a type under a suggested name (a palette
// entry dropped on the canvas); onSaved gets the job the API answered.
interface Props {
  wfId: string; jobs: Job[]; childrenOf: Map<string, string[]>; open: boolean; job?: Job; copyOf?: Job; onClose: () => void
  preset?: { type: string; name: string }; onSaved?: (j: Job) => void
}

export function JobForm({ wfId, jobs, childrenOf, open, job, copyOf, onClose, preset, onSaved }: Props) {
  const { t } = useI18n()
  const w = useWord()
  const [form] = Form.useForm<FormValues>()
  const type = Form.useWatch('type', form)
  const create = useCreateJob(wfId)
  const update = useUpdateJob(wfId)
  const ds = useDatasourceOptions()
  const pools = usePools()
  const pool = Form.useWatch('pool', form)
  const jobTypes = useJobTypes()
  const types = (jobTypes.data ?? []).map((x) => x.type)
  const control = (jobTypes.data ?? []).filter((x) => x.kind === 'CONTROL').map((x) => x.type)
  const defaults = useMemo(() => Object.assign({}, ...(jobTypes.data ?? []).map((x) => x.defaults)) as Cfg, [jobTypes.data])
  const [error, setError] = useState<string | null>(null)
  useEffect(() => {
    if (!open || !jobTypes.data) return
    setError(null)
    const base = toForm(job ?? copyOf, defaults)
    if (copyOf) base.name = copyOf.name + '_copy'
    if (preset) {
      base.type = preset.type as typeof base.type
      base.name = preset.name
    }
    form.setFieldsValue(base)
  }, [open, job, copyOf, form, jobTypes.data, defaults, preset])

  async function ok() {
    const v = await form.validateFields()
    setError(null)
    try {
      const body = fromForm({ ...toForm(undefined, defaults), ...v })
      const saved = job ? await update.mutateAsync({ id: job.id, ...body }) : await create.mutateAsync(body)
      onSaved?.(saved)
      onClose()
    } catch (e) {
      setError((e as Error).message)
    }
  }

  const lang = type === 'PYTHON' ? 'python' : 'shell'
  return (
    <Modal open={open} width={760} title={t(job ? 'Edit job' : 'Add job')} onOk={ok} onCancel={onClose} okText={t('Save')} cancelText={t('Cancel')}
      confirmLoading={create.isPending || update.isPending} okButtonProps={{ 'data-testid': 'job-form-ok' }} destroyOnHidden>
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} data-testid="job-form-error" />}
      <Form form={form} layout="vertical" size="small" initialValues={toForm()}>
        <Row gutter={12}>
          <Col span={12}><Form.Item name="name" label={t('Name')} rules={[{ required: true, message: t('Required') }]}><Input data-testid="job-form-name" /></Form.Item></Col>
          <Col span={12}><Form.Item name="type" label={t('Type')}>
            <Select disabled={!!job} data-testid="job-form-type" options={types.map((x) => ({ value: x, label: w('jobType', x), title: x }))} />
          </Form.Item></Col>
        </Row>
        {(type === 'SHELL' || type === 'PYTHON' || !type) && (<>
          <Form.Item name="script" label={t('Script')} rules={[{ required: true, message: t('Required') }]}>
            <CodeEditor lang={lang} rows={8} testid="job-form-script" aria-label={t('Script')} />
          </Form.Item>
          <Form.Item name="env" label="env (KEY=value)"><Input.TextArea rows={2} /></Form.Item>
        </>)}
        {type === 'SQL' && (<>
          <Row gutter={12}>
            <Col span={16}><Form.Item name="datasourceId" label={t('Datasource')} rules={[{ required: true, message: t('Required') }]}>
              <Select options={ds.data} loading={ds.isLoading} data-testid="job-form-datasource" />
            </Form.Item></Col>
            <Col span={8}><Form.Item name="mode" label={t('Mode')}>
              <Select options={['EXECUTE', 'QUERY'].map((m) => ({ value: m, label: w('sqlMode', m), title: m }))} data-testid="job-form-sqlmode" />
            </Form.Item></Col>
          </Row>
          <Form.Item name="sql" label="SQL" rules={[{ required: true, message: t('Required') }]}><CodeEditor lang="sql" rows={6} testid="job-form-sql" aria-label="SQL" /></Form.Item>
        </>)}
        {type === 'HTTP' && (<>
          <Row gutter={12}>
            <Col span={6}><Form.Item name="method" label={t('Method')}>
              <Select options={['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD'].map((m) => ({ value: m, label: m }))} data-testid="job-form-method" />
            </Form.Item></Col>
            <Col span={18}><Form.Item name="url" label={t('URL')} rules={[{ required: true, message: t('Required') }]}><Input data-testid="job-form-url" /></Form.Item></Col>
          </Row>
          <Form.Item name="headers" label={t('Headers') + ' (Name: value)'}><Input.TextArea rows={2} /></Form.Item>
          <Form.Item name="body" label={t('Body')}><Input.TextArea rows={3} /></Form.Item>
          <Form.Item name="successCodes" label={t('Success codes') + ' (200,201)'}><Input /></Form.Item>
        </>)}
        <Row gutter={12}>
          <Col span={6}><Form.Item name="timeoutSeconds" label={t('Timeout (s)')}><InputNumber min={0} style={{ width: '100%' }} data-testid="job-form-timeout" /></Form.Item></Col>
          <Col span={6}><Form.Item name="maxAttempts" label={t('Max attempts')}><InputNumber min={1} max={100} style={{ width: '100%' }} /></Form.Item></Col>
          <Col span={6}><Form.Item name="intervalSeconds" label={t('Retry interval (s)')}><InputNumber min={0} style={{ width: '100%' }} /></Form.Item></Col>
          <Col span={6}><Form.Item name="backoff" label={t('Backoff')}><InputNumber min={1} step={0.5} style={{ width: '100%' }} /></Form.Item></Col>
        </Row>
        <Row gutter={12}>
          <Col span={12}><Form.Item name="timeoutAction" label={t('On timeout')} tooltip={t('timeoutAction.help')}>
            <Select data-testid="job-form-timeout-action" options={(['FAIL', 'WARN', 'WARN_AND_FAIL'] as const).map((a) => ({ value: a, label: t('timeoutAction.' + a) }))} />
          </Form.Item></Col>
        </Row>
        {control.includes(type) && <ControlFields type={type} jobId={job?.id} wfId={wfId} jobs={jobs} childrenOf={childrenOf} />}
        <Row gutter={12}>
          <Col span={8} style={control.includes(type) ? { display: 'none' } : undefined}><Form.Item name="workerGroup" label={t('Worker group')}><Input /></Form.Item></Col>
          <Col span={16}><Form.Item name="cron" label={t('Job cron (discrete mode)')}><Input placeholder="0 30 3 * * ?" /></Form.Item></Col>
        </Row>
        <Row gutter={12}>
          <Col span={10}><Form.Item name="pool" label={t('Pool')}>
            <Select data-testid="job-form-pool" allowClear options={[{ value: '', label: t('None') }, ...(pools.data?.items ?? []).map((p) => ({ value: p.name, label: `${p.name} (${p.slots})` }))]} />
          </Form.Item></Col>
          <Col span={6}><Form.Item name="poolSlots" label={t('Pool slots')}><InputNumber min={1} max={10000} disabled={!pool} style={{ width: '100%' }} data-testid="job-form-pool-slots" /></Form.Item></Col>
          <Col span={8}><Form.Item name="priority" label={t('Priority')} tooltip={t('priority.help')}>
            <Select data-testid="job-form-priority" options={[1, 2, 3, 4, 5].map((n) => ({ value: n, label: String(n) + (n === 1 ? ' ↑' : n === 5 ? ' ↓' : '') }))} />
          </Form.Item></Col>
        </Row>
        <Form.Item name="remark" label={t('Remark')}><Input /></Form.Item>
      </Form>
    </Modal>
  )
}
