-- Outputs of a node run (docs/run-semantics.md#outputs): the job's named values as a JSON
-- object of strings, at most 64 KiB; NULL when it set none.
ALTER TABLE node_runs ADD COLUMN outputs TEXT;

-- Tenant variables: ${global.NAME} (plain, value) and ${{ secret.NAME }}
-- (secret: value is '' and value_enc holds base64(nonce | AES-GCM
-- ciphertext), like datasource passwords). name is unique in a tenant.
CREATE TABLE variables (
    id          TEXT PRIMARY KEY,
    tenant_id   TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    value       TEXT NOT NULL DEFAULT '',
    value_enc   TEXT NOT NULL DEFAULT '',
    secret      BOOLEAN NOT NULL DEFAULT FALSE,
    remark      TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL,
    created_by  TEXT NOT NULL DEFAULT '',
    updated_by  TEXT NOT NULL DEFAULT '',
    UNIQUE (tenant_id, name)
);
