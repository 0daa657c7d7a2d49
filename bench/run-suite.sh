#!/usr/bin/env bash
# Builds Skiff and the bench module, then runs the side-by-side suite: Apache Kafka 4.3.1 and
# Skiff as child processes, every workload against both, medians and Skiff/Kafka ratios.
#   bench/run-suite.sh            the standard suite (a-h, 3 rounds; under 10 minutes)
#   bench/run-suite.sh --quick    a subset, 1 round (about a minute)
# Any other SideBySide option passes through (see bench/README.md). SKIFF_BENCH_NO_BUILD=1 skips
# the build. Results: console, and bench/target/bench-results/side-by-side-*.jsonl.
set -euo pipefail
home=$(cd "$(dirname "$0")/.." && pwd)
cd "$home"
if [ "${SKIFF_BENCH_NO_BUILD:-}" != 1 ]; then
  mvn -q -pl bench -am package -DskipTests
fi
jar=$(ls bench/target/skiff-bench-*.jar | grep -v -- '-sources\|-tests' | head -n 1)
exec "${JAVA:-java}" -Xms512m -Xmx2g -Dskiff.home="$home" -cp "$jar:$home/bench/target/lib/*" \
  io.skiff.bench.SideBySide "$@"
