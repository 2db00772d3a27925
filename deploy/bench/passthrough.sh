#!/usr/bin/env bash
# Pass-through throughput and latency of mistguard, HAProxy and nginx, side by side in one run,
# in front of the same fast static upstream (an nginx returning a fixed Mist-like reply).
#
# Layout: every proxy pinned to core 1 (taskset -c 1); the upstream nginx, wrk and h2load on core 0.
# Keep-alive on both sides for every proxy. Per body size and per run, the targets are measured in
# turn (direct, mistguard, haproxy, nginx), so drift on a shared machine spreads over all of them.
#
#   1. saturation: wrk -t1 -c$CONNS -d$DURATION --latency  -> requests/s, p50/p90/p99
#   2. half of each proxy's median saturation rate, held by h2load --rps (fixed rate per
#      connection): p99 through the proxy minus p99 direct to the upstream at the same rate,
#      measured back to back in each run -> "added p99"
#   3. RSS of each proxy after the runs (nginx: master + worker)
#
# Usage: deploy/bench/passthrough.sh [options]
#   --sizes "1024 65536"   reply body sizes in bytes (JSON + "\n\n", Content-Type text/javascript)
#   --runs 3               runs per configuration
#   --duration 10          seconds per wrk run
#   --warmup 10            seconds of wrk warm-up per target and size, not measured (JIT)
#   --half-duration 10     seconds per fixed-rate run
#   --conns 64             wrk connections at saturation
#   --rate-conns 50        h2load connections at the fixed rate (rate is split evenly over them)
#   --proxies "mistguard haproxy nginx"
#   --base-port 18400      ports base..base+4 on 127.0.0.1
# Needs: java 17, haproxy, nginx (nginx-light), wrk, h2load (nghttp2-client), taskset, python3.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

SIZES="1024 65536"; RUNS=3; DURATION=10; WARMUP=10; HALF_DURATION=10; CONNS=64; RATE_CONNS=50
PROXIES="mistguard haproxy nginx"; BASE_PORT=18400
while (( $# )); do
    case "$1" in
        --sizes) SIZES="$2"; shift 2 ;;
        --runs) RUNS="$2"; shift 2 ;;
        --duration) DURATION="$2"; shift 2 ;;
        --warmup) WARMUP="$2"; shift 2 ;;
        --half-duration) HALF_DURATION="$2"; shift 2 ;;
        --conns) CONNS="$2"; shift 2 ;;
        --rate-conns) RATE_CONNS="$2"; shift 2 ;;
        --proxies) PROXIES="$2"; shift 2 ;;
        --base-port) BASE_PORT="$2"; shift 2 ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) die "unknown option $1 (try --help)" ;;
    esac
done

require java haproxy nginx wrk h2load taskset python3 curl
require_jars
bench_init
chmod 755 "$WORK_DIR"   # nginx workers run unprivileged and read the body file from here

UP_PORT=$BASE_PORT
declare -A PORT=([direct]=$BASE_PORT [mistguard]=$((BASE_PORT + 1)) [haproxy]=$((BASE_PORT + 3)) [nginx]=$((BASE_PORT + 4)))
MG_ADMIN_PORT=$((BASE_PORT + 2))
declare -A PID=()
REQUEST_PATH=/api2
# GetState, as catalyst-api's load balancer sends it every 5 s (form body, command= url-encoded).
REQUEST_BODY='command=%7B%22active_streams%22%3A%5B%22source%22%5D%2C%22stats_streams%22%3A%5B%22clients%22%2C%22lastms%22%5D%2C%22push_list%22%3Atrue%2C%22push_auto_list%22%3Atrue%7D'
printf '%s' "$REQUEST_BODY" >"$WORK_DIR/request.body"
cat >"$WORK_DIR/post.lua" <<EOF
wrk.method = "POST"
wrk.body = "$REQUEST_BODY"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
EOF

# A Mist-like reply of exactly $1 bytes: JSON object with streams, authorize and padding, + "\n\n".
make_body() {
    python3 - "$1" >"$WORK_DIR/www/body.json" <<'EOF'
import json, sys
size = int(sys.argv[1])
reply = {"active_streams": {}, "authorize": {"local": True, "status": "OK"}, "LTS": 1, "pad": ""}
i = 0
while len(json.dumps(reply, separators=(",", ":"))) + 2 + 80 < size:
    reply["active_streams"]["video+stream%04d" % i] = {"source": "push://", "clients": i % 50, "lastms": 123456}
    i += 1
text = json.dumps(reply, separators=(",", ":"))
reply["pad"] = "x" * max(0, size - 2 - len(text))
sys.stdout.write(json.dumps(reply, separators=(",", ":")) + "\n\n")
EOF
}

start_upstream() {
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
        listen 127.0.0.1:$UP_PORT backlog=4096;
        root $WORK_DIR/www;
        location / {
            # Every path answers the same body. The static handler refuses POST with 405;
            # error_page re-enters as GET, so POSTs get the file with a 200, as Mist would.
            error_page 405 =200 /body.json;
            try_files /body.json =404;
        }
    }
}
EOF
    spawn "$WORK_DIR/upstream.out" taskset -c 0 nginx -e "$WORK_DIR/upstream-error.log" -p "$WORK_DIR" -c "$WORK_DIR/upstream.conf"
    PID[upstream]=$SPAWNED_PID
    wait_http "http://127.0.0.1:$UP_PORT/" 10
}

start_mistguard() {
    cat >"$WORK_DIR/mistguard.yaml" <<EOF
listen: 127.0.0.1:${PORT[mistguard]}
upstream:
  url: http://127.0.0.1:$UP_PORT
  # at least the load's connection count, so no upstream connection is closed and reopened
  max_idle_connections_per_thread: 256
admin:
  listen: 127.0.0.1:$MG_ADMIN_PORT
io_threads: 1
EOF
    java_image_cmd -jar "$MISTGUARD_JAR" --config "$WORK_DIR/mistguard.yaml"
    spawn "$WORK_DIR/mistguard.out" taskset -c 1 "${JAVA_CMD[@]}"
    PID[mistguard]=$SPAWNED_PID
    wait_http "http://127.0.0.1:$MG_ADMIN_PORT/healthz" 20
}

start_haproxy() {
    cat >"$WORK_DIR/haproxy.cfg" <<EOF
global
    nbthread 1
    # 2 fds per proxied connection; must fit the fd limit (often 20000 here)
    maxconn 9000
defaults
    mode http
    timeout connect 1s
    timeout client 60s
    timeout server 60s
    timeout http-keep-alive 60s
    option http-keep-alive
frontend fe
    bind 127.0.0.1:${PORT[haproxy]}
    default_backend mist
backend mist
    # keep server connections open and share idle ones between client connections
    http-reuse always
    server up 127.0.0.1:$UP_PORT
EOF
    spawn "$WORK_DIR/haproxy.out" taskset -c 1 haproxy -db -f "$WORK_DIR/haproxy.cfg"
    PID[haproxy]=$SPAWNED_PID
    wait_http "http://127.0.0.1:${PORT[haproxy]}/" 10
}

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
    spawn "$WORK_DIR/nginx-proxy.out" taskset -c 1 nginx -e "$WORK_DIR/nginx-proxy-error.log" -p "$WORK_DIR/nginx-proxy" -c "$WORK_DIR/nginx-proxy.conf"
    PID[nginx]=$SPAWNED_PID
    wait_http "http://127.0.0.1:${PORT[nginx]}/" 10
}

# RSS in KiB of a proxy: the process, plus its children (nginx's worker).
proxy_rss_kib() {
    local total=0 pid
    for pid in "$1" $(pgrep -P "$1" || true); do
        total=$(( total + $(rss_kib "$pid") ))
    done
    echo "$total"
}

# wrk_run TARGET: one saturation run; prints "rps p50_ms p90_ms p99_ms errors".
wrk_run() {
    local out
    out=$(taskset -c 0 wrk -t1 -c"$CONNS" -d"${2:-$DURATION}"s --latency -s "$WORK_DIR/post.lua" \
        "http://127.0.0.1:${PORT[$1]}$REQUEST_PATH")
    printf '%s\n' "$out" >>"$WORK_DIR/wrk-$1.log"
    awk '
        function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
        $1 == "50%" { p50 = ms($2) } $1 == "90%" { p90 = ms($2) } $1 == "99%" { p99 = ms($2) }
        /^Requests\/sec:/ { rps = $2 }
        /Non-2xx or 3xx responses:/ { err += $NF }
        /Socket errors:/ { gsub(/,/, ""); err += $4 + $6 + $8 + $10 }
        END { printf "%s %s %s %s %d\n", rps, p50, p90, p99, err }' <<<"$out"
}

# rate_run TARGET RATE: fixed total RATE over RATE_CONNS connections for HALF_DURATION s;
# prints "achieved_rps p50_ms p90_ms p99_ms non200".
rate_run() {
    local per_conn=$(( ($2 + RATE_CONNS - 1) / RATE_CONNS )) logf="$WORK_DIR/h2load-$1-$2.tsv"
    rm -f "$logf"
    taskset -c 0 h2load --h1 -t1 -c"$RATE_CONNS" --rps "$per_conn" -D "$HALF_DURATION" --warm-up-time 1 \
        -d "$WORK_DIR/request.body" -H 'Content-Type: application/x-www-form-urlencoded' \
        --log-file "$logf" "http://127.0.0.1:${PORT[$1]}$REQUEST_PATH" >>"$WORK_DIR/h2load-$1.log" 2>&1
    sort -t$'\t' -k3,3n "$logf" | awk -F'\t' -v d="$HALF_DURATION" '
        { t[NR] = $3 / 1000; if ($2 != 200) bad++ }
        END {
            if (NR == 0) { print "0 n/a n/a n/a 0"; exit }
            printf "%.0f %.3f %.3f %.3f %d\n", NR / d, t[int(NR * 0.5) + (NR * 0.5 > int(NR * 0.5))],
                t[int(NR * 0.9) + (NR * 0.9 > int(NR * 0.9))], t[int(NR * 0.99) + (NR * 0.99 > int(NR * 0.99))], bad
        }'
}

col() { awk -v c="$1" '{print $c}'; }
fmt_stat() { read -r m lo hi <<<"$(stats)"; printf '%s (%s–%s)' "$m" "$lo" "$hi"; }

STAMP=$(date -u +%Y%m%dT%H%M%SZ)
REPORT="$RESULTS_DIR/passthrough-$STAMP.md"
mkdir -p "$WORK_DIR/www"
{
    echo "# Pass-through benchmark, $STAMP"
    echo
    echo "Host: $(nproc) cores, $(uname -sr); java $(java -version 2>&1 | head -1 | cut -d'"' -f2); $(haproxy -v | head -1 | cut -d' ' -f1-3); $(nginx -v 2>&1 | cut -d' ' -f3); $(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2); h2load $(h2load --version | cut -d/ -f2)."
    echo "Proxies on core 1, upstream nginx + load generators on core 0. Runs per configuration: $RUNS."
    echo "Saturation: \`wrk -t1 -c$CONNS -d${DURATION}s --latency\` (POST $REQUEST_PATH, GetState form body)."
    echo "Half rate: \`h2load --h1 -t1 -c$RATE_CONNS --rps <rate/$RATE_CONNS> -D $HALF_DURATION --warm-up-time 1\`; added p99 = proxied p99 − direct p99 at the same rate, paired per run."
    echo "mistguard JVM: \`$(image_env) java $(image_jvm_flags | sed "s|$REPO_DIR/||" | tr '\n' ' ')\`"
    echo "Values: median (min–max) over the runs; latencies in ms. The machine may be shared with other work: see the spread."
} >"$REPORT"

for size in $SIZES; do
    log "body $size bytes: starting upstream and proxies"
    make_body "$size"
    start_upstream
    for p in $PROXIES; do "start_$p"; done
    for t in direct $PROXIES; do
        log "warm-up $t"
        wrk_run "$t" "$WARMUP" >/dev/null
    done
    declare -A SAT=()
    for (( r = 1; r <= RUNS; r++ )); do
        for t in direct $PROXIES; do
            SAT[$t]+="$(wrk_run "$t")"$'\n'
            log "size $size run $r $t: $(tail -1 <<<"${SAT[$t]%$'\n'}")"
        done
    done
    declare -A HALF=() DIRECT_AT=() ADDED=() RATE=()
    for p in $PROXIES; do
        RATE[$p]=$(printf '%s' "${SAT[$p]}" | col 1 | stats | awk '{printf "%d", $1 / 2}')
    done
    for (( r = 1; r <= RUNS; r++ )); do
        for p in $PROXIES; do
            d=$(rate_run direct "${RATE[$p]}"); x=$(rate_run "$p" "${RATE[$p]}")
            DIRECT_AT[$p]+="$d"$'\n'; HALF[$p]+="$x"$'\n'
            ADDED[$p]+="$(awk -v a="$(col 4 <<<"$x")" -v b="$(col 4 <<<"$d")" 'BEGIN{printf "%.3f", a - b}')"$'\n'
            log "size $size run $r half-rate ${RATE[$p]}/s $p: direct [$d] proxied [$x]"
        done
    done
    {
        echo
        echo "## Body $size bytes"
        echo
        echo "| target | req/s at saturation | p50 | p90 | p99 | errors | half rate (req/s, achieved) | p99 direct at that rate | p99 proxied | **added p99** | RSS after (MiB) |"
        echo "|---|---|---|---|---|---|---|---|---|---|---|"
        for t in direct $PROXIES; do
            s=$(printf '%s' "${SAT[$t]}")
            row="| $t | $(col 1 <<<"$s" | fmt_stat) | $(col 2 <<<"$s" | fmt_stat) | $(col 3 <<<"$s" | fmt_stat) | $(col 4 <<<"$s" | fmt_stat) | $(col 5 <<<"$s" | awk '{n+=$1} END{print n+0}')"
            if [[ $t == direct ]]; then
                row+=" | – | – | – | – | $(mib "$(proxy_rss_kib "${PID[upstream]}")") (upstream) |"
            else
                h=$(printf '%s' "${HALF[$t]}"); dd=$(printf '%s' "${DIRECT_AT[$t]}")
                row+=" | ${RATE[$t]} ($(col 1 <<<"$h" | fmt_stat)) | $(col 4 <<<"$dd" | fmt_stat) | $(col 4 <<<"$h" | fmt_stat) | **$(printf '%s' "${ADDED[$t]}" | fmt_stat)** | $(mib "$(proxy_rss_kib "${PID[$t]}")") |"
            fi
            echo "$row"
        done
    } >>"$REPORT"
    for t in $PROXIES upstream; do stop "${PID[$t]}"; done
    unset SAT HALF DIRECT_AT ADDED RATE
done

cat "$REPORT"
log "written to $REPORT"
