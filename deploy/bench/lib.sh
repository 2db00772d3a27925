# Shared helpers for the benchmark scripts; sourced, never run.
#
# The JVM flags and environment come from deploy/Dockerfile's runtime stage, so a benchmark always
# measures mistguard the way the image runs it. Every process a script starts goes through `spawn`,
# and the EXIT trap installed by `bench_init` stops exactly those processes (by pid), nothing else.

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(cd "$BENCH_DIR/../.." && pwd)"
DOCKERFILE="$REPO_DIR/deploy/Dockerfile"
MISTGUARD_JAR="$(realpath -m "${MISTGUARD_JAR:-$REPO_DIR/proxy/target/mistguard.jar}")" # absolute: scripts cd
SIM_MIST_JAR="${SIM_MIST_JAR:-$REPO_DIR/sim-mist/target/sim-mist.jar}"
RESULTS_DIR="$BENCH_DIR/results"
SPAWNED_PIDS=()
WORK_DIR=""

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

# Creates the temp dir for generated configs and logs and installs the cleanup trap.
bench_init() {
    WORK_DIR="$(mktemp -d -t mistguard-bench.XXXXXX)"
    trap bench_cleanup EXIT
    trap 'exit 130' INT TERM
    mkdir -p "$RESULTS_DIR"
}

# Stops what the script started: caps lifted first (a process capped low still shuts down at once),
# then the processes, then the cap groups. Ignores INT and TERM from its first line: a second Ctrl-C
# would end it half way, leaving processes and groups behind.
bench_cleanup() {
    trap '' INT TERM
    local pid cg
    for cg in "${CAP_GROUPS[@]}"; do
        echo -1 >"$cg/cpu.cfs_quota_us" 2>/dev/null || true
    done
    for pid in "${SPAWNED_PIDS[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
    for pid in "${SPAWNED_PIDS[@]}"; do
        wait "$pid" 2>/dev/null || true
    done
    for cg in "${CAP_GROUPS[@]}"; do
        rmdir "$cg" 2>/dev/null || true
    done
    if [[ -n "$WORK_DIR" && "${KEEP_WORK_DIR:-0}" != 1 ]]; then
        rm -rf "$WORK_DIR"
    elif [[ -n "$WORK_DIR" ]]; then
        log "kept generated configs and logs in $WORK_DIR"
    fi
}

# CPU caps (passthrough.sh and profile.sh --cpu-quota): one group per capped process under the
# cgroup v1 cpu controller, named mistguard-bench-<script pid>-NAME; bench_cleanup removes them.
CGROUP_ROOT=/sys/fs/cgroup/cpu
CAP_GROUPS=()
# cap_require PCT PERIOD_US: dies unless a quota of PCT % of one core per PERIOD_US can be set here.
cap_require() {
    (( $1 >= 1 && $1 <= 100 )) || die "--cpu-quota wants 1..100 (% of one core), got $1"
    [[ -w $CGROUP_ROOT/cgroup.procs ]] || die "--cpu-quota needs a writable cgroup v1 cpu controller at $CGROUP_ROOT (run as root)"
    (( $1 * $2 / 100 >= 1000 )) || die "--cpu-quota: the kernel wants a quota of at least 1000 µs per period; raise --quota-period-us"
}
cap_group() { echo "$CGROUP_ROOT/mistguard-bench-$$-$1"; }
# cap_make NAME PERIOD_US QUOTA_US: creates NAME's group with that quota (in the script's own shell,
# not a subshell, so that bench_cleanup knows the group).
cap_make() {
    local cg; cg=$(cap_group "$1")
    mkdir -p "$cg"; CAP_GROUPS+=("$cg")
    echo "$2" >"$cg/cpu.cfs_period_us"
    echo "$3" >"$cg/cpu.cfs_quota_us"
}
# cap_quota NAME QUOTA_US: sets NAME's quota in µs per period; -1 lifts it.
cap_quota() { echo "$2" >"$(cap_group "$1")/cpu.cfs_quota_us"; }
# cap_join NAME PID: moves PID, with every thread of it, into NAME's group.
cap_join() { echo "$2" >"$(cap_group "$1")/cgroup.procs"; }
# cap_throttled_ms NAME: the time the kernel has held NAME's group back for its quota so far, in ms.
cap_throttled_ms() { awk '/^throttled_time /{printf "%.0f\n", $2 / 1e6}' "$(cap_group "$1")/cpu.stat"; }

# spawn LOGFILE CMD...: starts CMD in the background, remembers its pid in SPAWNED_PID.
spawn() {
    local logfile="$1"; shift
    "$@" >"$logfile" 2>&1 &
    SPAWNED_PID=$!
    SPAWNED_PIDS+=("$SPAWNED_PID")
}

# stop PID: stops one process this script started and waits for it.
stop() {
    kill "$1" 2>/dev/null || true
    wait "$1" 2>/dev/null || true
}

require() {
    local tool
    for tool in "$@"; do
        command -v "$tool" >/dev/null || die "$tool not found (apt-get install -y haproxy nginx-light wrk nghttp2-client)"
    done
}

require_jars() {
    [[ -f "$MISTGUARD_JAR" ]] || die "missing $MISTGUARD_JAR; build first: mvn -B -ntp package -DskipTests"
    if [[ "${1:-}" == sim ]]; then
        [[ -f "$SIM_MIST_JAR" ]] || die "missing $SIM_MIST_JAR; build first: mvn -B -ntp package -DskipTests"
    fi
}

# The JVM flags of the Dockerfile's ENTRYPOINT (between "java" and "-jar"), one per line, with the
# image's paths mapped to local ones: the class-data-sharing archive to one built here for the
# current jar (ensure_cds_archive).
CDS_ARCHIVE="$RESULTS_DIR/mistguard.jsa"
image_jvm_flags() {
    python3 - "$DOCKERFILE" "$CDS_ARCHIVE" <<'EOF'
import json, sys
dockerfile, jsa = sys.argv[1], sys.argv[2]
entry = [line for line in open(dockerfile) if line.startswith("ENTRYPOINT")][-1]
argv = json.loads(entry[len("ENTRYPOINT"):])
flags = argv[1:argv.index("-jar")]
for flag in flags:
    print(flag.replace("/opt/mistguard/mistguard.jsa", jsa))
EOF
}

# extra_jvm_flags WHAT VALUE: VALUE split at whitespace (newlines too) into the array EXTRA_FLAGS, for
# JVM flags added after the image's (EXTRA_JVM_FLAGS, --trial-jvm-flags). Dies, naming WHAT, unless
# every word is a JVM option (-X... or -D...; not -jar, -version or an application argument) that
# leaves the class-data archive to the scripts (no -Xshare:..., no archive or class-list option),
# and mistguard's jar runs `--version` with the image's flags followed by them: they can clash with
# the image's (a second GC, a heap minimum above -Xmx), or end the JVM before it runs anything (-X,
# -Xlog:help). Refused here, before the script starts anything, and not when a class-data archive is
# built for them, whose failed training start deleted the shared one. In that run an -Xlog file
# is a scratch file, so that the named one holds only the measured JVM's lines (java_image_cmd
# leaves -Xlog out of the archive's training for the same reason). A flag cannot hold a space.
# Needs the jar (require_jars first).
extra_jvm_flags() {
    local what=$1 word out scratch status
    local -a image check=()
    read -r -d '' -a EXTRA_FLAGS <<<"$2" || true
    for word in "${EXTRA_FLAGS[@]}"; do
        [[ $word == -X* || $word == -D* ]] || die "$what: '$word' is not a JVM option (-X... or -D...)"
        [[ $word != -Xshare* && ! $word =~ ^-XX:.*(SharedArchiveFile|ArchiveClassesAtExit|DumpLoadedClassList|SharedClassListFile) ]] \
            || die "$what: '$word': the class-data archive is the scripts' to choose (lib.sh ensure_cds_archive)"
    done
    (( ${#EXTRA_FLAGS[@]} )) || return 0
    scratch=$(mktemp -d)
    for word in "${EXTRA_FLAGS[@]}"; do   # an -Xlog file goes to scratch here
        [[ $word == -Xlog* ]] && word=$(sed -E "s#file=[^:]*#file=$scratch/check.log#" <<<"$word")
        check+=("$word")
    done
    mapfile -t image < <(image_jvm_flags | grep -v '^-XX:SharedArchiveFile=')
    out=$(cd "$scratch" && java "${image[@]}" "${check[@]}" -cp "$MISTGUARD_JAR" io.mistguard.proxy.Main --version 2>&1) \
        && grep -q '^mistguard ' <<<"$out" && status=0 || status=1
    rm -rf "$scratch"
    (( status == 0 )) \
        || die "$what: mistguard's jar does not run with them after the image's flags: $(grep -v '^$' <<<"$out" | grep -v '^mistguard ' | head -2 | tr '\n' ' ')"
}

# The runtime stage's `ENV NAME=value` lines as NAME=value words (e.g. MALLOC_ARENA_MAX=2).
image_env() {
    awk '/^FROM /{env=""} /^ENV [A-Z_]+=/{sub(/^ENV /,""); env=(env == "" ? $0 : env" "$0)} END{print env}' "$DOCKERFILE"
}

# Makes the CDS archive the image makes (deploy/cds-archive.sh, with the image's config and flags, and
# FLAGS after them) for this jar and this JVM, unless the one there is newer than the jar, the config
# and the script, and this JVM with the image's flags and FLAGS accepts it (-Xshare:on: it refuses an
# archive made by another JVM, or under options that change its layout, such as -XX:-UseCompressedOops).
ensure_cds_archive() {
    grep -q 'SharedArchiveFile=/opt/mistguard/mistguard.jsa' "$DOCKERFILE" || return 0
    local -a flags=() image_flags
    local flag
    mapfile -t image_flags < <(image_jvm_flags)
    for flag in "${image_flags[@]}" "$@"; do [[ "$flag" == -XX:SharedArchiveFile=* ]] || flags+=("$flag"); done
    if [[ -s "$CDS_ARCHIVE" && "$CDS_ARCHIVE" -nt "$MISTGUARD_JAR" && "$CDS_ARCHIVE" -nt "$REPO_DIR/deploy/mistguard.yaml" \
          && "$CDS_ARCHIVE" -nt "$REPO_DIR/deploy/cds-archive.sh" ]] \
        && java "${flags[@]}" -Xshare:on -XX:SharedArchiveFile="$CDS_ARCHIVE" -cp "$MISTGUARD_JAR" -version >/dev/null 2>&1; then
        return 0
    fi
    mkdir -p "$RESULTS_DIR"
    log "building the class-data-sharing archive for $(basename "$MISTGUARD_JAR")"
    # Below Linux's default ephemeral range (32768-60999): PORT + 2 is a refused upstream, and a port in
    # that range can become a client's own source port (a connection to itself) or a port-0 listener's.
    CDS_TRAINING_PORT=$((10000 + RANDOM % 20000)) bash "$REPO_DIR/deploy/cds-archive.sh" "$MISTGUARD_JAR" \
        "$CDS_ARCHIVE" "$REPO_DIR/deploy/mistguard.yaml" "${flags[@]}" >/dev/null || die "deploy/cds-archive.sh failed"
}

# java_image_cmd CMD-ARGS...: `env <image env> java <image flags> CMD-ARGS...`, as an array in JAVA_CMD.
java_image_cmd() {
    local -a extra=()
    local arg
    for arg in "$@"; do [[ "$arg" == -jar ]] && break; [[ "$arg" == -Xlog* ]] || extra+=("$arg"); done
    ensure_cds_archive "${extra[@]}"   # without -Xlog: the archive's training would write to its file
    local -a flags envs
    mapfile -t flags < <(image_jvm_flags)
    read -r -a envs <<<"$(image_env)"
    JAVA_CMD=(env "${envs[@]}" java "${flags[@]}" "$@")
}

rss_kib()  { ps -o rss= -p "$1" | tr -d ' '; }
# peak_rss_kib PID: the process's peak RSS so far (VmHWM), in KiB: the true high-water mark, which
# sampling RSS can miss between two samples.
peak_rss_kib() { awk '/^VmHWM:/{print $2}' "/proc/$1/status"; }
threads()  { ls "/proc/$1/task" | wc -l; }
open_fds() { ls "/proc/$1/fd" | wc -l; }
mib()      { awk -v k="$1" 'BEGIN{printf "%.1f", k/1024}'; }

# cpu_ms_by_thread PID: the JVM's CPU time so far (utime + stime), in ms, as "total jit gc io accept
# tids". total comes from /proc/PID/stat, so it includes threads that have exited; the classes come
# from the live threads' names (/proc/PID/task/*/stat): jit = HotSpot's C1 and C2 compiler threads,
# gc = the VM thread and GC workers (SerialGC collects in the VM thread), io = mistguard's event loops
# (mistguard-io-*), accept = its acceptor (mistguard-accept-*). tids lists the threads counted in
# those four. The difference of two readings splits the CPU exactly only if every thread counted in
# the first is still there in the second: a counted thread that ended in between (HotSpot stops idle
# compiler threads when it runs more than one of a kind, from about 4 CPUs up) takes its whole
# history out of its class, and total minus the four ("other") then holds that history too; one that
# started and ended in between shows up in "other" only. Fails, printing nothing, when PID is not a
# running process.
cpu_ms_by_thread() {
    # One cat reads every thread's stat and then the process's, microseconds apart, so that the
    # total and its parts are read at about the same moment; a thread that has just ended is skipped.
    [[ $1 =~ ^[0-9]+$ ]] || die "cpu_ms_by_thread: not a PID: '$1'"
    { cat /proc/"$1"/task/*/stat "/proc/$1/stat" 2>/dev/null || true; } | awk -v hz="$(getconf CLK_TCK)" -v pid="$1" '
        function ticks(line) { sub(/.*\) /, "", line); split(line, f, " "); return f[12] + f[13] }
        {
            if (NR > 1) classify(last)
            last = $0
        }
        function classify(line,   name, t, id) {
            id = line; sub(/ .*/, "", id)
            name = line; sub(/^[0-9]+ \(/, "", name); sub(/\) [^)]*$/, "", name)
            t = ticks(line)
            if (name ~ /^C[12] CompilerThre/) jit += t
            else if (name ~ /^(VM Thread|GC Thread)/) gc += t
            else if (name ~ /^mistguard-io/) io += t
            else if (name ~ /^mistguard-accep/) acc += t
            else return
            tids = tids "," id
        }
        END {
            split(last, p, " ")
            if (p[1] != pid) { print "cpu_ms_by_thread: no process " pid > "/dev/stderr"; exit 1 }
            k = 1000 / hz   # the last line read is /proc/PID/stat: the whole process
            printf "%.0f %.0f %.0f %.0f %.0f %s\n", ticks(last) * k, jit * k, gc * k, io * k, acc * k,
                   tids == "" ? "-" : substr(tids, 2)
        }'
}

# A steady-state benchmark of a JVM must not measure its JIT at work: while the C1 and C2 compiler
# threads still compile, they take CPU from the event loop on its core (counted in the proxy's CPU
# per request) and stall it for whole scheduler slices (its p99). A fixed warm-up does not say when
# that has stopped. Measured on the project's 2-core VM (mistguard, small GET, steps of 5 s of wrk
# and 5 s of h2load at 10 000 req/s): the compilers used 5 150 ms in the first step, 2 040 in the
# second, 70-210 ms in each of the next seven and 0-20 ms from the tenth on; wrk's rate was 15-19k
# req/s in steps 3-6, when the compilers were already mostly idle, and 21-28k from step 7 on. One
# quiet step is not yet the steady state: a few late compilations still raised the rate by a third
# or more.
JIT_CHUNK=5          # seconds of load per settle_jit step (a caller's step may run several such loads)
JIT_QUIET_PCT=1      # a step is quiet when the compilers used at most this % of the JVM's CPU in it
JIT_QUIET_STEPS=3    # the JIT is settled after this many quiet steps in a row

# jit_ms PID: CPU time, in ms, that the JVM's C1 and C2 compiler threads have used so far.
jit_ms() { cpu_ms_by_thread "$1" | cut -d' ' -f2; }

# settle_jit "PIDS" MAX_SECONDS CMD...: runs CMD (one step of load, as the JVMs will be measured
# under) again and again until, in JIT_QUIET_STEPS steps in a row, the compiler threads of every JVM
# in PIDS (space-separated) used at most JIT_QUIET_PCT % of that JVM's CPU in the step (a share of
# its CPU, not of a core: under a cap the JVM has less than a core, and a measurement's JIT bound is
# a share of its CPU too), or MAX_SECONDS have passed (0: no steps at all). A step in which a JVM
# used less than 100 ms of CPU is not quiet: the load did not reach it. Prints "settled after S s
# (JIT ms / JVM ms per step: ...)" or "not settled after ..."; returns 0 when settled, 1 when not.
# Dies when a JVM has exited. CMD's output is discarded.
settle_jit() {
    local pids=$1 max=$2 start spent quiet=0 steps="" pid cpu0 jit0 cpu1 jit1 jit cpu step_quiet step
    local -A c0=()
    shift 2
    (( max > 0 )) || { echo "not settled (no settling asked)"; return 1; }
    start=$(date +%s)
    while :; do
        for pid in $pids; do
            [[ -d /proc/$pid ]] || die "the JVM with pid $pid has exited (see its output in the work directory)"
            c0[$pid]=$(cpu_ms_by_thread "$pid")
        done
        "$@" >/dev/null
        step_quiet=1
        for pid in $pids; do
            [[ -d /proc/$pid ]] || die "the JVM with pid $pid exited under load (see its output in the work directory)"
            read -r cpu0 jit0 _ <<<"${c0[$pid]}"
            read -r cpu1 jit1 _ <<<"$(cpu_ms_by_thread "$pid")"
            jit=$(( jit1 - jit0 )); cpu=$(( cpu1 - cpu0 ))
            steps+="${steps:+, }$jit/$cpu"
            (( cpu >= 100 && jit * 100 <= cpu * JIT_QUIET_PCT )) || step_quiet=0
        done
        spent=$(( $(date +%s) - start ))
        if (( step_quiet )); then quiet=$(( quiet + 1 )); else quiet=0; fi
        step="JIT ms / JVM ms per step$( [[ $pids == *" "* ]] && echo " and JVM"): $steps"
        if (( quiet >= JIT_QUIET_STEPS )); then
            echo "settled after ${spent}s ($step)"
            return 0
        fi
        if (( spent >= max )); then
            echo "not settled after ${spent}s ($step)"
            return 1
        fi
    done
}

# needs_value "$@": for option loops where every option but --help takes a value; dies when the
# option in $1 is the last argument (a last argument that is no option is left to the loop's
# "unknown option").
needs_value() { [[ $1 != -* || $1 == -h || $1 == --help ]] || (( $# >= 2 )) || die "$1: no value after it, or not an option (try --help)"; }

# whole OPTION VALUE [MIN]: prints VALUE when it is a whole number >= MIN (default 1), else dies
# naming the option. Use as X=$(whole "$1" "$2"): under set -e a failure stops the script.
whole() {
    [[ $2 =~ ^[0-9]{1,9}$ ]] && (( 10#$2 >= ${3:-1} )) || die "$1 '$2': expected a whole number ≥ ${3:-1}"
    echo $(( 10#$2 ))
}

# check_cpus LIST OPTION: dies unless taskset can pin a process to the CPU list LIST (from OPTION).
check_cpus() {
    taskset -c "$1" true 2>/dev/null ||
        die "$2 $1: not a CPU list taskset can pin to on this machine (online: $(cat /sys/devices/system/cpu/online))"
}

# wait_http URL SECONDS: polls until URL answers 2xx, or fails after SECONDS.
wait_http() {
    local url="$1" deadline=$(( $(date +%s) + $2 ))
    until curl -sf -o /dev/null --max-time 1 "$url"; do
        (( $(date +%s) < deadline )) || die "$url did not answer within $2 s"
        sleep 0.05
    done
}

# median / spread of numbers on stdin, one per line: "median min max".
stats() {
    sort -g | awk '{v[NR]=$1} END{
        if (NR==0) {print "n/a n/a n/a"; exit}
        m = (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2
        printf "%g %g %g\n", m, v[1], v[NR]}'
}

# mistguard_bench_config DST PORT ADMIN_PORT UPSTREAM_PORT ACCESS_LOG(true|false) [MAX_CONCURRENT]: the shipped
# deploy/mistguard.yaml with exactly the changes a pass-through benchmark needs — ports, one I/O
# thread (the proxy gets one core), get-state's coalescing off (so every GetState goes to the
# upstream) and the access log as asked. Each edit must apply exactly once, or this fails: a
# change to the shipped file cannot silently turn a benchmark into something else. MAX_CONCURRENT,
# when given, replaces the `mist` admission pool's max_concurrent (the shipped 4 queues a load of
# 32 connections in mistguard, which HAProxy and nginx do not do) and upstream
# max_idle_connections_per_thread (shipped 32: below h2load's 100 connections at half rate).
# BENCH_IO_TRANSPORT, when set, not empty and not auto, replaces io_transport (passthrough.sh
# --io-transport sets it for this call only).
mistguard_bench_config() {
    python3 - "$REPO_DIR/deploy/mistguard.yaml" "$@" <<'PYEOF'
import os, re, sys
src, dst, port, admin, up, access_log = sys.argv[1:7]
max_concurrent = sys.argv[7] if len(sys.argv) > 7 else None
text = open(src).read()
def once(pattern, repl):
    global text
    text, n = re.subn(pattern, repl, text, flags=re.M)
    if n != 1:
        sys.exit("bench config: %r matched %d times in deploy/mistguard.yaml (expected once)" % (pattern, n))
once(r"^listen: 127\.0\.0\.1:\d+$", "listen: 127.0.0.1:" + port)
once(r"^(  url: )http://127\.0\.0\.1:\d+$", r"\g<1>http://127.0.0.1:" + up)
once(r"^(admin:\n(?:  #.*\n)*  listen: )127\.0\.0\.1:\d+$", r"\g<1>127.0.0.1:" + admin)
once(r"^io_threads: \d+", "io_threads: 1")
io_transport = os.environ.get("BENCH_IO_TRANSPORT") or "auto"
if io_transport != "auto":
    once(r"^io_transport: auto$", "io_transport: " + io_transport)
once(r"^(  access_log: )true", r"\g<1>" + access_log)
# get-state's own coalesce: the first "coalesce:" after "- name: get-state", before the next route
once(r"(- name: get-state\n(?:(?!  - name:).*\n)*?    coalesce: )true", r"\g<1>false")
if max_concurrent:
    once(r"^(admissions:\n  mist:\n    max_concurrent: )\d+$", r"\g<1>" + max_concurrent)
    # as many idle upstream connections kept as may be busy: else each request above the idle limit
    # closes its connection after use and the next one opens a new one (connect + TIME_WAIT churn)
    once(r"^(  max_idle_connections_per_thread: )\d+$", r"\g<1>" + max_concurrent)
open(dst, "w").write(text)
PYEOF
}

# GetState as catalyst-api's load balancer sends it every 5 s (form body, command= url-encoded).
GETSTATE_FORM='command=%7B%22active_streams%22%3A%5B%22source%22%5D%2C%22stats_streams%22%3A%5B%22clients%22%2C%22lastms%22%5D%2C%22push_list%22%3Atrue%2C%22push_auto_list%22%3Atrue%7D'
# catalyst-api's session invalidation for one stream (form body): mistguard's queue answers it at once.
INVALIDATE_FORM='command=%7B%22invalidate_sessions%22%3A%22video%2Bbench%22%7D'

# start_small_upstream PORT PATH: the cheap upstream of profile.sh and paired.sh, an nginx (one worker,
# core 0) answering every path with passthrough.sh's 59-byte Mist-like reply from `return 200`; waits
# until PATH answers. Its pid is in SPAWNED_PID.
start_small_upstream() {
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
    server {
        listen 127.0.0.1:$1 backlog=4096;
        location / { return 200 '{"LTS":1,"authorize":{"local":true,"status":"OK"},"ok":1}\n\n'; }
    }
}
EOF
    spawn "$WORK_DIR/upstream.out" taskset -c 0 nginx -e "$WORK_DIR/upstream-error.log" -p "$WORK_DIR" -c "$WORK_DIR/upstream.conf"
    local pid=$SPAWNED_PID
    wait_http "http://127.0.0.1:$1$2" 10
    SPAWNED_PID=$pid
}
