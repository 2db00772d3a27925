#!/usr/bin/env bash
# Makes the class-data-sharing archive mistguard's image runs with (-XX:SharedArchiveFile): a static
# JDK 17 archive of every class, the JDK's and mistguard's, that one start of the jar loads. Used by
# deploy/Dockerfile at image build and by deploy/bench/lib.sh, so the benchmarks run what the image runs.
#
# Usage: deploy/cds-archive.sh JAR ARCHIVE CONFIG [JVM-FLAG...]
#   JAR       the mistguard.jar the archive is for; run it later with `-jar` and this very file, unchanged
#             and not moved (the JVM checks path, size and modification time, and refuses the archive
#             otherwise)
#   ARCHIVE   the archive to write
#   CONFIG    the config file the jar will run with (the image's CMD names one); its classes are loaded
#   JVM-FLAG  the JVM flags the jar will run with, without -XX:SharedArchiveFile (the image's ENTRYPOINT
#             flags). Training, dump and check use them: some shape the archive, and a JVM refuses an
#             archive made under other ones. Without -Xmx, for one, the heap is sized from the machine's
#             memory, and on a large build machine compressed pointers would be off in the archive
#             and on at run time.
#   CDS_TRAINING_PORT (environment, default 14243): the training start listens on this port and the
#             next one, on 127.0.0.1; the upstream is the port after them, where nothing listens.
#             The config's other listeners (triggers.listen) are not moved.
#
# Training: start the jar with CONFIG (listen, admin and upstream replaced), wait until /healthz
# answers 200, send one GetState as catalyst-api sends it (the upstream refuses it: 502, which loads the
# read path), stop it with SIGTERM and require exit status 0. Then dump, and check that a JVM with the
# same flags accepts the archive and loads mistguard's own classes from it (a jar path the JVM spells
# differently, with spaces for one, gives an archive that is accepted yet serves none of them).
# Fails, and leaves no archive, if any step fails or the start is not ready within 60 s. Needs bash and
# java only (the JRE image has no curl: HTTP goes through bash's /dev/tcp).
set -euo pipefail

die() { echo "cds-archive.sh: $*" >&2; exit 1; }
(( $# >= 3 )) || die "usage: cds-archive.sh JAR ARCHIVE CONFIG [JVM-FLAG...]"
JAR=$1 ARCHIVE=$2 CONFIG=$3
shift 3
FLAGS=("$@")
rm -f "$ARCHIVE"
[[ -f "$JAR" ]] || die "no jar at $JAR"
[[ -f "$CONFIG" ]] || die "no config file at $CONFIG"
for flag in "${FLAGS[@]}"; do
    [[ "$flag" != -XX:SharedArchiveFile=* ]] || die "JVM-FLAG: not -XX:SharedArchiveFile (the archive is ARCHIVE)"
done
absolute() { printf '%s/%s' "$(cd "$(dirname "$1")" && pwd)" "$(basename "$1")"; }
JAR_PATH=$(absolute "$JAR") CONFIG_PATH=$(absolute "$CONFIG")
PORT=${CDS_TRAINING_PORT:-14243}
# GetState as catalyst-api's load balancer sends it (the get-state route matches these four keys).
GETSTATE_FORM='command=%7B%22active_streams%22%3A%5B%22source%22%5D%2C%22stats_streams%22%3A%5B%22clients%22%2C%22lastms%22%5D%2C%22push_list%22%3Atrue%2C%22push_auto_list%22%3Atrue%7D'
WORK=$(mktemp -d)
pid=""
trap 'trap "" TERM INT; [[ -z "$pid" ]] || kill "$pid" 2>/dev/null || true; rm -rf "$WORK"' EXIT
trap 'exit 143' TERM INT

# fail MESSAGE: the training start's log, then MESSAGE; no archive is left.
fail() {
    [[ ! -s "$WORK/training.log" ]] || cat "$WORK/training.log" >&2
    rm -f "$ARCHIVE"
    die "$1"
}

# http METHOD PATH PORT BODY: prints the status code of one HTTP/1.1 request to 127.0.0.1:PORT, waiting
# at most 5 s for it.
http() {
    local status=""
    exec 3<>"/dev/tcp/127.0.0.1/$3" || return 1
    printf '%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\n\r\n%s' \
        "$1" "$2" "${#4}" "$4" >&3
    IFS=' ' read -r -t 5 _ status _ <&3 || true
    exec 3<&-
    printf '%s' "$status"
}

# In a directory of its own: the training start may write its invalidation state file there.
(cd "$WORK" && exec java "${FLAGS[@]}" -XX:DumpLoadedClassList="$WORK/classes.list" -jar "$JAR_PATH" \
    --config "$CONFIG_PATH" --listen "127.0.0.1:$PORT" --admin-listen "127.0.0.1:$((PORT + 1))" \
    --upstream "http://127.0.0.1:$((PORT + 2))" >"$WORK/training.log" 2>&1) &
pid=$!
deadline=$((SECONDS + 60))
until [[ "$(http GET /healthz $((PORT + 1)) '' 2>/dev/null)" == 200 ]]; do
    kill -0 "$pid" 2>/dev/null || fail "the training start of $JAR ended before it was ready"
    (( SECONDS < deadline )) || fail "the training start of $JAR was not ready within 60 s"
    sleep 0.1
done
# Something else may own the port: the answer counts only if our start still runs.
kill -0 "$pid" 2>/dev/null || fail "the training start of $JAR ended (was port $((PORT + 1)) taken?)"
http POST /api2 "$PORT" "$GETSTATE_FORM" >/dev/null || true
kill -TERM "$pid" 2>/dev/null || true
status=0
wait "$pid" || status=$?
pid=""
(( status == 0 )) || fail "the training start exited with status $status"
grep -q '^io/mistguard/proxy/Mistguard$' "$WORK/classes.list" || fail "the class list lacks mistguard's classes"

# With the jar's absolute path: the archive records the class path as dumped, and a relative one would
# match only runs from this directory.
java "${FLAGS[@]}" -Xshare:dump -XX:SharedClassListFile="$WORK/classes.list" -XX:SharedArchiveFile="$ARCHIVE" \
    -Xlog:cds=off -cp "$JAR_PATH" >"$WORK/dump.log" 2>&1 || { cat "$WORK/dump.log" >&2; fail "java -Xshare:dump failed"; }
[[ -s "$ARCHIVE" ]] || fail "no archive written"
java "${FLAGS[@]}" -Xshare:on -XX:SharedArchiveFile="$ARCHIVE" -Xlog:class+load=info -cp "$JAR_PATH" \
    io.mistguard.proxy.Main --version >"$WORK/check.log" 2>&1 \
    || { cat "$WORK/check.log" >&2; fail "a JVM with these flags refuses the new archive"; }
grep -q 'io\.mistguard\.proxy\.Main source: shared objects file' "$WORK/check.log" \
    || fail "the new archive is accepted but serves none of mistguard's classes (is the jar's path unusual?)"
echo "cds-archive.sh: wrote $ARCHIVE ($(grep -c '^[a-z]' "$WORK/classes.list") classes listed) for $JAR"
