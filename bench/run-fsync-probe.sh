#!/usr/bin/env bash
# Builds the bench module, then measures what fsync costs on this disk (io.skiff.bench.FsyncProbe):
# append-then-fdatasync against preallocated (zeroed or sparse) space, fdatasync against fsync,
# and fdatasyncs of several files from several threads at once. Figures printed, never asserted.
#   bench/run-fsync-probe.sh [--dir DIR] [--writes N] [--sizes 16384,65536] [--threads 1,2,4,8]
# SKIFF_BENCH_NO_BUILD=1 skips the build.
set -euo pipefail
home=$(cd "$(dirname "$0")/.." && pwd)
cd "$home"
if [ "${SKIFF_BENCH_NO_BUILD:-}" != 1 ]; then
  mvn -q -pl bench -am package -DskipTests
fi
jar=$(ls bench/target/skiff-bench-*.jar | grep -v -- '-sources\|-tests' | head -n 1)
exec "${JAVA:-java}" -Xms512m -Xmx2g -Dskiff.home="$home" -cp "$jar:$home/bench/target/lib/*" \
  io.skiff.bench.FsyncProbe "$@"
