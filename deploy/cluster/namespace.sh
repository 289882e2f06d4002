#!/usr/bin/env bash
# Registers jobflow's Temporal namespace through the frontends' HTTP API
# (nothing happens when it exists) and waits until every frontend named
# knows it. up.sh calls it, and so does the temporal-namespace service of
# docker-compose.yml.
#
#   namespace.sh NAMESPACE RETENTION_HOURS HTTP_URL…   e.g. default 72 http://127.0.0.1:7243
set -euo pipefail
ns=$1 hours=$2
shift 2
body="{\"namespace\":\"$ns\",\"workflowExecutionRetentionPeriod\":\"$((hours * 3600))s\"}"
for url in "$@"; do
  for i in $(seq 1 240); do
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$url/api/v1/namespaces/$ns" || true)
    [ "$code" = 200 ] && break
    if [ "$code" = 404 ]; then # the frontend answers, the namespace is missing
      curl -s -o /dev/null --max-time 10 -X POST "$url/api/v1/namespaces" -H 'Content-Type: application/json' -d "$body" || true
    fi
    [ "$i" = 240 ] && { echo "namespace: $url does not know namespace $ns after 120 s (last answer $code)" >&2; exit 1; }
    sleep 0.5
  done
done
# Schedules fire only once the cluster's system worker for the namespace
# (scheduler, batcher) polls its task queue: wait for that too.
tq="$1/api/v1/namespaces/$ns/task-queues/temporal-sys-per-ns-tq?taskQueueType=TASK_QUEUE_TYPE_WORKFLOW"
for i in $(seq 1 240); do
  curl -s --max-time 5 "$tq" | grep -q '"pollers":\[{' && break
  [ "$i" = 240 ] && { echo "namespace: no system worker polls $ns's schedules after 120 s" >&2; exit 1; }
  sleep 0.5
done
echo "namespace: $ns ready on $*, its system worker polling"
