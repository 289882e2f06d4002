#!/usr/bin/env bash
# Stops what deploy/cluster/up.sh started, in reverse order: the APIs, the
# workers (SIGTERM: running jobs get JOBFLOW_WORKER_STOP_TIMEOUT, 30 s),
# then the Temporal nodes. A process still there after CLUSTER_STOP_WAIT
# seconds (default 45) is killed. Idempotent; data and logs stay in
# CLUSTER_DIR (remove it, and drop the three databases, for a fresh start).
#
#   deploy/cluster/down.sh            # everything
#   deploy/cluster/down.sh worker-1   # one process (up.sh starts it again)
set -euo pipefail
source "$(dirname "$0")/env.sh"

stop() { # stop NAME…: SIGTERM them all, then wait for each
  local name pid
  for name in "$@"; do
    if running "$name"; then
      kill -TERM "$(cat "$PID_DIR/$name.pid")" 2>/dev/null || true
    fi
  done
  for name in "$@"; do
    [ -f "$PID_DIR/$name.pid" ] || continue
    pid=$(cat "$PID_DIR/$name.pid")
    for _ in $(seq 1 $((${CLUSTER_STOP_WAIT:-45} * 10))); do
      running "$name" || break
      sleep 0.1
    done
    if running "$name"; then
      echo "cluster: $name (pid $pid) still running: SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -f "$PID_DIR/$name.pid"
    echo "cluster: $name stopped"
  done
}

if [ $# -gt 0 ]; then
  stop "$@"
  exit
fi
stop api-1 api-2
stop worker-1 worker-2
stop temporal-1 temporal-2
