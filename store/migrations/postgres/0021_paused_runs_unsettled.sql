-- A PAUSED run (docs/run-semantics.md#pause-and-resume) is still going on:
-- the run reconciler walks it like a RUNNING one, so that a paused run
-- whose execution ended in Temporal behind jobflow's back is settled too.
DROP INDEX runs_unsettled_idx;
CREATE INDEX runs_unsettled_idx ON runs (started_at, id) WHERE status IN ('RUNNING', 'PAUSED', 'ABORTING');
