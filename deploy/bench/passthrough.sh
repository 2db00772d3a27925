#!/usr/bin/env bash
# Pass-through cost of mistguard, HAProxy and nginx, side by side in one run, in front of one cheap
# upstream (nginx `return 200`), with a "direct" row (no proxy) that proves the load generator and the
# upstream had headroom. A run whose direct rate is below 2x the fastest proxy's is INVALID: then the
# load generator and upstream on core 0 were measured, not the proxies.
#
# Layout: upstream nginx (1 worker) + wrk + h2load on core 0 (taskset -c 0), each proxy on core 1
# (taskset -c 1), all started once and measured in turn. Keep-alive on both sides of every proxy.
# mistguard runs from the built jar with the JVM flags and ENV of deploy/Dockerfile, with the shipped
# deploy/mistguard.yaml changed only in: ports, io_threads: 1, and get-state's coalesce: false.
#
# Cases (all answers 200 text/javascript, keep-alive):
#   small-get   GET /api                        -> catch-all route, 59-byte Mist-like reply
#   getstate    POST /api2, catalyst's GetState  -> get-state route (coalesce off), ~1 KiB reply
#   reply-64k   GET /api?size=64k               -> catch-all route, 65536-byte reply
#   webui-get   GET /small (not run unless asked) -> catch-all route, 59-byte reply; a path that is
#               not /api or /api2 and has no command is Mist's web UI, after which Mist closes the
#               connection, so mistguard never reuses its upstream connection (ReuseRule): one TCP
#               connect + close towards the upstream per request, which HAProxy and nginx do not pay.
#
# Per case and target:
#   saturation   wrk -t1 -c$CONNS -d$DURATION: req/s, p50/p99/p99.9 (wrk's own histogram), errors,
#                CPU us per request = (utime+stime of the proxy's processes over the run) / requests,
#                and the user-space part of it (utime alone; the rest is the kernel's: the loopback
#                sends, which run the receiver's TCP stack, and the proxy's other syscalls; at
#                saturation, each proxy at its own rate, not the same for proxies that send the
#                same segments; the kernel samples the split at each timer tick, the total is
#                exact); TCP segments sent per request on the whole machine (/proc/net/snmp
#                OutSegs, other processes' traffic included: 2 direct and 4 through a proxy when
#                each request and answer goes in one segment; reply-64k about 6 direct and 9-10
#                proxied; a connection opened per request adds its handshake and close).
#                Measured in --sat-rounds rounds, each of every proxy in turn, each round starting
#                one proxy later; the table shows each proxy's median round (by req/s), and every
#                round's req/s is listed under it. On a
#                VM whose speed drifts over minutes, one measurement per proxy in sequence can give
#                a slow stretch to one proxy only (the same mistguard build measured 8 209-12 066
#                req/s in four runs); interleaved rounds spread it over all of them.
#   half rate    h2load --h1 --rps, constant rate = half of that proxy's saturation req/s in this run,
#                over $RATE_CONNS connections: p50/p99/p99.9 from h2load's per-request log, the rate
#                achieved, CPU us/request; the same rate direct to the upstream right before gives
#                "added p99" = proxied p99 - direct p99 (a JVM proxy is settled before that direct
#                run, so the two are 10 s apart, not the minutes settling can take)
#   same rate    every proxy at one constant rate, the lowest of the half rates: CPU us/request and
#                p99 when all do the same work. At different rates the kernel's cost per send
#                differs: a send that wakes a sleeping load generator or upstream costs more, and
#                how often they sleep depends on the rate (seen in profile.sh's kernel frames).
#   RSS          VmRSS and peak VmHWM after the case (nginx: master + worker)
#   ratios       per pair of --compare (A:B), A's req/s over B's in each saturation round, their
#                median, a distribution-free 90% (or wider) confidence interval for that median
#                and a verdict against --target-ratio: met, not-met or undecided (roundratios.py).
#                Quote a median ratio with its verdict: on this project's VM the same build's
#                rate moved by up to 1.9x between 10 s runs, so 3 rounds give no interval and
#                decide nothing; 9 rounds give a 96% one.
# direct is measured before and after the proxies; validity uses the lower of the two.
#
# A run is VALID only if, in every case: direct >= 2x the fastest proxy's saturation rate; no errors
# or non-200 answers; in every measurement, "foreign CPU" <= --max-foreign: the CPU time the
# kernel counted busy on the machine (user+nice+system+steal) minus that of the proxy, the upstream
# and the load generator, as % of one core; and in every measurement of a JVM proxy, its JIT
# compiler threads used at most --max-jit % of its CPU. The first rule catches a load generator
# without headroom, the second a machine shared with other work (which the first one can miss), the
# third a JVM measured before its steady state (see "JIT" below).
#
# Usage: deploy/bench/passthrough.sh [options]
#   --cases "small-get getstate reply-64k"
#   --proxies "mistguard haproxy nginx netty-floor"
#                        optional: mistguard-nolog (access log off), mistguard-unqueued (the `mist`
#                        admission pool's max_concurrent 4 and the upstream idle connections kept,
#                        32, both raised to 1024, so no connection queues in mistguard, as none does
#                        in HAProxy and nginx, and none is closed for want of an idle slot), haproxy-queued
#                        (HAProxy held to that pool's limits: server maxconn 4, maxqueue 200,
#                        timeout queue 1s — the like-for-like row for the shipped mistguard),
#                        netty-tcp-floor (bytes relayed with Netty and no HTTP: the JVM's floor under
#                        netty-floor's), netty-lean-floor (netty-floor's connection handling with
#                        each message framed and forwarded as its bytes came, no Netty HTTP codecs:
#                        what a leaner HTTP/1.1 layer could cost), mistguard-unqueued-nolog (mistguard-unqueued with access_log
#                        false), haproxy-logged (HAProxy writing an HTTP-format access-log line per
#                        request to its stdout, a file, as mistguard writes its own),
#                        mistguard-unqueued-trial (mistguard-unqueued with --trial-jvm-flags after
#                        the image's JVM flags, to try a JVM flag: it runs in the same interleaved
#                        rounds as mistguard-unqueued, because two runs minutes apart on this
#                        project's VM can differ by more than a flag changes)
#   --compare "A:B ..."  pairs whose round-by-round req/s ratio A/B is reported (see "ratios");
#                        default (also when empty): every mistguard* proxy of --proxies against every
#                        haproxy* and nginx proxy of it, and against netty-floor when it is measured;
#                        " " (a blank) reports none; when both mistguard-unqueued-trial and
#                        mistguard-unqueued are listed, also the first against the second. That
#                        pair (in either order, also when given here) has its verdict against 1
#                        (met: A is faster, not-met: slower), not --target-ratio. Issue #12's
#                        target is against HAProxy; the other
#                        verdicts are for reading, and each is a test of its own
#   --target-ratio 0.8   the ratio the verdicts are taken against (issue #12: mistguard >= 0.8x HAProxy)
#   --duration 10        seconds per measured saturation run
#   --sat-rounds 3       saturation rounds (see "saturation" above); 1 measures each proxy once
#   --warmup 15          seconds of load before a JVM proxy's measured runs (JIT); 3 s for others
#   --jit-settle-max 300 right before each of its measurements, a JVM proxy gets load in steps (5 s at
#                        saturation, 5 s at half that rate) until its JIT compiler threads used at
#                        most 1% of its CPU in each of 3 steps in a row ("settled"), or this many
#                        seconds have passed (see "JIT" below); 0: no settling, and the run is
#                        INVALID (a quick look; add --max-jit 100 --tries 1). Each settling takes
#                        30 s at least (3 steps), and on this project's VM 0.5-3.5 minutes
#   --max-jit 2          a JVM proxy's measurement in which its compiler threads used more than this
#                        % of the proxy's CPU makes the case INVALID (measured again, see --tries)
#   --half-duration 10   seconds per constant-rate run
#   --conns 32           wrk connections at saturation
#   --rate-conns 100     h2load connections at the constant rate (the rate is split over them)
#   --tries 3            measure a case again when it was INVALID, at most this often in all; a
#                        single measurement disturbed by other processes or the JIT is first taken
#                        again on its own, at most as often (every discarded one is listed)
#   --quiet-wait 600     before each case, wait at most this long for other processes to calm down
#   --max-foreign 15     a measurement during which other processes used more than this % of a core
#                        makes the run INVALID (see "foreign CPU" below)
#   --trial-jvm-flags "FLAGS"
#                        JVM flags appended for mistguard-unqueued-trial only (e.g. "-XX:NewRatio=1"):
#                        -X... and -D... words split at whitespace, refused up front when java
#                        refuses them after the image's flags; needed by that proxy and refused
#                        without it. The trial gets a class-data archive of its own made under them
#                        (deploy/bench/results/mistguard-trial.jsa), so that flags which shape the
#                        archive leave the other JVMs' archive alone
#   --base-port 18400    ports base..base+17 on 127.0.0.1
#   --cpu-quota PCT      run each proxy in a cgroup (v1 cpu controller) capped at PCT % of one core,
#                        refilled every --quota-period-us (default 100000 µs). Use it where the load
#                        generator and upstream on core 0 cannot reach 2x what a proxy does on a whole
#                        core 1: capping every proxy alike keeps the direct row's headroom, and
#                        compares the proxies at an equal CPU budget. p99 at saturation is then the
#                        throttle's (up to one period), for every proxy alike. Short periods charge
#                        a JVM more CPU per request than it uses uncapped (10 ms: mistguard 103 µs,
#                        netty-floor 41; 100 ms: 54 and 31; uncapped ~50 and ~28; HAProxy 25 in all).
#                        The first warm-up runs uncapped, so that the JIT compiles the bulk of the
#                        code at full speed; the settling before each measurement runs capped.
#   --io-transport auto  mistguard's and the Netty floors' io_transport: auto (epoll), io_uring, epoll
#                        or nio; the report names the one mistguard ran, from its start-up line
# JIT: this script measures the steady state. A JVM still compiling is not in it: its compiler
# threads take CPU on the proxy's core (counted in CPU µs/req) and stall the event loop for whole
# scheduler slices (its p99). So a JVM proxy is warmed until its JIT has settled, right before each
# of its measurements, and every one of them reports the compilers' share of its CPU ("JIT %"),
# which --max-jit bounds.
# Exit status: 0 when the run was VALID, 3 when INVALID.
# Needs: java 17, haproxy, nginx (nginx-light), wrk, h2load (nghttp2-client), taskset, python3, curl.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

CASES="small-get getstate reply-64k"; PROXIES="mistguard haproxy nginx netty-floor"; CPU_QUOTA=""; QUOTA_PERIOD_US=100000
COMPARE=""; TARGET_RATIO=0.8; IO_TRANSPORT=auto; TRIAL_JVM_FLAGS=""
DURATION=10; SAT_ROUNDS=3; WARMUP=15; JIT_SETTLE_MAX=300; MAX_JIT=2; HALF_DURATION=10; CONNS=32; RATE_CONNS=100; TRIES=3; QUIET_WAIT=600; BASE_PORT=18400; MAX_FOREIGN=15
while (( $# )); do
    needs_value "$@"
    case "$1" in
        --cases) CASES="$2"; shift 2 ;;
        --proxies) PROXIES="$2"; shift 2 ;;
        --compare) COMPARE="$2"; shift 2 ;;
        --target-ratio) TARGET_RATIO="$2"; shift 2 ;;
        --duration) DURATION=$(whole "$1" "$2"); shift 2 ;;
        --sat-rounds) SAT_ROUNDS=$(whole "$1" "$2"); shift 2 ;;
        --warmup) WARMUP=$(whole "$1" "$2" 0); shift 2 ;;
        --jit-settle-max) JIT_SETTLE_MAX=$(whole "$1" "$2" 0); shift 2 ;;
        --max-jit) MAX_JIT=$(whole "$1" "$2" 0); shift 2 ;;
        --half-duration) HALF_DURATION=$(whole "$1" "$2"); shift 2 ;;
        --conns) CONNS=$(whole "$1" "$2"); shift 2 ;;
        --rate-conns) RATE_CONNS=$(whole "$1" "$2"); shift 2 ;;
        --tries) TRIES=$(whole "$1" "$2"); shift 2 ;;
        --max-foreign) MAX_FOREIGN=$(whole "$1" "$2" 0); shift 2 ;;
        --quiet-wait) QUIET_WAIT=$(whole "$1" "$2" 0); shift 2 ;;
        --base-port) BASE_PORT=$(whole "$1" "$2"); shift 2 ;;
        --cpu-quota) CPU_QUOTA=$(whole "$1" "$2"); shift 2 ;;
        --io-transport) IO_TRANSPORT="$2"; shift 2 ;;
        --trial-jvm-flags) TRIAL_JVM_FLAGS="$2"; shift 2 ;;
        --quota-period-us) QUOTA_PERIOD_US=$(whole "$1" "$2" 1000); shift 2 ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) die "unknown option $1 (try --help)" ;;
    esac
done

[[ $IO_TRANSPORT =~ ^(auto|io_uring|epoll|nio)$ ]] || die "--io-transport wants auto, io_uring, epoll or nio, got '$IO_TRANSPORT'"
# --proxies as words joined by single spaces (the tests below and the report match " name "), each a
# plain name, so that no word is ever expanded as a file pattern.
read -r -d '' -a WORDS <<<"$PROXIES" || true
(( ${#WORDS[@]} )) || die "--proxies: none given"
for p in "${WORDS[@]}"; do [[ $p =~ ^[a-z0-9-]+$ ]] || die "--proxies: unknown proxy '$p' (try --help)"; done
PROXIES="${WORDS[*]}"
# listed NAME: whether NAME is exactly one of --proxies (never an empty name)
listed() { local p; for p in $PROXIES; do [[ $p == "$1" ]] && return 0; done; return 1; }
require java haproxy nginx wrk h2load taskset python3 curl
[[ $TARGET_RATIO =~ ^[0-9]+(\.[0-9]+)?$ && ! $TARGET_RATIO =~ ^0+(\.0+)?$ ]] \
    || die "--target-ratio wants a number above 0 like 0.8, got '$TARGET_RATIO'"
# and one roundratios.py takes (not only at the end of the run, when the report is written)
python3 "$BENCH_DIR/roundratios.py" "$TARGET_RATIO" 1 1 >/dev/null || die "--target-ratio: '$TARGET_RATIO' is refused by roundratios.py"
# The default pairs: each mistguard row against each row it is compared with in the README.
if [[ -z $COMPARE ]]; then
    for a in $PROXIES; do
        [[ $a == mistguard* ]] || continue
        for b in $PROXIES; do
            [[ $b == haproxy* || $b == nginx || $b == netty-floor ]] && COMPARE+="$a:$b "
        done
    done
    listed mistguard-unqueued-trial && listed mistguard-unqueued && COMPARE+="mistguard-unqueued-trial:mistguard-unqueued "
fi
for pair in $COMPARE; do
    [[ $pair == *:* && ${pair%%:*} != "${pair#*:}" ]] && listed "${pair%%:*}" && listed "${pair#*:}" \
        || die "--compare: '$pair' is not A:B with A and B two different proxies of --proxies ($PROXIES)"
done
(( BASE_PORT + 17 <= 65535 )) || die "--base-port $BASE_PORT: the run uses ports up to base+17, past 65535"
require_jars
extra_jvm_flags --trial-jvm-flags "$TRIAL_JVM_FLAGS"
TRIAL_FLAGS=("${EXTRA_FLAGS[@]}")
if listed mistguard-unqueued-trial; then
    (( ${#TRIAL_FLAGS[@]} )) || die "mistguard-unqueued-trial needs --trial-jvm-flags (the flags it tries)"
    listed mistguard-unqueued || log "warning: mistguard-unqueued-trial without mistguard-unqueued: nothing to judge the flags against"
elif (( ${#TRIAL_FLAGS[@]} )); then
    die "--trial-jvm-flags is for mistguard-unqueued-trial, which --proxies does not list"
fi
(( $(nproc) >= 2 )) || die "needs 2 cores: core 0 for upstream + load, core 1 for the proxy"
bench_init
chmod 755 "$WORK_DIR"   # nginx workers run unprivileged and read the 64 KiB body from here

UP_PORT=$BASE_PORT
declare -A PORT=([direct]=$BASE_PORT [mistguard]=$((BASE_PORT + 1)) [haproxy]=$((BASE_PORT + 3))
                 [nginx]=$((BASE_PORT + 4)) [mistguard-nolog]=$((BASE_PORT + 5))
                 [mistguard-unqueued]=$((BASE_PORT + 7)) [netty-floor]=$((BASE_PORT + 9))
                 [haproxy-queued]=$((BASE_PORT + 10)) [netty-tcp-floor]=$((BASE_PORT + 11))
                 [mistguard-unqueued-nolog]=$((BASE_PORT + 12)) [haproxy-logged]=$((BASE_PORT + 14))
                 [mistguard-unqueued-trial]=$((BASE_PORT + 15)) [netty-lean-floor]=$((BASE_PORT + 17)))
declare -A ADMIN_PORT=([mistguard]=$((BASE_PORT + 2)) [mistguard-nolog]=$((BASE_PORT + 6))
                       [mistguard-unqueued]=$((BASE_PORT + 8)) [mistguard-unqueued-nolog]=$((BASE_PORT + 13))
                       [mistguard-unqueued-trial]=$((BASE_PORT + 16)))
declare -A PID=()
CLK_TCK=$(getconf CLK_TCK)
# Every name of --proxies known, and none twice, before anything starts.
for p in $PROXIES; do
    [[ $p != direct && -n ${PORT[$p]:-} ]] || die "--proxies: unknown proxy '$p' (try --help)"
    n=0; for q in $PROXIES; do [[ $q != "$p" ]] || n=$(( n + 1 )); done
    (( n == 1 )) || die "--proxies: '$p' is listed $n times"
done

# ---------------------------------------------------------------------------------------------
# CPU cap per proxy (--cpu-quota): one cgroup per proxy under the v1 cpu controller, created before
# the proxy starts so that its every thread and child process (nginx workers) is in it from birth.
[[ -z $CPU_QUOTA ]] || cap_require "$CPU_QUOTA" "$QUOTA_PERIOD_US"
# make_cap NAME: proxy NAME's group at the quota (nothing when no cap is asked).
make_cap() {
    [[ -n $CPU_QUOTA ]] || return 0
    cap_make "$1" "$QUOTA_PERIOD_US" $(( CPU_QUOTA * QUOTA_PERIOD_US / 100 ))
}
# set_cap NAME on|off: the cap on (the quota) or lifted (-1) for proxy NAME, e.g. for its warm-up.
set_cap() {
    [[ -n $CPU_QUOTA ]] || return 0
    local quota=-1
    [[ $2 == on ]] && quota=$(( CPU_QUOTA * QUOTA_PERIOD_US / 100 ))
    cap_quota "$1" "$quota"
}
# in_cap NAME CMD...: exec CMD inside proxy NAME's capped cgroup (as itself when no cap is asked).
in_cap() {
    local name=$1; shift
    [[ -n $CPU_QUOTA ]] && cap_join "$name" "$BASHPID"
    exec "$@"
}
# throttled_ms NAME: total time the kernel held proxy NAME back for its quota, in ms.
throttled_ms() {
    [[ -n $CPU_QUOTA ]] || { echo 0; return; }
    cap_throttled_ms "$1"
}

# ---------------------------------------------------------------------------------------------
# The cases: path, method, expected reply size, the route mistguard must pick.
SMALL_BODY='{"LTS":1,"authorize":{"local":true,"status":"OK"},"ok":1}'   # + "\n\n" = 59 bytes
declare -A CASE_PATH=([small-get]=/api [getstate]=/api2 [reply-64k]='/api?size=64k' [webui-get]=/small)
declare -A CASE_ROUTE=([small-get]=catch-all [getstate]=get-state [reply-64k]=catch-all [webui-get]=catch-all)
declare -A CASE_METHOD=([small-get]=GET [getstate]="POST (GetState form)" [reply-64k]=GET [webui-get]=GET)
declare -A CASE_SIZE=()

make_bodies() {
    mkdir -p "$WORK_DIR/www"
    python3 - "$WORK_DIR/www" <<'EOF'
import json, sys
out = sys.argv[1]
def mist_reply(size):
    reply = {"active_streams": {}, "authorize": {"local": True, "status": "OK"}, "LTS": 1, "pad": ""}
    i = 0
    while len(json.dumps(reply, separators=(",", ":"))) + 2 + 80 < size:
        reply["active_streams"]["video+stream%04d" % i] = {"source": "push://", "clients": i % 50, "lastms": 123456}
        i += 1
    text = json.dumps(reply, separators=(",", ":"))
    reply["pad"] = "x" * max(0, size - 2 - len(text))
    return json.dumps(reply, separators=(",", ":")) + "\n\n"
open(out + "/getstate.json", "w").write(mist_reply(1024))
open(out + "/big.json", "w").write(mist_reply(65536))
EOF
    CASE_SIZE[small-get]=$(( ${#SMALL_BODY} + 2 ))
    CASE_SIZE[webui-get]=${CASE_SIZE[small-get]}
    CASE_SIZE[getstate]=$(stat -c %s "$WORK_DIR/www/getstate.json")
    CASE_SIZE[reply-64k]=$(stat -c %s "$WORK_DIR/www/big.json")
    printf '%s' "$GETSTATE_FORM" >"$WORK_DIR/getstate.form"
}

# wrk script per case: sets the request, and prints one machine-readable line when done.
make_wrk_scripts() {
    local done_fn='
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %d %d %d %d %d %d %d\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(99), latency:percentile(99.9),
    e.status, e.connect + e.read + e.write + e.timeout))
end'
    printf '%s\n' "$done_fn" >"$WORK_DIR/small-get.lua"
    printf '%s\n' "$done_fn" >"$WORK_DIR/webui-get.lua"
    printf '%s\n' "$done_fn" >"$WORK_DIR/reply-64k.lua"
    cat >"$WORK_DIR/getstate.lua" <<EOF
wrk.method = "POST"
wrk.body = "$GETSTATE_FORM"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
$done_fn
EOF
}

# ---------------------------------------------------------------------------------------------
start_upstream() {
    local getstate_text
    # nginx string: JSON has no single quotes; "\n" is an escape nginx understands in quoted strings.
    getstate_text=$(python3 -c 'import sys; print(open(sys.argv[1]).read().rstrip("\n") + "\\n\\n", end="")' "$WORK_DIR/www/getstate.json")
    cat >"$WORK_DIR/upstream.conf" <<EOF
worker_processes 1;
daemon off;
pid $WORK_DIR/upstream.pid;
error_log $WORK_DIR/upstream-error.log warn;
events { worker_connections 8192; }
http {
    access_log off;
    types { }
    default_type text/javascript;
    keepalive_requests 100000000;
    keepalive_timeout 300s;
    open_file_cache max=16 inactive=1h;
    open_file_cache_valid 1h;
    sendfile on;
    server {
        listen 127.0.0.1:$UP_PORT backlog=4096;
        location = /api {
            if (\$arg_size = 64k) { rewrite ^ /big.json last; }
            return 200 '$SMALL_BODY\n\n';
        }
        location = /big.json { internal; alias $WORK_DIR/www/big.json; }
        location = /api2  { return 200 '$getstate_text'; }
        location = /small { return 200 '$SMALL_BODY\n\n'; }
        location / { return 404; }
    }
}
EOF
    spawn "$WORK_DIR/upstream.out" taskset -c 0 nginx -e "$WORK_DIR/upstream-error.log" -p "$WORK_DIR" -c "$WORK_DIR/upstream.conf"
    PID[upstream]=$SPAWNED_PID
    wait_http "http://127.0.0.1:$UP_PORT/api" 10
}

start_mistguard_named() { # NAME ACCESS_LOG [MAX_CONCURRENT [JVM_FLAG...]]
    # A directory of its own: mistguard watches its config's directory, and a log file written
    # there would wake the watcher on every access-log line.
    mkdir -p "$WORK_DIR/conf-$1"
    BENCH_IO_TRANSPORT="$IO_TRANSPORT" \
        mistguard_bench_config "$WORK_DIR/conf-$1/mistguard.yaml" "${PORT[$1]}" "${ADMIN_PORT[$1]}" "$UP_PORT" "$2" ${3:-}
    java_image_cmd "${@:4}" -jar "$MISTGUARD_JAR" --config "$WORK_DIR/conf-$1/mistguard.yaml"
    make_cap "$1"
    spawn "$WORK_DIR/$1.out" in_cap "$1" taskset -c 1 "${JAVA_CMD[@]}"
    PID[$1]=$SPAWNED_PID
    wait_http "http://127.0.0.1:${ADMIN_PORT[$1]}/healthz" 20
    # the transport it really runs (auto's choice has changed before), from its start-up line
    MG_TRANSPORT=$(grep -o 'listening on .* over [a-z_]*' "$WORK_DIR/$1.out" | head -1 | sed 's/.* over //')
}
MG_TRANSPORT=""
start_mistguard() { start_mistguard_named mistguard true; }
start_mistguard-nolog() { start_mistguard_named mistguard-nolog false; }
start_mistguard-unqueued() { start_mistguard_named mistguard-unqueued true 1024; }
start_mistguard-unqueued-nolog() { start_mistguard_named mistguard-unqueued-nolog false 1024; }
# With a class-data archive of its own, made under its flags: flags that shape the archive would
# otherwise rebuild the shared one for the trial, and the other JVMs would run without theirs.
start_mistguard-unqueued-trial() {
    CDS_ARCHIVE="$RESULTS_DIR/mistguard-trial.jsa" start_mistguard_named mistguard-unqueued-trial true 1024 "${TRIAL_FLAGS[@]}"
}

# The floor: deploy/bench/NettyFloorProxy.java, the least an HTTP proxy built from mistguard's Netty
# parts does (codecs, aggregators, keep-alive reuse; nothing else), with the image's JVM flags and
# the mistguard jar as its class path. What mistguard costs above it is mistguard's own work.
start_netty_java() { # NAME SOURCE: a floor proxy from deploy/bench, with the image's JVM flags
    local -a flags envs
    mapfile -t flags < <(image_jvm_flags | grep -v '^-XX:SharedArchiveFile=')
    read -r -a envs <<<"$(image_env)"
    make_cap "$1"
    spawn "$WORK_DIR/$1.out" in_cap "$1" taskset -c 1 env "${envs[@]}" java "${flags[@]}" \
        -cp "$MISTGUARD_JAR" "$BENCH_DIR/$2" "${PORT[$1]}" "$UP_PORT" "$IO_TRANSPORT"
    PID[$1]=$SPAWNED_PID
    wait_http "http://127.0.0.1:${PORT[$1]}/small" 30
}
start_netty-floor() { start_netty_java netty-floor NettyFloorProxy.java; }
# The floor under it: deploy/bench/NettyTcpFloorProxy.java relays bytes between each client
# connection and an upstream connection of its own, with no HTTP: what the transport, the pipeline
# and the JVM cost per request; an HTTP proxy on the same parts cannot cost less.
start_netty-tcp-floor() { start_netty_java netty-tcp-floor NettyTcpFloorProxy.java; }
# Between the two: deploy/bench/NettyLeanFloorProxy.java has netty-floor's connection handling but
# frames each message itself (head, then Content-Length bytes) and forwards its bytes as they came:
# what an HTTP/1.1 layer leaner than Netty's codecs could cost.
start_netty-lean-floor() { start_netty_java netty-lean-floor NettyLeanFloorProxy.java; }

# Writes $WORK_DIR/NAME.cfg for HAProxy proxy NAME ($1); $2 = extra words on its server line;
# $3 = "log": one access-log line per request (HTTP log format) written to HAProxy's stdout.
write_haproxy_config() {
    local global_log="" defaults_log=""
    if [[ ${3:-} == log ]]; then
        global_log=$'\n    # stdout is the file spawn() sends it to, as mistguard\'s access log goes to its stdout\n    log stdout format raw local0 info'
        defaults_log=$'\n    log global\n    option httplog'
    fi
    cat >"$WORK_DIR/$1.cfg" <<EOF
global
    nbthread 1
    # 2 fds per proxied connection; must fit the fd limit
    maxconn 9000$global_log
defaults
    mode http$defaults_log
    timeout connect 1s
    timeout client 60s
    timeout server 60s
    timeout http-keep-alive 60s
    # how long a request may wait in the server's queue (haproxy-queued): the mist pool's queue_timeout
    timeout queue 1s
    option http-keep-alive
frontend fe
    bind 127.0.0.1:${PORT[$1]}
    default_backend mist
backend mist
    # keep server connections open and share idle ones between client connections
    http-reuse always
    server up 127.0.0.1:$UP_PORT ${2:-}
EOF
}
start_haproxy_named() { # NAME [SERVER_WORDS [log]]
    write_haproxy_config "$1" "${2:-}" "${3:-}"
    make_cap "$1"
    spawn "$WORK_DIR/$1.out" in_cap "$1" taskset -c 1 haproxy -db -f "$WORK_DIR/$1.cfg"
    PID[$1]=$SPAWNED_PID
    wait_http "http://127.0.0.1:${PORT[$1]}/small" 10
}
start_haproxy() { start_haproxy_named haproxy; }
# HAProxy held to the shipped `mist` admission pool's limits (max_concurrent 4, max_queue 200,
# queue_timeout 1s): at most 4 requests at the upstream, the rest wait in HAProxy's server queue.
start_haproxy-queued() { start_haproxy_named haproxy-queued "maxconn 4 maxqueue 200"; }
# HAProxy writing an access-log line per request, as mistguard does by default (and mistguard-unqueued
# with it): the like-for-like row for what the log costs each of them.
start_haproxy-logged() { start_haproxy_named haproxy-logged "" log; }

start_nginx() {
    mkdir -p "$WORK_DIR/nginx-proxy"
    cat >"$WORK_DIR/nginx-proxy.conf" <<EOF
worker_processes 1;
daemon off;
pid $WORK_DIR/nginx-proxy.pid;
error_log $WORK_DIR/nginx-proxy-error.log warn;
events { worker_connections 16384; }
http {
    access_log off;
    keepalive_requests 100000000;
    keepalive_timeout 300s;
    client_body_temp_path $WORK_DIR/nginx-proxy/body;
    proxy_temp_path $WORK_DIR/nginx-proxy/proxy;
    upstream mist {
        server 127.0.0.1:$UP_PORT;
        keepalive 256;
        keepalive_requests 100000000;
        keepalive_timeout 300s;
    }
    server {
        listen 127.0.0.1:${PORT[nginx]} backlog=4096;
        location / {
            proxy_pass http://mist;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            # room for a 64 KiB reply in memory, never a temp file
            proxy_buffer_size 16k;
            proxy_buffers 8 16k;
            proxy_max_temp_file_size 0;
        }
    }
}
EOF
    make_cap nginx
    spawn "$WORK_DIR/nginx-proxy.out" in_cap nginx taskset -c 1 nginx -e "$WORK_DIR/nginx-proxy-error.log" -p "$WORK_DIR/nginx-proxy" -c "$WORK_DIR/nginx-proxy.conf"
    PID[nginx]=$SPAWNED_PID
    wait_http "http://127.0.0.1:${PORT[nginx]}/small" 10
}

# ---------------------------------------------------------------------------------------------
# The processes of a target whose CPU is charged to it: the proxy and its children (nginx workers).
target_pids() { [[ $1 == direct ]] && return 0; echo "${PID[$1]}" $(pgrep -P "${PID[$1]}" || true); }
# (the upstream is a target of its own here: "upstream")

# "utime+stime utime" in clock ticks, summed over a target's processes (all threads of each), both
# from one read of each process's /proc/PID/stat: the user part is then of the very total it is
# shown with, never above it.
cpu_user_ticks() {
    local total=0 user=0 pid t u
    for pid in $(target_pids "$1"); do
        read -r t u < <(awk '{print $14 + $15, $14}' "/proc/$pid/stat")
        total=$(( total + t )); user=$(( user + u ))
    done
    echo "$total $user"
}
# utime+stime alone.
cpu_ticks() { cpu_user_ticks "$1" | cut -d' ' -f1; }
# TCP segments sent so far on the whole machine (every process; loopback counts each segment once).
tcp_out_segs() { awk '/^Tcp:/ { if (!h) { for (i = 1; i <= NF; i++) if ($i == "OutSegs") c = i; h = 1 } else print $c }' /proc/net/snmp; }

# is_jvm TARGET: true for the proxies that run on the JVM (mistguard and the netty floors).
is_jvm() { [[ $1 == mistguard* || $1 == netty-* ]]; }
# target_jit_ms TARGET: CPU ms of a JVM proxy's compiler threads so far; 0 for any other target.
target_jit_ms() { if is_jvm "$1"; then jit_ms "${PID[$1]}"; else echo 0; fi; }

# "rss_kib hwm_kib" summed over a target's processes.
rss_hwm_kib() {
    local pid rss=0 hwm=0
    for pid in $(target_pids "$1"); do
        rss=$(( rss + $(awk '/^VmRSS:/{print $2}' "/proc/$pid/status") ))
        hwm=$(( hwm + $(peak_rss_kib "$pid") ))
    done
    echo "$rss $hwm"
}

# Checks that a target answers the case with the right status and byte count, and that mistguard
# chose the route the case is about and proxied it (not coalesced, not served from cache).
check_case() { # TARGET CASE
    local url="http://127.0.0.1:${PORT[$1]}${CASE_PATH[$2]}" out hdrs
    hdrs="$WORK_DIR/check.headers"
    if [[ $2 == getstate ]]; then
        out=$(curl -s -D "$hdrs" -o /dev/null -w '%{http_code} %{size_download}' --max-time 5 \
            -H 'Content-Type: application/x-www-form-urlencoded' --data-binary "@$WORK_DIR/getstate.form" "$url")
    else
        out=$(curl -s -D "$hdrs" -o /dev/null -w '%{http_code} %{size_download}' --max-time 5 "$url")
    fi
    [[ $out == "200 ${CASE_SIZE[$2]}" ]] || die "$1 $2: expected '200 ${CASE_SIZE[$2]}', got '$out'"
    if [[ $1 == mistguard* ]]; then
        grep -qi "^mistguard-route: ${CASE_ROUTE[$2]}" "$hdrs" || die "$1 $2: not route ${CASE_ROUTE[$2]}: $(tr -d '\r' <"$hdrs" | grep -i '^mistguard' | tr '\n' ' ')"
        grep -qi '^mistguard-decision: proxied' "$hdrs" || die "$1 $2: not proxied: $(tr -d '\r' <"$hdrs" | grep -i '^mistguard' | tr '\n' ' ')"
    fi
}

# What else ran on the machine during a measurement: all CPU time the kernel counted as busy
# (user, nice, system, steal; not irq/softirq, which the loopback traffic itself causes) minus the
# CPU of the proxy, the upstream and the load generator. Expressed as % of one core over the run.
# A run in which something else took a noticeable share (another build, a noisy neighbour) is not
# a measurement of the proxies, whatever the direct row says.
busy_ticks() { awk '/^cpu /{print $2 + $3 + $4 + $9; exit}' /proc/stat; }
# snapshot TARGET: "busy target upstream time neighbours target_user segments", neighbours = the
# proxies not measured now, target_user = the target's utime, segments = tcp_out_segs
snapshot() {
    local p others=0 busy target
    for p in $PROXIES; do [[ $p == "$1" ]] || others=$(( others + $(cpu_ticks "$p") )); done
    busy=$(busy_ticks); target=$(cpu_user_ticks "$1")
    echo "$busy ${target% *} $(cpu_ticks upstream) $(date +%s%N) $others ${target#* } $(tcp_out_segs)"
}
# children_ticks: the last line of `times` (children's user and system time) in clock ticks
children_ticks() {
    tail -1 | awk -v hz="$CLK_TCK" '
        function secs(v,  m) { m = v; sub(/m.*/, "", m); sub(/^[0-9]+m/, "", v); sub(/s$/, "", v); return m * 60 + v }
        { printf "%.0f\n", (secs($1) + secs($2)) * hz }'
}
# foreign_pct "SNAP_BEFORE" "SNAP_AFTER" LOADGEN_TICKS -> "proxy_ticks foreign_pct neighbour_pct
# proxy_user_ticks segments":
# foreign = not started by this script; neighbour = the idle proxies (e.g. a JIT still compiling
# after mistguard's warm-up), which share core 1 with the proxy being measured.
foreign_pct() {
    awk -v a="$1" -v b="$2" -v gen="$3" -v hz="$CLK_TCK" 'BEGIN {
        split(a, x, " "); split(b, y, " ")
        busy = y[1] - x[1]; proxy = y[2] - x[2]; up = y[3] - x[3]; wall = (y[4] - x[4]) / 1e9 * hz
        nb = y[5] - x[5]
        f = (busy - proxy - up - gen - nb) / wall * 100; if (f < 0) f = 0
        printf "%d %.0f %.0f %d %d\n", proxy, f, nb / wall * 100, y[6] - x[6], y[7] - x[7] }'
}

# wrk_run TARGET CASE SECONDS: saturation; prints "rps p50_us p99_us p999_us errors cpu_us_per_req
# requests foreign_pct neighbour_pct jit_ms proxy_cpu_ms user_us_per_req segments_per_req".
wrk_run() {
    local out s0 s1 gen ptk fpct npct utk segs j0 j1
    j0=$(target_jit_ms "$1"); s0=$(snapshot "$1")
    out=$(taskset -c 0 wrk -t1 -c"$CONNS" -d"$3"s -s "$WORK_DIR/$2.lua" "http://127.0.0.1:${PORT[$1]}${CASE_PATH[$2]}"; times)
    s1=$(snapshot "$1"); j1=$(target_jit_ms "$1")
    gen=$(children_ticks <<<"$out")
    read -r ptk fpct npct utk segs <<<"$(foreign_pct "$s0" "$s1" "$gen")"
    printf '== %s %s %ss\n%s\n' "$1" "$2" "$3" "$out" >>"$WORK_DIR/wrk.log"
    awk -v dt="$ptk" -v foreign="$fpct" -v nb="$npct" -v hz="$CLK_TCK" -v jit=$(( j1 - j0 )) -v ut="$utk" -v segs="$segs" '
        /^RESULT / { n = $2; us = $3; printf "%.0f %d %d %d %d %.2f %d %d %d %d %.0f %.2f %.2f\n", n / (us / 1e6), $4, $5, $6, $7 + $8,
                     n ? dt * 1e6 / hz / n : 0, n, foreign, nb, jit, dt * 1000 / hz, n ? ut * 1e6 / hz / n : 0, n ? segs / n : 0; found = 1 }
        END { if (!found) print "0 0 0 0 1 0 0 0 0 0 0 0 0" }' <<<"$out"
}

# rate_run TARGET CASE RATE: constant total RATE for HALF_DURATION s; prints "achieved_rps p50_us
# p99_us p999_us non200 cpu_us_per_req requests foreign_pct neighbour_pct jit_ms proxy_cpu_ms
# user_us_per_req segments_per_req".
rate_run() {
    local per_conn=$(( $3 / RATE_CONNS )) logf="$WORK_DIR/h2load.tsv" s0 s1 out ptk fpct npct utk segs body=() j0 j1
    [[ $2 == getstate ]] && body=(-d "$WORK_DIR/getstate.form" -H 'Content-Type: application/x-www-form-urlencoded')
    rm -f "$logf"
    j0=$(target_jit_ms "$1"); s0=$(snapshot "$1")
    out=$(taskset -c 0 h2load --h1 -t1 -c"$RATE_CONNS" --rps "$per_conn" -D "$HALF_DURATION" "${body[@]}" \
        --log-file "$logf" "http://127.0.0.1:${PORT[$1]}${CASE_PATH[$2]}" 2>&1; times)
    s1=$(snapshot "$1"); j1=$(target_jit_ms "$1")
    printf '%s\n' "$out" >>"$WORK_DIR/h2load.log"
    read -r ptk fpct npct utk segs <<<"$(foreign_pct "$s0" "$s1" "$(children_ticks <<<"$out")")"
    [[ -s $logf ]] || { echo "0 0 0 0 1 0 0 $fpct $npct $(( j1 - j0 )) 0 0 0"; return; }
    sort -t$'\t' -k3,3n "$logf" | awk -F'\t' -v d="$HALF_DURATION" -v dt="$ptk" -v foreign="$fpct" -v nb="$npct" -v hz="$CLK_TCK" -v jit=$(( j1 - j0 )) -v ut="$utk" -v segs="$segs" '
        function pct(p,  i) { i = int(NR * p); if (i < NR * p) i++; if (i < 1) i = 1; return t[i] }
        { t[NR] = $3; if ($2 != 200) bad++ }
        END { printf "%.0f %d %d %d %d %.2f %d %d %d %d %.0f %.2f %.2f\n", NR / d, pct(0.5), pct(0.99), pct(0.999), bad,
                     dt * 1e6 / hz / NR, NR, foreign, nb, jit, dt * 1000 / hz, ut * 1e6 / hz / NR, segs / NR }'
}

jit_pct() { awk -v j="$(f "$1" 10)" -v c="$(f "$1" 11)" 'BEGIN{printf "%.1f", (c > 0) ? j * 100 / c : 0}'; }
us2ms() { awk -v u="$1" 'BEGIN{printf "%.2f", u / 1000}'; }
kib2mib() { awk -v k="$1" 'BEGIN{printf "%.1f", k / 1024}'; }
f() { awk -v c="$2" '{print $c}' <<<"$1"; }

# ---------------------------------------------------------------------------------------------
make_bodies
make_wrk_scripts
start_upstream
for p in $PROXIES; do "start_$p"; done
for c in $CASES; do
    for t in direct $PROXIES; do check_case "$t" "$c"; done
done
log "every target answers every case with the expected status, size and (mistguard) route"

host_line() {
    echo "Host: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), $(uname -sr);" \
         "java $(java -version 2>&1 | head -1 | cut -d'"' -f2); $(haproxy -v | head -1 | cut -d' ' -f1-3);" \
         "$(nginx -v 2>&1 | cut -d' ' -f3); $(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2); h2load $(h2load --version | cut -d/ -f2)."
}

# quiet_during RESULT LABEL [TARGET]: false (and the case marked INVALID) when other processes used
# more than MAX_FOREIGN % of a core during that measurement, or when TARGET is a JVM proxy whose
# compiler threads used more than MAX_JIT % of its CPU in it; the case is then abandoned at once, to
# be measured again from the start, rather than finished for nothing.
quiet_during() {
    if [[ -n ${3:-} ]] && is_jvm "$3" && (( $(f "$1" 10) * 100 > MAX_JIT * $(f "$1" 11) )); then
        CASE_REASONS+=("$c: $3's JIT used $(f "$1" 10) of its $(f "$1" 11) ms of CPU during $2, over --max-jit $MAX_JIT% (case abandoned there)")
    elif (( $(f "$1" 8) > MAX_FOREIGN )); then
        CASE_REASONS+=("$c: other processes used $(f "$1" 8)% of a core during $2 (case abandoned there)")
    elif [[ $2 != direct* ]] && (( $(f "$1" 9) > MAX_FOREIGN )); then
        CASE_REASONS+=("$c: the idle proxies used $(f "$1" 9)% of a core during $2 (case abandoned there)")
    else
        return 0
    fi
    CASE_OK=0
    return 1
}

# warm_step TARGET CASE: one settle_jit step for a JVM proxy under the two loads it is measured
# under: JIT_CHUNK s at saturation (wrk), then JIT_CHUNK s at half that rate over RATE_CONNS new
# connections (h2load). The constant-rate runs take code paths that saturation does not (100
# connections opened per run): warmed by wrk alone, mistguard's JIT used 12% of its CPU during its
# first half-rate run.
warm_step() {
    local HALF_DURATION=$JIT_CHUNK
    rate_run "$1" "$2" "$(half_rate "$(f "$(wrk_run "$1" "$2" "$JIT_CHUNK")" 1)")"
}

# half_rate RPS: half of a saturation rate, rounded to a whole number of requests/s per connection
# (at least 1), times RATE_CONNS: the total rate h2load is asked for.
half_rate() {
    local per_conn=$(( ($1 / 2 + RATE_CONNS / 2) / RATE_CONNS ))
    echo $(( (per_conn > 0 ? per_conn : 1) * RATE_CONNS ))
}

# settle TARGET CASE: for a JVM proxy, settle_jit with warm_step right before one of its
# measurements, under the cap when there is one (capped, the event loop meets its work in larger
# batches after each throttled stretch and takes paths that uncapped runs do not: a mistguard
# settled uncapped had its JIT use 13% of its CPU in its first capped run). Right before, because a
# JVM settled and then left idle while the others are measured compiles again when the load comes
# back: settled 3 minutes earlier, mistguard's JIT used 9% of its CPU in its saturation run.
settle() {
    is_jvm "$1" || return 0
    [[ -d /proc/${PID[$1]} ]] || die "$1 has exited; see $WORK_DIR/$1.out"
    log "$2 $1: JIT $(settle_jit "${PID[$1]}" "$JIT_SETTLE_MAX" warm_step "$1" "$2" || true)"
    [[ -d /proc/${PID[$1]} ]] || die "$1 exited under load; see $WORK_DIR/$1.out"
}

# retake VAR LABEL TARGET CMD...: runs CMD (a wrk_run or rate_run) into the variable VAR; a
# measurement disturbed by other processes or by TARGET's JIT (quiet_during) is listed in DISCARDED
# and taken again on its own, at most --tries times in all (TARGET settled first when it is a JVM
# proxy). False, with the reason in CASE_REASONS, when the last one was disturbed too. A discarded
# measurement leaves CASE_OK as it was before it: an earlier INVALID verdict stays.
retake() {
    local var=$1 label=$2 target=$3 try result ok=$CASE_OK
    shift 3
    for (( try = 1; try <= TRIES; try++ )); do
        [[ $target == direct ]] || settle "$target" "$c"
        result=$("$@")
        printf -v "$var" '%s' "$result"
        quiet_during "$result" "$label" "$([[ $target == direct ]] || echo "$target")" && return 0
        (( try < TRIES )) || return 1
        discard "$label" "$try" "$ok"
    done
}

# discard LABEL TRY CASE_OK_BEFORE: the measurement quiet_during just judged disturbed goes to
# DISCARDED with its reason (the last of CASE_REASONS, taken off it), and CASE_OK is put back as it
# was before that measurement, so that an earlier INVALID verdict stays.
discard() {
    DISCARDED+=("$c $1, measurement $2 ($(date -u +%H:%M:%S)): ${CASE_REASONS[-1]% (case abandoned there)}")
    unset 'CASE_REASONS[-1]'
    CASE_OK=$3
}

# median_round PROXY: the result line of PROXY's median saturation round by req/s (of an even number
# of rounds, the slower of the two middle ones), from measure_case's ROUND.
median_round() {
    local r
    for (( r = 1; r <= SAT_ROUNDS; r++ )); do echo "${ROUND[$1.$r]}"; done | sort -n -k1,1 | sed -n "$(( (SAT_ROUNDS + 1) / 2 ))p"
}

# round_ratios: the "ratios" lines of the case in hand, one per --compare pair, from measure_case's ROUND.
round_ratios() {
    local pair a b r ra rb target
    echo "Saturation req/s ratios round by round (A/B in each round; median, distribution-free confidence interval for the median, verdict against $TARGET_RATIO$(listed mistguard-unqueued-trial && echo ", between mistguard-unqueued-trial and mistguard-unqueued against 1"); roundratios.py):"
    echo
    for pair in $COMPARE; do
        a=${pair%%:*}; b=${pair#*:}; ra=""; rb=""
        # A trial flag is judged against no change (met: faster, not-met: slower), not against #12's target.
        target=$TARGET_RATIO
        [[ $pair == mistguard-unqueued-trial:mistguard-unqueued || $pair == mistguard-unqueued:mistguard-unqueued-trial ]] && target=1
        for (( r = 1; r <= SAT_ROUNDS; r++ )); do ra+="$(f "${ROUND[$a.$r]}" 1),"; rb+="$(f "${ROUND[$b.$r]}" 1),"; done
        echo "- $a / $b: $(python3 "$BENCH_DIR/roundratios.py" "$target" "${ra%,}" "${rb%,}" 2>&1 \
                           || echo "(no ratio: roundratios.py refused these rounds)")"
    done
}

# measure_case CASE: warm-up, saturation of every target (direct before and after), constant rate.
# Sets CASE_OK (1 when valid), CASE_REASONS and CASE_BODY (the markdown section).
measure_case() {
    local c=$1
    CASE_OK=1; CASE_REASONS=(); CASE_BODY=""
    log "case $c: warm-up"
    for t in direct $PROXIES; do
        # Uncapped: under a cap, the JIT's compiler threads share the proxy's quota with the event
        # loop and compile the bulk of the code slowly. Start-up cost is startup.sh's to measure;
        # this script measures the steady state: a JVM proxy is then also settled right before
        # each of its measurements (settle).
        [[ $t == direct ]] || set_cap "$t" off
        wrk_run "$t" "$c" "$(is_jvm "$t" && echo "$WARMUP" || echo 3)" >/dev/null
        [[ $t == direct ]] || set_cap "$t" on
    done
    declare -A SAT=()
    declare -A ROUND=()
    local r one try ok
    # A measurement disturbed by other processes or by the JIT is taken again on its own (retake), so
    # that one disturbance among a case's many measurements does not cost the whole case.
    retake one "direct at saturation" direct wrk_run direct "$c" "$DURATION" || return 0
    SAT[direct-before]=$one; log "$c direct: $one"
    # Each round starts one proxy later in --proxies than the one before (round 2 with the second,
    # ...): the first measurement after the warm-ups was the slowest of its proxy's rounds in four of
    # five runs, and with a fixed order that fell on the same proxy every time.
    local -a order=($PROXIES)
    local i
    for (( r = 1; r <= SAT_ROUNDS; r++ )); do
        for (( i = 0; i < ${#order[@]}; i++ )); do
            p=${order[$(( (i + r - 1) % ${#order[@]} ))]}
            retake one "$p at saturation (round $r)" "$p" wrk_run "$p" "$c" "$DURATION" || return 0
            ROUND[$p.$r]=$one; log "$c $p round $r: $one"
        done
    done
    for p in $PROXIES; do SAT[$p]=$(median_round "$p"); done
    retake one "direct (after) at saturation" direct wrk_run direct "$c" "$DURATION" || return 0
    SAT[direct-after]=$one; log "$c direct again: $one"
    local direct_min fastest=0 fastest_name=""
    direct_min=$(( $(f "${SAT[direct-before]}" 1) < $(f "${SAT[direct-after]}" 1) ? $(f "${SAT[direct-before]}" 1) : $(f "${SAT[direct-after]}" 1) ))
    # the fastest single round of any proxy: the direct row must have headroom for every round
    for p in $PROXIES; do
        for (( r = 1; r <= SAT_ROUNDS; r++ )); do
            (( $(f "${ROUND[$p.$r]}" 1) > fastest )) && { fastest=$(f "${ROUND[$p.$r]}" 1); fastest_name="$p (round $r)"; }
            (( $(f "${ROUND[$p.$r]}" 5) == 0 )) || { CASE_OK=0; CASE_REASONS+=("$c: $p had $(f "${ROUND[$p.$r]}" 5) errors at saturation in round $r"); }
        done
    done
    for t in direct-before $PROXIES direct-after; do
        (( $(f "${SAT[$t]}" 8) <= MAX_FOREIGN )) || { CASE_OK=0; CASE_REASONS+=("$c: other processes used $(f "${SAT[$t]}" 8)% of a core during $t at saturation"); }
    done
    local verdict="direct $direct_min req/s (lower of before/after) vs fastest proxy $fastest_name $fastest req/s: ratio $(awk -v a="$direct_min" -v b="$fastest" 'BEGIN{printf "%.2f", b ? a / b : 0}')"
    if (( direct_min < 2 * fastest )); then
        CASE_OK=0; CASE_REASONS+=("$c: $verdict < 2")
    fi
    declare -A HALF=() DHALF=() RATE=()
    for p in $PROXIES; do
        RATE[$p]=$(half_rate "$(f "${SAT[$p]}" 1)")
        # the pair is taken again together when either was disturbed: "added p99" compares two
        # runs 10 s apart; a discarded pair leaves CASE_OK as it was before it
        ok=$CASE_OK
        for (( try = 1; ; try++ )); do
            settle "$p" "$c"
            DHALF[$p]=$(rate_run direct "$c" "${RATE[$p]}")
            HALF[$p]=$(rate_run "$p" "$c" "${RATE[$p]}")
            quiet_during "${DHALF[$p]}" "direct at ${RATE[$p]} req/s" \
                && quiet_during "${HALF[$p]}" "$p at ${RATE[$p]} req/s" "$p" && break
            (( try < TRIES )) || return 0
            discard "$p and direct at ${RATE[$p]} req/s" "$try" "$ok"
        done
        log "$c half rate ${RATE[$p]}/s: direct [${DHALF[$p]}] $p [${HALF[$p]}]"
        (( $(f "${HALF[$p]}" 5) == 0 )) || { CASE_OK=0; CASE_REASONS+=("$c: $p had $(f "${HALF[$p]}" 5) non-200 at half rate"); }
        for x in "direct:${DHALF[$p]}" "$p:${HALF[$p]}"; do
            (( $(f "${x#*:}" 8) <= MAX_FOREIGN )) || { CASE_OK=0; CASE_REASONS+=("$c: other processes used $(f "${x#*:}" 8)% of a core during ${x%%:*} at ${RATE[$p]} req/s"); }
        done
    done
    # One rate for all, the lowest half rate: what a request costs each proxy when every proxy does
    # the same work (see "same rate" in the header).
    local same=0
    for p in $PROXIES; do (( same == 0 || RATE[$p] < same )) && same=${RATE[$p]}; done
    declare -A SAME=()
    for p in $PROXIES; do
        if (( RATE[$p] == same )); then
            SAME[$p]=${HALF[$p]}
        else
            retake one "$p at $same req/s" "$p" rate_run "$p" "$c" "$same" || return 0
            SAME[$p]=$one
            log "$c same rate $same/s: $p [${SAME[$p]}]"
            (( $(f "${SAME[$p]}" 5) == 0 )) || { CASE_OK=0; CASE_REASONS+=("$c: $p had $(f "${SAME[$p]}" 5) non-200 at $same req/s"); }
        fi
    done
    CASE_BODY+=$'\n'"## $c: ${CASE_METHOD[$c]} ${CASE_PATH[$c]}, reply ${CASE_SIZE[$c]} bytes, route ${CASE_ROUTE[$c]}"$'\n\n'
    CASE_BODY+="Saturation check: $verdict."$'\n\n'
    CASE_BODY+="| target | req/s | p50 | p99 | p99.9 | CPU µs/req | of it user µs/req | TCP segments/req | half rate: target (achieved) req/s | p50 | p99 | p99.9 | added p99 | CPU µs/req | all at $same req/s: CPU µs/req | p99 | RSS / peak MiB | foreign CPU % (sat / half) | JIT % of CPU (sat / half / same) |"$'\n'
    CASE_BODY+="|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"$'\n'
    for t in direct-before $PROXIES direct-after; do
        local s=${SAT[$t]} row
        row="| ${t/-/ } | $(f "$s" 1) | $(us2ms "$(f "$s" 2)") | $(us2ms "$(f "$s" 3)") | $(us2ms "$(f "$s" 4)") |"
        if [[ $t == direct-* ]]; then
            row+=" – | – | $(f "$s" 13) | – | – | – | – | – | – | – | – | – | $(f "$s" 8) | – |"
        else
            local h=${HALF[$t]} d=${DHALF[$t]} rh
            read -r rss hwm <<<"$(rss_hwm_kib "$t")"
            row+=" **$(f "$s" 6)** | $(f "$s" 12) | $(f "$s" 13) | ${RATE[$t]} ($(f "$h" 1)) | $(us2ms "$(f "$h" 2)") | $(us2ms "$(f "$h" 3)") | $(us2ms "$(f "$h" 4)") |"
            row+=" $(us2ms $(( $(f "$h" 3) - $(f "$d" 3) ))) (direct $(us2ms "$(f "$d" 3)")) | $(f "$h" 6) |"
            row+=" **$(f "${SAME[$t]}" 6)** | $(us2ms "$(f "${SAME[$t]}" 3)") | $(kib2mib "$rss") / $(kib2mib "$hwm") | $(f "$s" 8) / $(f "$h" 8) |"
            row+=" $(is_jvm "$t" && echo "$(jit_pct "$s") / $(jit_pct "$h") / $(jit_pct "${SAME[$t]}")" || echo –) |"
        fi
        CASE_BODY+="$row"$'\n'
    done
    CASE_BODY+=$'\n'"Saturation rounds, req/s round by round (CPU µs/req, of it user µs/req); the table shows each proxy's median round:"$'\n\n'
    for p in $PROXIES; do
        local rounds=""
        for (( r = 1; r <= SAT_ROUNDS; r++ )); do rounds+="$(f "${ROUND[$p.$r]}" 1) ($(f "${ROUND[$p.$r]}" 6), $(f "${ROUND[$p.$r]}" 12)), "; done
        CASE_BODY+="- $p: ${rounds%, }"$'\n'
    done
    [[ -n ${COMPARE//[[:space:]]/} ]] && CASE_BODY+=$'\n'"$(round_ratios)"$'\n'
    unset SAT HALF DHALF RATE SAME ROUND
}

# wait_quiet: waits (at most QUIET_WAIT s) until other processes use at most MAX_FOREIGN % of a
# core over 5 s, so that a measurement does not start in the middle of somebody's build.
wait_quiet() {
    local deadline=$(( $(date +%s) + QUIET_WAIT )) s0 s1 fpct npct
    while :; do
        s0=$(snapshot direct); sleep 5; s1=$(snapshot direct)
        read -r _ fpct npct _ <<<"$(foreign_pct "$s0" "$s1" 0)"
        (( fpct <= MAX_FOREIGN && npct <= MAX_FOREIGN )) && return 0
        (( $(date +%s) < deadline )) || { log "still busy after ${QUIET_WAIT}s (others ${fpct}%, our idle proxies ${npct}%); measuring anyway"; return 0; }
        log "other processes use ${fpct}% of a core, our idle proxies ${npct}%; waiting for quiet"
    done
}

one_run() { # writes $REPORT, sets RUN_VALID
    local stamp; stamp=$(date -u +%Y%m%dT%H%M%SZ)
    REPORT="$RESULTS_DIR/passthrough-$stamp.md"
    RUN_VALID=1
    local reasons=() body=""
    DISCARDED=()
    local started; started=$(date -u '+%Y-%m-%d %H:%M:%S UTC')
    local load0; load0=$(cut -d' ' -f1-3 /proc/loadavg)
    for c in $CASES; do
        for (( try = 1; try <= TRIES; try++ )); do
            wait_quiet
            measure_case "$c"
            (( CASE_OK )) && break
            log "case $c attempt $try INVALID: ${CASE_REASONS[*]}"
            DISCARDED+=("$c attempt $try ($(date -u +%H:%M:%S)): ${CASE_REASONS[*]}")
        done
        (( CASE_OK )) || { RUN_VALID=0; reasons+=("${CASE_REASONS[@]}"); }
        body+="$CASE_BODY"
    done
    if (( JIT_SETTLE_MAX == 0 )); then
        local p
        for p in $PROXIES; do
            is_jvm "$p" || continue
            RUN_VALID=0; reasons+=("--jit-settle-max 0: the JVM proxies were measured without letting their JIT settle (a quick look, not the steady state)")
            break
        done
    fi
    local ended; ended=$(date -u '+%Y-%m-%d %H:%M:%S UTC')
    {
        echo "# Pass-through benchmark, $stamp"
        echo
        if (( RUN_VALID )); then
            echo "**VALID**: in every case direct ≥ 2× the fastest proxy, no errors, other processes used ≤ $MAX_FOREIGN% of a core in every measurement, and no JVM proxy's JIT used more than $MAX_JIT% of its CPU in any of its measurements."
        else
            echo "**INVALID** — do not quote these figures:"
            printf -- '- %s\n' "${reasons[@]}"
        fi
        if (( ${#DISCARDED[@]} )); then
            echo
            echo "Case attempts and single measurements discarded as INVALID and taken again:"
            printf -- '- %s\n' "${DISCARDED[@]}"
        fi
        echo
        echo "Run: $started – $ended; load average before $load0, after $(cut -d' ' -f1-3 /proc/loadavg)."
        echo "$(host_line)"
        echo "Upstream nginx (1 worker) + wrk + h2load on core 0; each proxy on core 1 (taskset)$( [[ -n $CPU_QUOTA ]] && echo ", capped at $CPU_QUOTA% of that core (cgroup cpu quota $(( CPU_QUOTA * QUOTA_PERIOD_US / 100 )) µs per $QUOTA_PERIOD_US µs)")."
        if [[ -n $CPU_QUOTA ]]; then
            local p; echo -n "Time held back by the cap over the whole run, ms:"
            for p in $PROXIES; do echo -n " $p $(throttled_ms "$p");"; done; echo
        fi
        echo "Saturation: \`wrk -t1 -c$CONNS -d${DURATION}s\`, $SAT_ROUNDS round(s) of every proxy in turn (each round starting one proxy later in the list), the table showing each proxy's median round, after a warm-up (${WARMUP}s for the JVMs, mistguard and the netty floors; 3s for others); right before each of its measurements, a JVM proxy gets steps of ${JIT_CHUNK}s at saturation and ${JIT_CHUNK}s at half that rate until its JIT compilers used ≤ $JIT_QUIET_PCT% of its CPU in $JIT_QUIET_STEPS steps in a row (at most ${JIT_SETTLE_MAX}s)."
        echo "JIT % of CPU: the JVM's C1 and C2 compiler threads' share of the proxy's CPU during that measurement (bounded by --max-jit $MAX_JIT)."
        echo "Half rate: \`h2load --h1 -t1 -c$RATE_CONNS --rps <rate/$RATE_CONNS> -D $HALF_DURATION\`, the same rate direct to the upstream right before; added p99 = proxied − direct."
        echo "CPU µs/req: utime+stime of the proxy's processes (all threads; nginx: master + worker) during the run ÷ requests completed in it; of it user µs/req: utime alone, the rest being the kernel's. TCP segments/req: segments sent on the whole machine during the run (/proc/net/snmp OutSegs) ÷ requests."
        echo "Foreign CPU: busy CPU time of the machine (user+nice+system+steal) minus what this script started (proxies, upstream, load generator), in % of one core; a proxy's measurement also needs the other, idle proxies under $MAX_FOREIGN%."
        echo "Latencies in ms. mistguard: \`$(image_env) java $(image_jvm_flags | sed "s|$REPO_DIR/||" | tr '\n' ' ')-jar proxy/target/mistguard.jar\`,"
        echo "shipped deploy/mistguard.yaml with ports, \`io_threads: 1\` and get-state \`coalesce: false\`$( [[ $IO_TRANSPORT != auto ]] && echo ", \`io_transport: $IO_TRANSPORT\` (the Netty floors too)")$( [[ -n $MG_TRANSPORT ]] && echo "; mistguard ran over $MG_TRANSPORT (its start-up line)")$( [[ " $PROXIES " == *" mistguard-nolog "* ]] && echo '; mistguard-nolog: the same with `access_log: false`')$( [[ " $PROXIES " == *" mistguard-unqueued "* ]] && echo '; mistguard-unqueued: the same with the `mist` admission pool'"'"'s `max_concurrent` and `upstream.max_idle_connections_per_thread` at 1024 (shipped: 4 and 32)')$( [[ " $PROXIES " == *" mistguard-unqueued-nolog "* ]] && echo '; mistguard-unqueued-nolog: the `mist` admission pool'"'"'s `max_concurrent` and `upstream.max_idle_connections_per_thread` at 1024, and `access_log: false`')$( [[ " $PROXIES " == *" mistguard-unqueued-trial "* ]] && echo "; mistguard-unqueued-trial: mistguard-unqueued with the JVM flags \`${TRIAL_FLAGS[*]}\` after the image's, and a class-data archive of its own made under them")$( [[ " $PROXIES " == *" haproxy-logged "* ]] && echo '; haproxy-logged: HAProxy with `log stdout format raw local0 info` and `option httplog`, its stdout a file')$( [[ " $PROXIES " == *" haproxy-queued "* ]] && echo '; haproxy-queued: HAProxy with `server … maxconn 4 maxqueue 200` and `timeout queue 1s`, the `mist` pool'"'"'s limits')$( [[ " $PROXIES " == *" netty-floor "* ]] && echo '. netty-floor: deploy/bench/NettyFloorProxy.java (HTTP codecs, aggregators and keep-alive reuse only) with the same JVM flags')$( [[ " $PROXIES " == *" netty-tcp-floor "* ]] && echo '. netty-tcp-floor: deploy/bench/NettyTcpFloorProxy.java (bytes relayed, one upstream connection per client connection, no HTTP) with the same JVM flags')$( [[ " $PROXIES " == *" netty-lean-floor "* ]] && echo '. netty-lean-floor: deploy/bench/NettyLeanFloorProxy.java (the connection handling of netty-floor, each message framed by its head and Content-Length and forwarded as its bytes came, no Netty HTTP codecs) with the same JVM flags')."
        printf '%s' "$body"
    } >"$REPORT"
}

one_run
cat "$REPORT"
log "written to $REPORT"
(( RUN_VALID )) || exit 3
