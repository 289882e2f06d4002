-- The workflow search compares one stored, lower-cased text instead of
-- lower(name) and lower(remark) row by row, and one GIN index over
-- (tenant_id, search_text) finds the matches of one tenant only, so a
-- broad search in a big tenant no longer rechecks every other tenant's
-- matches. chr(31) (unit separator) keeps a match from spanning name and
-- remark; the store falls back to the two columns for a search holding it.
CREATE EXTENSION IF NOT EXISTS btree_gin;
ALTER TABLE workflows ADD COLUMN search_text TEXT
    GENERATED ALWAYS AS (lower(name) || chr(31) || lower(remark)) STORED;
CREATE INDEX workflows_search_idx ON workflows
    USING gin (tenant_id, search_text gin_trgm_ops) WITH (fastupdate = off);
DROP INDEX workflows_name_trgm_idx;
DROP INDEX workflows_remark_trgm_idx;
