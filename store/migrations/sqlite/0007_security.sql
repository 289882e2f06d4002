-- A tenant's own OS user for its SHELL and PYTHON jobs (DolphinScheduler's
-- tenant code); empty: the worker's JOBFLOW_JOB_USER.
ALTER TABLE tenants ADD COLUMN os_user TEXT NOT NULL DEFAULT '';

-- A disabled user cannot log in and its tokens stop working. A login token
-- carries the token_version it was issued under; a password change, reset
-- or disable moves it on, which revokes every earlier token.
ALTER TABLE users ADD COLUMN disabled BOOLEAN NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN token_version INTEGER NOT NULL DEFAULT 0;

-- Login tokens revoked by logout, until they would have expired anyway.
CREATE TABLE revoked_tokens (
    jti        TEXT PRIMARY KEY,
    expires_at TIMESTAMP NOT NULL
);
CREATE INDEX revoked_tokens_expires_idx ON revoked_tokens (expires_at);

-- Failed logins, one row per failure, by account and by client address
-- (kind ACCOUNT or ADDR). In the store, so the throttle holds across
-- several api processes.
CREATE TABLE login_failures (
    kind       TEXT NOT NULL,
    subject    TEXT NOT NULL,
    failed_at  TIMESTAMP NOT NULL
);
CREATE INDEX login_failures_subject_idx ON login_failures (kind, subject, failed_at);
