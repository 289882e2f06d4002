-- FOREACH items (docs/run-semantics.md#foreach-jobs): one row per item of
-- a FOREACH node run. child_run_id is the item's child run once it has
-- started ('' before); its status is the child run's. carried = 1: the
-- item succeeded in the run this one reruns, and child_run_id is that
-- run's child. The rows go with their run.
CREATE TABLE foreach_items (
    run_id       TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    job_id       TEXT NOT NULL,
    idx          INTEGER NOT NULL,
    tenant_id    TEXT NOT NULL,
    item         TEXT NOT NULL,
    child_run_id TEXT NOT NULL DEFAULT '',
    carried      INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (run_id, job_id, idx)
);
