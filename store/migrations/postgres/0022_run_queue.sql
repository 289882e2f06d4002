-- Workflow concurrency (docs/run-semantics.md#workflow-concurrency): a run
-- admitted under its workflow's limit holds a slot (holds_slot) while it
-- goes on; a QUEUED run waits with the limit its snapshot gave it
-- (queue_limit). Both are read by workflow, over the runs that go on only,
-- which this partial index keeps small however many runs have finished.
ALTER TABLE runs ADD COLUMN holds_slot INTEGER NOT NULL DEFAULT 0;
ALTER TABLE runs ADD COLUMN queue_limit INTEGER NOT NULL DEFAULT 0;
CREATE INDEX runs_live_workflow_idx ON runs (workflow_id, started_at, id)
    WHERE status IN ('RUNNING', 'PAUSED', 'ABORTING', 'QUEUED');
-- A QUEUED run is walked by the run reconciler too: one whose execution
-- was terminated while it waited is settled like any other.
DROP INDEX runs_unsettled_idx;
CREATE INDEX runs_unsettled_idx ON runs (started_at, id) WHERE status IN ('RUNNING', 'PAUSED', 'ABORTING', 'QUEUED');
