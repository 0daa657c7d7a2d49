#!/usr/bin/env bash
# Builds Skiff and the bench module, then runs the log cleaner side by side (io.skiff.bench.CleanerBench):
# the same compacted topic cleaned by Apache Kafka 4.3.1 and by Skiff, one cleaner thread each and the
# same dedupe buffer; prints MB/s, records/s, produce throughput during cleaning, peak RSS and ratios.
#   bench/run-cleaner.sh [--keys N] [--updates N] [--value-bytes N] [--dedupe-buffer BYTES] [--brokers kafka,skiff]
# SKIFF_BENCH_NO_BUILD=1 skips the build.
set -euo pipefail
source "$(dirname "$0")/bench-java.sh"
bench_java io.skiff.bench.CleanerBench "$@"
