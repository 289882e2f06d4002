-- Nothing to do on SQLite: version 3 tunes PostgreSQL's trigram indexes.
-- The file keeps the version numbers of both dialects in step.
SELECT 1;
