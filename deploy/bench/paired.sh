#!/usr/bin/env bash
# Paired comparison of two mistguard builds on a machine that is not quiet: both run at the same
# time, on the same core, each fed the same constant request rate by its own load generator. Other
# load on the machine (a build, a noisy neighbour) then falls on both alike, so the ratio of their
# CPU cost per request stays meaningful when each one's absolute figure does not. Use it to decide
# whether a change made mistguard cheaper; use passthrough.sh (which needs a quiet machine) for the
# figures a note or the README quotes.
#
# Layout: upstream nginx `return 200` (1 worker) and two h2load processes on core 0; mistguard A and
# mistguard B on core 1, each from its own jar with the image's JVM flags and the shipped config
# with passthrough.sh's bench edits. Every round runs A and B for --duration seconds at --rate
# requests/s each (constant rate, h2load --rps), at the same moment; which one gets the lower ports
# alternates between rounds.
#
# Per round and build: CPU µs/request, split into user and system time (utime, stime of the JVM
# over the round / requests completed), p50 and p99 latency (h2load's per-request log), and the
# ratio B/A of CPU µs/request. The summary gives the median ratio over the rounds, and the same for
# user time alone. Decide on the total: the total is the scheduler's exact run time, while the
# kernel splits it into user and system by sampling the mode at each timer tick (tick-based
# accounting, CONFIG_HZ 250 on this project's VM). At --rate 3000 a build uses a few hundred ticks
# per round, so its user figure carries several % of sampling noise that the pairing does not
# cancel: with A and B the same jar (JIT not settled), rounds 2-8 of one run gave B/A total
# 0.96-1.12 (median 1.01) and B/A user 0.89-1.36 (median 0.91). The user ratio says where a change
# moved the CPU, no more.
#
# The direct row: before the rounds, wrk saturates the upstream directly (no proxy) from core 0. The
# comparison is VALID only if that rate is at least 2x the load offered in a round (2 x --rate), every
# round achieved at least 95% of its rate for both builds, and no answer was other than 200 — else the
# load generator and upstream, not the builds, set the pace — and in every round each build's JIT
# compiler threads used at most --max-jit % of its CPU (else a build was measured compiling).
# Exit status 3 when INVALID.
#
# Usage: deploy/bench/paired.sh --a OLD.jar [--b NEW.jar] [options]
#   --a JAR            build A (required), e.g. a jar built from main before the change
#   --b JAR            build B (default: proxy/target/mistguard.jar)
#   --a-opts "FLAGS"   extra JVM options for A, after the image's (e.g. "-Dio.netty.allocator.type=pooled");
#   --b-opts "FLAGS"   with --a and --b the same jar, this compares one build under two settings
#   --rate 3000        requests/s to each build (keep 2 x rate x CPU/request below one core)
#   --duration 10      seconds per round
#   --rounds 5
#   --warmup 20        seconds of wrk load on each build before the first round (JIT); then both are
#                      settled together under the rounds' load (both at --rate at once, 5 s steps)
#                      until each one's JIT compiler threads used at most 1% of its CPU in 3 steps in
#                      a row (lib.sh settle_jit)
#   --jit-settle-max 300  at most this many seconds of that settling (0: none)
#   --max-jit 2        a round in which either build's JIT used more than this % of its CPU makes the
#                      comparison INVALID
#   --conns 50         h2load connections per build
#   --path /api        request path (GET); /api is the catch-all route
#   --base-port 18700  ports base..base+4 on 127.0.0.1
# Needs: java 17, nginx, wrk, h2load (nghttp2-client), taskset, python3, curl.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

JAR_A=""; JAR_B="$MISTGUARD_JAR"; OPTS_A=""; OPTS_B=""; RATE=3000; DURATION=10; ROUNDS=5; WARMUP=20; JIT_SETTLE_MAX=300; MAX_JIT=2; CONNS=50
REQ_PATH=/api; BASE_PORT=18700
while (( $# )); do
    needs_value "$@"
    case "$1" in
        --a) JAR_A="$2"; shift 2 ;;
        --b) JAR_B="$2"; shift 2 ;;
        --a-opts) OPTS_A="$2"; shift 2 ;;
        --b-opts) OPTS_B="$2"; shift 2 ;;
        --rate) RATE=$(whole "$1" "$2"); shift 2 ;;
        --duration) DURATION=$(whole "$1" "$2"); shift 2 ;;
        --rounds) ROUNDS=$(whole "$1" "$2"); shift 2 ;;
        --warmup) WARMUP=$(whole "$1" "$2" 0); shift 2 ;;
        --jit-settle-max) JIT_SETTLE_MAX=$(whole "$1" "$2" 0); shift 2 ;;
        --max-jit) MAX_JIT=$(whole "$1" "$2" 0); shift 2 ;;
        --conns) CONNS=$(whole "$1" "$2"); shift 2 ;;
        --path) REQ_PATH="$2"; shift 2 ;;
        --base-port) BASE_PORT=$(whole "$1" "$2"); shift 2 ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) die "unknown option $1 (try --help)" ;;
    esac
done
[[ -n $JAR_A ]] || die "--a JAR is required (try --help)"
[[ -f $JAR_A ]] || die "no such jar: $JAR_A"
[[ -f $JAR_B ]] || die "no such jar: $JAR_B"
(( RATE >= CONNS )) || die "--rate must be at least --conns ($CONNS): h2load paces each connection"
require java nginx wrk h2load taskset python3 curl
(( $(nproc) >= 2 )) || die "needs 2 cores: core 0 for upstream + load, core 1 for mistguard"
bench_init
CLK_TCK=$(getconf CLK_TCK)

UP_PORT=$BASE_PORT
start_small_upstream "$UP_PORT" "$REQ_PATH"

# start_build NAME JAR PORT ADMIN_PORT "EXTRA JVM OPTIONS": sets PID[NAME] and PORT[NAME].
declare -A PID=() PORT=()
start_build() {
    local -a opts
    read -r -a opts <<<"$5"
    mkdir -p "$WORK_DIR/conf-$1"
    mistguard_bench_config "$WORK_DIR/conf-$1/mistguard.yaml" "$3" "$4" "$UP_PORT" true
    MISTGUARD_JAR="$2" CDS_ARCHIVE="$WORK_DIR/$1.jsa" java_image_cmd "${opts[@]}" -jar "$2" \
        --config "$WORK_DIR/conf-$1/mistguard.yaml"
    spawn "$WORK_DIR/$1.out" taskset -c 1 "${JAVA_CMD[@]}"
    PID[$1]=$SPAWNED_PID; PORT[$1]=$3
    wait_http "http://127.0.0.1:$4/healthz" 30
    curl -s -D - -o /dev/null "http://127.0.0.1:$3$REQ_PATH" | tr -d '\r' | grep -qi '^mistguard-decision: proxied' \
        || die "build $1: GET $REQ_PATH was not proxied"
}
start_build A "$JAR_A" $((BASE_PORT + 1)) $((BASE_PORT + 2)) "$OPTS_A"
start_build B "$JAR_B" $((BASE_PORT + 3)) $((BASE_PORT + 4)) "$OPTS_B"
DIRECT=$(taskset -c 0 wrk -t1 -c32 -d5s "http://127.0.0.1:$UP_PORT$REQ_PATH" | awk '/^Requests\/sec:/{printf "%.0f", $2}')
log "direct (no proxy): $DIRECT req/s"
for b in A B; do
    log "warm-up of $b: ${WARMUP}s of wrk"
    taskset -c 0 wrk -t1 -c32 -d"$WARMUP"s "http://127.0.0.1:${PORT[$b]}$REQ_PATH" >/dev/null
done
# load_both SECONDS BUILD BUILD: both builds at --rate at once, started in the order given; each
# build's per-request log in $WORK_DIR/h2-BUILD.tsv, its output in $WORK_DIR/h2-BUILD.out.
load_both() {
    local seconds=$1 b pids=()
    shift
    for b in "$@"; do
        rm -f "$WORK_DIR/h2-$b.tsv"
        taskset -c 0 h2load --h1 -t1 -c"$CONNS" --rps $(( RATE / CONNS )) -D "$seconds" \
            --log-file "$WORK_DIR/h2-$b.tsv" "http://127.0.0.1:${PORT[$b]}$REQ_PATH" >"$WORK_DIR/h2-$b.out" 2>&1 &
        pids+=($!)
    done
    wait "${pids[@]}"
}
# Settling steps under the rounds' own load.
SETTLED=$(settle_jit "${PID[A]} ${PID[B]}" "$JIT_SETTLE_MAX" load_both "$JIT_CHUNK" A B || true)
for b in A B; do [[ -d /proc/${PID[$b]} ]] || die "build $b exited; see $WORK_DIR/$b.out"; done
log "JIT of A and B: $SETTLED"

ticks() { awk '{print $14, $15}' "/proc/$1/stat"; } # "utime stime" in clock ticks

# round N: A and B at once; prints one line per build, A then B:
# "user_us sys_us total_us p50_ms p99_ms requests non200 jit_ms" (jit_ms: its compiler threads' CPU).
round() {
    local b order=(A B)
    (( $1 % 2 == 0 )) && order=(B A)
    declare -A T0=() T1=() J0=() J1=()
    for b in A B; do T0[$b]=$(ticks "${PID[$b]}"); J0[$b]=$(jit_ms "${PID[$b]}"); done
    load_both "$DURATION" "${order[@]}"
    for b in A B; do T1[$b]=$(ticks "${PID[$b]}"); J1[$b]=$(jit_ms "${PID[$b]}"); done
    for b in A B; do
        sort -t$'\t' -k3,3n "$WORK_DIR/h2-$b.tsv" | awk -F'\t' -v t0="${T0[$b]}" -v t1="${T1[$b]}" -v hz="$CLK_TCK" -v jit=$(( J1[$b] - J0[$b] )) '
            function pct(p,  i) { i = int(NR * p); if (i < NR * p) i++; if (i < 1) i = 1; return t[i] }
            { t[NR] = $3; if ($2 != 200) bad++ }
            END { split(t0, a, " "); split(t1, c, " "); u = (c[1] - a[1]) * 1e6 / hz / NR; s = (c[2] - a[2]) * 1e6 / hz / NR
                  printf "%.1f %.1f %.1f %.2f %.2f %d %d %d\n", u, s, u + s, pct(0.5) / 1000, pct(0.99) / 1000, NR, bad, jit }'
    done
}

echo "# Paired comparison: A = $(basename "$JAR_A")${OPTS_A:+ $OPTS_A}, B = $(basename "$JAR_B")${OPTS_B:+ $OPTS_B}"
echo
echo "Both at once on core 1, ${RATE} req/s each (h2load --h1 -c$CONNS), GET $REQ_PATH, ${DURATION}s per round; load average $(cut -d' ' -f1-3 /proc/loadavg)."
echo
echo "JIT before the rounds: $SETTLED."
echo
echo "| round | A user µs/req | A sys | A total | A p50 ms | A p99 ms | A JIT ms | B user µs/req | B sys | B total | B p50 ms | B p99 ms | B JIT ms | B/A total | B/A user |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
RATIOS=(); USER_RATIOS=(); PROBLEMS=()
(( DIRECT >= 4 * RATE )) || PROBLEMS+=("direct $DIRECT req/s is below 2x the $(( 2 * RATE )) req/s offered per round")
for (( r = 1; r <= ROUNDS; r++ )); do
    mapfile -t rows < <(round "$r")
    read -r au as at ap50 ap99 an abad ajit <<<"${rows[0]}"
    read -r bu bs bt bp50 bp99 bn bbad bjit <<<"${rows[1]}"
    (( abad == 0 && bbad == 0 )) || PROBLEMS+=("round $r: non-200 answers: A $abad, B $bbad")
    (( an * 100 >= RATE * DURATION * 95 && bn * 100 >= RATE * DURATION * 95 )) \
        || PROBLEMS+=("round $r: rate not held: A $an, B $bn requests of $(( RATE * DURATION ))")
    for x in "A:$ajit:$at:$an" "B:$bjit:$bt:$bn"; do
        IFS=: read -r name jit per_req n <<<"$x"
        awk -v j="$jit" -v u="$per_req" -v n="$n" -v max="$MAX_JIT" 'BEGIN{exit !(j * 100 > max * u * n / 1000)}' \
            && PROBLEMS+=("round $r: $name's JIT used $jit ms, over --max-jit $MAX_JIT% of its CPU")
    done
    ratio=$(awk -v a="$at" -v b="$bt" 'BEGIN{printf "%.2f", (a > 0) ? b / a : 0}')
    RATIOS+=("$ratio")
    user_ratio=$(awk -v a="$au" -v b="$bu" 'BEGIN{printf "%.2f", (a > 0) ? b / a : 0}')
    USER_RATIOS+=("$user_ratio")
    echo "| $r | $au | $as | $at | $ap50 | $ap99 | $ajit | $bu | $bs | $bt | $bp50 | $bp99 | $bjit | $ratio | $user_ratio |"
done
echo
echo "Direct (no proxy, wrk -c32 from core 0): $DIRECT req/s against $(( 2 * RATE )) req/s offered per round."
echo
if (( ${#PROBLEMS[@]} )); then
    echo "**INVALID** — do not quote:"; printf -- '- %s\n' "${PROBLEMS[@]}"
else
    echo "**VALID**: direct ≥ 2× the load offered, every round held its rate, only 200s, and in every round each build's JIT used ≤ $MAX_JIT% of its CPU."
fi
echo
echo "Median B/A CPU per request over $ROUNDS rounds: $(printf '%s\n' "${RATIOS[@]}" | stats | cut -d' ' -f1) (min $(printf '%s\n' "${RATIOS[@]}" | stats | cut -d' ' -f2), max $(printf '%s\n' "${RATIOS[@]}" | stats | cut -d' ' -f3)); user time alone (sampled at the kernel's timer ticks, noisier than the total: not for a verdict): $(printf '%s\n' "${USER_RATIOS[@]}" | stats | cut -d' ' -f1) (min $(printf '%s\n' "${USER_RATIOS[@]}" | stats | cut -d' ' -f2), max $(printf '%s\n' "${USER_RATIOS[@]}" | stats | cut -d' ' -f3)); load average after $(cut -d' ' -f1-3 /proc/loadavg)."
(( ${#PROBLEMS[@]} == 0 )) || exit 3
