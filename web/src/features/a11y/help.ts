// The config dialog's terms explained in place (English; the Chinese is in
// zh.ts): shown under each field, so nobody has to know Temporal's or
// DolphinScheduler's words to pick one.
export const help = {
  mode: 'Single: the workflow’s cron starts each run. Discrete: the workflow’s cron starts the run, and a job with its own cron (set in the job dialog) waits until that cron’s next fire time.',
  dst: 'What a fire time does on the nights the clocks change, in the schedule’s zone.',
  catchup: 'If the scheduler was down at a fire time, the run still starts when it is back within this many seconds; older missed times are dropped.',
  failure: 'Continue: the other branches go on and the failed job’s downstream jobs become Upstream failed. End: the first failure stops the running jobs and starts nothing more.',
  parallelism: 'At most this many jobs of one run execute at the same time; the others wait in line (Pending).',
  params: 'KEY=value per line; jobs read them as ${params.KEY}; a run may override them.',
  alarms: 'Each rule sends the chosen events to the chosen channels with the template; a rule with job events can be limited to some jobs.',
  overlap: {
    SKIP: 'When a fire time comes while the previous run is still going, skip it.',
    BUFFER_ONE: 'Start it after the running one ends; at most one waits, later ones are skipped.',
    BUFFER_ALL: 'Start each one in turn after the running one ends; none is skipped.',
    CANCEL_OTHER: 'Cancel the running one, then start the new one.',
    TERMINATE_OTHER: 'Terminate the running one, then start the new one.',
    ALLOW_ALL: 'Start it anyway: runs of this workflow may overlap.',
  } as Record<string, string>,
}
