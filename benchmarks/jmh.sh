#!/usr/bin/env bash
# JMH micro-benchmark of the pgoutput decoder (messages/s; no server needed). Extra arguments go to JMH,
# e.g. benchmarks/jmh.sh -f 2 -i 10. Takes about 2 minutes with the defaults of the benchmark class.
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ "${BENCH_SKIP_BUILD:-}" != "1" ]]; then
  ./mvnw -q -B -Pbench -pl benchmarks -am package -DskipTests
fi
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
exec "$JAVA" -cp "benchmarks/target/classes:$(cat benchmarks/target/classpath-app.txt)" \
  org.openjdk.jmh.Main 'io.github.pglogrepl.bench.jmh.PgOutputDecoderBenchmark' "$@"
