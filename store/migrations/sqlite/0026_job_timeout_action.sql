-- A job's timeout action (docs/run-semantics.md#job-timeouts): FAIL (the
-- default, '' in rows written before), WARN or WARN_AND_FAIL.
ALTER TABLE jobs ADD COLUMN timeout_action TEXT NOT NULL DEFAULT '';
