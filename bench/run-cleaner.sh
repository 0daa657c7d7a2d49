#!/usr/bin/env bash
# Builds Skiff and the bench module, then runs the log cleaner side by side (io.skiff.bench.CleanerBench):
# the same compacted topic cleaned by Apache Kafka 4.3.1 and by Skiff, one cleaner thread each and the
# same dedupe buffer; prints MB/s, records/s, produce throughput during cleaning, peak RSS and ratios.
#   bench/run-cleaner.sh [--keys N] [--updates N] [--value-bytes N] [--dedupe-buffer BYTES] [--brokers kafka,skiff]
# SKIFF_BENCH_NO_BUILD=1 skips the build.
set -euo pipefail
home=$(cd "$(dirname "$0")/.." && pwd)
cd "$home"
if [ "${SKIFF_BENCH_NO_BUILD:-}" != 1 ]; then
  mvn -q -pl bench -am package -DskipTests
fi
jar=$(ls bench/target/skiff-bench-*.jar | grep -v -- '-sources\|-tests' | head -n 1)
exec "${JAVA:-java}" -Xms512m -Xmx2g -Dskiff.home="$home" -cp "$jar:$home/bench/target/lib/*" \
  io.skiff.bench.CleanerBench "$@"
