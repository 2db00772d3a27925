#!/usr/bin/env bash
# Start-up time and idle RSS of mistguard with the container image's JVM flags, environment and
# config file (read from deploy/Dockerfile; the config is deploy/mistguard.yaml, ports replaced).
# Per run: time from `java -jar` to the first 200 from GET /healthz on the admin port (polled every
# 10 ms with curl, so ~10-20 ms resolution), RSS at that moment, and RSS after --idle seconds without
# traffic. A run fails if mistguard warns that its CDS archive was refused. Targets (design.md): ready < 1 s, idle RSS <= 64 MiB.
#
# Usage: deploy/bench/startup.sh [--runs 5] [--idle 15] [--base-port 18600] [--pin 1]
#   --pin CORE: run mistguard under taskset -c CORE, as a 1-CPU container would ("" = no pinning)
#   EXTRA_JVM_FLAGS="..." appends flags after the image's, to try a change before editing the image.
# Needs: java 17, curl.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

RUNS=5; IDLE=15; BASE_PORT=18600; PIN=1
while (( $# )); do
    case "$1" in
        --runs) RUNS="$2"; shift 2 ;;
        --idle) IDLE="$2"; shift 2 ;;
        --base-port) BASE_PORT="$2"; shift 2 ;;
        --pin) PIN="$2"; shift 2 ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) die "unknown option $1 (try --help)" ;;
    esac
done
require java curl
require_jars
bench_init

read -r -a EXTRA <<<"${EXTRA_JVM_FLAGS:-}"
# The image's command: its config file, with the ports replaced.
java_image_cmd "${EXTRA[@]}" -jar "$MISTGUARD_JAR" --config "$REPO_DIR/deploy/mistguard.yaml" \
    --listen "127.0.0.1:$BASE_PORT" --upstream "http://127.0.0.1:$((BASE_PORT + 2))" \
    --admin-listen "127.0.0.1:$((BASE_PORT + 1))"
[[ -n "$PIN" ]] && JAVA_CMD=(taskset -c "$PIN" "${JAVA_CMD[@]}")
HEALTHZ="http://127.0.0.1:$((BASE_PORT + 1))/healthz"
cd "$WORK_DIR" # the config's invalidation state file is relative: it lands here, not in the checkout

READY=""; RSS_READY=""; RSS_IDLE=""; THREADS=""
for (( r = 1; r <= RUNS; r++ )); do
    t0=$(date +%s%N)
    spawn "$WORK_DIR/mistguard-$r.out" "${JAVA_CMD[@]}"
    pid=$SPAWNED_PID
    until curl -sf -o /dev/null --max-time 1 "$HEALTHZ"; do
        kill -0 "$pid" 2>/dev/null || die "mistguard exited; see $WORK_DIR/mistguard-$r.out"
        (( $(date +%s%N) - t0 < 20000000000 )) || die "not ready after 20 s"
        sleep 0.01
    done
    t1=$(date +%s%N)
    rss_ready=$(rss_kib "$pid")
    sleep "$IDLE"
    rss_idle=$(rss_kib "$pid"); nthreads=$(threads "$pid")
    stop "$pid"
    ! grep -q "no class is shared" "$WORK_DIR/mistguard-$r.out" \
        || die "run $r shared no class: the CDS archive was refused (see $WORK_DIR/mistguard-$r.out)"
    ms=$(( (t1 - t0) / 1000000 ))
    log "run $r: ready after $ms ms, RSS at ready $(mib "$rss_ready") MiB, after ${IDLE}s idle $(mib "$rss_idle") MiB, $nthreads threads"
    READY+="$ms"$'\n'; RSS_READY+="$(mib "$rss_ready")"$'\n'; RSS_IDLE+="$(mib "$rss_idle")"$'\n'; THREADS+="$nthreads"$'\n'
done

fmt() { read -r m lo hi <<<"$(printf '%s' "$1" | stats)"; printf '%s (%s–%s)' "$m" "$lo" "$hi"; }
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
REPORT="$RESULTS_DIR/startup-$STAMP.md"
{
    echo "# Start-up and idle RSS, $STAMP"
    echo
    echo "\`$(printf '%s ' "${JAVA_CMD[@]}" | sed "s|$REPO_DIR/||g")\`"
    echo
    echo "$RUNS runs, median (min–max); ${IDLE} s idle. Targets: ready < 1000 ms, idle RSS ≤ 64 MiB."
    echo
    echo "| java -jar → first 200 from /healthz (ms) | RSS at ready (MiB) | RSS after ${IDLE} s idle (MiB) | threads |"
    echo "|---|---|---|---|"
    echo "| $(fmt "$READY") | $(fmt "$RSS_READY") | $(fmt "$RSS_IDLE") | $(fmt "$THREADS") |"
} >"$REPORT"
cat "$REPORT"
log "written to $REPORT"
