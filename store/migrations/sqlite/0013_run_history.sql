-- The run list of one workflow counts and pages its runs from this index
-- alone (tenant and workflow both in it), so the count stays an index-only
-- scan at a million runs; retention deletes the oldest ended runs first.
CREATE INDEX runs_tenant_workflow_started_idx ON runs (tenant_id, workflow_id, started_at DESC, id DESC);
CREATE INDEX runs_ended_idx ON runs (ended_at);
