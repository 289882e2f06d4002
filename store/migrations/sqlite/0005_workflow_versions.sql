-- Versions (发布 snapshots) of workflows: immutable, numbered 1, 2, … per
-- workflow, deleted with the workflow.
CREATE TABLE workflow_versions (
    id          TEXT PRIMARY KEY,
    tenant_id   TEXT NOT NULL,
    workflow_id TEXT NOT NULL REFERENCES workflows (id) ON DELETE CASCADE,
    number      INTEGER NOT NULL,
    snapshot    TEXT NOT NULL,
    created_at  TIMESTAMP NOT NULL,
    created_by  TEXT NOT NULL DEFAULT '',
    UNIQUE (workflow_id, number)
);

-- Reconciliation lists the published workflows of every tenant.
CREATE INDEX workflows_published ON workflows (status) WHERE status = 'PUBLISHED';
