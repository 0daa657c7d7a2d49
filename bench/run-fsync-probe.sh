#!/usr/bin/env bash
# Builds the bench module, then measures what fsync costs on this disk (io.skiff.bench.FsyncProbe):
# append-then-fdatasync against preallocated (zeroed or sparse) space, fdatasync against fsync,
# and fdatasyncs of several files from several threads at once. Figures printed, never asserted.
#   bench/run-fsync-probe.sh [--dir DIR] [--writes N] [--sizes 16384,65536] [--threads 1,2,4,8]
# SKIFF_BENCH_NO_BUILD=1 skips the build.
set -euo pipefail
source "$(dirname "$0")/bench-java.sh"
bench_java io.skiff.bench.FsyncProbe "$@"
