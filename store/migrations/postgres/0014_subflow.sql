-- SUBFLOW child runs (docs/run-semantics.md#subflow-jobs): the run whose SUBFLOW job started this
-- one, and that job's id; '' for every other run. No foreign key: a child
-- outlives a parent that retention deleted, and still settles.
ALTER TABLE runs ADD COLUMN parent_run_id TEXT NOT NULL DEFAULT '';
ALTER TABLE runs ADD COLUMN parent_job_id TEXT NOT NULL DEFAULT '';
-- GET /runs/{id} lists a run's children, GET /runs?parentRunId= filters.
CREATE INDEX runs_parent_idx ON runs (parent_run_id, started_at) WHERE parent_run_id <> '';
