-- Alarm channels (告警通道) of a tenant. config is the public part of the
-- settings (what the API shows); secrets_enc holds the rest (urls with
-- their tokens, headers, signing keys, SMTP password) as
-- base64(nonce | AES-GCM ciphertext) of the AlarmSecrets JSON.
CREATE TABLE alarm_channels (
    id          TEXT PRIMARY KEY,
    tenant_id   TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    type        TEXT NOT NULL,
    config      TEXT NOT NULL DEFAULT '{}',
    secrets_enc TEXT NOT NULL DEFAULT '',
    remark      TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL,
    UNIQUE (tenant_id, name)
);

-- One row per attempt to send one alarm to one channel (run alarms and
-- channel tests). No foreign keys: a record outlives its channel and run.
CREATE TABLE alarm_records (
    id            TEXT PRIMARY KEY,
    tenant_id     TEXT NOT NULL,
    run_id        TEXT NOT NULL DEFAULT '',
    workflow_id   TEXT NOT NULL DEFAULT '',
    channel_id    TEXT NOT NULL DEFAULT '',
    event         TEXT NOT NULL,
    status        TEXT NOT NULL,
    attempt       INTEGER NOT NULL DEFAULT 1,
    response_code INTEGER NOT NULL DEFAULT 0,
    response      TEXT NOT NULL DEFAULT '',
    error         TEXT NOT NULL DEFAULT '',
    created_at    TIMESTAMPTZ NOT NULL
);
CREATE INDEX alarm_records_tenant_created_idx ON alarm_records (tenant_id, created_at DESC, id DESC);
CREATE INDEX alarm_records_run_idx ON alarm_records (tenant_id, run_id, created_at DESC);

-- Invoke tokens (外部调用): what was issued and whether it is revoked. The
-- token text is shown once and never stored; jti is its key.
CREATE TABLE invoke_tokens (
    jti         TEXT PRIMARY KEY,
    tenant_id   TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    workflow_id TEXT NOT NULL REFERENCES workflows (id) ON DELETE CASCADE,
    expires_at  TIMESTAMPTZ NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    created_by  TEXT NOT NULL DEFAULT '',
    revoked_at  TIMESTAMPTZ
);
CREATE INDEX invoke_tokens_workflow_idx ON invoke_tokens (tenant_id, workflow_id, created_at DESC);
