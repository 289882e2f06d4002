-- Workflow lifecycle (docs/lifecycle.md): a note per published version, the audit
-- log, and personal API tokens.

-- The publisher's note of a version (POST …/publish {note}).
ALTER TABLE workflow_versions ADD COLUMN note TEXT NOT NULL DEFAULT '';

-- One row per mutating API call and engine action. tenant_id is '' for
-- calls outside a tenant (login, users, tenants, license). Never raw
-- bodies or secrets: summary is a short redacted line.
CREATE TABLE audit_logs (
    id          TEXT PRIMARY KEY,
    at          TIMESTAMPTZ NOT NULL,
    tenant_id   TEXT NOT NULL DEFAULT '',
    user_id     TEXT NOT NULL DEFAULT '',
    token_id    TEXT NOT NULL DEFAULT '',
    action      TEXT NOT NULL,
    object_type TEXT NOT NULL DEFAULT '',
    object_id   TEXT NOT NULL DEFAULT '',
    object_name TEXT NOT NULL DEFAULT '',
    version     INTEGER NOT NULL DEFAULT 0,
    result      TEXT NOT NULL,
    request_id  TEXT NOT NULL DEFAULT '',
    client_addr TEXT NOT NULL DEFAULT '',
    summary     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_logs_tenant_at_idx ON audit_logs (tenant_id, at DESC, id DESC);
CREATE INDEX audit_logs_at_idx ON audit_logs (at DESC, id DESC);
CREATE INDEX audit_logs_object_idx ON audit_logs (object_id);

-- Personal API tokens (jf_pat_…): only the SHA-256 of the text is kept.
-- A token is bound to one tenant and a role there.
CREATE TABLE api_tokens (
    id           TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    tenant_id    TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    role         TEXT NOT NULL,
    hash         TEXT NOT NULL UNIQUE,
    created_at   TIMESTAMPTZ NOT NULL,
    last_used_at TIMESTAMPTZ,
    expires_at   TIMESTAMPTZ,
    UNIQUE (user_id, name)
);
