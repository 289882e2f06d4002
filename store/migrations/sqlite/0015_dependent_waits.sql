-- DEPENDENT jobs (docs/run-semantics.md#dependent-jobs): who waits for whom. A DEPENDENT node of a run
-- registers one row per upstream workflow it waits for; when a run of that
-- workflow ends, RecordRun signals the waiting FlowRun (temporal_workflow_id)
-- so it checks at once. The rows go when the node stops waiting, or with the
-- run's final record; a row left behind costs one ignored signal.
CREATE TABLE dependent_waits (
    run_id               TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    job_id               TEXT NOT NULL,
    upstream_workflow_id TEXT NOT NULL,
    tenant_id            TEXT NOT NULL,
    temporal_workflow_id TEXT NOT NULL,
    created_at           TIMESTAMP NOT NULL,
    PRIMARY KEY (run_id, job_id, upstream_workflow_id)
);
CREATE INDEX dependent_waits_upstream_idx ON dependent_waits (tenant_id, upstream_workflow_id);

-- A DEPENDENT check looks for runs of one workflow by logical time.
CREATE INDEX runs_tenant_workflow_logical_idx ON runs (tenant_id, workflow_id, logical_time);
