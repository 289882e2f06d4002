-- Idempotency keys of run starts (POST /workflows/{id}/runs, /runs/{id}/rerun,
-- /workflows/{id}/backfill). One row per (tenant, route, key): the request's
-- fingerprint, and once the start has answered, its status and body, which
-- every repeat gets back. status 0 means the first request is still at work.
-- Rows are kept IdempotencyTTL (24 h) and then purged.
CREATE TABLE idempotency_keys (
    tenant_id   TEXT NOT NULL,
    route       TEXT NOT NULL,
    idem_key    TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    status      INTEGER NOT NULL DEFAULT 0,
    response    TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMP NOT NULL,
    PRIMARY KEY (tenant_id, route, idem_key)
);
CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at);

-- The run reconciler walks the runs that are not final, oldest first, a
-- page per pass; the partial index keeps that walk off the finished runs.
CREATE INDEX runs_unsettled_idx ON runs (started_at, id) WHERE status IN ('RUNNING', 'ABORTING');
