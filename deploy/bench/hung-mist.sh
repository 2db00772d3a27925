#!/usr/bin/env bash
# The design's "hung Mist" target: sim-mist hangs on every command, mistguard in front with
# request_timeout 2s, then N concurrent callers (HungMistClient.java, one NIO thread, one
# connection and one request per caller). Checks that every caller is answered within the budget
# + 50 ms, and that mistguard's peak RSS (VmHWM) stays within issue #12's 192 MiB (the design's
# ceiling is 256 MiB); records its RSS (before / peak / after), threads and open fds, and per
# round mistguard's CPU time split by thread kind (JIT compilers, GC, event loop, acceptor).
#
# Usage: deploy/bench/hung-mist.sh [--callers 10000] [--timeout-ms 2000] [--rate 20000] [--rounds 2]
#                                  [--mistguard-cpus 1] [--base-port 18500]
#   --rounds: the burst of callers is sent this many times, one after the other, to the same
#           mistguard (sim-mist hangs throughout). Round 1 meets a JVM whose timeout path has never
#           run (its JIT compiles it during the burst, on the same core); later rounds meet it
#           mostly compiled, as a mistguard that has lived through an earlier hang would be. Not
#           fully: the JIT still used 1.2-1.7 s of CPU in rounds 2 and 3 on 2026-12-02 (likely
#           because HotSpot raises its C2 thresholds while the C2 queue is long, so methods run
#           once per connection reach them only in later bursts; 320 ms by round 5). Every round
#           is reported; the budget check holds for each.
#   --mistguard-cpus: the CPU list mistguard is pinned to (taskset -c). The default, one core of its
#           own, is a one-CPU sidecar. "0,1" lets the JIT compile on a second core, shared with the
#           client and sim-mist (core 0), to see how much of round 1 the JIT's CPU explains.
#   --rate: new connections per second opened by the client (the callers all hang together anyway:
#           10 000 callers at 20 000/s are all in flight after 0.5 s, well inside the 2 s budget)
# mistguard holds two fds per hung caller (caller + Mist connection); when `ulimit -n` cannot
# hold that, the caller count is lowered to what fits and the report says so.
# EXTRA_JVM_FLAGS="..." appends JVM flags after the image's (e.g. -Xlog:gc:file=/tmp/gc.log): -X... and
# -D... words, split at whitespace; refused when java refuses them after the image's.
# Needs: java 17, curl, ss, taskset.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

CALLERS=10000; TIMEOUT_MS=2000; RATE=20000; ROUNDS=2; BASE_PORT=18500; MG_CPUS=1
while (( $# )); do
    needs_value "$@"
    case "$1" in
        --callers) CALLERS=$(whole "$1" "$2"); shift 2 ;;
        --timeout-ms) TIMEOUT_MS=$(whole "$1" "$2"); shift 2 ;;
        --rate) RATE=$(whole "$1" "$2"); shift 2 ;;
        --rounds) ROUNDS=$(whole "$1" "$2"); shift 2 ;;
        --mistguard-cpus) MG_CPUS="$2"; shift 2 ;;
        --base-port) BASE_PORT=$(whole "$1" "$2"); shift 2 ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) die "unknown option $1 (try --help)" ;;
    esac
done
require java curl ss taskset
check_cpus "$MG_CPUS" --mistguard-cpus
require_jars sim
extra_jvm_flags EXTRA_JVM_FLAGS "${EXTRA_JVM_FLAGS:-}"
EXTRA=("${EXTRA_FLAGS[@]}")
bench_init

SIM_PORT=$BASE_PORT; SIM_CONTROL=$((BASE_PORT + 1)); MG_PORT=$((BASE_PORT + 2)); MG_ADMIN=$((BASE_PORT + 3))
FD_LIMIT=$(ulimit -n)
REQUESTED=$CALLERS
# mistguard: 2 fds per caller plus ~100 for the JVM, jars, listeners and epoll.
if (( 2 * CALLERS + 150 > FD_LIMIT )); then
    CALLERS=$(( (FD_LIMIT - 150) / 2 ))
    log "ulimit -n is $FD_LIMIT (hard $(ulimit -Hn)): lowering callers from $REQUESTED to $CALLERS"
fi

spawn "$WORK_DIR/sim-mist.out" taskset -c 0 java -jar "$SIM_MIST_JAR" --port "$SIM_PORT" --control-port "$SIM_CONTROL"
SIM_PID=$SPAWNED_PID
wait_http "http://127.0.0.1:$SIM_CONTROL/health" 30
curl -sf -XPOST "http://127.0.0.1:$SIM_CONTROL/faults" -d '{"action":"hang"}' >/dev/null

cat >"$WORK_DIR/mistguard.yaml" <<EOF
listen: 127.0.0.1:$MG_PORT
upstream:
  url: http://127.0.0.1:$SIM_PORT
request_timeout: ${TIMEOUT_MS}ms
limits:
  max_connections: $(( CALLERS + 100 ))
admin:
  listen: 127.0.0.1:$MG_ADMIN
io_threads: 1
invalidations:
  state_file: ""
# The shipped table's GetState route, with this run's budget: the callers send catalyst's GetState.
routes:
  - name: get-state
    match: {commands: [active_streams, stats_streams, push_list, push_auto_list]}
    kind: read
    timeout: ${TIMEOUT_MS}ms
    per_try_timeout: $(( TIMEOUT_MS / 2 ))ms
    stale: {max_age: 10s}
  - name: catch-all
    match: {}
    kind: passthrough
    retry: {attempts: 1}
    breaker: none
EOF
java_image_cmd "${EXTRA[@]}" -jar "$MISTGUARD_JAR" --config "$WORK_DIR/mistguard.yaml"
spawn "$WORK_DIR/mistguard.out" taskset -c "$MG_CPUS" "${JAVA_CMD[@]}"
MG_PID=$SPAWNED_PID
wait_http "http://127.0.0.1:$MG_ADMIN/healthz" 20
# One request through, so the upstream path is loaded and JIT-warm enough to compare like with like.
curl -s -o /dev/null --max-time $(( TIMEOUT_MS / 1000 + 2 )) "http://127.0.0.1:$MG_PORT/api2?command=%7B%7D" || true
sleep 2
RSS_BEFORE=$(rss_kib "$MG_PID"); THREADS_BEFORE=$(threads "$MG_PID"); FDS_BEFORE=$(open_fds "$MG_PID")

# Sample RSS, threads and fds while the callers run; bounded to 120 s, stops with the client.
(
    end=$(( $(date +%s) + 120 ))
    while (( $(date +%s) < end )) && [[ ! -e "$WORK_DIR/client.done" ]]; do
        echo "$(rss_kib "$MG_PID") $(threads "$MG_PID") $(open_fds "$MG_PID")" 2>/dev/null || true
        sleep 0.2
    done
) >"$WORK_DIR/samples.txt" &
SAMPLER_PID=$!
SPAWNED_PIDS+=("$SAMPLER_PID")

declare -a CPU_BEFORE=() CPU_AFTER=()   # per round: "total jit gc io accept tids" (lib.sh cpu_ms_by_thread)
for (( round = 1; round <= ROUNDS; round++ )); do
    # The previous round's connections close, and its failures leave the retry budget's and the
    # breaker's 10 s windows, so that every round meets the same policy state; only the JIT differs.
    (( round == 1 )) || sleep 12
    log "round $round of $ROUNDS: sending $CALLERS callers at up to $RATE connections/s; budget ${TIMEOUT_MS} ms"
    CPU_BEFORE[round]=$(cpu_ms_by_thread "$MG_PID")
    taskset -c 0 java -Xss256k "$BENCH_DIR/HungMistClient.java" 127.0.0.1 "$MG_PORT" "$CALLERS" "$RATE" \
        $(( TIMEOUT_MS / 1000 + 30 )) >"$WORK_DIR/client-$round.out" 2>"$WORK_DIR/client-$round.err" || true
    kill -0 "$MG_PID" 2>/dev/null ||
        die "mistguard exited during round $round; its output is in $WORK_DIR/mistguard.out (KEEP_WORK_DIR=1 keeps it)"
    CPU_AFTER[round]=$(cpu_ms_by_thread "$MG_PID")
    cat "$WORK_DIR/client-$round.out" >&2
    [[ -s "$WORK_DIR/client-$round.err" ]] && head -5 "$WORK_DIR/client-$round.err" >&2
done
touch "$WORK_DIR/client.done"
wait "$SAMPLER_PID" || true

sleep 3   # closed connections leave TIME_WAIT / the fd table
RSS_AFTER=$(rss_kib "$MG_PID"); THREADS_AFTER=$(threads "$MG_PID"); FDS_AFTER=$(open_fds "$MG_PID")
RSS_HWM=$(peak_rss_kib "$MG_PID")
UPSTREAM_CONNS_AFTER=$(ss -Htn state established "( dport = :$SIM_PORT )" | wc -l)
HEALTH_AFTER=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$MG_ADMIN/healthz" || true)
read -r RSS_SAMPLED_PEAK THREADS_PEAK FDS_PEAK <<<"$(awk '$1>r{r=$1} $2>t{t=$2} $3>f{f=$3} END{print r+0, t+0, f+0}' "$WORK_DIR/samples.txt")"

kv() { sed -n "s/^$2=//p" "$WORK_DIR/client-$1.out"; }   # ROUND KEY
LIMIT_MS=$(( TIMEOUT_MS + 50 ))
verdict() { [[ "$1" == 1 ]] && echo pass || echo FAIL; }
round_rows() {
    local r answered max all in_budget
    for (( r = 1; r <= ROUNDS; r++ )); do
        answered=$(kv "$r" answered)
        max=$(sed -n 's/^answer_ms_from_write .*max=\([0-9.]*\).*/\1/p' "$WORK_DIR/client-$r.out")
        all=$([[ "$answered" == "$CALLERS" ]] && echo 1 || echo 0)
        in_budget=$(awk -v m="${max:-999999}" -v l="$LIMIT_MS" 'BEGIN{print (m <= l) ? 1 : 0}')
        echo "| round $r: callers answered | all $CALLERS | $answered, statuses $(kv "$r" statuses), connect failures $(kv "$r" connect_failures) | $(verdict "$all") |"
        echo "| round $r$( (( r == 1 )) && echo ' (timeout path not yet compiled)'): answer time from request written | max ≤ $LIMIT_MS ms | $(sed -n 's/^answer_ms_from_write //p' "$WORK_DIR/client-$r.out") ms | $(verdict "$in_budget") |"
    done
}
# round_cpu ROUND: mistguard's CPU time during that round's client run, split by thread kind.
round_cpu() {
    local -a b a
    read -r -a b <<<"${CPU_BEFORE[$1]}"; read -r -a a <<<"${CPU_AFTER[$1]}"
    local total=$(( a[0] - b[0] )) jit=$(( a[1] - b[1] )) gc=$(( a[2] - b[2] )) io=$(( a[3] - b[3] )) acc=$(( a[4] - b[4] ))
    echo -n "mistguard CPU $total ms: JIT $jit, GC $gc, event loop $io, acceptor $acc, other $(( total - jit - gc - io - acc ))"
    local tid
    for tid in ${b[5]//,/ }; do   # a counted thread gone by the end took its history out of its class
        [[ ",${a[5]}," == *",$tid,"* || $tid == - ]] && continue
        echo -n " (a counted thread ended during the round: the split is not exact, the total is)"
        break
    done
    echo
}
# The peak is the kernel's high-water mark (VmHWM), never below any sample: the 200 ms samples can
# miss a short spike, such as the JIT's or Netty's transient native memory while ~10 000 answers are written.
RSS_LIMIT_MIB=192
RSS_PEAK=$RSS_HWM
RSS_WITHIN=$(( RSS_PEAK <= RSS_LIMIT_MIB * 1024 ? 1 : 0 ))
NO_THREAD_GROWTH=$(( THREADS_AFTER <= THREADS_BEFORE ? 1 : 0 ))
NO_FD_GROWTH=$(( FDS_AFTER <= FDS_BEFORE + 2 ? 1 : 0 ))

STAMP=$(date -u +%Y%m%dT%H%M%SZ)
REPORT="$RESULTS_DIR/hung-mist-$STAMP.md"
{
    echo "# Hung Mist, $STAMP"
    echo
    echo "sim-mist hangs every command; callers send catalyst's GetState; mistguard route get-state timeout ${TIMEOUT_MS}ms (coalescing, admission and breaker as shipped), io_threads 1, CPUs $MG_CPUS; client and sim-mist on core 0."
    echo "mistguard JVM: \`$(image_env) java $(image_jvm_flags | sed "s|$REPO_DIR/||" | tr '\n' ' ')${EXTRA[*]:+${EXTRA[*]} }\`"
    echo "Callers requested $REQUESTED, run $CALLERS (ulimit -n $FD_LIMIT); opened at up to $RATE connections/s; $ROUNDS round(s), one after the other, to the same mistguard."
    echo
    echo "| check | target | measured | |"
    echo "|---|---|---|---|"
    round_rows
    echo "| RSS before / peak (VmHWM) / after | peak ≤ $RSS_LIMIT_MIB MiB | $(mib "$RSS_BEFORE") / $(mib "$RSS_PEAK") / $(mib "$RSS_AFTER") MiB (highest 200 ms sample $(mib "$RSS_SAMPLED_PEAK")) | $(verdict "$RSS_WITHIN") |"
    echo "| threads before / peak / after | no growth | $THREADS_BEFORE / $THREADS_PEAK / $THREADS_AFTER | $(verdict "$NO_THREAD_GROWTH") |"
    echo "| open fds before / peak / after | no growth | $FDS_BEFORE / $FDS_PEAK / $FDS_AFTER | $(verdict "$NO_FD_GROWTH") |"
    echo "| connections to Mist after | 0 left hanging | $UPSTREAM_CONNS_AFTER | $(verdict $(( UPSTREAM_CONNS_AFTER == 0 ? 1 : 0 ))) |"
    echo "| /healthz after | 200 | $HEALTH_AFTER | $(verdict $([[ $HEALTH_AFTER == 200 ]] && echo 1 || echo 0)) |"
    echo
    for (( r = 1; r <= ROUNDS; r++ )); do
        echo "Round $r: client wall time $(kv "$r" elapsed_ms) ms; longest answer counted from connect start $(sed -n 's/^answer_ms_from_connect max=//p' "$WORK_DIR/client-$r.out") ms; $(round_cpu "$r")."
    done
    echo
    echo "mistguard's CPU per round is read from /proc before and after the client runs. On one core that"
    echo "nothing else uses, CPU close to the client's wall time means the core was saturated. JIT: HotSpot's"
    echo "C1 and C2 compiler threads; GC: the VM thread, where SerialGC collects; event loop: mistguard-io;"
    echo "acceptor: mistguard-accept. The JIT compiles the request path on the same CPUs as the event loop."
} >"$REPORT"
cat "$REPORT"
log "written to $REPORT"
