-- Pools (docs/run-semantics.md#pools): a tenant's shared capacity. A job
-- names a pool (pool), the slots it takes (pool_slots) and its priority
-- (1 highest, 0 = the default 3). pool_leases holds one row per node run
-- that holds (held = 1) or waits for (held = 0) slots; since is when it
-- began to wait, then when it was granted. The row goes when the node
-- ends, whoever ends it (FlowRun, the run reconciler).
ALTER TABLE jobs ADD COLUMN pool TEXT NOT NULL DEFAULT '';
ALTER TABLE jobs ADD COLUMN pool_slots INTEGER NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN priority INTEGER NOT NULL DEFAULT 0;

CREATE TABLE pools (
    id          TEXT PRIMARY KEY,
    tenant_id   TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    slots       INTEGER NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL,
    UNIQUE (tenant_id, name)
);

CREATE TABLE pool_leases (
    run_id               TEXT NOT NULL,
    job_id               TEXT NOT NULL,
    pool_id              TEXT NOT NULL REFERENCES pools (id) ON DELETE CASCADE,
    tenant_id            TEXT NOT NULL,
    job_name             TEXT NOT NULL DEFAULT '',
    workflow_id          TEXT NOT NULL DEFAULT '',
    workflow_name        TEXT NOT NULL DEFAULT '',
    temporal_workflow_id TEXT NOT NULL DEFAULT '',
    slots                INTEGER NOT NULL,
    priority             INTEGER NOT NULL,
    held                 INTEGER NOT NULL DEFAULT 0,
    since                TIMESTAMP NOT NULL,
    PRIMARY KEY (run_id, job_id)
);
CREATE INDEX pool_leases_pool_idx ON pool_leases (pool_id, held, priority, since);
