#!/usr/bin/env bash
# Makes the class-data-sharing archive mistguard's image runs with (-XX:SharedArchiveFile): a static
# JDK 17 archive of every class, the JDK's and mistguard's, that one start of the jar loads. Used by
# deploy/Dockerfile at image build and by deploy/bench/lib.sh, so the benchmarks run what the image runs.
#
# Usage: deploy/cds-archive.sh JAR ARCHIVE CONFIG
#   JAR      the mistguard.jar the archive is for; run it later with `-jar` and this very file, unchanged
#            and not moved (the JVM checks path, size and modification time, and refuses the archive
#            otherwise)
#   ARCHIVE  the archive to write
#   CONFIG   the config file the jar will run with (the image's CMD names one); its classes are loaded
#   CDS_TRAINING_PORT (environment, default 14243): the training start listens on this port and the
#            next one, on 127.0.0.1; the upstream is the port after them, where nothing listens.
#
# Training: start the jar with CONFIG (ports and upstream replaced), wait until /healthz answers 200,
# send one GetState-shaped POST through the proxy (the upstream refuses it: 502, which loads the
# request path), stop it with SIGTERM and require exit status 0. Fails, and writes no archive, if the
# start fails, is not ready within 60 s, or its class list lacks mistguard's classes. Needs bash and
# java only (the JRE image has no curl: HTTP goes through bash's /dev/tcp).
set -euo pipefail

die() { echo "cds-archive.sh: $*" >&2; exit 1; }
(( $# == 3 )) || die "usage: cds-archive.sh JAR ARCHIVE CONFIG"
JAR=$1 ARCHIVE=$2 CONFIG=$3
[[ -f "$JAR" ]] || die "no jar at $JAR"
[[ -f "$CONFIG" ]] || die "no config file at $CONFIG"
absolute() { printf '%s/%s' "$(cd "$(dirname "$1")" && pwd)" "$(basename "$1")"; }
JAR_PATH=$(absolute "$JAR") CONFIG_PATH=$(absolute "$CONFIG")
PORT=${CDS_TRAINING_PORT:-14243}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# http METHOD PATH PORT BODY: prints the status code of one HTTP/1.1 request to 127.0.0.1:PORT.
http() {
    local status
    exec 3<>"/dev/tcp/127.0.0.1/$3" || return 1
    printf '%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\n\r\n%s' \
        "$1" "$2" "${#4}" "$4" >&3
    IFS=' ' read -r _ status _ <&3 || true
    exec 3<&-
    printf '%s' "$status"
}

rm -f "$ARCHIVE"
# In a directory of its own: the training start may write its invalidation state file there.
(cd "$WORK" && exec java -XX:+UseSerialGC -XX:DumpLoadedClassList="$WORK/classes.list" -jar "$JAR_PATH" \
    --config "$CONFIG_PATH" --listen "127.0.0.1:$PORT" --admin-listen "127.0.0.1:$((PORT + 1))" \
    --upstream "http://127.0.0.1:$((PORT + 2))" >"$WORK/training.log" 2>&1) &
pid=$!
deadline=$((SECONDS + 60))
until [[ "$(http GET /healthz $((PORT + 1)) '' 2>/dev/null)" == 200 ]]; do
    if ! kill -0 "$pid" 2>/dev/null; then
        cat "$WORK/training.log" >&2
        die "the training start of $JAR ended before it was ready"
    fi
    if (( SECONDS >= deadline )); then
        kill "$pid"
        cat "$WORK/training.log" >&2
        die "the training start of $JAR was not ready within 60 s"
    fi
    sleep 0.1
done
http POST /api2 "$PORT" 'command=%7B%22active_streams%22%3Atrue%7D' >/dev/null || true
kill -TERM "$pid"
status=0
wait "$pid" || status=$?
(( status == 0 )) || { cat "$WORK/training.log" >&2; die "the training start exited with status $status"; }
grep -q '^io/mistguard/proxy/Mistguard$' "$WORK/classes.list" || die "the class list lacks mistguard's classes"

# With the jar's absolute path: the archive records the class path as dumped, and a relative one would
# match only runs from this directory.
java -XX:+UseSerialGC -Xshare:dump -XX:SharedClassListFile="$WORK/classes.list" -XX:SharedArchiveFile="$ARCHIVE" \
    -Xlog:cds=off -cp "$JAR_PATH" >"$WORK/dump.log" 2>&1 || { cat "$WORK/dump.log" >&2; die "java -Xshare:dump failed"; }
[[ -s "$ARCHIVE" ]] || die "no archive written"
echo "cds-archive.sh: wrote $ARCHIVE ($(grep -c '^[a-z]' "$WORK/classes.list") classes listed) for $JAR"
