-- Baselines (docs/baselines.md): a committed finish time per data date
-- for target workflows or jobs; targets and channel ids as JSON lists.
CREATE TABLE baselines (
    id             TEXT PRIMARY KEY,
    tenant_id      TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    name           TEXT NOT NULL,
    targets        TEXT NOT NULL,
    finish_by      TEXT NOT NULL,
    timezone       TEXT NOT NULL,
    margin_minutes INTEGER NOT NULL,
    channel_ids    TEXT NOT NULL,
    priority       INTEGER NOT NULL,
    created_at     TIMESTAMPTZ NOT NULL,
    updated_at     TIMESTAMPTZ NOT NULL,
    UNIQUE (tenant_id, name)
);

-- One row per baseline and data date, rewritten at each check.
CREATE TABLE baseline_instances (
    baseline_id TEXT NOT NULL REFERENCES baselines (id) ON DELETE CASCADE,
    date        TEXT NOT NULL,
    tenant_id   TEXT NOT NULL,
    status      TEXT NOT NULL,
    body        TEXT NOT NULL,
    checked_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (baseline_id, date)
);
