#!/usr/bin/env bash
# Creates the three databases of the cluster and Temporal's schema in two of
# them, with Temporal's own SQL tool and schema files (of the module version
# in go.mod). Each step is a no-op when already done, so it runs at every
# start: up.sh calls it, and so does the temporal-schema service of
# docker-compose.yml.
#
#   SQL_TOOL    temporal-sql-tool binary        SCHEMA_DIR  …/schema/postgresql/v12
#   PGHOST PGPORT PGUSER PGPASSWORD             TEMPORAL_DB TEMPORAL_VISIBILITY_DB JOBFLOW_DB
set -euo pipefail
: "${SQL_TOOL:?}" "${SCHEMA_DIR:?}"
PGHOST=${PGHOST:-127.0.0.1} PGPORT=${PGPORT:-5432} PGUSER=${PGUSER:-postgres} PGPASSWORD=${PGPASSWORD:-}

sqltool() { # sqltool DB ARGS…
  local db=$1
  shift
  "$SQL_TOOL" --plugin postgres12 --ep "$PGHOST" -p "$PGPORT" -u "$PGUSER" ${PGPASSWORD:+--pw "$PGPASSWORD"} --db "$db" "$@"
}
# Until PostgreSQL answers (creating the database "postgres", which exists).
for i in $(seq 1 60); do
  sqltool postgres create-database --defaultdb postgres && break
  [ "$i" = 60 ] && { echo "schema: PostgreSQL at $PGHOST:$PGPORT does not answer" >&2; exit 1; }
  sleep 1
done
for pair in "${TEMPORAL_DB:-temporal}:temporal" "${TEMPORAL_VISIBILITY_DB:-temporal_visibility}:visibility"; do
  db=${pair%%:*} kind=${pair#*:}
  sqltool "$db" create-database --defaultdb postgres
  sqltool "$db" setup-schema -v 0.0
  sqltool "$db" update-schema -d "$SCHEMA_DIR/$kind/versioned"
done
sqltool "${JOBFLOW_DB:-jobflow}" create-database --defaultdb postgres
echo "schema: ready: ${TEMPORAL_DB:-temporal}, ${TEMPORAL_VISIBILITY_DB:-temporal_visibility} ($SCHEMA_DIR), ${JOBFLOW_DB:-jobflow}"
