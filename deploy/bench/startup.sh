#!/usr/bin/env bash
# Start-up time and idle RSS of mistguard with the container image's JVM flags, environment and
# config file (read from deploy/Dockerfile; the config is deploy/mistguard.yaml, ports replaced).
# Per run: time from `java -jar` to the first 200 from GET /healthz on the admin port (polled every
# 10 ms with curl, so ~10-20 ms resolution), RSS at that moment, and RSS after --idle seconds without
# traffic. A run fails if mistguard warns that its CDS archive was refused.
#
# The first requests (--first N, default 500; 0 = none): right after ready, N/2 GetState POSTs then N/2
# invalidate_sessions POSTs, one at a time on one keep-alive connection (h2load -c 1, on core 0), through
# mistguard to a small nginx upstream (`return 200`, core 0). Latency of each from h2load's per-request
# log: p50, p99 and max per kind and over all N. Target (#12): p99 <= 20 ms over the first 500. With
# requests, the idle RSS is taken after them. Targets (design.md): ready < 1 s, idle RSS <= 64 MiB.
#
# Usage: deploy/bench/startup.sh [--runs 5] [--idle 15] [--base-port 18600] [--pin 1]
#   --pin CORE: run mistguard under taskset -c CORE, as a 1-CPU container would ("" = no pinning)
#   --first N: requests sent right after ready (see below); 0 for none
#   EXTRA_JVM_FLAGS="..." appends flags after the image's, to try a change before editing the image
#   (-X... and -D... words, split at whitespace; refused when java refuses them after the image's).
# Needs: java 17, curl; with --first > 0 also nginx (nginx-light) and h2load (nghttp2-client).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

RUNS=5; IDLE=15; BASE_PORT=18600; PIN=1; FIRST=500
while (( $# )); do
    needs_value "$@"
    case "$1" in
        --runs) RUNS=$(whole "$1" "$2"); shift 2 ;;
        --idle) IDLE=$(whole "$1" "$2" 0); shift 2 ;;
        --base-port) BASE_PORT=$(whole "$1" "$2"); shift 2 ;;
        --pin) PIN="$2"; shift 2 ;;
        --first) FIRST=$(whole "$1" "$2" 0); shift 2 ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) die "unknown option $1 (try --help)" ;;
    esac
done
require java curl
[[ -z "$PIN" ]] || { require taskset; check_cpus "$PIN" --pin; }
(( FIRST == 0 )) || require nginx h2load taskset
require_jars
extra_jvm_flags EXTRA_JVM_FLAGS "${EXTRA_JVM_FLAGS:-}"
EXTRA=("${EXTRA_FLAGS[@]}")
bench_init
if (( FIRST > 0 )); then
    start_small_upstream "$((BASE_PORT + 2))" /
    printf '%s' "$GETSTATE_FORM" >"$WORK_DIR/getstate.form"
    printf '%s' "$INVALIDATE_FORM" >"$WORK_DIR/invalidate.form"
fi

# first_requests RUN: the first FIRST requests through mistguard; their latencies (µs) go to
# $WORK_DIR/first-RUN-getstate.us and first-RUN-invalidate.us, one a line.
first_requests() {
    local kind n
    for kind in getstate invalidate; do
        [[ $kind == getstate ]] && n=$((FIRST / 2)) || n=$((FIRST - FIRST / 2))
        taskset -c 0 h2load --h1 -n "$n" -c 1 -d "$WORK_DIR/$kind.form" \
            -H 'content-type: application/x-www-form-urlencoded' --log-file "$WORK_DIR/first-$1-$kind.tsv" \
            "http://127.0.0.1:$BASE_PORT/api2" >"$WORK_DIR/first-$1-$kind.out" 2>&1 \
            || die "h2load failed; see $WORK_DIR/first-$1-$kind.out"
        awk -F'\t' -v want="$n" '$2 == 200 {print $3; ok++} END {if (ok != want) exit 1}' \
            "$WORK_DIR/first-$1-$kind.tsv" >"$WORK_DIR/first-$1-$kind.us" \
            || die "run $1: not every $kind request was answered 200 (see $WORK_DIR/first-$1-$kind.tsv)"
    done
}

# percentiles FILE...: "p50 p99 max" in ms of the µs values in FILEs (nearest rank).
percentiles() {
    cat "$@" | sort -n | awk '{v[NR]=$1} END{
        r50 = int(NR * 0.50 + 0.999999); r99 = int(NR * 0.99 + 0.999999)
        printf "%.1f %.1f %.1f\n", v[r50] / 1000, v[r99] / 1000, v[NR] / 1000}'
}

# The image's command: its config file, with the ports replaced.
java_image_cmd "${EXTRA[@]}" -jar "$MISTGUARD_JAR" --config "$REPO_DIR/deploy/mistguard.yaml" \
    --listen "127.0.0.1:$BASE_PORT" --upstream "http://127.0.0.1:$((BASE_PORT + 2))" \
    --admin-listen "127.0.0.1:$((BASE_PORT + 1))"
[[ -n "$PIN" ]] && JAVA_CMD=(taskset -c "$PIN" "${JAVA_CMD[@]}")
HEALTHZ="http://127.0.0.1:$((BASE_PORT + 1))/healthz"
cd "$WORK_DIR" # the config's invalidation state file is relative: it lands here, not in the checkout

READY=""; RSS_READY=""; RSS_IDLE=""; THREADS=""; FIRST_P99=""
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
    (( FIRST == 0 )) || first_requests "$r"
    sleep "$IDLE"
    rss_idle=$(rss_kib "$pid"); nthreads=$(threads "$pid")
    stop "$pid"
    ! grep -q "no class is shared" "$WORK_DIR/mistguard-$r.out" \
        || die "run $r shared no class: the CDS archive was refused (see $WORK_DIR/mistguard-$r.out)"
    ms=$(( (t1 - t0) / 1000000 ))
    log "run $r: ready after $ms ms, RSS at ready $(mib "$rss_ready") MiB, after ${IDLE}s idle $(mib "$rss_idle") MiB, $nthreads threads"
    READY+="$ms"$'\n'; RSS_READY+="$(mib "$rss_ready")"$'\n'; RSS_IDLE+="$(mib "$rss_idle")"$'\n'; THREADS+="$nthreads"$'\n'
    if (( FIRST > 0 )); then
        read -r p50 p99 max <<<"$(percentiles "$WORK_DIR"/first-"$r"-*.us)"
        log "run $r: first $FIRST requests p50 $p50 ms, p99 $p99 ms, max $max ms"
        FIRST_P99+="$p99"$'\n'
    fi
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
    idle_heading="RSS after ${IDLE} s idle (MiB)"
    (( FIRST == 0 )) || idle_heading="RSS after the first $FIRST requests and ${IDLE} s idle (MiB)"
    echo "| java -jar → first 200 from /healthz (ms) | RSS at ready (MiB) | $idle_heading | threads |"
    echo "|---|---|---|---|"
    echo "| $(fmt "$READY") | $(fmt "$RSS_READY") | $(fmt "$RSS_IDLE") | $(fmt "$THREADS") |"
    if (( FIRST > 0 )); then
        echo
        echo "The first $FIRST requests after ready, one at a time (ms; target p99 ≤ 20 over 500):"
        echo
        echo "| run | GetState p50 / p99 / max | invalidate_sessions p50 / p99 / max | all: p50 / p99 / max |"
        echo "|---|---|---|---|"
        for (( r = 1; r <= RUNS; r++ )); do
            echo "| $r | $(percentiles "$WORK_DIR/first-$r-getstate.us" | sed 's| | / |g') |" \
                 "$(percentiles "$WORK_DIR/first-$r-invalidate.us" | sed 's| | / |g') |" \
                 "$(percentiles "$WORK_DIR"/first-"$r"-*.us | sed 's| | / |g') |"
        done
        echo
        echo "p99 over all $FIRST, median (min–max) of the runs: $(fmt "$FIRST_P99") ms"
    fi
} >"$REPORT"
cat "$REPORT"
log "written to $REPORT"
