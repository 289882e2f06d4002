-- Business calendars (docs/scheduling.md): tenant_id '' is a calendar a SYS_ADMIN
-- shares with every tenant. days holds {weekdays, holidays, workdays} as
-- JSON; version rises by one on every change, and calendar_versions keeps
-- the content of every version (a published workflow's snapshot copies
-- the version it was published with).
CREATE TABLE calendars (
    id          TEXT PRIMARY KEY,
    tenant_id   TEXT NOT NULL DEFAULT '',
    name        TEXT NOT NULL,
    timezone    TEXT NOT NULL,
    days        TEXT NOT NULL,
    remark      TEXT NOT NULL DEFAULT '',
    version     INTEGER NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL,
    created_by  TEXT NOT NULL DEFAULT '',
    updated_by  TEXT NOT NULL DEFAULT '',
    UNIQUE (tenant_id, name)
);

CREATE TABLE calendar_versions (
    calendar_id TEXT NOT NULL REFERENCES calendars (id) ON DELETE CASCADE,
    version     INTEGER NOT NULL,
    content     TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    created_by  TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (calendar_id, version)
);
