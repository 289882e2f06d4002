// cellHref opens a run with one node selected (the run view shows its log).
export const cellHref = (runId: string, jobId: string) => '/runs/' + runId + '?node=' + encodeURIComponent(jobId)
