-- Approval links (docs/run-semantics.md#approval-jobs): one per WAITING
-- APPROVAL node and alarm channel, sent in the APPROVAL_WAITING alarm.
-- token_hash is the SHA-256 (hex) of the link's random token, which is
-- never stored. used_at is set once, when the link decides.
CREATE TABLE approval_links (
    token_hash   TEXT PRIMARY KEY,
    tenant_id    TEXT NOT NULL,
    run_id       TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    job_id       TEXT NOT NULL,
    job_name     TEXT NOT NULL DEFAULT '',
    channel_id   TEXT NOT NULL,
    channel_name TEXT NOT NULL DEFAULT '',
    message      TEXT NOT NULL DEFAULT '',
    expires_at   TIMESTAMPTZ NOT NULL,
    used_at      TIMESTAMPTZ,
    UNIQUE (run_id, job_id, channel_id)
);
