# Settings of the one-machine cluster, sourced by up.sh and down.sh. Every
# one can be overridden from the environment.
#
# Ports, from CLUSTER_PORT_BASE (default 7200):
#   temporal-N (N = 1, 2; o = base + 100·(N-1)):
#     gRPC frontend o+33, history o+34, matching o+35, worker o+39,
#     frontend HTTP o+43, ringpop membership o+53, o+54, o+55, o+59
#     → node 1: 7233 7234 7235 7239 / 7243 / 7253…; node 2: 7333 … / 7343 / 7353…
#   api-N: base+879+N (8080, 8081)   worker-N /metrics: base+889+N (8090, 8091)

CLUSTER_DIR=${CLUSTER_DIR:-./cluster-data}
CLUSTER_BIN=${CLUSTER_BIN:-$CLUSTER_DIR/bin}
CLUSTER_PORT_BASE=${CLUSTER_PORT_BASE:-7200}
CLUSTER_LOG_LEVEL=${CLUSTER_LOG_LEVEL:-info}

# PostgreSQL: one server, three databases (Temporal's persistence and
# visibility, jobflow's store).
PGHOST=${PGHOST:-127.0.0.1}
PGPORT=${PGPORT:-5432}
PGUSER=${PGUSER:-postgres}
PGPASSWORD=${PGPASSWORD:-}
TEMPORAL_DB=${TEMPORAL_DB:-temporal}
TEMPORAL_VISIBILITY_DB=${TEMPORAL_VISIBILITY_DB:-temporal_visibility}
JOBFLOW_DB=${JOBFLOW_DB:-jobflow}
TEMPORAL_NAMESPACE=${TEMPORAL_NAMESPACE:-default}
# How long Temporal keeps a closed run's history (jobflow's own run rows
# follow JOBFLOW_RUN_RETENTION).
TEMPORAL_RETENTION_HOURS=${TEMPORAL_RETENTION_HOURS:-72}

DEPLOY_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
REPO_DIR=$(cd "$DEPLOY_DIR/.." && pwd)

mkdir -p "$CLUSTER_DIR"
CLUSTER_DIR=$(cd "$CLUSTER_DIR" && pwd)
mkdir -p "$CLUSTER_BIN"
CLUSTER_BIN=$(cd "$CLUSTER_BIN" && pwd)
LOG_DIR=$CLUSTER_DIR/logs
PID_DIR=$CLUSTER_DIR/pids
mkdir -p "$LOG_DIR" "$PID_DIR"

# port N OFFSET: a Temporal node's port.
node_port() { echo $((CLUSTER_PORT_BASE + 100 * ($1 - 1) + $2)); }
api_port() { echo $((CLUSTER_PORT_BASE + 879 + $1)); }
worker_port() { echo $((CLUSTER_PORT_BASE + 889 + $1)); }

# Every jobflow process gets both frontends: the client spreads its calls
# over them and goes on with one while the other is away.
temporal_frontends() { echo "127.0.0.1:$(node_port 1 33),127.0.0.1:$(node_port 2 33)"; }

# running NAME: the process of NAME's pid file is alive (and is ours: a
# reused pid of another program does not count).
running() {
  local f=$PID_DIR/$1.pid pid
  [ -f "$f" ] || return 1
  pid=$(cat "$f")
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q "$CLUSTER_BIN/"
}
