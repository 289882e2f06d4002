-- Console API (docs/api.md#console-api): a run's change sequence. Every write of the run
-- row or of one of its node rows adds one to runs.change_seq, in the
-- writing transaction (which holds the run row's lock until it commits, so
-- sequence numbers become visible in order); a node row keeps the run's
-- sequence number of its last write. GET /runs/{id} answers it as
-- "version", and ?since=<version> answers the nodes with a greater one.
ALTER TABLE runs ADD COLUMN change_seq BIGINT NOT NULL DEFAULT 0;
ALTER TABLE node_runs ADD COLUMN change_seq BIGINT NOT NULL DEFAULT 0;
CREATE INDEX node_runs_run_seq_idx ON node_runs (run_id, change_seq);
-- Task instances across runs, newest first (GET /node-runs).
CREATE INDEX node_runs_tenant_started_idx ON node_runs (tenant_id, started_at DESC NULLS LAST);
