#!/usr/bin/env bash
# Builds Skiff and the bench module, then runs the side-by-side suite: Apache Kafka 4.3.1 and
# Skiff as child processes, every workload against both, medians and Skiff/Kafka ratios.
#   bench/run-suite.sh            the standard suite (a-h and l, 3 rounds; under 10 minutes)
#   bench/run-suite.sh --quick    a subset, 1 round (about a minute)
# Any other SideBySide option passes through (see bench/README.md). SKIFF_BENCH_NO_BUILD=1 skips
# the build. Results: console, and bench/target/bench-results/side-by-side-*.jsonl.
set -euo pipefail
source "$(dirname "$0")/bench-java.sh"
bench_java io.skiff.bench.SideBySide "$@"
