#!/usr/bin/env bash
# Where mistguard's CPU and allocations go per request, under the small-GET pass-through load of
# passthrough.sh (GET /api on the catch-all route, upstream nginx `return 200` on core 0, wrk on
# core 0, mistguard from the built jar with the image's JVM flags on core 1, the shipped config with
# the same bench edits).
#
# Phases, each one wrk run of --duration seconds after a warm-up:
#   baseline   no tool attached: req/s and CPU us/request (utime+stime of the JVM / requests), and
#              the user-space part of it (utime alone)
#   cpu        async-profiler, event=cpu (perf_events: Java, native and kernel frames), per thread
#   alloc      async-profiler, event=alloc (TLAB-driven sampling, bytes)
#   strace     strace -c -f on the JVM: syscalls per request (strace slows the JVM a lot; the
#              count per request stays meaningful, the rate does not)
# The report lists per profile the top frames by self and by inclusive weight, as a share of the
# total and as us (cpu) or bytes (alloc) per request. Collapsed stacks and flame graphs (HTML) are
# saved under deploy/bench/results/profile-<stamp>/ (git-ignored).
#
# async-profiler comes from Maven Central (tools.profiler:async-profiler, the jar carries
# libasyncProfiler.so for linux-x64 and arm64) and is attached with `jcmd PID JVMTI.agent_load`.
#
# The warm-up is --warmup seconds of load, then more, 5 s at a time, until the JVM's JIT compiler
# threads used at most 1% of its CPU in 3 steps in a row (at most --jit-settle-max seconds); each phase's
# line says how much CPU the compilers used during it.
#
# Usage: deploy/bench/profile.sh [--duration 15] [--warmup 20] [--jit-settle-max 300] [--conns 32] [--access-log true|false]
#        [--phases "baseline cpu alloc strace"] [--path /api] [--base-port 18500] [--target mistguard]
#        [--cpu-quota PCT]
#   --path /small profiles passthrough.sh's webui-get case instead (no upstream connection reuse).
#   --target mistguard-unqueued profiles passthrough.sh's mistguard-unqueued (the `mist` admission pool
#            at 1024, so no request waits in its queue): compare with mistguard's to see what queueing costs.
#   --target netty-floor profiles passthrough.sh's floor (deploy/bench/NettyFloorProxy.java, the same
#            JVM flags but without the class-data-sharing archive) under the same load instead: compare its
#            report with mistguard's to see which frames are mistguard's own work.
#   --cpu-quota PCT caps the target at PCT % of its core for the phases (cgroup v1 cpu controller,
#            100 ms period), as passthrough.sh --cpu-quota caps each proxy; the warm-up runs uncapped.
#            The report gives the time the kernel held the target back per phase. Use it to see which
#            threads and frames a cap makes dearer than the uncapped profile shows.
# EXTRA_JVM_FLAGS="..." appends JVM flags after the image's, for mistguard and the floor alike, split
#   at whitespace (a flag cannot hold a space); the script refuses words that are not -X... or -D...
#   and flags this java refuses after the image's (lib.sh extra_jvm_flags). Output
#   such as -XX:+PrintCompilation's lands in the target's .out file in the work directory, which is
#   deleted at the end unless KEEP_WORK_DIR=1 (the script then says where it is).
# Needs: java 17 (jcmd), mvn (to fetch async-profiler once), nginx, wrk, strace, taskset, python3, curl.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

DURATION=15; WARMUP=20; JIT_SETTLE_MAX=300; CONNS=32; ACCESS_LOG=true; PHASES="baseline cpu alloc strace"; BASE_PORT=18500
TARGET=mistguard
REQ_PATH=/api
CPU_QUOTA=""; QUOTA_PERIOD_US=100000
ASYNC_PROFILER_VERSION=4.1
while (( $# )); do
    needs_value "$@"
    case "$1" in
        --duration) DURATION=$(whole "$1" "$2"); shift 2 ;;
        --warmup) WARMUP=$(whole "$1" "$2" 0); shift 2 ;;
        --jit-settle-max) JIT_SETTLE_MAX=$(whole "$1" "$2" 0); shift 2 ;;
        --conns) CONNS=$(whole "$1" "$2"); shift 2 ;;
        --access-log) ACCESS_LOG="$2"; shift 2 ;;
        --phases) PHASES="$2"; shift 2 ;;
        --path) REQ_PATH="$2"; shift 2 ;;
        --base-port) BASE_PORT=$(whole "$1" "$2"); shift 2 ;;
        --target) TARGET="$2"; shift 2 ;;
        --cpu-quota) CPU_QUOTA=$(whole "$1" "$2"); shift 2 ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) die "unknown option $1 (try --help)" ;;
    esac
done

require java jcmd nginx wrk strace taskset python3 curl unzip
require_jars
extra_jvm_flags EXTRA_JVM_FLAGS "${EXTRA_JVM_FLAGS:-}"
EXTRA=("${EXTRA_FLAGS[@]}")
bench_init

# --cpu-quota: one cap group for the target (lib.sh), joined after the warm-up.
if [[ -n $CPU_QUOTA ]]; then
    cap_require "$CPU_QUOTA" "$QUOTA_PERIOD_US"
    cap_make "$TARGET" "$QUOTA_PERIOD_US" $(( CPU_QUOTA * QUOTA_PERIOD_US / 100 ))
fi
# throttled_ms: the time the kernel has held the capped target back so far, in ms (0 uncapped).
throttled_ms() {
    [[ -n $CPU_QUOTA ]] || { echo 0; return; }
    cap_throttled_ms "$TARGET"
}
chmod 755 "$WORK_DIR"

# async-profiler's native library, from the jar in the local Maven repository (fetched once).
AP_JAR="$HOME/.m2/repository/tools/profiler/async-profiler/$ASYNC_PROFILER_VERSION/async-profiler-$ASYNC_PROFILER_VERSION.jar"
if [[ ! -f $AP_JAR ]]; then
    command -v mvn >/dev/null || die "mvn not found (needed once to fetch async-profiler)"
    mvn -B -ntp -q dependency:get -Dartifact="tools.profiler:async-profiler:$ASYNC_PROFILER_VERSION" -Dtransitive=false
fi
case "$(uname -m)" in x86_64) AP_ARCH=linux-x64 ;; aarch64) AP_ARCH=linux-arm64 ;; *) die "no async-profiler library for $(uname -m)" ;; esac
unzip -q -o -j "$AP_JAR" "$AP_ARCH/libasyncProfiler.so" -d "$WORK_DIR/ap"
AP_LIB="$WORK_DIR/ap/libasyncProfiler.so"

UP_PORT=$BASE_PORT; MG_PORT=$((BASE_PORT + 1)); MG_ADMIN=$((BASE_PORT + 2))
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
OUT="$RESULTS_DIR/profile-$([[ $TARGET == mistguard ]] || echo "$TARGET-")$STAMP"
mkdir -p "$OUT"
CLK_TCK=$(getconf CLK_TCK)

start_small_upstream "$UP_PORT" "$REQ_PATH"
UP_PID=$SPAWNED_PID

URL="http://127.0.0.1:$MG_PORT$REQ_PATH"
case "$TARGET" in
    mistguard|mistguard-unqueued)
        # A directory of its own: mistguard watches its config's directory, and mistguard.out written
        # there would wake the watcher on every access-log line.
        mkdir -p "$WORK_DIR/conf"
        POOL_LIMIT=(); POOL_NOTE=""
        if [[ $TARGET == mistguard-unqueued ]]; then
            POOL_LIMIT=(1024)
            POOL_NOTE=", the \`mist\` pool's \`max_concurrent\` and \`upstream.max_idle_connections_per_thread\` at 1024 (passthrough.sh's mistguard-unqueued)"
        fi
        mistguard_bench_config "$WORK_DIR/conf/mistguard.yaml" "$MG_PORT" "$MG_ADMIN" "$UP_PORT" "$ACCESS_LOG" "${POOL_LIMIT[@]}"
        java_image_cmd "${EXTRA[@]}" -jar "$MISTGUARD_JAR" --config "$WORK_DIR/conf/mistguard.yaml"
        spawn "$WORK_DIR/mistguard.out" taskset -c 1 "${JAVA_CMD[@]}"
        MG_PID=$SPAWNED_PID
        wait_http "http://127.0.0.1:$MG_ADMIN/healthz" 20
        curl -s -D - -o /dev/null "$URL" | tr -d '\r' | grep -qi '^mistguard-route: catch-all' \
            || die "GET $REQ_PATH is not on the catch-all route"
        TARGET_CMD="$(image_env) java $(image_jvm_flags | sed "s|$REPO_DIR/||" | tr '\n' ' ')${EXTRA[*]:+${EXTRA[*]} }-jar proxy/target/mistguard.jar"
        TARGET_SETUP="shipped config with ports, \`io_threads: 1\`, get-state \`coalesce: false\`, \`access_log: $ACCESS_LOG\`$POOL_NOTE" ;;
    netty-floor)
        # As passthrough.sh starts it: the image's flags and environment, no CDS archive (it is mistguard's).
        mapfile -t FLOOR_FLAGS < <(image_jvm_flags | grep -v '^-XX:SharedArchiveFile=')
        read -r -a FLOOR_ENV <<<"$(image_env)"
        spawn "$WORK_DIR/netty-floor.out" taskset -c 1 env "${FLOOR_ENV[@]}" java "${FLOOR_FLAGS[@]}" "${EXTRA[@]}" \
            -cp "$MISTGUARD_JAR" "$BENCH_DIR/NettyFloorProxy.java" "$MG_PORT" "$UP_PORT"
        MG_PID=$SPAWNED_PID
        wait_http "$URL" 30
        TARGET_CMD="$(image_env) java ${FLOOR_FLAGS[*]} ${EXTRA[*]:+${EXTRA[*]} }-cp proxy/target/mistguard.jar deploy/bench/NettyFloorProxy.java"
        TARGET_SETUP="Netty's codecs, aggregators and keep-alive reuse only" ;;
    *) die "unknown --target $TARGET (mistguard, mistguard-unqueued or netty-floor)" ;;
esac

# "utime+stime utime" of the JVM, from one read: the user part is of the very total it is shown with
cpu_user_ticks() { awk '{print $14 + $15, $14}' "/proc/$MG_PID/stat"; }
ours_ticks() { # mistguard + the upstream nginx (master and worker)
    local pid total=0
    for pid in "$MG_PID" "$UP_PID" $(pgrep -P "$UP_PID" || true); do
        total=$(( total + $(awk '{print $14 + $15}' "/proc/$pid/stat") ))
    done
    echo "$total"
}
busy_ticks() { awk '/^cpu /{print $2 + $3 + $4 + $9; exit}' /proc/stat; }

# load SECONDS: one wrk run; prints "requests rps cpu_us_per_request foreign_pct jit_ms
# user_us_per_request" (the user-space part of cpu_us_per_request), foreign =
# CPU used by processes this script did not start (and strace), in % of one core (see
# passthrough.sh); jit_ms = CPU of the JVM's compiler threads during the run.
load() {
    local c0 c1 u0 u1 o0 o1 b0 b1 t0 t1 out j0 j1
    j0=$(jit_ms "$MG_PID"); read -r c0 u0 <<<"$(cpu_user_ticks)"; o0=$(ours_ticks); b0=$(busy_ticks); t0=$(date +%s%N)
    out=$(taskset -c 0 wrk -t1 -c"$CONNS" -d"$1"s "$URL"; times)
    read -r c1 u1 <<<"$(cpu_user_ticks)"; o1=$(ours_ticks); b1=$(busy_ticks); t1=$(date +%s%N); j1=$(jit_ms "$MG_PID")
    awk -v dt=$(( c1 - c0 )) -v ut=$(( u1 - u0 )) -v ours=$(( o1 - o0 )) -v busy=$(( b1 - b0 )) -v wall=$(( t1 - t0 )) -v hz="$CLK_TCK" -v jit=$(( j1 - j0 )) '
        function secs(v,  m) { m = v; sub(/m.*/, "", m); sub(/^[0-9]+m/, "", v); sub(/s$/, "", v); return m * 60 + v }
        /requests in/ { n = $1 } /^Requests\/sec:/ { rps = $2 } /^[0-9]+m[0-9.]+s / { gen = (secs($1) + secs($2)) * hz }
        END { f = (busy - ours - gen) / (wall / 1e9 * hz) * 100; if (f < 0) f = 0
              printf "%d %.0f %.2f %.0f %d %.2f\n", n, rps, n ? dt * 1e6 / hz / n : 0, f, jit, n ? ut * 1e6 / hz / n : 0 }' <<<"$out"
}

# The options go in quotes: jcmd would otherwise read "start,event=cpu" as its own key=value argument.
profiler() {
    jcmd "$MG_PID" JVMTI.agent_load "$AP_LIB" "\"$1\"" >>"$WORK_DIR/jcmd.log" 2>&1
    tail -1 "$WORK_DIR/jcmd.log" | grep -q 'return code: 0' || die "async-profiler '$1' failed: see $WORK_DIR/mistguard.out"
}

log "warm-up ${WARMUP}s"
load "$WARMUP" >/dev/null
SETTLED=$(settle_jit "$MG_PID" "$JIT_SETTLE_MAX" load "$JIT_CHUNK" || true)
[[ -d /proc/$MG_PID ]] || die "$TARGET exited under load; see $WORK_DIR"
log "JIT $SETTLED"
if [[ -n $CPU_QUOTA ]]; then
    cap_join "$TARGET" "$MG_PID"
    log "capped at $CPU_QUOTA% of core 1 from here on"
fi
declare -A RESULT=() THROTTLED=()
for phase in $PHASES; do
    throttled_before=$(throttled_ms)
    case "$phase" in
        baseline)
            RESULT[baseline]=$(load "$DURATION") ;;
        cpu|alloc)
            # interval: cpu in ns of CPU time, alloc in bytes between samples
            interval=$([[ $phase == cpu ]] && echo 1000000 || echo 262144)
            profiler "start,event=$phase,interval=$interval,threads,cstack=vm"
            RESULT[$phase]=$(load "$DURATION")
            profiler "dump,file=$OUT/$phase.collapsed,collapsed,total"
            profiler "stop,file=$OUT/$phase-flame.html,total" ;;
        strace)
            # attached before the load starts and detached after it ends: every request's syscalls
            strace -c -f -p "$MG_PID" -o "$OUT/strace.txt" 2>>"$WORK_DIR/strace.err" &
            strace_pid=$!
            sleep 2
            RESULT[strace]=$(load "$DURATION")
            kill -INT "$strace_pid"; wait "$strace_pid" || true ;;
        *) die "unknown phase $phase" ;;
    esac
    THROTTLED[$phase]=$(( $(throttled_ms) - throttled_before ))
    log "$phase: requests rps cpu_us/req foreign% jit_ms user_us/req = ${RESULT[$phase]}, throttled ${THROTTLED[$phase]} ms"
done
cp "$WORK_DIR/jcmd.log" "$OUT/" 2>/dev/null || true

REPORT="$OUT/report.md"
{
    echo "# $TARGET profile, $STAMP"
    echo
    echo "Load: \`wrk -t1 -c$CONNS -d${DURATION}s $URL\` on core 0 (GET $REQ_PATH, catch-all, 59-byte reply from nginx \`return 200\` on core 0);"
    echo "$TARGET on core 1: \`$TARGET_CMD\`,"
    echo "$TARGET_SETUP. async-profiler $ASYNC_PROFILER_VERSION. Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)."
    echo "Warm-up: ${WARMUP}s, then the JIT $SETTLED."
    [[ -z $CPU_QUOTA ]] || echo "Capped after the warm-up at $CPU_QUOTA% of core 1 (cgroup v1 cpu quota $(( CPU_QUOTA * QUOTA_PERIOD_US / 100 )) µs per $QUOTA_PERIOD_US µs)."
    echo
    for phase in $PHASES; do
        read -r n rps cpu foreign jit user <<<"${RESULT[$phase]}"
        echo "- $phase: $n requests, $rps req/s, $cpu µs CPU/request ($user in user space); other processes used $foreign% of a core meanwhile; the JIT's compiler threads $jit ms$([[ -z $CPU_QUOTA ]] || echo "; held back by the cap ${THROTTLED[$phase]} ms")"
    done
    for phase in cpu alloc; do
        [[ -f $OUT/$phase.collapsed ]] || continue
        read -r n _ <<<"${RESULT[$phase]}"
        echo
        python3 "$BENCH_DIR/topframes.py" "$OUT/$phase.collapsed" --kind "$phase" --requests "$n" --top 15
    done
    if [[ -f $OUT/strace.txt ]]; then
        read -r n _ <<<"${RESULT[strace]}"
        echo
        echo "## Syscalls per request (strace -c -f, $n requests while attached)"
        echo
        echo '```'
        awk -v n="$n" '
            /^------/ { sep++; next }
            sep == 1 && NF >= 5 { name = $NF; calls = ($4 ~ /^[0-9]+$/) ? $4 : $(NF-2)
                                  printf "%-16s %10d calls  %6.3f /request\n", name, calls, calls / n; total += calls }
            END { printf "%-16s %10d calls  %6.3f /request\n", "total", total, total / n }' "$OUT/strace.txt"
        echo '```'
    fi
} >"$REPORT"
cat "$REPORT"
log "written to $REPORT (collapsed stacks and flame graphs beside it)"
