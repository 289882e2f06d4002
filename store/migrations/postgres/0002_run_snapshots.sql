-- The snapshot (DAG and jobs, frozen) each run executes, so a rerun runs
-- exactly what the original run ran. Kept apart from runs because it can be
-- large and lists never need it.
CREATE TABLE run_snapshots (
    run_id     TEXT PRIMARY KEY REFERENCES runs (id) ON DELETE CASCADE,
    tenant_id  TEXT NOT NULL,
    snapshot   TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
