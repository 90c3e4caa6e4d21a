#!/usr/bin/env bash
# JMH micro-benchmarks, no server needed: the pgoutput decoder (messages/s) and the starter's dispatch path
# (rows/s from bytes to a typed listener). Extra arguments go to JMH: a benchmark name selects one
# (benchmarks/jmh.sh StarterDispatchBenchmark), options such as -f 2 -i 10 change the runs. Takes about 4 minutes
# for both with the defaults of the benchmark classes.
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ "${BENCH_SKIP_BUILD:-}" != "1" ]]; then
  ./mvnw -q -B -Pbench -pl benchmarks -am package -DskipTests
fi
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
exec "$JAVA" -cp "benchmarks/target/classes:$(cat benchmarks/target/classpath-app.txt)" \
  org.openjdk.jmh.Main "${@:-PgOutputDecoderBenchmark|StarterDispatchBenchmark}"
