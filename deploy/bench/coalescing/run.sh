#!/usr/bin/env bash
# Coalescing benchmark: what N identical GetState pollers cost Mist with `coalesce: true` versus
# `coalesce: false` on the GetState route (no fresh_for, no stale, so every answer needs a call in
# flight), over loopback against sim-mist with a realistic, non-minimal reply (200 streams,
# 50 viewers each).
#
# Each poller sends catalyst-api's GetState back-to-back on its own keep-alive connection: the worst
# case for Mist, and the one where coalescing has the most to share; pollers on a fixed interval
# would measure mostly how their phases happen to line up. Admission and breaker are off on the
# route so that the two configurations differ only in coalescing (with the shipped admission pool,
# 1000 uncoalesced pollers would mostly measure overload rejections).
#
# Reports, per run: requests/s, non-200 answers, transport errors, Mist calls/s (sim-mist control
# DELETE /recording as the window opens, GET /recording commands.active_streams.count as it closes)
# and caller latency p50/p99/max. Runs on loopback only; ports are free ones of your choosing via env.
#
#   deploy/bench/coalescing/run.sh                     # pollers 10 100 1000, 3 runs, 3 s warm-up, 8 s window each
#   POLLERS="10 100" RUNS=1 MEASURE_S=5 deploy/bench/coalescing/run.sh
set -euo pipefail
cd "$(dirname "$0")/../../.."

POLLERS=${POLLERS:-"10 100 1000"}
RUNS=${RUNS:-3}
WARMUP_S=${WARMUP_S:-3}
MEASURE_S=${MEASURE_S:-8}
MIST_PORT=${MIST_PORT:-18242}
CONTROL_PORT=${CONTROL_PORT:-18243}
PROXY_PORT=${PROXY_PORT:-18244}
ADMIN_PORT=${ADMIN_PORT:-18245}
JAVA_OPTS=${JAVA_OPTS:-"-Xmx512m"}

SIM_JAR=sim-mist/target/sim-mist.jar
PROXY_JAR=proxy/target/mistguard.jar
if [[ ! -f $SIM_JAR || ! -f $PROXY_JAR ]]; then
  mvn -B -ntp -o -q package -DskipTests
fi

work=$(mktemp -d)
pids=()
cleanup() {
  trap '' INT TERM # a second Ctrl-C must not end the clean-up half way
  for pid in "${pids[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${pids[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM # then EXIT cleans up, once

wait_for_port() { # port, seconds
  local deadline=$((SECONDS + $2))
  until (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; do
    if ((SECONDS >= deadline)); then
      echo "nothing listens on 127.0.0.1:$1 after $2 s" >&2
      return 1
    fi
    sleep 0.1
  done
}

config() { # coalesce: true|false
  cat <<YAML
listen: 127.0.0.1:$PROXY_PORT
upstream:
  url: http://127.0.0.1:$MIST_PORT
admin:
  listen: 127.0.0.1:$ADMIN_PORT
routes:
  - name: get-state
    match:
      commands: [active_streams, stats_streams, push_list, push_auto_list]
    kind: read
    timeout: 4s
    per_try_timeout: 4s
    retry: {attempts: 1}
    breaker: none
    admission: none
    coalesce: $1
  - name: catch-all
    match: {}
    kind: passthrough
YAML
}

# shellcheck disable=SC2086
java $JAVA_OPTS -jar "$SIM_JAR" --port "$MIST_PORT" --control-port "$CONTROL_PORT" --streams 200 --viewers 50 \
  >"$work/sim-mist.log" 2>&1 &
pids+=($!)
wait_for_port "$MIST_PORT" 30
wait_for_port "$CONTROL_PORT" 30

echo "# $(date -u +%FT%TZ) $(nproc) cores, warm-up ${WARMUP_S}s, window ${MEASURE_S}s, GetState back-to-back"
for coalesce in true false; do
  config "$coalesce" >"$work/mistguard-$coalesce.yaml"
  # shellcheck disable=SC2086
  java $JAVA_OPTS -jar "$PROXY_JAR" --config "$work/mistguard-$coalesce.yaml" >"$work/mistguard-$coalesce.log" 2>&1 &
  proxy=$!
  pids+=("$proxy")
  wait_for_port "$PROXY_PORT" 30
  for n in $POLLERS; do
    for run in $(seq 1 "$RUNS"); do
      java $JAVA_OPTS deploy/bench/coalescing/Poller.java "http://127.0.0.1:$PROXY_PORT/" \
        "http://127.0.0.1:$CONTROL_PORT" "$n" "$WARMUP_S" "$MEASURE_S" "coalesce=$coalesce run=$run"
    done
  done
  kill "$proxy"
  wait "$proxy" 2>/dev/null || true
  while (exec 3<>"/dev/tcp/127.0.0.1/$PROXY_PORT") 2>/dev/null; do sleep 0.1; done
done
