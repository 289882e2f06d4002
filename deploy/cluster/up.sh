#!/usr/bin/env bash
# Starts jobflow's production topology on one machine, without Docker:
#
#   temporal-1, temporal-2  the official Temporal server (built from
#                           go.temporal.io/server at go.mod's version), one
#                           cluster on loopback, persistence and SQL
#                           visibility on PostgreSQL
#   api-1, api-2            `jobflow api`
#   worker-1, worker-2      `jobflow worker`
#
# all on one PostgreSQL (databases temporal, temporal_visibility, jobflow).
# Idempotent: run it again and it starts only what is not running (after a
# crash, say) and leaves the rest alone; schema and migrations are applied
# only where missing. Logs go to $CLUSTER_DIR/logs/<name>.log, pids to
# $CLUSTER_DIR/pids. Settings and ports: deploy/cluster/env.sh.
# Stop it all with deploy/cluster/down.sh.
#
#   deploy/cluster/up.sh                 # REST API on :8080 and :8081
#   CLUSTER_BUILD=1 deploy/cluster/up.sh # rebuild the binaries first
set -euo pipefail
source "$(dirname "$0")/env.sh"
export GOTOOLCHAIN=${GOTOOLCHAIN:-local}

say() { echo "cluster: $*"; }
die() { echo "cluster: $*" >&2; exit 1; }

# --- binaries --------------------------------------------------------------
build() { # build OUT PACKAGE [flags…]
  local name=$1 pkg=$2 out=$CLUSTER_BIN/$1
  shift 2
  if [ -n "${CLUSTER_BUILD:-}" ] || [ ! -x "$out" ]; then
    say "building $name ($pkg)"
    (cd "$REPO_DIR" && go build "$@" -o "$out" "$pkg")
  fi
}
build temporal-server go.temporal.io/server/cmd/server
build temporal-sql-tool go.temporal.io/server/cmd/tools/sql
build jobflow ./cmd/jobflow -ldflags "-s -w"
# The schema files of the same module version as the server.
SCHEMA_DIR=$(cd "$REPO_DIR" && go list -m -f '{{.Dir}}' go.temporal.io/server)/schema/postgresql/v12

# --- databases -------------------------------------------------------------
SQL_TOOL=$CLUSTER_BIN/temporal-sql-tool SCHEMA_DIR=$SCHEMA_DIR \
  PGHOST=$PGHOST PGPORT=$PGPORT PGUSER=$PGUSER PGPASSWORD=$PGPASSWORD \
  TEMPORAL_DB=$TEMPORAL_DB TEMPORAL_VISIBILITY_DB=$TEMPORAL_VISIBILITY_DB JOBFLOW_DB=$JOBFLOW_DB \
  "$DEPLOY_DIR/cluster/schema.sh" >>"$LOG_DIR/schema.log" 2>&1 || die "schema failed: $LOG_DIR/schema.log"
say "$(tail -n 1 "$LOG_DIR/schema.log")"

# --- secrets (generated once, kept in CLUSTER_DIR) -------------------------
secret() { # secret FILE COMMAND…: the file's content, made by COMMAND the first time
  local f=$CLUSTER_DIR/$1
  shift
  [ -s "$f" ] || (umask 077 && "$@" >"$f")
  cat "$f"
}
export JOBFLOW_JWT_SECRET=${JOBFLOW_JWT_SECRET:-$(secret jwt-secret openssl rand -base64 48)}
export JOBFLOW_ENCRYPTION_KEY=${JOBFLOW_ENCRYPTION_KEY:-$(secret encryption-key openssl rand -base64 32)}
export JOBFLOW_ADMIN_PASSWORD=${JOBFLOW_ADMIN_PASSWORD:-$(secret admin-password openssl rand -hex 12)}

# --- processes -------------------------------------------------------------
# start NAME ENV… -- ARGS…: start ARGS (a binary of CLUSTER_BIN first) in
# its own session with the extra environment, unless it runs already.
start() {
  local name=$1 envs=()
  shift
  while [ "$1" != "--" ]; do envs+=("$1"); shift; done
  shift
  if running "$name"; then
    say "$name running (pid $(cat "$PID_DIR/$name.pid"))"
    return
  fi
  echo "=== $(date -u +%FT%TZ) start $name" >>"$LOG_DIR/$name.log"
  env "${envs[@]}" setsid "$@" >>"$LOG_DIR/$name.log" 2>&1 </dev/null &
  echo $! >"$PID_DIR/$name.pid"
  say "$name started (pid $!)"
}

# wait_for NAME URL: until URL answers (any HTTP status if ANY is set, else 2xx).
wait_for() {
  local name=$1 url=$2 code
  for _ in $(seq 1 240); do
    running "$name" || die "$name exited; last lines of $LOG_DIR/$name.log:
$(tail -n 20 "$LOG_DIR/$name.log")"
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$url" || true)
    if [ -n "${ANY:-}" ] && [ "$code" != 000 ]; then return; fi
    case $code in 2??) return ;; esac
    sleep 0.5
  done
  die "$name did not answer $url in 120 s: $LOG_DIR/$name.log"
}

temporal_node() {
  local n=$1
  start "temporal-$n" \
    TEMPORAL_DB_HOST="$PGHOST" TEMPORAL_DB_PORT="$PGPORT" TEMPORAL_DB_USER="$PGUSER" TEMPORAL_DB_PASSWORD="$PGPASSWORD" \
    TEMPORAL_DB="$TEMPORAL_DB" TEMPORAL_VISIBILITY_DB="$TEMPORAL_VISIBILITY_DB" \
    TEMPORAL_BIND_IP=127.0.0.1 TEMPORAL_BROADCAST_ADDRESS=127.0.0.1 \
    TEMPORAL_FRONTEND_PORT="$(node_port "$n" 33)" TEMPORAL_HISTORY_PORT="$(node_port "$n" 34)" \
    TEMPORAL_MATCHING_PORT="$(node_port "$n" 35)" TEMPORAL_WORKER_PORT="$(node_port "$n" 39)" \
    TEMPORAL_FRONTEND_HTTP_PORT="$(node_port "$n" 43)" \
    TEMPORAL_FRONTEND_MEMBERSHIP_PORT="$(node_port "$n" 53)" TEMPORAL_HISTORY_MEMBERSHIP_PORT="$(node_port "$n" 54)" \
    TEMPORAL_MATCHING_MEMBERSHIP_PORT="$(node_port "$n" 55)" TEMPORAL_WORKER_MEMBERSHIP_PORT="$(node_port "$n" 59)" \
    TEMPORAL_CLUSTER_ADDRESS="127.0.0.1:$(node_port 1 33)" \
    TEMPORAL_DYNAMIC_CONFIG="$DEPLOY_DIR/temporal/dynamicconfig.yaml" \
    TEMPORAL_LOG_LEVEL="$CLUSTER_LOG_LEVEL" \
    -- "$CLUSTER_BIN/temporal-server" --config-file "$DEPLOY_DIR/cluster/temporal.yaml" --allow-no-auth start
}

ns_url() { echo "http://127.0.0.1:$(node_port "$1" 43)/api/v1/namespaces"; }

temporal_node 1
ANY=1 wait_for temporal-1 "$(ns_url 1)/$TEMPORAL_NAMESPACE"
temporal_node 2
ANY=1 wait_for temporal-2 "$(ns_url 2)/$TEMPORAL_NAMESPACE"
"$DEPLOY_DIR/cluster/namespace.sh" "$TEMPORAL_NAMESPACE" "$TEMPORAL_RETENTION_HOURS" \
  "http://127.0.0.1:$(node_port 1 43)" "http://127.0.0.1:$(node_port 2 43)" >>"$LOG_DIR/schema.log" 2>&1 \
  || die "namespace $TEMPORAL_NAMESPACE failed: $LOG_DIR/schema.log"
say "temporal cluster ready: frontends $(temporal_frontends), namespace $TEMPORAL_NAMESPACE"

# What every jobflow process shares.
jobflow_env=(
  # Each process's pool is capped so that the cluster's pools together fit
  # PostgreSQL's max_connections (100 by default; temporal.yaml).
  JOBFLOW_DATABASE_URL="postgres://$PGUSER${PGPASSWORD:+:$PGPASSWORD}@$PGHOST:$PGPORT/$JOBFLOW_DB?sslmode=disable&pool_max_conns=${JOBFLOW_POOL_MAX_CONNS:-10}"
  JOBFLOW_TEMPORAL_ADDRESS="$(temporal_frontends)"
  JOBFLOW_TEMPORAL_NAMESPACE="$TEMPORAL_NAMESPACE"
  JOBFLOW_JWT_SECRET="$JOBFLOW_JWT_SECRET" JOBFLOW_ENCRYPTION_KEY="$JOBFLOW_ENCRYPTION_KEY"
  JOBFLOW_ADMIN_PASSWORD="$JOBFLOW_ADMIN_PASSWORD"
  JOBFLOW_PUBLIC_URL="${JOBFLOW_PUBLIC_URL:-http://127.0.0.1:$(api_port 1)}"
  JOBFLOW_LOG_LEVEL="$CLUSTER_LOG_LEVEL"
  JOBFLOW_DATA_DIR="$CLUSTER_DIR/jobflow-data"
  JOBFLOW_JOB_WRITABLE="${JOBFLOW_JOB_WRITABLE:-}"
  JOBFLOW_EGRESS_ALLOW="${JOBFLOW_EGRESS_ALLOW:-}"
)
env "${jobflow_env[@]}" "$CLUSTER_BIN/jobflow" migrate </dev/null >>"$LOG_DIR/migrate.log" 2>&1 \
  || die "jobflow migrate failed: $LOG_DIR/migrate.log"

# api-1 first: it creates the admin user on a fresh store.
for n in 1 2; do
  start "api-$n" "${jobflow_env[@]}" JOBFLOW_HTTP_ADDR="127.0.0.1:$(api_port "$n")" -- "$CLUSTER_BIN/jobflow" api
  wait_for "api-$n" "http://127.0.0.1:$(api_port "$n")/readyz"
done
for n in 1 2; do
  start "worker-$n" "${jobflow_env[@]}" JOBFLOW_METRICS_ADDR="127.0.0.1:$(worker_port "$n")" -- "$CLUSTER_BIN/jobflow" worker
done
for n in 1 2; do
  wait_for "worker-$n" "http://127.0.0.1:$(worker_port "$n")/healthz"
done
say "up: REST API http://127.0.0.1:$(api_port 1) and http://127.0.0.1:$(api_port 2) (admin / \$(cat $CLUSTER_DIR/admin-password)); logs in $LOG_DIR"
