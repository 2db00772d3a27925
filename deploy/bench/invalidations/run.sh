#!/usr/bin/env sh
# Measures mistguard's invalidate_sessions path against an in-process sim-mist over loopback:
#   1. enqueue latency (p50/p99) and throughput while Mist hangs every invalidate_sessions;
#   2. names delivered per second once Mist recovers, with batch_size 1 and 50.
# Leak detection is turned off (the test suite runs it at "paranoid", which costs far more than
# the code being measured). Extra -D options are passed on, e.g.
#   deploy/bench/invalidations/run.sh -Dbench.callers=32 -Dbench.requests=200000 -Dbench.backlog=5000
# Results: stdout and proxy/target/invalidation-bench.txt
set -eu
cd "$(dirname "$0")/../../.."
exec mvn -B -ntp -o -q -pl sim-mist,proxy verify -Dbench=invalidations -Dtest=InvalidationBench \
  -Dsurefire.failIfNoSpecifiedTests=false -Djacoco.skip=true \
  "-Dtest.jvm.args=-Dio.netty.leakDetection.level=disabled -XX:+EnableDynamicAgentLoading" "$@"
