-- jobflow schema, SQLite. Keep in step with ../postgres/0001_init.sql.
-- Timestamps are TIMESTAMP text written in UTC, so they sort in time order.
-- JSON values (canvas, config, params, results) are TEXT: the store reads and
-- writes them whole and never queries inside them.


CREATE TABLE tenants (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL UNIQUE,
    max_workflows INTEGER NOT NULL,
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL
);

CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    account       TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL DEFAULT '',
    sys_admin     BOOLEAN NOT NULL DEFAULT 0,
    password_hash TEXT NOT NULL DEFAULT '',
    created_at    TIMESTAMP NOT NULL
);

CREATE TABLE memberships (
    tenant_id  TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role       TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (tenant_id, user_id)
);
CREATE INDEX memberships_user_idx ON memberships (user_id);

CREATE TABLE workflows (
    id                   TEXT PRIMARY KEY,
    tenant_id            TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    name                 TEXT NOT NULL,
    remark               TEXT NOT NULL DEFAULT '',
    status               TEXT NOT NULL,
    canvas               TEXT NOT NULL,
    config               TEXT NOT NULL,
    next_run_time        TIMESTAMP,
    published_version_id TEXT NOT NULL DEFAULT '',
    revision             INTEGER NOT NULL,
    created_at           TIMESTAMP NOT NULL,
    updated_at           TIMESTAMP NOT NULL,
    created_by           TEXT NOT NULL DEFAULT '',
    updated_by           TEXT NOT NULL DEFAULT '',
    UNIQUE (tenant_id, name)
);
-- The list order: newest first within a tenant.
CREATE INDEX workflows_tenant_created_idx ON workflows (tenant_id, created_at DESC, id DESC);

CREATE TABLE jobs (
    id                     TEXT PRIMARY KEY,
    tenant_id              TEXT NOT NULL,
    workflow_id            TEXT NOT NULL REFERENCES workflows (id) ON DELETE CASCADE,
    name                   TEXT NOT NULL,
    type                   TEXT NOT NULL,
    config                 TEXT NOT NULL,
    timeout_seconds        INTEGER NOT NULL DEFAULT 0,
    retry_max_attempts     INTEGER NOT NULL DEFAULT 1,
    retry_interval_seconds INTEGER NOT NULL DEFAULT 0,
    retry_backoff          REAL NOT NULL DEFAULT 1,
    worker_group           TEXT NOT NULL DEFAULT '',
    cron                   TEXT NOT NULL DEFAULT '',
    remark                 TEXT NOT NULL DEFAULT '',
    created_at             TIMESTAMP NOT NULL,
    updated_at             TIMESTAMP NOT NULL,
    created_by             TEXT NOT NULL DEFAULT '',
    UNIQUE (workflow_id, name)
);
CREATE INDEX jobs_tenant_idx ON jobs (tenant_id);

CREATE TABLE datasources (
    id           TEXT PRIMARY KEY,
    tenant_id    TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    type         TEXT NOT NULL,
    host         TEXT NOT NULL,
    port         INTEGER NOT NULL,
    db_name      TEXT NOT NULL,
    db_user      TEXT NOT NULL,
    password_enc TEXT NOT NULL DEFAULT '', -- base64(nonce | AES-GCM ciphertext)
    options      TEXT NOT NULL DEFAULT '{}',
    remark       TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL,
    UNIQUE (tenant_id, name)
);

CREATE TABLE runs (
    id                   TEXT PRIMARY KEY,
    tenant_id            TEXT NOT NULL,
    workflow_id          TEXT NOT NULL REFERENCES workflows (id) ON DELETE CASCADE,
    workflow_name        TEXT NOT NULL DEFAULT '',
    version_id           TEXT NOT NULL DEFAULT '',
    trigger_type         TEXT NOT NULL,
    status               TEXT NOT NULL,
    logical_time         TIMESTAMP NOT NULL,
    params               TEXT NOT NULL DEFAULT '{}',
    rerun_of             TEXT NOT NULL DEFAULT '',
    temporal_workflow_id TEXT NOT NULL DEFAULT '',
    temporal_run_id      TEXT NOT NULL DEFAULT '',
    edges                TEXT NOT NULL DEFAULT '[]',
    started_at           TIMESTAMP NOT NULL,
    ended_at             TIMESTAMP,
    created_by           TEXT NOT NULL DEFAULT '',
    error                TEXT NOT NULL DEFAULT '',
    updated_at           TIMESTAMP NOT NULL
);
CREATE INDEX runs_tenant_started_idx ON runs (tenant_id, started_at DESC, id DESC);
CREATE INDEX runs_workflow_started_idx ON runs (workflow_id, started_at DESC, id DESC);

CREATE TABLE node_runs (
    run_id     TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    job_id     TEXT NOT NULL,
    tenant_id  TEXT NOT NULL,
    job_name   TEXT NOT NULL DEFAULT '',
    job_type   TEXT NOT NULL DEFAULT '',
    status     TEXT NOT NULL,
    attempt    INTEGER NOT NULL DEFAULT 0,
    started_at TIMESTAMP,
    ended_at   TIMESTAMP,
    exit_code  INTEGER,
    error      TEXT NOT NULL DEFAULT '',
    result     TEXT,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (run_id, job_id)
);

-- Logs are bytes: process output need not be UTF-8 and may hold NUL.
CREATE TABLE node_logs (
    run_id     TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    job_id     TEXT NOT NULL,
    content    BLOB NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (run_id, job_id)
);

CREATE TABLE settings (
    name       TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
