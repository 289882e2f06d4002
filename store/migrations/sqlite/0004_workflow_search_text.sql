-- Nothing to do on SQLite: version 4 adds PostgreSQL's indexed search text.
-- The file keeps the version numbers of both dialects in step.
SELECT 1;
