#!/usr/bin/env bash
# Builds the benchmark module (with the project modules it measures) and runs the benchmark.
# Options are passed to io.github.pglogrepl.bench.Bench, e.g.:
#   benchmarks/run.sh                 # the documented full run (~15-19 min on 2 cores; --skip s1,s2 saves 5-8)
#   benchmarks/run.sh --quick         # smoke test with small workloads (~2 min)
#   benchmarks/run.sh --skip w4,debezium --runs 5 --jfr
#   benchmarks/run.sh --skip w1,w2,w3,l1,w4,s1,s2 --out benchmarks/results/kafka.md   # Kafka relay only (K1, K2)
# Results: the console and benchmarks/results/latest.md; consumer logs in benchmarks/target/bench-logs/.
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ "${BENCH_SKIP_BUILD:-}" != "1" ]]; then
  ./mvnw -q -B -Pbench -pl benchmarks -am package -DskipTests
fi
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
exec "$JAVA" -cp "benchmarks/target/classes:$(cat benchmarks/target/classpath-app.txt)" \
  io.github.pglogrepl.bench.Bench "$@"
