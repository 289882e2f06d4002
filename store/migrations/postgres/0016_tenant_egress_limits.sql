-- docs/security.md: a tenant's egress allow-list (rules of jobflow/egress, a JSON
-- array of strings) and the limits of its jobs (a JSON object, JobLimits;
-- zero fields are the defaults). Both are set by a SYS_ADMIN.
ALTER TABLE tenants ADD COLUMN egress_allow TEXT NOT NULL DEFAULT '[]';
ALTER TABLE tenants ADD COLUMN job_limits TEXT NOT NULL DEFAULT '{}';
